package formstest

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Workbook writes a bulletin's text as a workbook of one sheet, the way a
// statistics office lays a table out: each line of text in a row of its
// own, merged across the table (a title, a 单位 line, a note); each table
// row's cells in columns, numbers stored as numbers and shown with the
// decimals the text writes, a column whose header holds % stored as a
// fraction with a percent format (7.6 shown as 7.6% from 0.076); a header
// cell followed by empty ones merged across them, and an empty first cell
// of the second header row merged into the cell above.
func Workbook(sheet, text string) ([]byte, error) {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return nil, err
	}
	src := strings.Split(strings.TrimSpace(text), "\n")
	width := 1
	for _, l := range src {
		if c := splitRow(l); c != nil {
			width = max(width, len(c))
		}
	}
	r := 0
	header := 0 // header rows of the current table so far
	var heads []string
	for _, l := range src {
		l = strings.TrimSpace(l)
		if l == "" {
			continue
		}
		r++
		cells := splitRow(l)
		if cells == nil {
			header, heads = 0, nil
			if err := set(f, sheet, 0, r, l, ""); err != nil {
				return nil, err
			}
			if width > 1 {
				if err := f.MergeCell(sheet, cell(0, r), cell(width-1, r)); err != nil {
					return nil, err
				}
			}
			continue
		}
		numeric := false
		for _, c := range cells[1:] {
			if _, err := strconv.ParseFloat(c, 64); err == nil {
				numeric = true
			}
		}
		if !numeric {
			header++
			if len(heads) < len(cells) {
				heads = append(heads, make([]string, len(cells)-len(heads))...)
			}
			for c, s := range cells {
				heads[c] += s
			}
		}
		for c, s := range cells {
			format := ""
			if numeric && c < len(heads) && strings.Contains(heads[c], "%") {
				format = "%"
			}
			if err := set(f, sheet, c, r, s, format); err != nil {
				return nil, err
			}
		}
		if numeric {
			continue
		}
		// Merge a group cell across the empty cells after it; an empty
		// first cell of the second header row into the one above.
		for c := 0; c < len(cells); c++ {
			if cells[c] == "" {
				if c == 0 && header == 2 {
					if err := f.MergeCell(sheet, cell(0, r-1), cell(0, r)); err != nil {
						return nil, err
					}
				}
				continue
			}
			end := c
			for end+1 < len(cells) && cells[end+1] == "" {
				end++
			}
			if end > c && header == 1 {
				if err := f.MergeCell(sheet, cell(c, r), cell(end, r)); err != nil {
					return nil, err
				}
			}
		}
	}
	buf, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func cell(c, r int) string {
	s, _ := excelize.CoordinatesToCellName(c+1, r)
	return s
}

// set writes one cell: a number as a number shown with the decimals s
// writes (as a percentage when format is "%"), anything else as text.
func set(f *excelize.File, sheet string, c, r int, s, format string) error {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || s == "" {
		return f.SetCellStr(sheet, cell(c, r), s)
	}
	decimals := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		decimals = len(s) - i - 1
	}
	code := "0"
	if decimals > 0 {
		code += "." + strings.Repeat("0", decimals)
	}
	if format == "%" {
		v /= 100
		code += "%"
	}
	if err := f.SetCellFloat(sheet, cell(c, r), v, -1, 64); err != nil {
		return err
	}
	style, err := f.NewStyle(&excelize.Style{CustomNumFmt: &code})
	if err != nil {
		return fmt.Errorf("style %s: %w", code, err)
	}
	return f.SetCellStyle(sheet, cell(c, r), cell(c, r), style)
}
