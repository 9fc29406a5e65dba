package collector

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

func TestSnapshotOfSample(t *testing.T) {
	if !strings.Contains(samplePath, "shared/corpus") {
		t.Skip("counts the real sample's figures; the shared corpus is not beside the checkout")
	}
	figs := sampleFigures(t)
	before := slices.Clone(figs)
	loaded := time.Date(2023, 7, 20, 9, 0, 0, 0, figure.China)
	s := NewSnapshot(figs, loaded)

	if !reflect.DeepEqual(figs, before) {
		t.Error("NewSnapshot modified its input")
	}
	if s.Figures != len(figs) || !s.Loaded.Equal(loaded) {
		t.Errorf("Figures, Loaded = %d, %v; want %d, %v", s.Figures, s.Loaded, len(figs), loaded)
	}
	if s.Unexposed != 0 {
		t.Errorf("Unexposed = %d (e.g. %s), want every sample figure exposed", s.Unexposed, s.Example)
	}
	wantCities := []CityPeriod{
		{City: "太原市", Period: figure.MustPeriod("2023-06"), Zones: 6, Figures: 37},
		{City: "晋中市", Period: figure.MustPeriod("2023-06"), Zones: 4, Figures: 43},
	}
	if !reflect.DeepEqual(s.Cities, wantCities) {
		t.Errorf("Cities = %+v\nwant %+v", s.Cities, wantCities)
	}
	p := figure.MustPeriod("2023-06")
	wantDeclines := []Decline{
		{City: "太原市", Zone: "中北高新区、清徐开发区", Indicator: figure.IndustrialInvestment, Period: p, Growth: -0.1485, Amount: 2.105e9, HasAmount: true},
		{City: "太原市", Zone: "中北高新区、清徐开发区", Indicator: figure.FixedAssetInvestment, Period: p, Growth: -0.108, Amount: 3.591e9, HasAmount: true},
		{City: "晋中市", Zone: "全市工业类开发区", Indicator: figure.IndustrialInvestment, Period: p, Growth: -0.4, Amount: 5.423e9, HasAmount: true},
		{City: "晋中市", Zone: "晋中国家农高区", Indicator: figure.FixedAssetInvestment, Period: p, Growth: -0.049, Amount: 1.604e9, HasAmount: true},
		{City: "晋中市", Zone: "全市工业类开发区", Indicator: figure.IndustrialValueAdded, Period: p, Growth: -0.023, Amount: 1.5149e10, HasAmount: true},
	}
	if !reflect.DeepEqual(s.Declines, wantDeclines) {
		t.Errorf("Declines = %+v\nwant %+v", s.Declines, wantDeclines)
	}
	// The sample states 80 figures, one approximately (约11%), about 10
	// zone groups; indicator_info has a series per catalog entry.
	if len(figs) != 80 || len(s.series[famApproximate]) != 1 {
		t.Fatalf("sample: %d figures, %d approximate; want 80, 1", len(figs), len(s.series[famApproximate]))
	}
	want := 80 + 1 + 10 + len(figure.Indicators)
	if s.Series != want {
		t.Errorf("Series = %d, want %d", s.Series, want)
	}
}

func TestSnapshotDeclinesOnlyOfTheLatestPeriod(t *testing.T) {
	growth := func(zone, period string, v float64) figure.Figure {
		return figure.Figure{City: "太原市", Zones: []string{zone}, Indicator: figure.IndustrialInvestment,
			Measure: figure.MeasureYoYGrowth, Value: v, Unit: figure.UnitRatio, Period: figure.MustPeriod(period)}
	}
	s := NewSnapshot([]figure.Figure{
		growth("清徐开发区", "2023-05", -0.2), // the zone has not reported June yet
		growth("中北高新区", "2023-06", -0.1),
		growth("西山示范区", "2023-06", 0.1),
	}, time.Time{})
	if len(s.Declines) != 1 || s.Declines[0].Zone != "中北高新区" || s.Declines[0].HasAmount {
		t.Errorf("Declines = %+v, want only 中北高新区's, without amount", s.Declines)
	}
	ends := map[string]float64{}
	for _, se := range s.series[famPeriodEnd] {
		ends[se.labels[1]] = se.value
	}
	if want := float64(figure.MustPeriod("2023-05").End().Unix()); ends["清徐开发区"] != want {
		t.Errorf("period end of 清徐开发区 = %v, want %v", ends["清徐开发区"], want)
	}
	if want := float64(time.Date(2023, 7, 1, 0, 0, 0, 0, figure.China).Unix()); ends["中北高新区"] != want {
		t.Errorf("period end of 中北高新区 = %v, want %v", ends["中北高新区"], want)
	}
}

func TestSnapshotPeriodEndIsTheZonesLatest(t *testing.T) {
	f := func(indicator, period string) figure.Figure {
		return figure.Figure{City: "晋中市", Zones: []string{"晋中国家农高区"}, Indicator: indicator,
			Measure: figure.MeasureValue, Value: 1e8, Unit: figure.UnitYuan, Period: figure.MustPeriod(period)}
	}
	s := NewSnapshot([]figure.Figure{f(figure.FixedAssetInvestment, "2023-06"), f(figure.GDP, "2023-03")}, time.Time{})
	if got := s.series[famPeriodEnd]; len(got) != 1 || got[0].value != float64(figure.MustPeriod("2023-06").End().Unix()) {
		t.Errorf("period end series = %+v, want one at the end of 2023-06", got)
	}
}

func TestEmptySnapshot(t *testing.T) {
	s := NewSnapshot(nil, time.Time{})
	if s.Figures != 0 || len(s.Cities) != 0 || len(s.Declines) != 0 {
		t.Errorf("empty snapshot = %+v", s)
	}
	if s.Series != len(figure.Indicators) {
		t.Errorf("Series = %d, want only indicator_info's %d", s.Series, len(figure.Indicators))
	}
}
