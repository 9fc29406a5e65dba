package forms

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// MaxUnpacked bounds what a workbook may unpack to: a zip bomb is refused,
// whatever the size of the file.
const MaxUnpacked = 64 << 20

// defaultSheetRe are the names a spreadsheet program gives a new sheet:
// they name no period or table.
var defaultSheetRe = regexp.MustCompile(`(?i)^(sheet|工作表)\s*\d*$`)

// ReadXLSX returns the tables of a workbook, sheet by sheet: the rows
// above a table that hold one cell (a title, a 单位 line) as lines of
// their own, else the sheet's name as its title; then the table's rows as
// pipe rows, a merged cell's value in its first cell and the cells it
// covers empty, numbers as the sheet shows them (7.6, not
// 7.6000000000000005; a percent format's 7.6% as 7.6). Each row's place is
// the sheet and its cells ("Sheet1!A5:F5").
func ReadXLSX(b []byte) (Text, error) {
	f, err := excelize.OpenReader(bytes.NewReader(b), excelize.Options{UnzipSizeLimit: MaxUnpacked, UnzipXMLSizeLimit: MaxUnpacked})
	if err != nil {
		return Text{}, fmt.Errorf("xlsx: %w", err)
	}
	defer func() { _ = f.Close() }()
	var t Text
	cells := 0
	for _, sheet := range f.GetSheetList() {
		n, err := sheetText(f, sheet, &t)
		if err != nil {
			return Text{}, fmt.Errorf("xlsx: sheet %s: %w", sheet, err)
		}
		cells += n
	}
	if cells == 0 {
		return Text{}, ErrNoCells
	}
	return t, nil
}

// sheetText writes one sheet and returns how many values it holds.
func sheetText(f *excelize.File, sheet string, t *Text) (int, error) {
	shown, err := f.GetRows(sheet)
	if err != nil {
		return 0, err
	}
	raw, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return 0, err
	}
	merged, err := f.GetMergeCells(sheet)
	if err != nil {
		return 0, err
	}
	covered := map[[2]int]bool{} // cells a merge covers, its first excepted
	for _, m := range merged {
		c1, r1, err1 := excelize.CellNameToCoordinates(m.GetStartAxis())
		c2, r2, err2 := excelize.CellNameToCoordinates(m.GetEndAxis())
		if err1 != nil || err2 != nil {
			continue
		}
		for r := r1; r <= r2 && r-r1 < 1000; r++ {
			for c := c1; c <= c2 && c-c1 < 1000; c++ {
				if r != r1 || c != c1 {
					covered[[2]int{r - 1, c - 1}] = true
				}
			}
		}
	}
	rows := make([][]string, len(shown))
	values := 0
	first := -1 // the first column that holds values
	for r, row := range shown {
		rows[r] = make([]string, len(row))
		for c, s := range row {
			if covered[[2]int{r, c}] {
				continue
			}
			rv := ""
			if r < len(raw) && c < len(raw[r]) {
				rv = raw[r][c]
			}
			s = cellText(s, rv)
			rows[r][c] = s
			if s != "" {
				values++
				if first < 0 || c < first {
					first = c
				}
			}
		}
	}
	if values == 0 {
		return 0, nil
	}
	// The table's width is that of its widest row of two cells or more, so
	// that a header's group cell keeps the empty cells after it.
	width := 0
	for _, row := range rows {
		if filled(row) >= 2 {
			for c := len(row) - 1; c >= 0; c-- {
				if row[c] != "" {
					width = max(width, c+1)
					break
				}
			}
		}
	}
	if len(t.Where) > 0 {
		t.add("", "")
	}
	titled := false
	inTable := false
	for r, row := range rows {
		switch filled(row) {
		case 0:
			continue
		case 1:
			if inTable {
				t.add("", "")
				inTable = false
			}
			for c, s := range row {
				if s != "" {
					t.add(s, sheet+"!"+cellName(c, r))
				}
			}
			titled = true
			continue
		}
		if !inTable {
			if !titled && !defaultSheetRe.MatchString(sheet) {
				t.add(sheet, sheet)
			}
			titled, inTable = true, true
		}
		cells := make([]string, 0, width-first)
		for c := first; c < width; c++ {
			s := ""
			if c < len(row) {
				s = row[c]
			}
			cells = append(cells, s)
		}
		t.add(pipeRow(cells), sheet+"!"+cellName(first, r)+":"+cellName(width-1, r))
	}
	return values, nil
}

func filled(row []string) int {
	n := 0
	for _, s := range row {
		if s != "" {
			n++
		}
	}
	return n
}

func cellName(c, r int) string {
	s, err := excelize.CoordinatesToCellName(c+1, r+1)
	if err != nil {
		return "?"
	}
	return s
}

// cellText is a cell as the sheet shows it, shown, with raw its stored
// value: a number is written in plain decimals, rounded as a spreadsheet
// shows it (15 significant digits), without thousands separators or a
// percent sign; anything else as shown, on one line.
func cellText(shown, raw string) string {
	shown = strings.Join(strings.Fields(shown), " ")
	if _, err := strconv.ParseFloat(raw, 64); err != nil {
		return shown
	}
	s := strings.ReplaceAll(shown, ",", "")
	s = strings.TrimSuffix(s, "%")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return shown // a date, a text format
	}
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 15, 64), 64)
	return strconv.FormatFloat(v, 'f', -1, 64)
}
