// Package consistency checks a bulletin's numbers against each other, the
// way a statistician reads one before trusting it, and derives the figures
// its statements imply. Derived figures are never mixed with stated ones:
// they carry Derived and a measure of their own.
package consistency

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// Measures of derived figures.
const (
	// MeasureImpliedCityTotal is the city total a zone's value and city
	// share imply: value / share, in yuan.
	MeasureImpliedCityTotal = "implied_city_total"
	// MeasureImpliedCityGrowth is the city's own growth a zone's growth and
	// its growth relative to the city imply: growth - growth_vs_city.
	MeasureImpliedCityGrowth = "implied_city_growth"
)

// Kinds of finding.
const (
	KindCityTotalMismatch  = "city_total_mismatch"  // two statements imply different city totals
	KindCityGrowthMismatch = "city_growth_mismatch" // two statements imply different city growth rates
	KindPartsExceedTotal   = "parts_do_not_add_up"  // batches do not add up to their stated total
	KindShareAbove100      = "share_above_100"      // a share above 100%
	KindGrowthContradicts  = "growth_contradicts_values"
	// KindUnknownZoneName is a zone name the zone registry does not know
	// (collector/zones): kept as written, for the operator to register.
	KindUnknownZoneName = "unknown_zone_name"
)

// KindNames names the kinds of finding for officials.
var KindNames = map[string]string{
	KindCityTotalMismatch:  "不同表述推算的全市总量不一致",
	KindCityGrowthMismatch: "不同表述推算的全市增速不一致",
	KindPartsExceedTotal:   "分项之和与所报总数不符",
	KindShareAbove100:      "占全市比重超过100%",
	KindGrowthContradicts:  "同比增速与两年数值不符",
	KindUnknownZoneName:    "新出现的开发区名称",
}

// Finding is one inconsistency; see figure.Finding.
type Finding = figure.Finding

// Tolerances. Bulletins round shares to 0.01% and amounts to 0.01亿元, so
// two honest statements can imply city totals that differ by a few parts
// in ten thousand; anything beyond these is worth a second look.
const (
	totalTolerance  = 0.01   // relative
	growthTolerance = 0.002  // absolute, 0.2 percentage points
	sumTolerance    = 0.0005 // relative, for parts against their total
)

// Derive returns the figures the stated ones imply. Approximate figures
// imply only approximate ones.
func Derive(figs []figure.Figure) []figure.Figure {
	idx := index(figs)
	var out []figure.Figure
	for _, f := range figs {
		k := f.Key()
		switch f.Measure {
		case figure.MeasureCityShare:
			v, ok := idx[withMeasure(k, figure.MeasureValue)]
			if !ok || f.Value <= 0 || f.Value > 1 || v.Unit != figure.UnitYuan {
				continue
			}
			out = append(out, derived(v, MeasureImpliedCityTotal, v.Value/f.Value, figure.UnitYuan, v.Approx || f.Approx,
				fmt.Sprintf("%s ÷ %s", num(v), num(f)), v.Text))
		case figure.MeasureGrowthVsCity:
			g, ok := idx[withMeasure(k, figure.MeasureYoYGrowth)]
			if !ok {
				continue
			}
			out = append(out, derived(g, MeasureImpliedCityGrowth, g.Value-f.Value, figure.UnitRatio, g.Approx || f.Approx,
				fmt.Sprintf("%s − %s", num(g), num(f)), g.Text))
		}
	}
	return out
}

func derived(from figure.Figure, measure string, v float64, unit figure.Unit, approx bool, how, text string) figure.Figure {
	// 0.11 - 0.098 is 0.011999999999999997 in binary; twelve significant
	// digits are more than any bulletin states.
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	return figure.Figure{
		City: from.City, Zones: from.Zones, Indicator: from.Indicator, Measure: measure,
		Value: v, Unit: unit, Approx: approx, Period: from.Period, Derived: true,
		Text: "derived: " + how + " — " + text, Line: from.Line,
	}
}

func withMeasure(k figure.Key, m string) figure.Key { k.Measure = m; return k }

func index(figs []figure.Figure) map[figure.Key]figure.Figure {
	idx := make(map[figure.Key]figure.Figure, len(figs))
	for _, f := range figs {
		idx[f.Key()] = f
	}
	return idx
}

// num renders a figure's value as the bulletin would: 92.46亿元, 17.93%.
func num(f figure.Figure) string {
	switch f.Unit {
	case figure.UnitYuan:
		return trim(f.Value/1e8) + "亿元"
	case figure.UnitRatio:
		return trim(f.Value*100) + "%"
	}
	return trim(f.Value)
}

// trim renders v with at most four decimals and no trailing zeros.
func trim(v float64) string { return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64) }

// Check returns the findings within one report's figures; previous looks
// up a stated figure of an earlier report (nil for none), for growth
// against the same month a year before.
func Check(figs []figure.Figure, previous func(figure.Key) (figure.Figure, bool)) []Finding {
	var out []Finding
	out = append(out, impliedMismatches(figs)...)
	out = append(out, partsAgainstTotals(figs)...)
	for _, f := range figs {
		if f.Measure == figure.MeasureCityShare && f.Value > 1 {
			out = append(out, finding(KindShareAbove100, f, fmt.Sprintf("%s %s占全市比重%s,超过100%%", f.Zone(), name(f.Indicator), num(f)), []string{num(f)}, f.Text))
		}
	}
	if previous != nil {
		out = append(out, growthAgainstValues(figs, previous)...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Kind < out[j].Kind })
	return out
}

