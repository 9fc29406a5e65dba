package bulletin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// table is a table flattened into text: its header cells (two header rows
// are merged into one name per column) and its rows, each a label and
// cells.
type table struct {
	header []string
	// leaf holds each column's own name in the lowest header row, without
	// the group above it (增长率(%) under 园区工业), where the table has
	// rows of headers; nil otherwise.
	leaf []string
	rows []tableRow
	unit string // 单位: line above or inside the table
	// caption is the line above the header that names the table
	// (附表:2018年上半年各市县地区生产总值及增速), where it is read with it.
	caption string
	source  string // the lines as written
	line    int    // first line
}

type tableRow struct {
	label string
	cells []string
	line  int
}

var (
	unitLineRe  = regexp.MustCompile(`^单位\s*[:]\s*(.+)$`)
	multiSpace  = regexp.MustCompile(`\s{2,}`)
	numericCell = regexp.MustCompile(`^-?[0-9]+(?:\.[0-9]+)?$`)
)

func isNumericCell(s string) bool { return numericCell.MatchString(s) }

func isEmptyCell(s string) bool {
	return s == "" || s == "—" || s == "-" || s == "--" || s == "…" || s == "/"
}

// readTable reads a table that starts at lines[i], if one does. It returns
// the table and how many lines it took.
func readTable(lines []string, i int) (*table, int) {
	line := strings.TrimSpace(lines[i])
	switch {
	case strings.Count(line, "|") >= 2:
		isRow := func(l string) bool { return strings.Count(l, "|") >= 2 }
		if framed(lines[i:], isRow) {
			// | a | b |: every row opens with a pipe, which adds no cell.
			return readDelimited(lines, i, func(l string) []string {
				return splitPipes(strings.TrimPrefix(strings.TrimSpace(l), "|"))
			}, isRow)
		}
		return readDelimited(lines, i, splitPipes, isRow)
	case strings.Count(lines[i], "\t") >= 2:
		return readDelimited(lines, i, func(l string) []string { return splitTrim(l, "\t") }, func(l string) bool { return strings.Count(l, "\t") >= 2 })
	case spaceRuns(line) >= 3:
		return readDelimited(lines, i, func(l string) []string { return multiSpace.Split(strings.TrimSpace(l), -1) }, func(l string) bool {
			return spaceRuns(strings.TrimSpace(l)) >= 2
		})
	}
	if strings.Count(line, " ") >= 7 {
		if t := readRunOn(line, i); t != nil {
			return t, 1
		}
	}
	return readCellPerLine(lines, i)
}

// spaceRuns counts the runs of two or more spaces in l: the gaps between
// the columns of a table laid out with spaces.
func spaceRuns(l string) int {
	n, run := 0, 0
	for i := 0; i < len(l); i++ {
		if l[i] == ' ' {
			run++
			continue
		}
		if run >= 2 {
			n++
		}
		run = 0
	}
	return n
}

func splitTrim(l, sep string) []string {
	f := strings.Split(l, sep)
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	return f
}

// framed reports whether every row of the table that starts lines opens
// with a pipe, as a Markdown table or a table drawn with borders does.
func framed(lines []string, isRow func(string) bool) bool {
	for _, l := range lines {
		if !isRow(l) {
			break
		}
		if !strings.HasPrefix(strings.TrimSpace(l), "|") {
			return false
		}
	}
	return true
}

// splitPipes splits "a | b | c |" into cells; a leading or trailing pipe
// adds no cell.
func splitPipes(l string) []string {
	l = strings.TrimSpace(l)
	l = strings.TrimSuffix(l, "|")
	if strings.HasPrefix(l, "|") {
		l = " " + l // a row whose label cell is empty
	}
	return splitTrim(l, "|")
}

// readDelimited reads rows split by split while is holds; the rows before
// the first row with a numeric cell are the header.
func readDelimited(lines []string, i int, split func(string) []string, is func(string) bool) (*table, int) {
	t := &table{line: i + 1}
	var src []string
	var headerRows [][]string
	n := 0
	for j := i; j < len(lines); j++ {
		l := lines[j]
		if strings.TrimSpace(l) == "" || !is(l) {
			break
		}
		src = append(src, l)
		n++
		cells := split(l)
		if hasNumber(cells[1:]) && len(cells) > 1 {
			t.rows = append(t.rows, tableRow{label: cells[0], cells: cells[1:], line: j + 1})
			continue
		}
		if len(t.rows) == 0 {
			headerRows = append(headerRows, cells)
		}
	}
	if len(t.rows) == 0 || len(headerRows) == 0 {
		return nil, 0
	}
	headerRows = alignHeaders(headerRows)
	t.header = mergeHeaders(headerRows)
	if len(headerRows) > 1 {
		t.leaf = headerRows[len(headerRows)-1]
	}
	t.source = strings.Join(src, "\n")
	t.unit = unitAbove(lines, i)
	return t, n
}

