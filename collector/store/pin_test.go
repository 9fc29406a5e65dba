package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// reportsByName reads every report, by file name.
func reportsByName(tb testing.TB, s *Store) map[string]Report {
	tb.Helper()
	reps, err := s.Reports(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string]Report{}
	for _, r := range reps {
		out[r.Name] = r
	}
	return out
}

// checkState fails when store_state's figure count is not the rows of
// figures: what keeps devzone_store_figures true.
func checkState(t *testing.T, s *Store, step string) {
	t.Helper()
	st, err := s.State(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n, err := s.CountFigures(context.Background())
	if err != nil || int64(n) != st.Figures {
		t.Errorf("%s: CountFigures = %d, %v; store_state says %d", step, n, err, st.Figures)
	}
}

// receivedReport is a report of period received at minute m, so that the
// order of reception is the order of the test.
func receivedReport(name, period string, m int) Report {
	r := periodReport(name, period)
	r.ReceivedAt = time.Date(2023, 7, 20, 8, m, 0, 0, time.UTC)
	return r
}

func withFinding(r Report, msg string) Report {
	r.Findings = []figure.Finding{{Kind: "city_totals_disagree", City: ty, Zone: "全市开发区", Indicator: figure.GDP, Period: r.Period.String(), Message: msg}}
	return r
}

// TestPinHoldsLaterBulletins: the later received wins unless an operator
// pins a report (issue 11); unpinning applies the newest held bulletin.
func TestPinHoldsLaterBulletins(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-06", 3e8, figure.UnitYuan)
		first := mustIngest(t, s, withFinding(receivedReport("first.txt", "2023-06", 1), "first"), gdp, inv)
		pinned, err := s.PinReport(ctx, "first.txt")
		if err != nil {
			t.Fatal(err)
		}
		if pinned.ID != first.ReportID || pinned.PinnedAt.IsZero() {
			t.Errorf("PinReport = %+v, want report %d pinned", pinned, first.ReportID)
		}
		before := counts(t, s)

		gdp2, gdp3, inv3 := gdp, gdp, inv
		gdp2.Value, gdp3.Value, inv3.Value = 101e8, 102e8, 4e8
		second := mustIngest(t, s, withFinding(receivedReport("second.txt", "2023-06", 2), "second"), gdp2)
		third := mustIngest(t, s, withFinding(receivedReport("third.txt", "2023-06", 3), "third"), gdp3, inv3)
		for _, res := range []IngestResult{second, third} {
			if res.HeldBy != first.ReportID || res.New+res.Revised+res.Withdrawn != 0 || res.Duplicate {
				t.Errorf("ingest while pinned = %+v, want held by %d, nothing written", res, first.ReportID)
			}
		}
		after := counts(t, s)
		if after[1] != before[1] || after[2] != before[2] || after[0] != before[0]+2 {
			t.Errorf("rows (reports, figures, revisions) %v after %v: want two reports more, no figure or revision", after, before)
		}
		got := latestKeys(t, s)
		if got[gdp.Key().String()] != 100e8 || got[inv.Key().String()] != 3e8 {
			t.Errorf("latest while pinned %v, want the pinned report's 100e8 and 3e8", got)
		}
		if n := findingCount(t, s, ty); n != 1 {
			t.Errorf("%d findings while pinned, want the pinned report's 1", n)
		}
		reps := reportsByName(t, s)
		for _, name := range []string{"second.txt", "third.txt"} {
			if r := reps[name]; r.Status != StatusHeld || r.SupersededBy != first.ReportID {
				t.Errorf("%s: status %s, superseded by %d; want held by %d", name, r.Status, r.SupersededBy, first.ReportID)
			}
		}
		if r := reps["first.txt"]; r.SupersededBy != 0 || r.PinnedAt.IsZero() || r.Status != StatusIngested {
			t.Errorf("pinned report %+v, want current and pinned", r)
		}
		// The same bytes again are a duplicate, not a second held report.
		if res := mustIngest(t, s, receivedReport("third.txt", "2023-06", 4), gdp3, inv3); !res.Duplicate {
			t.Errorf("third.txt again: %+v, want a duplicate", res)
		}

		un, err := s.UnpinReport(ctx, "first.txt")
		if err != nil {
			t.Fatal(err)
		}
		if un.Applied.ID != third.ReportID || un.Revised != 2 || un.New != 0 || un.Report.SupersededBy != third.ReportID {
			t.Errorf("UnpinReport = %+v, want the newest held report %d applied, 2 figures revised", un, third.ReportID)
		}
		got = latestKeys(t, s)
		if got[gdp.Key().String()] != 102e8 || got[inv.Key().String()] != 4e8 {
			t.Errorf("latest after unpin %v, want the newest bulletin's 102e8 and 4e8", got)
		}
		if n := findingCount(t, s, ty); n != 1 {
			t.Errorf("%d findings after unpin, want the applied report's 1", n)
		}
		reps = reportsByName(t, s)
		for name, want := range map[string]struct {
			status       string
			supersededBy int64
		}{
			"first.txt":  {StatusIngested, third.ReportID},
			"second.txt": {StatusHeld, first.ReportID}, // never current: stays held
			"third.txt":  {StatusIngested, 0},
		} {
			if r := reps[name]; r.Status != want.status || r.SupersededBy != want.supersededBy || !r.PinnedAt.IsZero() {
				t.Errorf("%s after unpin: status %s, superseded by %d, pinned %v; want %s, %d, not pinned", name, r.Status, r.SupersededBy, r.PinnedAt, want.status, want.supersededBy)
			}
		}
		var fs []findingMessage
		if err := s.DB().SelectContext(ctx, &fs, `SELECT message FROM findings`); err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || fs[0].Message != "third" {
			t.Errorf("findings %+v, want the applied report's only", fs)
		}
		checkLatest(t, s, "after unpin")
		checkState(t, s, "after unpin")
		// The store is back to "the later received wins".
		gdp4 := gdp
		gdp4.Value = 103e8
		if res := mustIngest(t, s, receivedReport("fourth.txt", "2023-06", 5), gdp4); res.HeldBy != 0 || res.Revised != 1 || res.Withdrawn != 1 {
			t.Errorf("ingest after unpin = %+v, want applied: 1 revised, 1 withdrawn", res)
		}
		// Withdrawing what came after brings back the report unpinning
		// superseded, and then the pinned one: never a report the pin held.
		for _, step := range []struct {
			withdraw, current string
			gdp, inv          float64
		}{
			{"fourth.txt", "third.txt", 102e8, 4e8},
			{"third.txt", "first.txt", 100e8, 3e8},
		} {
			res, err := s.WithdrawReport(ctx, step.withdraw)
			if err != nil {
				t.Fatal(err)
			}
			if res.Restored.Name != step.current {
				t.Errorf("withdraw %s: %q current again, want %s", step.withdraw, res.Restored.Name, step.current)
			}
			got = latestKeys(t, s)
			if got[gdp.Key().String()] != step.gdp || got[inv.Key().String()] != step.inv {
				t.Errorf("latest after withdrawing %s: %v, want %s's %v and %v", step.withdraw, got, step.current, step.gdp, step.inv)
			}
		}
		if n := findingCount(t, s, ty); n != 1 {
			t.Errorf("%d findings with first.txt current again, want its 1", n)
		}
		checkLatest(t, s, "after the withdrawals")
		checkState(t, s, "after the withdrawals")
	})
}

