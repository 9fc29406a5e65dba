package trend

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
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

// CSVHeader names the columns of WriteCSV.
var CSVHeader = []string{"city", "zone", "indicator", "indicator_name", "measure", "period", "value", "unit", "approx", "derived", "report", "text"}

// WriteCSV writes series as CSV, one row per period, UTF-8 with a byte
// order mark.
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
				strconv.FormatBool(p.Derived), p.Report, p.Text})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteTable writes each series as an aligned table for a terminal:
// period, value in the unit officials use (亿元, %), the change from the
// period before, an approx mark; and a sparkline of the series on top.
func WriteTable(w io.Writer, series []Series) error {
	if len(series) == 0 {
		_, err := io.WriteString(w, "no figures match\n")
		return err
	}
	var sb strings.Builder
	for i, s := range series {
		if i > 0 {
			sb.WriteByte('\n')
		}
		vals := make([]float64, len(s.Points))
		for j, p := range s.Points {
			vals[j] = p.Value
		}
		fmt.Fprintf(&sb, "%s %s %s %s  %s\n", s.City, s.Zone, s.IndicatorName, measureName(s.Measure), Sparkline(vals))
		rows := [][]string{{"PERIOD", "VALUE", "CHANGE", "APPROX"}}
		for j, p := range s.Points {
			change := ""
			if j > 0 {
				change = formatChange(s.Unit, s.Points[j-1].Value, p.Value)
			}
			mark := ""
			if p.Approx {
				mark = "约"
			}
			if p.Derived {
				mark += "推算"
			}
			rows = append(rows, []string{p.Period.String(), FormatValue(s.Unit, p.Value), change, mark})
		}
		if err := table.Write(&sb, rows); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, sb.String())
	return err
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

// formatChange is the change from one period to the next: percentage
// points for ratios, a relative change for amounts and counts.
func formatChange(u figure.Unit, prev, cur float64) string {
	if u == figure.UnitRatio {
		return signed(num((cur-prev)*100, 2)) + "个百分点"
	}
	if prev == 0 {
		return ""
	}
	return signed(num((cur/prev-1)*100, 1)) + "%"
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