func hasNumber(cells []string) bool {
	for _, c := range cells {
		if isNumericCell(c) {
			return true
		}
	}
	return false
}

// alignHeaders shifts a lower header row that left out the label column
// one cell to the right: under 市州 | 园区工业 | 技术创新 | | a row that
// opens with a value column's name (园区规模工业增加值总额(亿元)) and ends
// with an empty cell names the columns from the second on.
func alignHeaders(rows [][]string) [][]string {
	if len(rows) < 2 {
		return rows
	}
	top := rows[0]
	for k := 1; k < len(rows); k++ {
		r := rows[k]
		if len(r) < 2 || len(r) != len(top) || r[0] == "" || r[len(r)-1] != "" || top[0] == "" || !valueHeader(r[0]) {
			continue
		}
		shifted := append([]string{""}, r[:len(r)-1]...)
		rows[k] = shifted
	}
	return rows
}

// valueHeader reports whether a header cell names a column of values: a
// unit, a measure word or an indicator, not a label's name (名称, 市州).
func valueHeader(h string) bool {
	if strings.Contains(h, "(%)") || strings.Contains(h, "亿元") || strings.Contains(h, "万元") || strings.ContainsAny(h, "%") {
		return true
	}
	for _, w := range []string{"增长", "增速", "比重", "总额", "增幅"} {
		if strings.Contains(h, w) {
			return true
		}
	}
	return len(findPhrases(h, nil)) > 0
}

// mergeHeaders merges header rows into one name per column: a group name
// that spans empty cells to its right (园区工业 | | |) prefixes the names
// under it.
func mergeHeaders(rows [][]string) []string {
	width := 0
	for _, r := range rows {
		if len(r) > width {
			width = len(r)
		}
	}
	out := make([]string, width)
	for _, r := range rows {
		group := ""
		for c := 0; c < width; c++ {
			cell := ""
			if c < len(r) {
				cell = r[c]
			}
			if cell != "" {
				group = cell
			}
			if len(rows) > 1 && cell == "" && c > 0 {
				cell = group
			}
			if cell != "" && !strings.Contains(out[c], cell) {
				out[c] += cell
			}
		}
	}
	return out
}

// unitAbove finds a 单位: line among the three lines above a table.
// captionAbove returns the title line right above a table (blank lines
// aside) when it names an indicator, or "".
func captionAbove(lines []string, i int) string {
	for j := i - 1; j >= 0 && j >= i-2; j-- {
		l := strings.TrimSpace(lines[j])
		if l == "" {
			continue
		}
		if titleLike(l) && len(findPhrases(l, nil)) > 0 {
			return l
		}
		return ""
	}
	return ""
}

func unitAbove(lines []string, i int) string {
	for j := i - 1; j >= 0 && j >= i-3; j-- {
		if m := unitLineRe.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
			return m[1]
		}
	}
	return ""
}

// readRunOn reads a table whose title, header and rows are run together
// on one line, cells separated by single spaces.
func readRunOn(line string, i int) *table {
	toks := strings.Fields(line)
	if len(toks) < 8 {
		return nil
	}
	nums := 0
	for _, t := range toks {
		if isNumericCell(t) {
			nums++
		}
	}
	if nums < 6 {
		return nil
	}
	t, _ := streamTable(toks, func(int) int { return i + 1 })
	if t != nil {
		t.source = line
	}
	return t
}

