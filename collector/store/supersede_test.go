package store

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// periodReport is a report stating its period, as the inbox makes them.
func periodReport(name, period string) Report {
	r := report(name)
	r.Period = figure.MustPeriod(period)
	return r
}

func latestKeys(tb testing.TB, s *Store) map[string]float64 {
	tb.Helper()
	got, err := s.Latest(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range got {
		out[f.Key().String()] = f.Value
	}
	return out
}

func findingCount(tb testing.TB, s *Store, city string) int {
	tb.Helper()
	counts, err := s.LatestFindingCounts(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for _, c := range counts {
		if c.City == city {
			n += c.Count
		}
	}
	return n
}

// TestCorrectedBulletinWithdrawsFigure pins issue 11: a figure a corrected
// bulletin of the same city and period no longer states stayed in the
// store (and on /metrics) for ever.
func TestCorrectedBulletinWithdrawsFigure(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-06", 3e8, figure.UnitYuan)
		invMay := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-05", 2e8, figure.UnitYuan)
		other := fig("晋中市", "晋中开发区", figure.GDP, figure.MeasureValue, "2023-06", 7e8, figure.UnitYuan)
		mustIngest(t, s, periodReport("may.txt", "2023-05"), invMay)
		mustIngest(t, s, periodReport("jinzhong.txt", "2023-06"), other)
		first := mustIngest(t, s, periodReport("first.txt", "2023-06"), gdp, inv)
		before, err := s.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		gdp2 := gdp
		gdp2.Value = 101e8
		res := mustIngest(t, s, periodReport("corrected.txt", "2023-06"), gdp2)
		if res.Withdrawn != 1 || res.Revised != 1 {
			t.Errorf("result %+v, want 1 revised and 1 withdrawn", res)
		}
		got := latestKeys(t, s)
		if got[gdp.Key().String()] != 101e8 {
			t.Errorf("latest GDP %v, want the corrected 101e8", got[gdp.Key().String()])
		}
		// The withdrawn June figure gives way to May's, the series' latest
		// remaining period; 晋中市 of the same period is untouched.
		if _, ok := got[inv.Key().String()]; ok {
			t.Errorf("withdrawn figure %s still latest", inv.Key())
		}
		if got[invMay.Key().String()] != 2e8 || got[other.Key().String()] != 7e8 {
			t.Errorf("latest %v: want May's investment and 晋中市's GDP kept", got)
		}
		june, err := s.Figures(ctx, Filter{City: ty, From: figure.MustPeriod("2023-06"), To: figure.MustPeriod("2023-06")})
		if err != nil || len(june) != 1 {
			t.Errorf("June figures of %s = %+v, %v; want the GDP only", ty, june, err)
		}
		var rev struct {
			Reason string `db:"reason"`
			By     int64  `db:"replaced_by_report_id"`
			From   int64  `db:"report_id"`
		}
		if err := s.DB().GetContext(ctx, &rev, s.DB().Rebind(`SELECT reason, replaced_by_report_id, report_id FROM figure_revisions WHERE zone = ? AND period = ?`), qx, "2023-06"); err != nil {
			t.Fatalf("revision of the withdrawn figure: %v", err)
		}
		if rev.Reason != ReasonWithdrawn || rev.By != res.ReportID || rev.From != first.ReportID {
			t.Errorf("revision %+v, want reason %q by %d from %d", rev, ReasonWithdrawn, res.ReportID, first.ReportID)
		}
		after, err := s.State(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if after.Version <= before.Version || after.Figures != before.Figures-1 {
			t.Errorf("store state %+v after %+v: want the version moved and one figure less", after, before)
		}
		n, err := s.CountFigures(ctx)
		if err != nil || int64(n) != after.Figures {
			t.Errorf("CountFigures = %d, %v; store_state says %d", n, err, after.Figures)
		}
		reps, err := s.Reports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reps {
			switch r.Name {
			case "first.txt":
				if r.SupersededBy != res.ReportID || r.City != ty {
					t.Errorf("first report %+v: want superseded by %d, city %s", r, res.ReportID, ty)
				}
			case "corrected.txt":
				if r.SupersededBy != 0 || r.Withdrawn != 1 {
					t.Errorf("corrected report %+v: want current, 1 withdrawn", r)
				}
			case "jinzhong.txt", "may.txt":
				if r.SupersededBy != 0 {
					t.Errorf("report %s of another city or period superseded by %d", r.Name, r.SupersededBy)
				}
			}
		}
	})
}

// TestSupersededFindingsStopCounting pins issue 11: after a corrected
// 晋中市 bulletin the superseded report's finding kept counting, and two
// bulletins stating the same contradiction counted it twice.
func TestSupersededFindingsStopCounting(t *testing.T) {
	const jz = "晋中市"
	finding := figure.Finding{Kind: "city_totals_disagree", City: jz, Zone: "全市开发区", Indicator: figure.GDP,
		Period: "2023-06", Message: "两处所报全市合计不一致", Numbers: []string{"1", "2"}}
	g := fig(jz, "晋中开发区", figure.GDP, figure.MeasureValue, "2023-06", 7e8, figure.UnitYuan)
	eachDialect(t, func(t *testing.T, dialect string) {
		s := MustOpen(t, dialect)
		r := periodReport("a.txt", "2023-06")
		r.Findings = []figure.Finding{finding, finding} // stated twice in one bulletin
		mustIngest(t, s, r, g)
		if n := findingCount(t, s, jz); n != 1 {
			t.Fatalf("%d findings after one report stating it twice, want 1", n)
		}
		r = periodReport("b.txt", "2023-06")
		r.Findings = []figure.Finding{finding}
		mustIngest(t, s, r, g)
		if n := findingCount(t, s, jz); n != 1 {
			t.Errorf("%d findings after two reports of one contradiction, want 1", n)
		}
		mustIngest(t, s, periodReport("c.txt", "2023-06"), g)
		if n := findingCount(t, s, jz); n != 0 {
			t.Errorf("%d findings after a corrected report without it, want 0", n)
		}
	})
}

// TestReportCannotWriteAnotherPeriod pins issue 11: a bulletin filed under
// the wrong period silently revised another period's figures.
func TestReportCannotWriteAnotherPeriod(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		s := MustOpen(t, dialect)
		may := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-05", 90e8, figure.UnitYuan)
		mustIngest(t, s, periodReport("may.txt", "2023-05"), may)
		before := counts(t, s)
		wrong := may
		wrong.Value = 1
		_, err := s.Ingest(context.Background(), periodReport("june.txt", "2023-06"), []figure.Figure{
			fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan), wrong})
		if err == nil || !strings.Contains(err.Error(), "june.txt") || !strings.Contains(err.Error(), "2023-05") || strings.Contains(err.Error(), "\n") {
			t.Fatalf("Ingest = %v, want a one-line error naming the file and the period", err)
		}
		if got := counts(t, s); got != before {
			t.Errorf("rows %v after a refused report, want %v", got, before)
		}
		if v := latestKeys(t, s)[may.Key().String()]; v != 90e8 {
			t.Errorf("May's GDP %v, want 90e8 kept", v)
		}
	})
}

