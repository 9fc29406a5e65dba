package synth

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestRoundTrip renders bulletins and parses them back: every figure the
// generator meant must come back exactly, and nothing else. It exercises
// the parser on thousands of sentences it was not written against.
func TestRoundTrip(t *testing.T) {
	c := New(Config{Cities: 7, Zones: 40, Periods: 13, End: figure.MustPeriod("2024-01"), Seed: 42})
	checked := 0
	for ci := range c.Cities {
		for _, p := range []figure.Period{figure.MustPeriod("2023-01"), figure.MustPeriod("2023-06"), figure.MustPeriod("2024-01")} {
			want := c.Figures(ci, p)
			res, err := bulletin.Parse(context.Background(), fmt.Sprintf("%s-%s.txt", c.Cities[ci].Name, p), c.Bulletin(ci, p), bulletin.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Period != p {
				t.Fatalf("period %s, want %s", res.Period, p)
			}
			got := map[figure.Key]figure.Figure{}
			for _, f := range res.Figures {
				got[f.Key()] = f
			}
			if len(got) != len(want) {
				t.Errorf("%s %s: parsed %d figures, want %d", c.Cities[ci].Name, p, len(got), len(want))
			}
			for _, w := range want {
				g, ok := got[w.Key()]
				if !ok || g.Value != w.Value || g.Unit != w.Unit || g.Approx {
					t.Errorf("%s = %v %s: got %v %s (found %v)", w.Key(), w.Value, w.Unit, g.Value, g.Unit, ok)
				}
				checked++
			}
		}
	}
	t.Logf("%d figures round-tripped", checked)
}

func TestDeterministic(t *testing.T) {
	cfg := Config{Cities: 3, Zones: 10, Periods: 2, End: figure.MustPeriod("2023-06"), Seed: 7}
	a, b := New(cfg), New(cfg)
	if !bytes.Equal(a.Bulletin(1, cfg.End), b.Bulletin(1, cfg.End)) {
		t.Error("same seed, different bulletins")
	}
	other := New(Config{Cities: 3, Zones: 10, Periods: 2, End: cfg.End, Seed: 8})
	if bytes.Equal(a.Bulletin(1, cfg.End), other.Bulletin(1, cfg.End)) {
		t.Error("different seeds, same bulletin")
	}
	if got := a.Periods(); len(got) != 2 || got[0] != figure.MustPeriod("2023-05") {
		t.Errorf("periods %v", got)
	}
}

func TestNationalNames(t *testing.T) {
	c := New(National)
	zones := map[string]bool{}
	for _, city := range c.Cities {
		for _, z := range city.Zones {
			if zones[z] {
				t.Fatalf("zone %s twice", z)
			}
			zones[z] = true
		}
	}
	if len(c.Cities) != 300 || len(zones) != 2500 {
		t.Errorf("%d cities, %d zones", len(c.Cities), len(zones))
	}
}

// TestRoundTripConjunctionNames round-trips the national country's cities
// whose zone names hold 和, 及 or 与 (元乐和示范区), which a parser splitting
// zone lists on those words would tear apart.
func TestRoundTripConjunctionNames(t *testing.T) {
	c := New(National)
	p := figure.MustPeriod("2024-06")
	checked := 0
	for ci, city := range c.Cities {
		has := false
		for _, z := range city.Zones {
			has = has || strings.ContainsAny(z, "和及与")
		}
		if !has {
			continue
		}
		res, err := bulletin.Parse(context.Background(), city.Name, c.Bulletin(ci, p), bulletin.Options{})
		if err != nil {
			t.Fatal(err)
		}
		want := c.Figures(ci, p)
		got := map[figure.Key]float64{}
		for _, f := range res.Figures {
			got[f.Key()] = f.Value
		}
		for _, w := range want {
			if v, ok := got[w.Key()]; !ok || v != w.Value {
				t.Errorf("%s = %v: got %v (found %v)", w.Key(), w.Value, v, ok)
			}
		}
		if len(res.Figures) != len(want) {
			t.Errorf("%s: %d figures, want %d", city.Name, len(res.Figures), len(want))
		}
		checked++
	}
	if checked == 0 {
		t.Fatal("no city with such a zone name: the test proves nothing")
	}
	t.Logf("%d cities checked", checked)
}