// readCellPerLine reads a table flattened to one cell per line. It is
// tried only at the start of a run of short lines, so that reading a file
// stays linear in its lines.
//
// A table copied out of a PDF may put a blank line after every cell, and
// a column's unit on a line of its own under its name (绝对数 ⏎ (亿元)):
// the blank lines then separate cells, and a unit joins the name above.
func readCellPerLine(lines []string, i int) (*table, int) {
	if i > 0 && shortLine(lines[i-1]) || i > 1 && blankLine(lines[i-1]) && shortLine(lines[i-2]) && spaced(lines, i-2) {
		return nil, 0
	}
	gaps := spaced(lines, i)
	var cells []string
	var at []int // the line of each cell
	j := i
	for j < len(lines) {
		if shortLine(lines[j]) {
			c := strings.TrimSpace(lines[j])
			if unitCellRe.MatchString(c) && len(cells) > 0 && !isNumericCell(cells[len(cells)-1]) {
				cells[len(cells)-1] += c
			} else {
				cells = append(cells, c)
				at = append(at, j)
			}
			j++
			continue
		}
		if gaps && blankLine(lines[j]) && j+1 < len(lines) && shortLine(lines[j+1]) {
			j++
			continue
		}
		break
	}
	if len(cells) < 8 {
		return nil, 0
	}
	t, used := streamTable(cells, func(k int) int { return at[k] + 1 })
	if t == nil {
		return nil, 0
	}
	t.source = strings.Join(cells[:used], "\n")
	if t.unit == "" {
		t.unit = unitAbove(lines, i)
	}
	if t.caption == "" {
		t.caption = captionAbove(lines, i)
	}
	if used == len(cells) {
		return t, j - i
	}
	return t, at[used] - i
}

// unitCellRe is a cell that holds only a unit: (亿元), (%).
var unitCellRe = regexp.MustCompile(`^[(（][^()（）]{1,6}[)）]$`)

func blankLine(l string) bool { return strings.TrimSpace(l) == "" }

// spaced reports whether the short lines from lines[i] on are separated by
// single blank lines, as a PDF's cells copied one per paragraph are.
func spaced(lines []string, i int) bool {
	return i+2 < len(lines) && shortLine(lines[i]) && blankLine(lines[i+1]) && shortLine(lines[i+2])
}

func shortLine(l string) bool {
	l = strings.TrimSpace(l)
	return l != "" && utf8.RuneCountInString(l) <= 24 && !strings.ContainsAny(l, "。,;")
}

// streamTable reads a table from a stream of cells: leading cells (a
// title, a 单位 line), the header, then rows of a label and as many
// cells as the header has columns after its first. The number of columns
// is the number of value cells that follow the first row label. line
// gives the source line of cell k. It returns the table and the number of
// cells it used.
func streamTable(cells []string, line func(k int) int) (*table, int) {
	j := -1
	for k := 0; k+1 < len(cells); k++ {
		if !isNumericCell(cells[k]) && !isEmptyCell(cells[k]) && isNumericCell(cells[k+1]) {
			j = k
			break
		}
	}
	if j < 0 {
		return nil, 0
	}
	n := 0
	for k := j + 1; k < len(cells) && (isNumericCell(cells[k]) || isEmptyCell(cells[k])); k++ {
		n++
	}
	cols := n + 1
	if j-cols < 0 || cols < 2 {
		return nil, 0
	}
	t := &table{header: cells[j-cols : j], line: line(j - cols)}
	for _, c := range cells[:j-cols] {
		if m := unitLineRe.FindStringSubmatch(c); m != nil {
			t.unit = m[1]
		} else if len(findPhrases(c, nil)) > 0 {
			t.caption = c // the last line above the header that names an indicator
		}
	}
	k := j
	for ; k+cols <= len(cells); k += cols {
		if isNumericCell(cells[k]) || isEmptyCell(cells[k]) || !allCells(cells[k+1:k+cols]) {
			break
		}
		t.rows = append(t.rows, tableRow{label: cells[k], cells: cells[k+1 : k+cols], line: line(k)})
	}
	if len(t.rows) < 2 {
		return nil, 0
	}
	return t, k
}

func allCells(cs []string) bool {
	for _, c := range cs {
		if !isNumericCell(c) && !isEmptyCell(c) {
			return false
		}
	}
	return true
}

// column is what a table column holds.
type column struct {
	ind     indicatorPhrase
	measure string
	scale   string // 亿元, 万元, 万亿元 for amounts; "" for ratios
	skip    string // why the column gives no figures
}

