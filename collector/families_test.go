package collector

import (
	"context"
	"os"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// samplePath is the corpus bulletin every package of the project is
// tested on.
// samplePath is the real sample bulletin when the shared corpus is beside
// the checkout, and otherwise our own bulletin carrying its 太原/晋中 figures.
var samplePath = func() string {
	const shared = "../../shared/corpus/shanxi-devzones-2023h1.txt"
	if _, err := os.Stat(shared); err == nil {
		return shared
	}
	return "../examples/inbox/taiyuan-jinzhong-2023h1.txt"
}()

// sampleFigures parses the sample bulletin with the real parser.
func sampleFigures(tb testing.TB) []figure.Figure {
	tb.Helper()
	b, err := os.ReadFile(samplePath)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := bulletin.Parse(context.Background(), samplePath, b, bulletin.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return res.Figures
}

func TestClassify(t *testing.T) {
	fig := func(indicator, measure string, v float64, u figure.Unit) figure.Figure {
		return figure.Figure{City: "太原市", Zones: []string{"中北高新区", "清徐开发区"}, Indicator: indicator,
			Measure: measure, Value: v, Unit: u, Period: figure.MustPeriod("2023-06")}
	}
	const zone = "中北高新区、清徐开发区"
	tests := []struct {
		name   string
		fig    figure.Figure
		family string // "" when no family takes it
		labels []string
		value  float64
	}{
		{"amount", fig(figure.IndustrialInvestment, figure.MeasureValue, 2.105e9, figure.UnitYuan),
			"devzone_amount_yuan", []string{"太原市", "industrial_investment", zone}, 2.105e9},
		{"growth", fig(figure.IndustrialInvestment, figure.MeasureYoYGrowth, -0.1485, figure.UnitRatio),
			"devzone_yoy_growth_ratio", []string{"太原市", "industrial_investment", zone}, -0.1485},
		{"growth in yuan is no growth", fig(figure.IndustrialInvestment, figure.MeasureYoYGrowth, 1, figure.UnitYuan),
			"", nil, 0},
		{"city share", fig(figure.IndustrialInvestment, figure.MeasureCityShare, 0.1721, figure.UnitRatio),
			"devzone_city_share_ratio", []string{"太原市", "industrial_investment", zone}, 0.1721},
		{"city share change", fig(figure.IndustrialInvestment, figure.MeasureCityShareChange, -0.0119, figure.UnitRatio),
			"devzone_city_share_change_ratio", []string{"太原市", "industrial_investment", zone}, -0.0119},
		{"growth against the city", fig(figure.IndustrialInvestment, figure.MeasureGrowthVsCity, 0.0245, figure.UnitRatio),
			"devzone_growth_vs_city_ratio", []string{"太原市", "industrial_investment", zone}, 0.0245},
		{"batch count", fig(figure.ProjectsSigned, figure.MeasureCount, 50, figure.UnitCount),
			"devzone_batch_projects", []string{"signed", "太原市", "period", zone}, 50},
		{"cumulative batch investment", fig(figure.ProjectsSigned+figure.CumulativeSuffix, figure.MeasurePlannedInvestment, 4.146e10, figure.UnitYuan),
			"devzone_batch_planned_investment_yuan", []string{"signed", "太原市", "cumulative", zone}, 4.146e10},
		{"all batches expected output", fig(figure.ThreeBatchesProjects, figure.MeasureExpectedOutput, 4.97e10, figure.UnitYuan),
			"devzone_batch_expected_output_yuan", []string{"all", "太原市", "period", zone}, 4.97e10},
		{"started projects of a batch", fig(figure.ProjectsSigned, figure.MeasureStartedCount, 46, figure.UnitCount),
			"devzone_batch_started_projects", []string{"signed", "太原市", "period", zone}, 46},
		{"started investment of a batch", fig(figure.ProjectsSigned, figure.MeasureStartedPlannedInvestment, 1.3e10, figure.UnitYuan),
			"devzone_batch_started_planned_investment_yuan", []string{"signed", "太原市", "period", zone}, 1.3e10},
		{"completed investment of a batch", fig(figure.ProjectsStarted, figure.MeasureCompletedInvestment, 4.757e9, figure.UnitYuan),
			"devzone_batch_completed_investment_yuan", []string{"started", "太原市", "period", zone}, 4.757e9},
		{"projects with output", fig(figure.ProjectsProducing+figure.CumulativeSuffix, figure.MeasureCountWithOutput, 74, figure.UnitCount),
			"devzone_batch_projects_with_output", []string{"producing", "太原市", "cumulative", zone}, 74},
		{"batch rate", fig(figure.ProjectsProducing, figure.MeasureRate, 0.8672, figure.UnitRatio),
			"devzone_batch_rate_ratio", []string{"producing", "太原市", "period", zone}, 0.8672},
		{"batch count in yuan is an amount of its own", fig(figure.ProjectsSigned, figure.MeasureValue, 1e8, figure.UnitYuan),
			"devzone_amount_yuan", []string{"太原市", "projects_signed", zone}, 1e8},
		{"batch measure without a batch family", fig(figure.ProjectsSigned, figure.MeasureEligibleCount, 3, figure.UnitCount),
			"devzone_items", []string{"太原市", "projects_signed", "eligible_count", zone}, 3},
		{"rounds of the drive", fig(figure.ThreeBatchesRounds, figure.MeasureCount, 2, figure.UnitCount),
			"devzone_items", []string{"太原市", "three_batches_rounds", "count", zone}, 2},
		{"enterprises", fig(figure.Enterprises, figure.MeasureCount, 7863, figure.UnitCount),
			"devzone_items", []string{"太原市", "enterprises", "count", zone}, 7863},
		{"area in mu", fig(figure.StandardLandTransfers, figure.MeasureArea, 846.61, figure.UnitMu),
			"devzone_area_square_meters", []string{"太原市", "standard_land_transfers", zone}, 846.61 * 10000 / 15},
		{"area in km2", fig(figure.DevelopmentZones, figure.MeasureArea, 62.77, figure.UnitKm2),
			"devzone_area_square_meters", []string{"太原市", "development_zones", zone}, 62.77e6},
		{"area counted is no area", fig(figure.StandardLandTransfers, figure.MeasureArea, 3, figure.UnitCount),
			"", nil, 0},
		{"other amount", fig(figure.InvestmentProject, figure.MeasurePlannedInvestment, 2.7e8, figure.UnitYuan),
			"devzone_other_amount_yuan", []string{"太原市", "investment_project", "planned_investment", zone}, 2.7e8},
		{"rate of no batch", fig(figure.Enterprises, figure.MeasureRate, 0.5, figure.UnitRatio),
			"", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, labels, value, ok := classify(&tt.fig, tt.fig.Zone())
			if tt.family == "" {
				if ok {
					t.Fatalf("classify = %s %v, want no family", families[id].name, labels)
				}
				return
			}
			if !ok {
				t.Fatalf("classify: no family, want %s", tt.family)
			}
			f := families[id]
			if f.name != tt.family {
				t.Errorf("family = %s, want %s", f.name, tt.family)
			}
			if got := labels[:len(f.labels)]; !equal(got, tt.labels) {
				t.Errorf("labels %v = %q, want %q", f.labels, got, tt.labels)
			}
			if value != tt.value {
				t.Errorf("value = %v, want %v", value, tt.value)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestFamiliesAreSortedAndNamed pins the invariants render relies on:
// labels sorted by name, renderOrder sorted by full name, every name
// namespaced and unique.
func TestFamiliesAreSortedAndNamed(t *testing.T) {
	seen := map[string]bool{}
	for id, f := range families {
		if f.name == "" || f.desc == nil {
			t.Fatalf("family %d has no name or description", id)
		}
		if seen[f.name] {
			t.Errorf("family %s twice", f.name)
		}
		seen[f.name] = true
		for i := 1; i < len(f.labels); i++ {
			if f.labels[i-1] >= f.labels[i] {
				t.Errorf("%s: labels %v not sorted", f.name, f.labels)
			}
		}
		if len(f.labels) > 4 {
			t.Errorf("%s: %d labels, series hold 4", f.name, len(f.labels))
		}
	}
	for i := 1; i < len(renderOrder); i++ {
		if families[renderOrder[i-1]].name >= families[renderOrder[i]].name {
			t.Errorf("renderOrder not sorted at %s", families[renderOrder[i]].name)
		}
	}
}