// findingMessage is a findings row as the test reads it.
type findingMessage struct {
	Message string `db:"message"`
}

// TestUnpinWithNothingHeld: without a held report, unpinning takes the pin
// only.
func TestUnpinWithNothingHeld(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		first := mustIngest(t, s, receivedReport("first.txt", "2023-06", 1), gdp)
		if _, err := s.PinReport(ctx, "first.txt"); err != nil {
			t.Fatal(err)
		}
		before := counts(t, s)
		un, err := s.UnpinReport(ctx, "first.txt")
		if err != nil {
			t.Fatal(err)
		}
		if un.Applied.ID != 0 || un.Report.ID != first.ReportID {
			t.Errorf("UnpinReport = %+v, want report %d unpinned, none applied", un, first.ReportID)
		}
		if after := counts(t, s); after != before {
			t.Errorf("rows %v after unpin, want %v", after, before)
		}
		if r := reportsByName(t, s)["first.txt"]; !r.PinnedAt.IsZero() || r.SupersededBy != 0 {
			t.Errorf("report after unpin %+v, want current, not pinned", r)
		}
	})
}

// TestPinRefusals: what may not be pinned, unpinned or withdrawn says why
// in one line naming the report.
func TestPinRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		gdp2 := gdp
		gdp2.Value = 101e8
		mustIngest(t, s, receivedReport("old.txt", "2023-06", 1), gdp)
		mustIngest(t, s, receivedReport("new.txt", "2023-06", 2), gdp2)
		mustIngest(t, s, receivedReport("gone.txt", "2023-07", 3), fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-07", 1, figure.UnitYuan))
		if _, err := s.WithdrawReport(ctx, "gone.txt"); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordFailure(ctx, report("bad.txt"), errors.New("bad.txt: no figures")); err != nil {
			t.Fatal(err)
		}
		if _, err := s.PinReport(ctx, "new.txt"); err != nil {
			t.Fatal(err)
		}
		tests := []struct {
			name string
			do   func() error
			want string
		}{
			{"pin a superseded report", func() error { _, err := s.PinReport(ctx, "old.txt"); return err }, "is not current: report"},
			{"pin twice", func() error { _, err := s.PinReport(ctx, "new.txt"); return err }, "was pinned at"},
			{"pin a withdrawn report", func() error { _, err := s.PinReport(ctx, "gone.txt"); return err }, "was withdrawn"},
			{"pin a failed report", func() error { _, err := s.PinReport(ctx, "bad.txt"); return err }, "is failed"},
			{"unpin a report not pinned", func() error { _, err := s.UnpinReport(ctx, "old.txt"); return err }, "is not pinned"},
			{"withdraw a pinned report", func() error { _, err := s.WithdrawReport(ctx, "new.txt"); return err }, "is pinned; unpin it first"},
			{"pin an unknown report", func() error { _, err := s.PinReport(ctx, "nothing.txt"); return err }, ErrReportNotFound.Error()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				err := tt.do()
				if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
					t.Errorf("error %v, want one line with %q", err, tt.want)
				}
			})
		}
		if _, err := s.UnpinReport(ctx, "nothing.txt"); !errors.Is(err, ErrReportNotFound) {
			t.Errorf("unpin unknown: %v, want ErrReportNotFound", err)
		}
	})
}

