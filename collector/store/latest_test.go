package store

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// referenceLatestSQL is how Latest read the figures before latest_figures
// (issue 17): a window over every stored period. The tests hold the
// maintained relation to it.
const referenceLatestSQL = `
SELECT city, zone, indicator, measure, period, value, unit, approx, text, line, report_id, derived
FROM (
    SELECT f.*, lead(f.period) OVER (
        PARTITION BY f.city, f.zone, f.indicator, f.measure ORDER BY f.period) AS next_period
    FROM figures f
    WHERE f.derived = ?
) latest
WHERE next_period IS NULL
ORDER BY city, zone, indicator, measure`

// referenceLatest is Latest (or LatestDerived) computed from figures.
func referenceLatest(tb testing.TB, s *Store, derived bool) []figure.Figure {
	tb.Helper()
	var rows []figureRow
	if err := s.DB().Select(&rows, s.DB().Rebind(referenceLatestSQL), derived); err != nil {
		tb.Fatal(err)
	}
	var out []figure.Figure
	for i := range rows {
		f, err := rows[i].figure()
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, f)
	}
	return out
}

// checkLatest compares Latest, LatestDerived, Zones and State with what
// figures says.
func checkLatest(t *testing.T, s *Store, step string) {
	t.Helper()
	ctx := context.Background()
	for _, derived := range []bool{false, true} {
		got, err := s.latest(ctx, derived, true)
		if err != nil {
			t.Fatal(err)
		}
		if want := referenceLatest(t, s, derived); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: latest(derived=%v) =\n%+v\nwant (from figures)\n%+v", step, derived, got, want)
		}
	}
	var want []ZonePeriod
	var rows []struct {
		City   string `db:"city"`
		Zone   string `db:"zone"`
		Latest string `db:"latest"`
	}
	if err := s.DB().Select(&rows, `SELECT city, zone, MAX(period) AS latest FROM figures WHERE NOT derived GROUP BY city, zone ORDER BY city, zone`); err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		want = append(want, ZonePeriod{City: r.City, Zone: r.Zone, Latest: figure.MustPeriod(r.Latest)})
	}
	got, err := s.Zones(ctx, nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 {
		got = nil
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s: Zones = %+v, want %+v", step, got, want)
	}
	st, err := s.State(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.CountFigures(ctx); err != nil || int64(n) != st.Figures {
		t.Errorf("%s: State().Figures = %d, CountFigures = %d, %v", step, st.Figures, n, err)
	}
}

// TestLatestFollowsIngest is issue 17: latest_figures, zones and
// store_state, kept by Ingest, say what the window over all of figures
// said, whatever order the reports come in.
func TestLatestFollowsIngest(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		gdp := func(zone, period string, v float64) figure.Figure {
			return fig(ty, zone, figure.GDP, figure.MeasureValue, period, v, figure.UnitYuan)
		}
		derived := func(period string, v float64) figure.Figure {
			f := fig(ty, zb, figure.GDP, "implied_city_total", period, v, figure.UnitYuan)
			f.Derived = true
			return f
		}
		version := func() int64 {
			st, err := s.State(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return st.Version
		}
		v0 := version()
		steps := []struct {
			name string
			figs []figure.Figure
		}{
			{"June", []figure.Figure{gdp(zb, "2023-06", 6), gdp(qx, "2023-06", 60), derived("2023-06", 600)}},
			{"March after June", []figure.Figure{gdp(zb, "2023-03", 3), gdp(qx, "2023-03", 30), derived("2023-03", 300)}},
			{"June revised", []figure.Figure{gdp(zb, "2023-06", 6.5)}},
			{"June restated unchanged", []figure.Figure{gdp(zb, "2023-06", 6.5), gdp(qx, "2023-06", 60)}},
			{"July for one zone, with May in the same report", []figure.Figure{gdp(zb, "2023-07", 7), gdp(zb, "2023-05", 5), derived("2023-07", 700)}},
			{"a new city", []figure.Figure{fig("大同市", "", figure.Enterprises, figure.MeasureCount, "2022-12", 12, figure.UnitCount)}},
		}
		for i, step := range steps {
			mustIngest(t, s, report(fmt.Sprintf("%d.txt", i)), step.figs...)
			checkLatest(t, s, step.name)
		}
		if v := version(); v != v0+int64(len(steps)) {
			t.Errorf("version %d after %d reports from %d", v, len(steps), v0)
		}
		// Neither a duplicate nor a failure changes what a refresh reads.
		mustIngest(t, s, report("0.txt"), steps[0].figs...)
		if err := s.RecordFailure(ctx, report("broken.txt"), fmt.Errorf("no period")); err != nil {
			t.Fatal(err)
		}
		if v := version(); v != v0+int64(len(steps)) {
			t.Errorf("version moved to %d on a duplicate or a failure", v)
		}
		latest, err := s.Latest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(latest) != 3 || latest[1].Period.String() != "2023-07" || latest[1].Value != 7 || latest[2].Value != 60 {
			t.Errorf("Latest = %+v", latest)
		}

		// An operator deletes figures by hand: the series fall back to
		// their previous period, or go, and the version moves.
		for _, del := range []string{
			`DELETE FROM figures WHERE period = '2023-07'`,
			`DELETE FROM figures WHERE city = '大同市'`,
			`DELETE FROM figures WHERE derived`,
		} {
			before := version()
			if _, err := s.DB().Exec(del); err != nil {
				t.Fatal(err)
			}
			checkLatest(t, s, del)
			if version() == before {
				t.Errorf("%s: version did not move", del)
			}
		}
	})
}

