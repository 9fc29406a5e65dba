package collector

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
)

var update = flag.Bool("update", false, "update golden files")

// TestWriteBackfill replays two months of one city: at the end of 2023-07
// the backfill holds what /metrics would have served then — 甲区's June
// amount, not restated in July, with its own period end; June's findings
// gone with June; the joint label's members; the registry with its
// routing label; the target labels on every sample.
func TestWriteBackfill(t *testing.T) {
	fig := func(zone, indicator, measure, period string, value float64, unit figure.Unit, approx bool) store.StoredFigure {
		return store.StoredFigure{Figure: figure.Figure{City: "某市", Zones: strings.Split(zone, figure.ZoneSep),
			Indicator: indicator, Measure: measure, Value: value, Unit: unit, Approx: approx, Period: figure.MustPeriod(period)}}
	}
	figs := []store.StoredFigure{
		fig("甲区", "gdp", "value", "2023-06", 1e9, figure.UnitYuan, true),
		fig("甲区", "gdp", "yoy_growth", "2023-06", 0.05, figure.UnitRatio, false),
		fig("甲区", "gdp", "yoy_growth", "2023-07", 0.04, figure.UnitRatio, false),
		fig("甲区、乙区", "gdp", "city_share", "2023-07", 0.3, figure.UnitRatio, false),
		// Derived figures stay out.
		{Figure: figure.Figure{City: "某市", Zones: []string{"甲区"}, Indicator: "gdp", Measure: "implied_city_total",
			Value: 2e10, Unit: figure.UnitYuan, Derived: true, Period: figure.MustPeriod("2023-06")}},
	}
	reg, err := zones.Parse("zones.yml", []byte("zones:\n  - {name: 甲区, city: 某市, county: 某县, level: 省级, kind: 园区, labels: {receiver: jia}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	n, err := WriteBackfill(&buf, Backfill{Figures: figs, Zones: reg, Job: "devzone", Instance: "h:9866",
		Findings: []store.FindingCount{{City: "某市", Period: "2023-06", Kind: "parts_do_not_add_up", Count: 2}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Count(buf.String(), "\n") - strings.Count(buf.String(), "\n#") - 1; got != n {
		t.Errorf("counted %d samples, wrote %d", n, got)
	}
	golden := filepath.Join("testdata", "backfill.om")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("backfill differs from %s (go test -update rewrites it):\n%s", golden, buf.Bytes())
	}
}