// columns reads the header: each column's indicator, measure and unit.
// A growth or share column without an indicator of its own is of the
// indicator of the column before it.
func (t *table) columns() []column {
	cols := make([]column, len(t.header))
	// A caption that names one core indicator (各市县地区生产总值及增速) is
	// the indicator of columns that name none (绝对数, 比上年同期增长).
	var last indicatorPhrase
	if ms := findPhrases(t.caption, nil); len(ms) == 1 && ms[0].kind == kindCore && !strings.Contains(t.caption[:ms[0].start], "占") {
		last = ms[0].indicatorPhrase
	}
	defaultScale := ""
	for _, u := range []string{"万亿元", "亿元", "万元"} {
		if strings.Contains(t.unit, u) {
			defaultScale = u
			break
		}
	}
	for c := 1; c < len(t.header); c++ {
		h := t.header[c]
		col := &cols[c]
		ms := findPhrases(h, zoneSpans(h))
		var ind indicatorPhrase
		for _, m := range ms {
			if strings.Contains(h[:m.start], "占") || strings.Contains(h[:m.start], "比全") {
				continue
			}
			ind = m.indicatorPhrase
			break
		}
		own := h
		if c < len(t.leaf) && t.leaf[c] != "" {
			own = t.leaf[c]
		}
		if ind.kind == 0 && bareMeasure(without(own, last)) {
			ind = last // 工业投资 | 增速: the growth of the column before
		}
		switch {
		case strings.Contains(h, "位次") || strings.Contains(h, "排名") || strings.Contains(h, "名次"):
			col.skip = "ranking column"
			continue
		case (strings.Contains(h, "本月") || strings.Contains(h, "当月")) && !strings.Contains(h, "累计"):
			col.skip = "a one-month column"
			continue
		case strings.Contains(h, "环比") || strings.Contains(h, "两年平均") || strings.Contains(h, "计划") || strings.Contains(h, "目标") || strings.Contains(h, "完成率") || strings.Contains(h, "贡献率") || strings.Contains(h, "拉动"):
			col.skip = "a column of another measure (" + h + ")"
			continue
		case strings.Contains(h, "较上月增减") || strings.Contains(h, "比上月增减") || strings.Contains(h, "占比较上月"):
			col.measure = figure.MeasureCityShareChange
		case strings.Contains(h, "增速高") || strings.Contains(h, "增速差") || strings.Contains(h, "比全市增速"):
			if strings.Contains(h, "全市") || strings.Contains(h, "全州") || strings.Contains(h, "全盟") {
				col.measure = figure.MeasureGrowthVsCity
			} else {
				col.skip = "comparison with another total"
			}
		case strings.Contains(h, "占"):
			switch {
			case strings.Contains(h, "占全市") || strings.Contains(h, "占全州") || strings.Contains(h, "占全盟") || strings.Contains(h, "占所在市"):
				col.measure = figure.MeasureCityShare
			case strings.Contains(h, "占全县") || strings.Contains(h, "占全旗"):
				col.measure = "county_share"
			default:
				col.skip = "share of another total"
			}
		case strings.Contains(h, "增长") || strings.Contains(h, "增速") || strings.Contains(h, "比增") || strings.Contains(h, "增幅") || strings.Contains(h, "同比"):
			col.measure = figure.MeasureYoYGrowth
		case ind.kind != 0 && ind != last || strings.Contains(h, "亿元") || strings.Contains(h, "万元"):
			col.measure = figure.MeasureValue
			col.scale = defaultScale
			for _, u := range []string{"万亿元", "亿元", "万美元", "亿美元", "万元"} {
				if strings.Contains(h, u) {
					col.scale = u
					break
				}
			}
			if col.scale == "" || strings.Contains(col.scale, "美元") {
				col.skip = "amount column with no yuan unit"
			}
		default:
			col.skip = "column the parser cannot read"
		}
		if ind.kind != 0 && col.measure == figure.MeasureValue {
			last = ind
		} else if ind.kind != 0 && last.kind == 0 {
			last = ind
		}
		col.ind = ind
		if col.skip == "" && ind.kind != kindCore {
			col.skip = "not a core indicator"
		}
	}
	return cols
}

