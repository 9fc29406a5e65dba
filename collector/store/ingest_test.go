package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

const (
	ty = "太原市"
	zb = "中北高新区"
	qx = "清徐开发区"
)

func TestIngestCounts(t *testing.T) {
	gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
	yoy := fig(ty, zb, figure.GDP, figure.MeasureYoYGrowth, "2023-06", 0.052, figure.UnitRatio)
	inv := fig(ty, qx, figure.FixedAssetInvestment, figure.MeasureValue, "2023-06", 3e8, figure.UnitYuan)
	with := func(f figure.Figure, change func(*figure.Figure)) figure.Figure {
		change(&f)
		return f
	}
	type step struct {
		figs []figure.Figure
		want IngestResult // ReportID is not compared
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"all new", []step{
			{[]figure.Figure{gdp, yoy, inv}, IngestResult{Figures: 3, New: 3}},
		}},
		{"stated again by another report is unchanged", []step{
			{[]figure.Figure{gdp, yoy}, IngestResult{Figures: 2, New: 2}},
			{[]figure.Figure{gdp, yoy}, IngestResult{Figures: 2, Unchanged: 2}},
		}},
		{"other text and line alone is unchanged", []step{
			{[]figure.Figure{gdp}, IngestResult{Figures: 1, New: 1}},
			{[]figure.Figure{with(gdp, func(f *figure.Figure) { f.Text, f.Line = "另一句", 42 })}, IngestResult{Figures: 1, Unchanged: 1}},
		}},
		{"value revised", []step{
			{[]figure.Figure{gdp}, IngestResult{Figures: 1, New: 1}},
			{[]figure.Figure{with(gdp, func(f *figure.Figure) { f.Value = 101e8 })}, IngestResult{Figures: 1, Revised: 1}},
		}},
		{"unit revised", []step{
			{[]figure.Figure{gdp}, IngestResult{Figures: 1, New: 1}},
			{[]figure.Figure{with(gdp, func(f *figure.Figure) { f.Unit = figure.UnitCount })}, IngestResult{Figures: 1, Revised: 1}},
		}},
		{"approx revised", []step{
			{[]figure.Figure{gdp}, IngestResult{Figures: 1, New: 1}},
			{[]figure.Figure{with(gdp, func(f *figure.Figure) { f.Approx = true })}, IngestResult{Figures: 1, Revised: 1}},
		}},
		{"another period is new", []step{
			{[]figure.Figure{gdp}, IngestResult{Figures: 1, New: 1}},
			{[]figure.Figure{with(gdp, func(f *figure.Figure) { f.Period = figure.MustPeriod("2023-07") })}, IngestResult{Figures: 1, New: 1}},
		}},
		{"equal repeats in one report count once", []step{
			{[]figure.Figure{gdp, yoy, with(gdp, func(f *figure.Figure) { f.Line = 9 })}, IngestResult{Figures: 2, New: 2}},
		}},
		{"mixed", []step{
			{[]figure.Figure{gdp, yoy}, IngestResult{Figures: 2, New: 2}},
			{[]figure.Figure{gdp, with(yoy, func(f *figure.Figure) { f.Value = 0.061 }), inv}, IngestResult{Figures: 3, New: 1, Revised: 1, Unchanged: 1}},
		}},
		{"empty report", []step{
			{nil, IngestResult{}},
		}},
	}
	eachDialect(t, func(t *testing.T, dialect string) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s := MustOpen(t, dialect)
				for i, st := range tt.steps {
					r := report(fmt.Sprintf("%s-%d.txt", tt.name, i))
					got := mustIngest(t, s, r, st.figs...)
					if got.ReportID == 0 {
						t.Errorf("step %d: no report id", i)
					}
					got.ReportID = 0
					if got != st.want {
						t.Errorf("step %d: Ingest = %+v, want %+v", i, got, st.want)
					}
					stored, ok, err := s.LookupReport(context.Background(), r.Checksum)
					if err != nil || !ok || stored.Status != StatusIngested || stored.Figures != st.want.Figures {
						t.Errorf("step %d: LookupReport = %+v, %v, %v; want ingested with %d figures", i, stored, ok, err, st.want.Figures)
					}
				}
			})
		}
	})
}

func TestIngestDuplicate(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		r := report("2023年6月.txt")
		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		first := mustIngest(t, s, r, gdp)
		before := counts(t, s)

		// The same bytes again, even with figures a newer parser produced
		// differently, change nothing.
		gdp.Value = 1
		second := mustIngest(t, s, r, gdp, fig(ty, qx, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan))
		want := IngestResult{ReportID: first.ReportID, Figures: 1, Duplicate: true}
		if second != want {
			t.Errorf("second Ingest = %+v, want %+v", second, want)
		}
		if after := counts(t, s); after != before {
			t.Errorf("rows (reports, figures, revisions) = %v after the duplicate, want %v", after, before)
		}
		latest, err := s.Latest(ctx)
		if err != nil || len(latest) != 1 || latest[0].Value != 100e8 {
			t.Errorf("Latest = %+v, %v; want the first value only", latest, err)
		}
	})
}

