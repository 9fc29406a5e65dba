package collector

import (
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestDerivedAndFindings checks that derived figures go to their own
// families only (no period, no amount, no decline of a zone comes from
// them) and that findings are counted for each city's latest period only.
func TestDerivedAndFindings(t *testing.T) {
	june, may := figure.MustPeriod("2023-06"), figure.MustPeriod("2023-05")
	stated := figure.Figure{City: "太原市", Zones: []string{"中北高新区"}, Indicator: figure.IndustrialInvestment,
		Measure: figure.MeasureYoYGrowth, Value: -0.1, Unit: figure.UnitRatio, Period: june}
	derived := figure.Figure{City: "太原市", Zones: []string{"中北高新区"}, Indicator: figure.IndustrialInvestment,
		Measure: consistency.MeasureImpliedCityGrowth, Value: -0.2, Unit: figure.UnitRatio, Period: figure.MustPeriod("2023-09"), Derived: true}
	findings := []figure.Finding{
		{Kind: consistency.KindPartsExceedTotal, City: "太原市", Period: june.String()},
		{Kind: consistency.KindPartsExceedTotal, City: "太原市", Period: june.String()},
		{Kind: consistency.KindShareAbove100, City: "太原市", Period: may.String()}, // an older period's
	}
	s := NewSnapshotWithFindings([]figure.Figure{stated, derived}, findings, time.Time{})
	if got := s.series[famDerivedCityGrowth]; len(got) != 1 || got[0].value != -0.2 {
		t.Errorf("derived growth series %+v", got)
	}
	if got := s.series[famYoYGrowth]; len(got) != 1 || got[0].value != -0.1 {
		t.Errorf("growth series %+v: the derived figure must not be among them", got)
	}
	if got := s.series[famPeriodEnd]; len(got) != 1 || got[0].value != float64(june.End().Unix()) {
		t.Errorf("period end %+v: a derived figure's period is no report", got)
	}
	if len(s.Declines) != 1 {
		t.Errorf("declines %+v", s.Declines)
	}
	got := s.series[famFindings]
	if len(got) != 1 || got[0].labels != [4]string{"太原市", consistency.KindPartsExceedTotal} || got[0].value != 2 {
		t.Errorf("findings series %+v, want one of 2 for the latest period", got)
	}
}

// TestFigurePeriod exposes the period of a figure the zone's latest
// bulletin did not restate, and only of such figures.
func TestFigurePeriod(t *testing.T) {
	f := func(measure, period string) figure.Figure {
		return figure.Figure{City: "太原市", Zones: []string{"中北高新区"}, Indicator: figure.FixedAssetInvestment,
			Measure: measure, Value: -0.108, Unit: figure.UnitRatio, Period: figure.MustPeriod(period)}
	}
	s := NewSnapshot([]figure.Figure{f(figure.MeasureYoYGrowth, "2023-06"), f(figure.MeasureCityShare, "2023-07")}, time.Time{})
	got := s.series[famFigurePeriodEnd]
	want := [4]string{"太原市", figure.FixedAssetInvestment, figure.MeasureYoYGrowth, "中北高新区"}
	if len(got) != 1 || got[0].labels != want || got[0].value != float64(figure.MustPeriod("2023-06").End().Unix()) {
		t.Errorf("figure period series %+v, want the June growth only", got)
	}
}
