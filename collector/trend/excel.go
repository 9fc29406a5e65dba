package trend

import (
	"encoding/csv"
	"fmt"
	"io"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// ExcelHeader names the columns of WriteExcelCSV, in Chinese.
var ExcelHeader = []string{"城市", "开发区", "指标", "口径", "期间", "数值", "单位", "较上期变化(个百分点)", "比较期",
	"推算当月值(亿元)", "约数", "推算", "来源公报", "原文"}

// WriteExcelCSV writes series as CSV for analysts who open it in Excel:
// Chinese headers, amounts in 亿元 and rates in percent (not yuan and
// fractions), differences of rates in 个百分点, the change of a rate and
// the derived month amount as WriteTable shows them, and the period as
// text Excel leaves alone (2023年1-6月; January as 2023年1月份, since a
// Chinese Excel reads 2023年1月 as a date). Numbers are exact decimals of
// the stated values, UTF-8 with a byte order mark, CRLF line ends.
func WriteExcelCSV(w io.Writer, series []Series) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	if err := cw.Write(ExcelHeader); err != nil {
		return err
	}
	for _, s := range series {
		kind := KindOf(s.Indicator, s.Measure, s.Unit)
		for _, p := range s.Points {
			value, unit := excelValue(kind, p.unit, p.Value)
			change, from, month := "", "", ""
			if p.Change != nil {
				change, from = shift(*p.Change, 2), periodText(*p.ChangeFrom)
			}
			if p.MonthValue != nil {
				month = shift(*p.MonthValue, -8)
			}
			approx, derived := "", ""
			if p.Approx {
				approx = "约"
			}
			if p.Derived {
				derived = "推算"
			}
			err := cw.Write([]string{s.City, s.Zone, s.IndicatorName, measureName(s.Measure), periodText(p.Period),
				value, unit, change, from, month, approx, derived, p.Report, p.Text})
			if err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// excelValue is a value in the unit analysts read, and that unit's name.
func excelValue(k Kind, u figure.Unit, v float64) (value, unit string) {
	switch {
	case u == figure.UnitYuan:
		return shift(v, -8), "亿元"
	case k == KindPoints:
		return shift(v, 2), "个百分点"
	case u == figure.UnitRatio:
		return shift(v, 2), "%"
	case u == figure.UnitMu:
		return shift(v, 0), "亩"
	case u == figure.UnitKm2:
		return shift(v, 0), "平方公里"
	}
	return shift(v, 0), ""
}

// periodText is a period as bulletins write it, in a form Excel keeps as
// text.
func periodText(p figure.Period) string {
	if p.Month == 1 {
		return fmt.Sprintf("%d年1月份", p.Year)
	}
	return p.Label()
}