func TestRevisionsKeepEveryValue(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		clock := time.Date(2023, 8, 1, 10, 0, 0, 0, time.UTC)
		s.now = func() time.Time { return clock }

		f := fig(ty, zb+figure.ZoneSep+qx, figure.IndustrialOutput, figure.MeasureValue, "2023-06", 10, figure.UnitYuan)
		a := mustIngest(t, s, report("a.txt"), f)
		f.Value, f.Text = 20, "修订后"
		clock = clock.Add(time.Hour)
		b := mustIngest(t, s, report("b.txt"), f)
		f.Value, f.Approx = 30, true
		clock = clock.Add(time.Hour)
		c := mustIngest(t, s, report("c.txt"), f)

		revs, err := s.Revisions(ctx, f.Key())
		if err != nil {
			t.Fatal(err)
		}
		type rev struct {
			value              float64
			approx             bool
			text               string
			report, replacedBy int64
			at                 time.Time
		}
		want := []rev{
			{10, false, f.City + f.Zone() + f.Indicator + f.Measure, a.ReportID, b.ReportID, time.Date(2023, 8, 1, 11, 0, 0, 0, time.UTC)},
			{20, false, "修订后", b.ReportID, c.ReportID, time.Date(2023, 8, 1, 12, 0, 0, 0, time.UTC)},
		}
		if len(revs) != len(want) {
			t.Fatalf("Revisions = %+v, want %d", revs, len(want))
		}
		for i, r := range revs {
			got := rev{r.Value, r.Approx, r.Text, r.ReportID, r.ReplacedByReportID, r.ReplacedAt}
			if got.value != want[i].value || got.approx != want[i].approx || got.text != want[i].text ||
				got.report != want[i].report || got.replacedBy != want[i].replacedBy || !got.at.Equal(want[i].at) {
				t.Errorf("revision %d = %+v, want %+v", i, got, want[i])
			}
			if r.Key() != f.Key() {
				t.Errorf("revision %d key = %s, want %s", i, r.Key(), f.Key())
			}
		}
		cur, err := s.Figures(ctx, Filter{City: ty})
		if err != nil || len(cur) != 1 || cur[0].Value != 30 || !cur[0].Approx || cur[0].ReportID != c.ReportID || cur[0].ReportName != "c.txt" {
			t.Errorf("current = %+v, %v; want 30 (approx) from c.txt", cur, err)
		}
	})
}

func TestIngestConflictWritesNothing(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		base := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-05", 90e8, figure.UnitYuan)
		mustIngest(t, s, report("base.txt"), base)
		before := counts(t, s)

		gdp := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 100e8, figure.UnitYuan)
		other := gdp
		other.Value, other.Line = 101e8, 7
		revisedBase := base
		revisedBase.Value = 91e8
		r := report("conflict.txt")
		_, err := s.Ingest(ctx, r, []figure.Figure{revisedBase, gdp, other})
		if err == nil {
			t.Fatal("Ingest of two values for one key succeeded")
		}
		if !strings.Contains(err.Error(), gdp.Key().String()) {
			t.Errorf("error %q does not name the key %s", err, gdp.Key())
		}
		if after := counts(t, s); after != before {
			t.Errorf("rows (reports, figures, revisions) = %v, want %v", after, before)
		}
		if _, ok, _ := s.LookupReport(ctx, r.Checksum); ok {
			t.Error("the rejected report was recorded")
		}
	})
}

// TestIngestFailureRollsBack makes the database refuse one figure after
// the report row, the staging table and the revisions are written, and
// checks that none of them survive.
func TestIngestFailureRollsBack(t *testing.T) {
	trigger := map[string][]string{
		DialectSQLite: {`CREATE TRIGGER refuse BEFORE INSERT ON figures WHEN NEW.city = '拒绝市'
BEGIN SELECT RAISE(ABORT, 'refused by test trigger'); END`},
		DialectPostgres: {`CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.city = '拒绝市' THEN RAISE EXCEPTION 'refused by test trigger'; END IF;
    RETURN NEW;
END $$`, `CREATE TRIGGER refuse BEFORE INSERT ON figures FOR EACH ROW EXECUTE FUNCTION refuse()`},
	}
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		base := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-05", 90e8, figure.UnitYuan)
		mustIngest(t, s, report("base.txt"), base)
		for _, q := range trigger[dialect] {
			if _, err := s.DB().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		before := counts(t, s)
		revised := base
		revised.Value = 91e8
		r := report("refused.txt")
		_, err := s.Ingest(ctx, r, []figure.Figure{revised, fig("拒绝市", "", figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan)})
		if err == nil || !strings.Contains(err.Error(), "refused by test trigger") {
			t.Fatalf("Ingest error = %v, want the trigger's", err)
		}
		if after := counts(t, s); after != before {
			t.Errorf("rows (reports, figures, revisions) = %v, want %v", after, before)
		}
		latest, err := s.Latest(ctx)
		if err != nil || len(latest) != 1 || latest[0].Value != 90e8 {
			t.Errorf("Latest = %+v, %v; want the base value", latest, err)
		}
		// The connection is still usable and the staging table gone.
		mustIngest(t, s, report("after.txt"), revised)
	})
}