// bareMeasure reports whether a header names a measure and nothing else
// (增速, 同比增长(%), 占全市比重), so that it is of the indicator of the
// column before; 工业企业专利授权量增长率 is of something else.
func bareMeasure(h string) bool {
	rest := measureWordsRe.ReplaceAllString(h, "")
	for _, r := range rest {
		if unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return true
}

// without returns h with the phrases of ind's indicator taken out
// (占全市规模以上工业增加值比重 after a value-added column: 占全市比重).
func without(h string, ind indicatorPhrase) string {
	if ind.kind == 0 {
		return h
	}
	var b strings.Builder
	at := 0
	for _, m := range findPhrases(h, nil) {
		if m.key == ind.key && m.start >= at {
			b.WriteString(h[at:m.start])
			at = m.end
		}
	}
	b.WriteString(h[at:])
	return b.String()
}

// measureWordsRe holds the measure words, comparisons and units a header
// may hold besides its indicator.
var measureWordsRe = regexp.MustCompile(`绝对数|绝对值|总量|同期|\(盟\)|\(州\)|增速高|增速低|高出|同比|比上年|比去年|上年同期|累计|增长率|增长|增速|增幅|比增|下降|占全市|占全州|占全盟|占所在市|占全县|占全旗|比重|占比|较上月增减|比上月增减|增减|高于全市|比全市|全市|位次|排名|名次|百分点|个|亿元|万元|元|%|\(|\)|\s`)

// cityRowHeads are first-column headers whose rows are cities.
var cityRowHeads = []string{"设区市", "盟市", "市州", "市(州)", "地区", "城市", "地市"}

// rowSubject reads a row label: a zone, an aggregate, a city (rows of a
// province's table by city, whose zones are 园区), or a province row.
func (x *proseExtractor) rowSubject(t *table, label string) (subj subject, city string, ok bool) {
	label = strings.TrimSpace(label)
	if strings.Contains(label, " ") && hanOnly(strings.ReplaceAll(label, " ", "")) {
		label = strings.ReplaceAll(label, " ", "") // 海 口 市: a PDF's spaced name
	}
	if p := placeAt(label); p == label {
		return subject{zones: []string{p}, level: "county", source: "table row (a place named)"}, x.city, true
	}
	if i := strings.Index(label, "("); i > 0 && zoneKindRe.MatchString(label[:i]) {
		label = label[:i]
	}
	if label == "全省" || label == "全区" && x.doc.region {
		return subject{zones: []string{rowZone(t)}, level: "province", source: "table row " + label}, "", true
	}
	if s, n, ok := x.readSubject(label); ok && n == len(label) {
		s.source = "table row (" + s.source + ")"
		return s, x.city, true
	}
	byCity := false
	for _, h := range cityRowHeads {
		if strings.Contains(t.header[0], h) {
			byCity = true
		}
	}
	if byCity && utf8.RuneCountInString(label) <= 6 {
		return subject{zones: []string{rowZone(t)}, level: "aggregate", source: "table row of a city"}, label, true
	}
	return subject{}, "", false
}

// rowZone is the zones a row of a table by city or province stands for:
// 园区, or 开发区 where the header speaks only of 开发区.
func rowZone(t *table) string {
	h := strings.Join(t.header, "")
	if strings.Contains(h, "开发区") && !strings.Contains(h, "园区") {
		return "开发区"
	}
	return "园区"
}

// tableFigures reads one record per row and column that holds a core
// figure.
func (x *proseExtractor) tableFigures(t *table) {
	cols := t.columns()
	for _, r := range t.rows {
		subj, city, ok := x.rowSubject(t, r.label)
		for c, cell := range r.cells {
			if c+1 >= len(cols) || isEmptyCell(cell) || !isNumericCell(cell) {
				continue
			}
			col := cols[c+1]
			sk := Skipped{Line: r.line, Number: cell, Text: r.label + " " + strings.Join(r.cells, " ")}
			switch {
			case col.skip != "":
				sk.Reason = col.skip
			case !ok:
				sk.Reason = "row label is not a subject the parser reads: " + r.label
			case subj.blocked:
				sk.Reason = subj.source
			case subj.level == "province" && col.measure != figure.MeasureValue && col.measure != figure.MeasureYoYGrowth:
				sk.Reason = "a province row's share or comparison"
			}
			if sk.Reason != "" {
				*x.skipped = append(*x.skipped, sk)
				continue
			}
			a := amount{digits: strings.TrimPrefix(cell, "-"), negative: strings.HasPrefix(cell, "-"), unit: "%"}
			if col.measure == figure.MeasureValue {
				a.unit = col.scale
			}
			v, unit := a.value(false)
			*x.out = append(*x.out, Statement{
				Figure: figure.Figure{
					City: city, Zones: subj.zones, Indicator: col.ind.key, Measure: col.measure,
					Value: v, Unit: unit, Period: x.period, Text: t.header[c+1] + ": " + r.label + " " + cell, Line: r.line,
				},
				Rule:          "table column " + t.header[c+1],
				SubjectSource: subj.source,
			})
		}
	}
}