// openAt opens a fresh store of the dialect migrated up to version only.
func openAt(t *testing.T, dialect string, version int64) *Store {
	t.Helper()
	var db *sqlx.DB
	var err error
	if dialect == DialectSQLite {
		db, err = sqlx.Open(DialectSQLite, "file:"+t.TempDir()+"/"+FileName+"?"+sqliteOptions)
	} else {
		db, err = sqlx.Open(DialectPostgres, pgtest.Fresh(t))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &Store{db: db, dialect: dialect, now: report("").ReceivedAt.Local}
	if err := s.migrateTo(context.Background(), version); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestMigrationFillsLatest is issue 17's migration: a store written before
// it gets latest_figures, zones and store_state filled from its figures.
func TestMigrationFillsLatest(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		s := openAt(t, dialect, 2)
		db := s.DB()
		for i, p := range []string{"2023-06", "2023-03", "2023-07"} {
			if _, err := db.Exec(db.Rebind(`INSERT INTO reports (name, checksum, received_at, period, status) VALUES (?, ?, ?, ?, 'ingested')`),
				p, p, report("").ReceivedAt, p); err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				zone, measure string
				derived       bool
			}{{zb, figure.MeasureValue, false}, {qx, figure.MeasureValue, false}, {zb, "implied_city_total", true}} {
				if i == 2 && f.zone == qx {
					continue // July has no figure for 清徐
				}
				_, err := db.Exec(db.Rebind(`INSERT INTO figures
					(report_id, city, zone, indicator, measure, period, period_end, value, unit, approx, derived, text, line)
					SELECT id, ?, ?, ?, ?, ?, ?, ?, 'yuan', false, ?, 'text', 1 FROM reports WHERE name = ?`),
					ty, f.zone, figure.GDP, f.measure, p, figure.MustPeriod(p).End().UTC(), float64(i+1), f.derived, p)
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := s.migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkLatest(t, s, "migrated")
		latest, err := s.Latest(context.Background())
		if err != nil || len(latest) != 2 || latest[0].Period.String() != "2023-07" || latest[1].Period.String() != "2023-06" {
			t.Errorf("Latest = %+v, %v", latest, err)
		}
	})
}

// TestPages reads zones, figures and findings a page at a time: the
// pages, in order, are the whole list.
func TestPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		var all []figure.Figure
		for _, z := range []string{"甲区", "乙区", "丙区", "丁区", "戊区"} {
			for _, p := range []string{"2023-05", "2023-06"} {
				all = append(all, fig(ty, z, figure.GDP, figure.MeasureValue, p, 1, figure.UnitYuan),
					fig("大同市", z, figure.GDP, figure.MeasureValue, p, 2, figure.UnitYuan))
			}
		}
		r := report("a.txt")
		for i := range 5 {
			r.Findings = append(r.Findings, figure.Finding{Kind: "k", City: ty, Period: "2023-06", Message: fmt.Sprint(i), Numbers: []string{}, Sentences: []string{}})
		}
		mustIngest(t, s, r, all...)

		wantZones, err := s.Zones(ctx, nil, 100)
		if err != nil || len(wantZones) != 10 {
			t.Fatalf("Zones = %d, %v", len(wantZones), err)
		}
		var zones []ZonePeriod
		var after *ZoneKey
		for {
			page, err := s.Zones(ctx, after, 3)
			if err != nil {
				t.Fatal(err)
			}
			zones = append(zones, page...)
			if len(page) < 3 {
				break
			}
			after = &ZoneKey{page[2].City, page[2].Zone}
		}
		if !reflect.DeepEqual(zones, wantZones) {
			t.Errorf("zones in pages of 3:\n%+v\nwant\n%+v", zones, wantZones)
		}

		filter := Filter{Indicator: figure.GDP}
		wantFigs, err := s.Figures(ctx, filter)
		if err != nil || len(wantFigs) != len(all) {
			t.Fatalf("Figures = %d, %v", len(wantFigs), err)
		}
		var figs []StoredFigure
		filter.Limit = 4
		for {
			page, err := s.Figures(ctx, filter)
			if err != nil {
				t.Fatal(err)
			}
			figs = append(figs, page...)
			if len(page) < filter.Limit {
				break
			}
			k := page[len(page)-1].Cursor()
			filter.After = &k
		}
		if !reflect.DeepEqual(figs, wantFigs) {
			t.Errorf("figures in pages of 4:\n%+v\nwant\n%+v", figs, wantFigs)
		}

		var msgs []string
		var id int64
		for {
			page, err := s.Findings(ctx, id, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range page {
				msgs = append(msgs, f.Message)
			}
			if len(page) < 2 {
				break
			}
			id = page[1].ID
		}
		if want := []string{"0", "1", "2", "3", "4"}; !reflect.DeepEqual(msgs, want) {
			t.Errorf("findings in pages of 2: %v, want %v", msgs, want)
		}
	})
}

// TestLatestFindingCounts counts only the findings of each city's latest
// period.
func TestLatestFindingCounts(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		s := MustOpen(t, dialect)
		finding := func(city, kind, period string) figure.Finding {
			return figure.Finding{Kind: kind, City: city, Period: period, Numbers: []string{}, Sentences: []string{}}
		}
		may := report("may.txt")
		may.Findings = []figure.Finding{finding(ty, "a", "2023-05"), finding(ty, "a", "2023-05")}
		mustIngest(t, s, may, fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-05", 1, figure.UnitYuan))
		june := report("june.txt")
		june.Findings = []figure.Finding{finding(ty, "a", "2023-06"), finding(ty, "b", "2023-06"), finding(ty, "b", "2023-06"),
			finding("大同市", "a", "2023-06")} // 大同市 has no figures: no latest period
		mustIngest(t, s, june, fig(ty, qx, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan))
		got, err := s.LatestFindingCounts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// The two equal "b" findings of one report are one (issue 11).
		want := []FindingCount{{ty, "2023-06", "a", 1}, {ty, "2023-06", "b", 1}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("LatestFindingCounts = %+v, want %+v", got, want)
		}
	})
}
