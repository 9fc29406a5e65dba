package trend

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/table"
)

// WriteJSON writes series as one JSON document.
func WriteJSON(w io.Writer, series []Series) error { return writeJSONPage(w, series, "") }

// writeJSONPage is WriteJSON with the cursor of the next page, if any.
func writeJSONPage(w io.Writer, series []Series, next string) error {
	if series == nil {
		series = []Series{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Series []Series `json:"series"`
		Next   string   `json:"next,omitempty"`
	}{series, next})
}

// utf8BOM makes Excel read a CSV file as UTF-8 rather than the system's
// legacy code page, which would garble every Chinese character.
const utf8BOM = "\uFEFF"

// CSVHeader names the columns of WriteCSV. change, change_from and
// derived_month_value are Point's Change, ChangeFrom and MonthValue, empty
// where not set.
var CSVHeader = []string{"city", "zone", "indicator", "indicator_name", "measure", "period", "value", "unit", "approx", "derived", "report", "text",
	"change", "change_from", "derived_month_value"}

// WriteCSV writes series as CSV, one row per period, UTF-8 with a byte
// order mark, values in base units (yuan, ratio) for programs; WriteExcelCSV
// writes them as analysts read them.
func WriteCSV(w io.Writer, series []Series) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, s := range series {
		for _, p := range s.Points {
			err := cw.Write([]string{s.City, s.Zone, s.Indicator, s.IndicatorName, s.Measure, p.Period.String(),
				strconv.FormatFloat(p.Value, 'f', -1, 64), string(s.Unit), strconv.FormatBool(p.Approx),
				strconv.FormatBool(p.Derived), p.Report, p.Text, optional(p.Change), optionalPeriod(p.ChangeFrom), optional(p.MonthValue)})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes each series as an aligned table for a terminal:
// period, value in the unit officials read (亿元, %, 个百分点), and what the
// series' kind (KindOf) makes meaningful beside it: the change in 个百分点
// of a rate, or the month's own amount of a year-to-date one, marked
// derived. A sparkline of the series heads it. Series of several measures
// of one zone and indicator (--measure all) share one table, a column each.
func WriteTable(w io.Writer, series []Series) error {
	if len(series) == 0 {
		_, err := io.WriteString(w, "no figures match\n")
		return err
	}
	var sb strings.Builder
	for i := 0; i < len(series); {
		j := i + 1
		for j < len(series) && sameSubject(series[i], series[j]) {
			j++
		}
		if i > 0 {
			sb.WriteByte('\n')
		}
		var err error
		if j-i > 1 {
			err = writeWide(&sb, series[i:j])
		} else {
			err = writeSeries(&sb, series[i])
		}
		if err != nil {
			return err
		}
		i = j
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// sameSubject reports whether a and b are measures of one zone's indicator.
func sameSubject(a, b Series) bool {
	return a.City == b.City && a.Zone == b.Zone && a.Indicator == b.Indicator
}

// writeSeries writes one series as a table.
func writeSeries(sb *strings.Builder, s Series) error {
	vals := make([]float64, len(s.Points))
	for j, p := range s.Points {
		vals[j] = p.Value
	}
	fmt.Fprintf(sb, "%s %s %s %s  %s\n", s.City, s.Zone, s.IndicatorName, measureName(s.Measure), Sparkline(vals))
	kind := KindOf(s.Indicator, s.Measure, s.Unit)
	header := []string{"PERIOD", "VALUE"}
	switch kind {
	case KindRate:
		header = append(header, "CHANGE")
	case KindCumulative:
		header = append(header, "MONTH(DERIVED)")
	}
	rows := [][]string{append(header, "APPROX")}
	for _, p := range s.Points {
		row := []string{p.Period.String(), formatPoint(kind, s.Unit, p.Value)}
		switch kind {
		case KindRate:
			row = append(row, formatChange(p))
		case KindCumulative:
			m := ""
			if p.MonthValue != nil {
				m = FormatValue(s.Unit, *p.MonthValue)
			}
			row = append(row, m)
		}
		rows = append(rows, append(row, marks(p)))
	}
	return table.Write(sb, rows)
}

// writeWide writes several measures of one zone's indicator as one table:
// a row per period, a column per measure, written as a bulletin would
// (约20亿元), derived values marked (推算).
func writeWide(sb *strings.Builder, group []Series) error {
	group = slices.Clone(group)
	slices.SortStableFunc(group, func(a, b Series) int { return measureRank(a.Measure) - measureRank(b.Measure) })
	s := group[0]
	fmt.Fprintf(sb, "%s %s %s\n", s.City, s.Zone, s.IndicatorName)
	var periods []figure.Period
	cells := map[figure.Period][]string{}
	header := []string{"PERIOD"}
	for c, m := range group {
		header = append(header, measureName(m.Measure))
		kind := KindOf(m.Indicator, m.Measure, m.Unit)
		for _, p := range m.Points {
			row, ok := cells[p.Period]
			if !ok {
				periods = append(periods, p.Period)
				row = make([]string, len(group))
				cells[p.Period] = row
			}
			cell := formatPoint(kind, m.Unit, p.Value)
			if p.Approx {
				cell = "约" + cell
			}
			if p.Derived {
				cell += "(推算)"
			}
			row[c] = cell
		}
	}
	slices.SortFunc(periods, func(a, b figure.Period) int { return strings.Compare(a.String(), b.String()) })
	rows := [][]string{header}
	for _, p := range periods {
		rows = append(rows, append([]string{p.String()}, cells[p]...))
	}
	return table.Write(sb, rows)
}

// marks are the notes on a point: 约 (stated approximately), 推算 (derived).
func marks(p Point) string {
	m := ""
	if p.Approx {
		m = "约"
	}
	if p.Derived {
		m += "推算"
	}
	return m
}

// formatPoint renders a value as analysts read it: a difference of rates
// in signed 个百分点, anything else as FormatValue does.
func formatPoint(k Kind, u figure.Unit, v float64) string {
	if k == KindPoints {
		return FormatPoints(v)
	}
	return FormatValue(u, v)
}

// FormatPoints renders a difference of two rates, as a ratio, in signed
// percentage points: 0.0072 is +0.72个百分点.
func FormatPoints(v float64) string {
	return signed(num(v*100, 2)) + "个百分点"
}

// FormatValue renders a value the way a bulletin writes it: 92.46亿元,
// -14.85%, 846.61亩.
func FormatValue(u figure.Unit, v float64) string {
	switch u {
	case figure.UnitYuan:
		return num(v/1e8, 2) + "亿元"
	case figure.UnitRatio:
		return num(v*100, 2) + "%"
	case figure.UnitMu:
		return num(v, 2) + "亩"
	case figure.UnitKm2:
		return num(v, 2) + "平方公里"
	}
	return num(v, 2)
}

// formatChange is a rate's change in 个百分点, naming the period it is
// measured from when that is not the month before (较1-3月).
func formatChange(p Point) string {
	if p.Change == nil {
		return ""
	}
	s := FormatPoints(*p.Change)
	if from := *p.ChangeFrom; from.Month+1 != p.Period.Month {
		s += "(较" + monthsLabel(from) + ")"
	}
	return s
}

// monthsLabel is a period as a bulletin names it within its year: 1-3月,
// or 1月.
func monthsLabel(p figure.Period) string {
	if p.Month == 1 {
		return "1月"
	}
	return fmt.Sprintf("1-%d月", int(p.Month))
}

// optional renders an optional value in base units, "" when unset.
func optional(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

func optionalPeriod(p *figure.Period) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func signed(s string) string {
	if strings.HasPrefix(s, "-") || s == "0" {
		return s
	}
	return "+" + s
}

// num rounds v to at most d decimals, without trailing zeros.
func num(v float64, d int) string {
	p := math.Pow10(d)
	return strconv.FormatFloat(math.Round(v*p)/p, 'f', -1, 64)
}

// Sparkline draws values as one line of block characters.
func Sparkline(vals []float64) string {
	const bars = "▁▂▃▄▅▆▇█"
	runes := []rune(bars)
	if len(vals) == 0 {
		return ""
	}
	lo, hi := vals[0], vals[0]
	for _, v := range vals {
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	var sb strings.Builder
	for _, v := range vals {
		i := len(runes) / 2
		if hi > lo {
			i = int(math.Round((v - lo) / (hi - lo) * float64(len(runes)-1)))
		}
		sb.WriteRune(runes[i])
	}
	return sb.String()
}
