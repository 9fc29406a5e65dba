package store

import (
	"context"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestDerivedAndFindings stores derived figures and findings with a report:
// derived figures stay apart from stated ones (Latest does not return them,
// the counts do not include them) and findings come back whole.
func TestDerivedAndFindings(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		stated := fig("太原市", "中北高新区", figure.IndustrialInvestment, figure.MeasureValue, "2023-06", 21.05e8, figure.UnitYuan)
		derived := fig("太原市", "中北高新区", figure.IndustrialInvestment, "implied_city_total", "2023-06", 122.3e8, figure.UnitYuan)
		derived.Derived = true
		// A derived figure may share a stated one's key: derived is part of it.
		sameKey := stated
		sameKey.Derived, sameKey.Value = true, 1
		r := report("a.txt")
		r.Findings = []figure.Finding{{Kind: "parts_do_not_add_up", City: "太原市", Zone: "全市开发区", Indicator: "three_batches_projects",
			Period: "2023-06", Message: "三批合计 312,与所报总数 216 不符", Numbers: []string{"97", "106", "109", "216"}, Sentences: []string{"s1", "s2"}}}
		res := mustIngest(t, s, r, stated, derived, sameKey)
		if res.Figures != 1 || res.New != 1 || res.Derived != 2 {
			t.Errorf("result %+v, want 1 stated figure (new) and 2 derived", res)
		}
		latest, err := s.Latest(ctx)
		if err != nil || len(latest) != 1 || latest[0].Derived {
			t.Errorf("Latest = %+v, %v; want the stated figure only", latest, err)
		}
		all, err := s.Figures(ctx, Filter{Indicator: figure.IndustrialInvestment})
		if err != nil || len(all) != 3 {
			t.Fatalf("Figures = %d, %v; want 3", len(all), err)
		}
		n := 0
		for _, f := range all {
			if f.Derived {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d derived figures read back, want 2", n)
		}
		fs, err := s.Findings(ctx, 0, 0)
		if err != nil || len(fs) != 1 {
			t.Fatalf("Findings = %+v, %v", fs, err)
		}
		got := fs[0]
		if got.ReportName != "a.txt" || got.Message != r.Findings[0].Message || len(got.Numbers) != 4 || got.Sentences[1] != "s2" {
			t.Errorf("finding %+v", got)
		}
	})
}

func TestLatestDerived(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		s := MustOpen(t, dialect)
		for i, p := range []string{"2023-03", "2023-06"} {
			d := fig("太原市", "中北高新区", figure.IndustrialInvestment, "implied_city_total", p, float64(i+1), figure.UnitYuan)
			d.Derived = true
			mustIngest(t, s, report(p+".txt"), fig("太原市", "中北高新区", figure.IndustrialInvestment, figure.MeasureValue, p, 1, figure.UnitYuan), d)
		}
		got, err := s.LatestDerived(context.Background())
		if err != nil || len(got) != 1 || !got[0].Derived || got[0].Value != 2 || got[0].Period.String() != "2023-06" {
			t.Fatalf("LatestDerived = %+v, %v", got, err)
		}
	})
}