func name(indicator string) string {
	if n, ok := figure.Indicators[indicator]; ok {
		return n
	}
	return indicator
}

func finding(kind string, f figure.Figure, msg string, nums []string, sentences ...string) Finding {
	return Finding{Kind: kind, City: f.City, Zone: f.Zone(), Indicator: f.Indicator, Period: f.Period.String(),
		Message: msg, Numbers: nums, Sentences: dedupe(sentences)}
}

func dedupe(ss []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// impliedMismatches compares the city totals and city growth rates that
// different zones of one city imply for one indicator and period.
func impliedMismatches(figs []figure.Figure) []Finding {
	type group struct{ city, indicator, measure, period string }
	groups := map[group][]figure.Figure{}
	var order []group
	for _, d := range Derive(figs) {
		if d.Approx {
			continue // 约11% implies only roughly; no contradiction can be proved
		}
		g := group{d.City, d.Indicator, d.Measure, d.Period.String()}
		if _, ok := groups[g]; !ok {
			order = append(order, g)
		}
		groups[g] = append(groups[g], d)
	}
	var out []Finding
	for _, g := range order {
		ds := groups[g]
		for i := 1; i < len(ds); i++ {
			a, b := ds[0], ds[i]
			var bad bool
			kind := KindCityTotalMismatch
			if g.measure == MeasureImpliedCityTotal {
				bad = math.Abs(a.Value-b.Value) > totalTolerance*math.Max(math.Abs(a.Value), math.Abs(b.Value))
			} else {
				kind = KindCityGrowthMismatch
				bad = math.Abs(a.Value-b.Value) > growthTolerance
			}
			if !bad {
				continue
			}
			msg := fmt.Sprintf("%s %s: %s 与 %s 推算的全市数不一致(%s 对 %s)", a.City, name(a.Indicator), a.Zone(), b.Zone(), num(a), num(b))
			out = append(out, finding(kind, a, msg, []string{num(a), num(b)}, source(a.Text), source(b.Text)))
		}
	}
	return out
}

// source strips the "derived: … — " prefix from a derived figure's text.
func source(text string) string {
	if _, s, ok := strings.Cut(text, " — "); ok {
		return s
	}
	return text
}

// partsAgainstTotals adds the three batches of the 三个一批 drive and
// compares them with the total the bulletin states for the same scope.
func partsAgainstTotals(figs []figure.Figure) []Finding {
	type scope struct {
		city, zone, period, measure string
		cumulative                  bool
	}
	totals := map[scope]figure.Figure{}
	parts := map[scope][]figure.Figure{}
	var order []scope
	for _, f := range figs {
		batch, cumulative, ok := figure.Batch(f.Indicator)
		if !ok {
			continue
		}
		s := scope{f.City, f.Zone(), f.Period.String(), f.Measure, cumulative}
		if batch == "all" {
			totals[s] = f
			order = append(order, s)
		} else {
			parts[s] = append(parts[s], f)
		}
	}
	var out []Finding
	for _, s := range order {
		t := totals[s]
		ps := parts[s]
		if len(ps) != 3 || t.Approx {
			continue // a sum of fewer than all three batches proves nothing
		}
		sum, approx := 0.0, false
		nums := make([]string, 0, 4)
		sentences := []string{t.Text}
		for _, p := range ps {
			sum += p.Value
			approx = approx || p.Approx
			nums = append(nums, num(p))
			sentences = append(sentences, p.Text)
		}
		if approx || math.Abs(sum-t.Value) <= sumTolerance*math.Abs(t.Value) {
			continue
		}
		sumFig := t
		sumFig.Value = sum
		nums = append(nums, num(t))
		msg := fmt.Sprintf("%s 三个一批 %s: 三批合计 %s(%s),与所报总数 %s 不符",
			t.City, figure.Measures[s.measure], num(sumFig), strings.Join(nums[:3], "+"), num(t))
		out = append(out, finding(KindPartsExceedTotal, t, msg, nums, sentences...))
	}
	return out
}

// growthAgainstValues compares a stated year-on-year growth with the
// values the store holds for the same month of this year and last.
func growthAgainstValues(figs []figure.Figure, previous func(figure.Key) (figure.Figure, bool)) []Finding {
	idx := index(figs)
	var out []Finding
	for _, g := range figs {
		if g.Measure != figure.MeasureYoYGrowth || g.Approx {
			continue
		}
		k := g.Key()
		cur, ok := idx[withMeasure(k, figure.MeasureValue)]
		if !ok || cur.Approx {
			continue
		}
		pk := withMeasure(k, figure.MeasureValue)
		pk.Period = figure.Period{Year: k.Period.Year - 1, Month: k.Period.Month}
		prev, ok := previous(pk)
		if !ok || prev.Approx || prev.Value <= 0 {
			continue
		}
		implied := cur.Value/prev.Value - 1
		// The values are rounded to 0.01亿元; allow for that and for the
		// growth's own rounding to 0.1%.
		if math.Abs(implied-g.Value) <= growthTolerance+0.0005/math.Max(prev.Value/1e8, 1e-9) {
			continue
		}
		impliedFig := g
		impliedFig.Value = implied
		msg := fmt.Sprintf("%s %s 同比%s,但 %s %s 与 %s %s 之比为 %s",
			g.Zone(), name(g.Indicator), num(g), cur.Period, num(cur), prev.Period, num(prev), num(impliedFig))
		out = append(out, finding(KindGrowthContradicts, g, msg, []string{num(g), num(cur), num(prev)}, g.Text, prev.Text))
	}
	return out
}