// TestWithdrawRestoresSuperseded: withdrawing the current report of a city
// and period brings back the report it superseded, with the values it
// revised or withdrew (issue 11: "a value it revised is not restored").
func TestWithdrawRestoresSuperseded(t *testing.T) {
	gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
	inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-06", 3e8, figure.UnitYuan)
	invMay := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-05", 2e8, figure.UnitYuan)
	total := fig(ty, zb, figure.GDP, consistency.MeasureImpliedCityTotal, "2023-06", 500e8, figure.UnitYuan)
	total.Derived = true
	gdp2 := gdp
	gdp2.Value = 101e8
	growth := fig(ty, zb, figure.GDP, figure.MeasureYoYGrowth, "2023-06", 0.05, figure.UnitRatio)
	tests := []struct {
		name string
		// withdrawFirst withdraws the first June report before the
		// correction is: then nothing of it may come back.
		withdrawFirst bool
		wantRestored  string
		wantFigures   int
		wantFindings  int                // of 太原市 after the withdrawal: the restored report's
		want          map[string]float64 // latest values by key; absent keys must be absent
	}{
		{
			name:         "the superseded report comes back",
			wantRestored: "first.txt", wantFigures: 3, wantFindings: 1,
			want: map[string]float64{gdp.Key().String(): 100e8, inv.Key().String(): 3e8},
		},
		{
			name: "a superseded report withdrawn since stays withdrawn", withdrawFirst: true,
			wantRestored: "", wantFigures: 0, wantFindings: 0,
			want: map[string]float64{invMay.Key().String(): 2e8}, // May's, the series' latest left
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			eachDialect(t, func(t *testing.T, dialect string) {
				ctx := context.Background()
				s := MustOpen(t, dialect)
				mustIngest(t, s, receivedReport("may.txt", "2023-05", 0), invMay)
				first := mustIngest(t, s, withFinding(receivedReport("first.txt", "2023-06", 1), "first"), gdp, inv, total)
				if tt.withdrawFirst {
					if _, err := s.WithdrawReport(ctx, "first.txt"); err != nil {
						t.Fatal(err)
					}
				}
				corrected := mustIngest(t, s, receivedReport("corrected.txt", "2023-06", 2), gdp2, growth)
				res, err := s.WithdrawReport(ctx, "corrected.txt")
				if err != nil {
					t.Fatal(err)
				}
				if res.Report.ID != corrected.ReportID || res.Restored.Name != tt.wantRestored || res.RestoredFigures != tt.wantFigures {
					t.Errorf("WithdrawReport = report %d, restored %q with %d figures; want %d, %q, %d",
						res.Report.ID, res.Restored.Name, res.RestoredFigures, corrected.ReportID, tt.wantRestored, tt.wantFigures)
				}
				got := latestKeys(t, s)
				for k, v := range tt.want {
					if got[k] != v {
						t.Errorf("latest %s = %v, want %v", k, got[k], v)
					}
				}
				for _, k := range []string{gdp.Key().String(), inv.Key().String(), growth.Key().String()} {
					if _, ok := tt.want[k]; !ok {
						if v, ok := got[k]; ok {
							t.Errorf("latest %s = %v, want no series", k, v)
						}
					}
				}
				derived, err := s.LatestValues(ctx, true)
				if err != nil {
					t.Fatal(err)
				}
				if wantDerived := tt.wantRestored != ""; (len(derived) == 1 && derived[0].Value == 500e8) != wantDerived {
					t.Errorf("derived latest %+v, want the implied total restored: %v", derived, wantDerived)
				}
				june, err := s.Figures(ctx, Filter{City: ty, From: figure.MustPeriod("2023-06"), To: figure.MustPeriod("2023-06")})
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range june {
					if f.ReportID != first.ReportID {
						t.Errorf("June figure %s from report %d, want the restored %d", f.Key(), f.ReportID, first.ReportID)
					}
				}
				reps := reportsByName(t, s)
				if tt.wantRestored != "" && reps["first.txt"].SupersededBy != 0 {
					t.Errorf("first.txt superseded by %d after the correction's withdrawal, want current", reps["first.txt"].SupersededBy)
				}
				// The withdrawn correction's values stay in the history.
				var n int
				if err := s.DB().GetContext(ctx, &n, s.DB().Rebind(`SELECT count(*) FROM figure_revisions WHERE report_id = ? AND reason = ?`), corrected.ReportID, ReasonWithdrawn); err != nil || n != 2 {
					t.Errorf("%d revisions of the withdrawn correction (%v), want its 2 values", n, err)
				}
				if n := findingCount(t, s, ty); n != tt.wantFindings {
					t.Errorf("%d findings after the withdrawal, want %d", n, tt.wantFindings)
				}
				checkLatest(t, s, "after withdrawal")
				checkState(t, s, "after withdrawal")
			})
		})
	}
}

