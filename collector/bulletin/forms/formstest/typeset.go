package formstest

import (
	"strings"
)

// TextWidth is the width of a page's text block, in points.
const TextWidth = 595 - 2*LeftMargin

// Typeset lays a bulletin's text out in pages of linesPerPage lines, the
// way a word processor prints it before it is saved as PDF: a line of
// prose is wrapped at the text width, its first line indented by two
// characters; a table (rows of cells split by | or tabs) is set in
// columns, each as wide as its widest cell and two characters apart, a
// cell left empty by a merged header left blank. Blank lines are dropped:
// a printed page has none.
func Typeset(text string, linesPerPage int) []Page {
	var lines []Line
	src := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	for i := 0; i < len(src); i++ {
		l := strings.TrimSpace(src[i])
		if l == "" {
			continue
		}
		if cells := splitRow(src[i]); cells != nil {
			j := i
			var rows [][]string
			for ; j < len(src); j++ {
				c := splitRow(src[j])
				if c == nil {
					break
				}
				rows = append(rows, c)
			}
			lines = append(lines, columns(rows)...)
			i = j - 1
			continue
		}
		lines = append(lines, wrap(l)...)
	}
	var pages []Page
	for len(lines) > 0 {
		n := min(linesPerPage, len(lines))
		pages = append(pages, Page(lines[:n]))
		lines = lines[n:]
	}
	return pages
}

// splitRow splits a table row into cells, or returns nil for prose.
func splitRow(l string) []string {
	var cells []string
	switch {
	case strings.Count(l, "|") >= 2:
		l = strings.TrimSpace(l)
		l = strings.TrimSuffix(l, "|")
		if strings.HasPrefix(l, "|") {
			l = " " + l
		}
		cells = strings.Split(l, "|")
	case strings.Count(l, "\t") >= 2:
		cells = strings.Split(l, "\t")
	default:
		return nil
	}
	for i := range cells {
		cells[i] = strings.TrimSpace(cells[i])
	}
	return cells
}

// columns sets rows of cells in columns.
func columns(rows [][]string) []Line {
	var widths []float64
	for _, r := range rows {
		for c, cell := range r {
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], Width(cell))
		}
	}
	var out []Line
	for _, r := range rows {
		var l Line
		x := float64(LeftMargin)
		for c, cell := range r {
			if cell != "" {
				l = append(l, Run{X: x, Text: cell})
			}
			x += widths[c] + 2*FontSize
		}
		out = append(out, l)
	}
	return out
}

// wrap breaks a paragraph into lines of the text width, the first
// indented by two characters.
func wrap(p string) []Line {
	var out []Line
	indent := 2 * FontSize
	if Width(p) <= TextWidth-indent && !strings.ContainsAny(p, "。,;") {
		indent = 0 // a title or a heading: not indented
	}
	var cur strings.Builder
	w := indent
	for _, r := range p {
		rw := Width(string(r))
		if w+rw > TextWidth {
			out = append(out, Line{{X: LeftMargin + indent, Text: cur.String()}})
			cur.Reset()
			w, indent = 0, 0
		}
		cur.WriteRune(r)
		w += rw
	}
	if cur.Len() > 0 {
		out = append(out, Line{{X: LeftMargin + indent, Text: cur.String()}})
	}
	return out
}
