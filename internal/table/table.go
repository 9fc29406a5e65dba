// Package table writes rows as columns aligned for a terminal, where a
// Chinese character takes two cells (text/tabwriter counts it as one).
package table

import (
	"io"
	"strings"

	"golang.org/x/text/width"
)

// Write writes rows, the first being the header, with two spaces between
// columns and no trailing blanks.
func Write(w io.Writer, rows [][]string) error {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], Cells(c))
		}
	}
	var sb strings.Builder
	for _, r := range rows {
		var line strings.Builder
		for i, c := range r {
			line.WriteString(c)
			if i < len(r)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-Cells(c)+2))
			}
		}
		sb.WriteString(strings.TrimRight(line.String(), " "))
		sb.WriteByte('\n')
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// Cells is the number of terminal cells s takes.
func Cells(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