func TestIngestRejects(t *testing.T) {
	good := fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan)
	tests := []struct {
		name string
		r    Report
		fig  func(*figure.Figure)
		want string
	}{
		{"no checksum", Report{Name: "x.txt"}, func(*figure.Figure) {}, "no checksum"},
		{"no period", report("x.txt"), func(f *figure.Figure) { f.Period = figure.Period{} }, "no period"},
		{"no measure", report("x.txt"), func(f *figure.Figure) { f.Measure = "" }, "no indicator or measure"},
		{"not a number", report("x.txt"), func(f *figure.Figure) { f.Value = nan() }, "value NaN"},
	}
	s := MustOpen(t, DialectSQLite)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			tt.fig(&f)
			_, err := s.Ingest(context.Background(), tt.r, []figure.Figure{f})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Ingest error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func nan() float64 { var z float64; return z / z }

func TestRecordFailure(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		v1 := report("2023年6月.doc")
		v1.Checksum = Checksum([]byte("garbled bytes"))

		if err := s.RecordFailure(ctx, v1, errors.New("decode: not GB18030")); err != nil {
			t.Fatal(err)
		}
		if err := s.RecordFailure(ctx, v1, errors.New("line 3: no period")); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.LookupReport(ctx, v1.Checksum)
		if err != nil || !ok || got.Status != StatusFailed || got.Error != "line 3: no period" || got.Name != v1.Name {
			t.Fatalf("LookupReport = %+v, %v, %v; want failed with the latest error", got, ok, err)
		}
		failedID := got.ID

		// The file is fixed: its changed bytes ingest as a new report and
		// the failed one stays on record.
		v2 := v1
		v2.Checksum = Checksum([]byte("fixed bytes"))
		res := mustIngest(t, s, v2, fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan))
		if res.Duplicate || res.New != 1 || res.ReportID == failedID {
			t.Errorf("Ingest of the changed bytes = %+v, want 1 new figure in a new report", res)
		}
		reports, err := s.Reports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(reports) != 2 {
			t.Fatalf("Reports = %+v, want the failed and the ingested one", reports)
		}

		// A parser fix makes the old bytes parse too: the failed row
		// becomes the ingested one.
		res = mustIngest(t, s, v1, fig(ty, qx, figure.GDP, figure.MeasureValue, "2023-06", 2, figure.UnitYuan))
		if res.Duplicate || res.ReportID != failedID || res.New != 1 {
			t.Errorf("Ingest of the once-failed bytes = %+v, want 1 new figure in report %d", res, failedID)
		}
		got, _, _ = s.LookupReport(ctx, v1.Checksum)
		if got.Status != StatusIngested || got.Error != "" || got.Figures != 1 {
			t.Errorf("LookupReport = %+v, want ingested, no error, 1 figure", got)
		}

		// A failure recorded for bytes already ingested does not undo them.
		if err := s.RecordFailure(ctx, v2, errors.New("late failure")); err != nil {
			t.Fatal(err)
		}
		if got, _, _ := s.LookupReport(ctx, v2.Checksum); got.Status != StatusIngested {
			t.Errorf("after RecordFailure on ingested bytes: %+v, want still ingested", got)
		}
	})
}

// TestIngestChunks crosses SQLite's multi-row INSERT chunk boundary.
func TestIngestChunks(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		for _, n := range []int{sqliteChunk - 1, sqliteChunk, 2*sqliteChunk + 1} {
			t.Run(fmt.Sprint(n), func(t *testing.T) {
				s := MustOpen(t, dialect)
				figs := benchFigures(n, "2023-06")
				if res := mustIngest(t, s, report("a.txt"), figs...); res.New != n {
					t.Errorf("first Ingest = %+v, want %d new", res, n)
				}
				for i := range figs {
					if i%3 == 0 {
						figs[i].Value++
					}
				}
				want := IngestResult{Figures: n, Revised: (n + 2) / 3, Unchanged: n - (n+2)/3}
				res := mustIngest(t, s, report("b.txt"), figs...)
				res.ReportID = 0
				if res != want {
					t.Errorf("second Ingest = %+v, want %+v", res, want)
				}
				if c := counts(t, s); c != [3]int{2, n, want.Revised} {
					t.Errorf("rows (reports, figures, revisions) = %v", c)
				}
			})
		}
	})
}
