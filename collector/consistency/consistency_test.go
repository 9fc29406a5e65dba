package consistency

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
)

func f(zone, indicator, measure string, v float64, unit figure.Unit) figure.Figure {
	return figure.Figure{City: "太原市", Zones: strings.Split(zone, "、"), Indicator: indicator, Measure: measure,
		Value: v, Unit: unit, Period: figure.MustPeriod("2023-06"), Text: zone + " " + indicator + " " + measure}
}

func TestDerive(t *testing.T) {
	figs := []figure.Figure{
		f("中北高新区、清徐开发区", figure.IndustrialInvestment, figure.MeasureValue, 21.05e8, figure.UnitYuan),
		f("中北高新区、清徐开发区", figure.IndustrialInvestment, figure.MeasureCityShare, 0.1721, figure.UnitRatio),
		f("中北高新区、清徐开发区", figure.IndustrialInvestment, figure.MeasureYoYGrowth, -0.1485, figure.UnitRatio),
		f("中北高新区、清徐开发区", figure.IndustrialInvestment, figure.MeasureGrowthVsCity, 0.0245, figure.UnitRatio),
	}
	got := Derive(figs)
	if len(got) != 2 {
		t.Fatalf("derived %d figures, want 2: %+v", len(got), got)
	}
	total, growth := got[0], got[1]
	if total.Measure != MeasureImpliedCityTotal || !total.Derived || abs(total.Value-21.05e8/0.1721) > 1 {
		t.Errorf("city total: %+v", total)
	}
	if growth.Measure != MeasureImpliedCityGrowth || abs(growth.Value-(-0.173)) > 1e-12 {
		t.Errorf("city growth: %+v", growth)
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestCheck(t *testing.T) {
	share := func(zone string, v, s float64) []figure.Figure {
		return []figure.Figure{
			f(zone, figure.IndustrialValueAdded, figure.MeasureValue, v, figure.UnitYuan),
			f(zone, figure.IndustrialValueAdded, figure.MeasureCityShare, s, figure.UnitRatio),
		}
	}
	tests := []struct {
		name  string
		figs  []figure.Figure
		prev  map[string]float64
		kinds []string
	}{
		{"two zones agree on the city total", append(share("中北高新区", 50e8, 0.1), share("清徐开发区", 25e8, 0.05)...), nil, nil},
		{"two zones imply different city totals", append(share("中北高新区", 50e8, 0.1), share("清徐开发区", 30e8, 0.05)...), nil,
			[]string{KindCityTotalMismatch}},
		{"a share above 100%", share("中北高新区", 50e8, 1.2), nil, []string{KindShareAbove100}},
		{"growth agrees with last year's value", []figure.Figure{
			f("中北高新区", figure.IndustrialInvestment, figure.MeasureValue, 11e8, figure.UnitYuan),
			f("中北高新区", figure.IndustrialInvestment, figure.MeasureYoYGrowth, 0.1, figure.UnitRatio),
		}, map[string]float64{"2022-06": 10e8}, nil},
		{"growth contradicts last year's value", []figure.Figure{
			f("中北高新区", figure.IndustrialInvestment, figure.MeasureValue, 11e8, figure.UnitYuan),
			f("中北高新区", figure.IndustrialInvestment, figure.MeasureYoYGrowth, -0.1, figure.UnitRatio),
		}, map[string]float64{"2022-06": 10e8}, []string{KindGrowthContradicts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := func(k figure.Key) (figure.Figure, bool) {
				v, ok := tt.prev[k.Period.String()]
				return figure.Figure{Value: v, Unit: figure.UnitYuan, Period: k.Period}, ok
			}
			var kinds []string
			for _, fd := range Check(tt.figs, prev) {
				kinds = append(kinds, fd.Kind)
				if fd.Message == "" || len(fd.Sentences) == 0 || len(fd.Numbers) == 0 {
					t.Errorf("finding without message, sentences or numbers: %+v", fd)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tt.kinds, ",") {
				t.Errorf("findings %v, want %v", kinds, tt.kinds)
			}
		})
	}
}

// TestSampleBulletin finds what the gold notes of the real bulletin found
// by hand: Jinzhong's 前五次 batches (97+106+109 projects, 817.8亿元) do not
// add up to the stated 216 projects and 506.81亿元, while its H1 batches
// (41+51+46 = 138) do.
func TestSampleBulletin(t *testing.T) {
	b, err := os.ReadFile("../../../shared/corpus/shanxi-devzones-2023h1.txt")
	if err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	res, err := bulletin.Parse(context.Background(), "sample", b, bulletin.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := Check(res.Figures, nil)
	var msgs []string
	for _, fd := range got {
		if fd.Kind != KindPartsExceedTotal {
			t.Errorf("unexpected finding %s: %s", fd.Kind, fd.Message)
		}
		msgs = append(msgs, fd.Message)
	}
	want := []string{
		"晋中市 三个一批 数量: 三批合计 312(97+106+109),与所报总数 216 不符",
		"晋中市 三个一批 计划总投资: 三批合计 817.8亿元(414.6亿元+220.5亿元+182.7亿元),与所报总数 506.81亿元 不符",
	}
	if strings.Join(msgs, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(msgs, "\n"), strings.Join(want, "\n"))
	}
}