// TestWithdrawReport withdraws a wrong bulletin: the figures whose current
// value it stated and its findings leave the store; figures an earlier
// report stated alike stay.
func TestWithdrawReport(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-07", 3e8, figure.UnitYuan)
		mustIngest(t, s, periodReport("june.txt", "2023-06"), gdp)
		r := periodReport("july.txt", "2023-07")
		r.Findings = []figure.Finding{{Kind: "city_totals_disagree", City: ty, Zone: "全市开发区", Indicator: figure.GDP, Period: "2023-07", Message: "m"}}
		july := mustIngest(t, s, r, inv)
		if n := findingCount(t, s, ty); n != 1 {
			t.Fatalf("%d findings before withdrawal, want 1", n)
		}
		res, err := s.WithdrawReport(ctx, "july.txt")
		if err != nil {
			t.Fatal(err)
		}
		if res.Figures != 1 || res.Report.ID != july.ReportID || res.Report.WithdrawnAt.IsZero() {
			t.Errorf("WithdrawReport = %+v", res)
		}
		got := latestKeys(t, s)
		if _, ok := got[inv.Key().String()]; ok || got[gdp.Key().String()] != 100e8 {
			t.Errorf("latest %v: want July's figure gone and June's kept", got)
		}
		if n := findingCount(t, s, ty); n != 0 {
			t.Errorf("%d findings after withdrawal, want 0", n)
		}
		if _, err := s.WithdrawReport(ctx, "july.txt"); err == nil || !strings.Contains(err.Error(), "was withdrawn") {
			t.Errorf("second withdrawal: %v, want refused", err)
		}
		if _, err := s.WithdrawReport(ctx, "nothing.txt"); !errors.Is(err, ErrReportNotFound) {
			t.Errorf("unknown report: %v, want ErrReportNotFound", err)
		}
	})
}

// TestDiagnosticsKeptWithReport: what the parser could not read is stored
// with the report, ingested or failed, and read back whole with its counts.
func TestDiagnosticsKeptWithReport(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		d := Diagnostics{
			Warnings:  []string{"第3行: 没有城市的段落"},
			Unmatched: []Diagnostic{{Line: 4, Text: "营业收入大幅增长5亿元。", Reason: "no phrasing matched"}},
			Skipped:   []Diagnostic{{Line: 5, Text: "3% in 占比3%", Reason: "share of nothing"}, {Line: 6, Text: "x", Reason: "y"}},
		}
		r := periodReport("a.txt", "2023-06")
		r.Diagnostics = d
		mustIngest(t, s, r, fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan))
		bad := periodReport("bad.txt", "2023-06")
		bad.Diagnostics = Diagnostics{Skipped: d.Skipped}
		if err := s.RecordFailure(ctx, bad, errors.New("bad.txt: no figures")); err != nil {
			t.Fatal(err)
		}
		for _, want := range []Report{r, bad} {
			got, found, err := s.LookupReport(ctx, want.Checksum)
			if err != nil || !found {
				t.Fatalf("LookupReport %s: %v %v", want.Name, found, err)
			}
			if !reflect.DeepEqual(got.Diagnostics, want.Diagnostics) {
				t.Errorf("%s diagnostics %+v, want %+v", want.Name, got.Diagnostics, want.Diagnostics)
			}
			if got.Warnings != len(want.Diagnostics.Warnings) || got.Unmatched != len(want.Diagnostics.Unmatched) || got.Skipped != len(want.Diagnostics.Skipped) {
				t.Errorf("%s counts %d/%d/%d, want those of %+v", want.Name, got.Warnings, got.Unmatched, got.Skipped, want.Diagnostics)
			}
		}
	})
}