// TestMigration6MarksDerivedRevisions: revisions kept before migration 6
// had no derived column; those of a measure only derived figures have
// are marked derived, so that a restore writes them back as derived.
func TestMigration6MarksDerivedRevisions(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := openAt(t, dialect, 5)
		at := report("").ReceivedAt
		for i, name := range []string{"a.txt", "b.txt"} {
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO reports (name, checksum, received_at, period, status) VALUES (?, ?, ?, '2023-06', 'ingested')`), name, name, at.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatal(err)
			}
		}
		// The migration names the derived measures as consistency does.
		for i, measure := range []string{figure.MeasureValue, consistency.MeasureImpliedCityTotal, consistency.MeasureImpliedCityGrowth} {
			if _, err := s.db.ExecContext(ctx, s.db.Rebind(`INSERT INTO figure_revisions
    (figure_id, city, zone, indicator, measure, period, value, unit, approx, text, report_id, replaced_by_report_id, replaced_at)
VALUES (?, ?, ?, ?, ?, '2023-06', 1, 'yuan', false, '', 1, 2, ?)`), i+1, ty, zb, figure.GDP, measure, at); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.migrateTo(ctx, 6); err != nil {
			t.Fatal(err)
		}
		var got []struct {
			Measure string `db:"measure"`
			Derived bool   `db:"derived"`
		}
		if err := s.db.SelectContext(ctx, &got, `SELECT measure, derived FROM figure_revisions ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{figure.MeasureValue: false, consistency.MeasureImpliedCityTotal: true, consistency.MeasureImpliedCityGrowth: true}
		if len(got) != len(want) {
			t.Fatalf("revisions %+v", got)
		}
		for _, r := range got {
			if r.Derived != want[r.Measure] {
				t.Errorf("revision of %s: derived %v, want %v", r.Measure, r.Derived, want[r.Measure])
			}
		}
	})
}

// TestWithdrawSupersededKeepsRestatedFigures: withdrawing a bulletin a
// later one superseded leaves the figures the later one stated again
// with the same value (they stayed under the earlier report's id).
func TestWithdrawSupersededKeepsRestatedFigures(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-06", 3e8, figure.UnitYuan)
		inv2 := inv
		inv2.Value = 4e8
		mustIngest(t, s, receivedReport("first.txt", "2023-06", 1), gdp, inv)
		mustIngest(t, s, receivedReport("second.txt", "2023-06", 2), gdp, inv2)
		res, err := s.WithdrawReport(ctx, "first.txt")
		if err != nil {
			t.Fatal(err)
		}
		if res.Figures != 0 || res.Restored.ID != 0 {
			t.Errorf("WithdrawReport = %+v, want nothing withdrawn or restored", res)
		}
		got := latestKeys(t, s)
		if got[gdp.Key().String()] != 100e8 || got[inv.Key().String()] != 4e8 {
			t.Errorf("latest %v, want second.txt's 100e8 and 4e8 kept", got)
		}
		checkState(t, s, "after withdrawing the superseded report")
	})
}
