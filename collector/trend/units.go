package trend

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// Kind says how analysts read a measure and what a change of it from one
// period to another means. Periods are year to date (1-6月, then 1-7月), so
// the difference of two amounts is no growth: it is the later month's own
// amount, and only when the two are one month apart in one year.
type Kind int

const (
	// KindOther is a count, an area or an amount whose scope the catalog
	// does not say (a stock like 市场主体, or a flow like a 三个一批 round):
	// shown as stated, with no change.
	KindOther Kind = iota
	// KindCumulative is a year-to-date amount (完成值 of an economic
	// indicator). Its change across months means nothing; the month's own
	// amount is derived where two consecutive months of one year allow.
	KindCumulative
	// KindRate is a rate or a share (同比增速, 占全市比重, 开工率): shown in
	// percent, its change in 个百分点 against the previous period of the
	// same year (both windows start in January).
	KindRate
	// KindPoints is the difference of two rates (高于全市增速, 占比较上月变化):
	// already a number of 个百分点, with no change of its own.
	KindPoints
)

// rateMeasures and pointMeasures are the ratio measures KindOf knows; any
// other ratio is KindOther (shown in percent, no change).
var (
	rateMeasures = []string{figure.MeasureYoYGrowth, figure.MeasureCityShare, "county_share", figure.MeasureRate,
		consistency.MeasureImpliedCityGrowth}
	pointMeasures = []string{figure.MeasureCityShareChange, figure.MeasureGrowthVsCity, "growth_vs_county"}
)

// KindOf says how a measure of an indicator in unit u reads.
func KindOf(indicator, measure string, u figure.Unit) Kind {
	switch {
	case u == figure.UnitRatio && slices.Contains(rateMeasures, measure):
		return KindRate
	case u == figure.UnitRatio && slices.Contains(pointMeasures, measure):
		return KindPoints
	case u == figure.UnitYuan && measure == figure.MeasureValue && slices.Contains(figure.Economic, indicator):
		return KindCumulative
	}
	return KindOther
}

// annotate sets the changes and derived month amounts of a series whose
// points are in period order. Nothing is set across a year boundary, from
// or to an approximate figure (约20亿元 minus 约19亿元 is no amount), or
// between points of different units.
func annotate(s *Series) {
	kind := KindOf(s.Indicator, s.Measure, s.Unit)
	for i := 1; i < len(s.Points); i++ {
		prev, cur := &s.Points[i-1], &s.Points[i]
		if prev.Period.Year != cur.Period.Year || prev.unit != cur.unit || prev.Approx || cur.Approx || prev.Derived != cur.Derived {
			continue
		}
		switch kind {
		case KindRate:
			d := diff(cur.Value, prev.Value)
			from := prev.Period
			cur.Change, cur.ChangeFrom = &d, &from
		case KindCumulative:
			if cur.Derived || cur.Period.Month != prev.Period.Month+1 {
				continue
			}
			d := diff(cur.Value, prev.Value)
			cur.MonthValue = &d
		}
	}
}

// diff is cur - prev rounded to the decimals the two are written with, so
// that 95.75亿 - 61.2亿 is 3455000000 and 0.1302 - 0.1246 is 0.0056, not a
// float's neighbour of them. Both are decimals as a bulletin stated them.
func diff(cur, prev float64) float64 {
	d := max(decimals(cur), decimals(prev))
	if d > 12 {
		return cur - prev // not a stated decimal; nothing to round to
	}
	p := math.Pow10(d)
	return math.Round(cur*p-prev*p) / p
}

// decimals is the number of decimals of v's shortest representation.
func decimals(v float64) int {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// shift renders v times 10^exp exactly, from v's shortest decimal
// representation: 9246000000 shifted by -8 is "92.46", 0.1485 by 2 is
// "14.85" (v*100 in floating point can be 14.850000000000001).
func shift(v float64, exp int) string {
	s := strconv.FormatFloat(math.Abs(v), 'f', -1, 64)
	intPart, frac, _ := strings.Cut(s, ".")
	digits := intPart + frac
	point := len(intPart) + exp // position of the decimal point in digits
	switch {
	case point <= 0:
		digits = strings.Repeat("0", 1-point) + digits
		point = 1
	case point > len(digits):
		digits += strings.Repeat("0", point-len(digits))
	}
	intPart, frac = strings.TrimLeft(digits[:point], "0"), strings.TrimRight(digits[point:], "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if frac != "" {
		out += "." + frac
	}
	if v < 0 && out != "0" {
		out = "-" + out
	}
	return out
}

// measureOrder is the order of a table's measure columns: as bulletins
// give them (完成值, 同比, 占比, 较上月, 高于全市), 三个一批's counts, amounts
// and rate, then the derived ones; any other measure comes last.
var measureOrder = []string{
	figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare, figure.MeasureCityShareChange,
	figure.MeasureGrowthVsCity, "county_share", "growth_vs_county",
	figure.MeasureCount, figure.MeasureStartedCount, figure.MeasureCountWithOutput, figure.MeasureEligibleCount,
	figure.MeasureInProgressCount, figure.MeasurePlannedInvestment, figure.MeasureStartedPlannedInvestment,
	figure.MeasureCompletedInvestment, figure.MeasureExpectedOutput, figure.MeasureRate, figure.MeasureArea,
	consistency.MeasureImpliedCityTotal, consistency.MeasureImpliedCityGrowth,
}

// measureRank is a measure's place in measureOrder, len(measureOrder) for
// one it does not list.
func measureRank(m string) int {
	if i := slices.Index(measureOrder, m); i >= 0 {
		return i
	}
	return len(measureOrder)
}
