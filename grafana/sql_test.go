package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// The time ranges the SQL checks run with: one holding the samples'
// periods (2023-03 and 2023-06 end in 2023), one long before them.
var (
	sampleRange = sqlScope{From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
	emptyRange  = sqlScope{From: time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2011, 1, 1, 0, 0, 0, 0, time.UTC)}
)

// TestSQLQueriesReturnRowsOnTheSample runs every PostgreSQL query of the
// boards — panels' targets and variables — on a fresh database that
// store.Open migrated and the inbox filled with the sample bulletins,
// after expanding Grafana's macros and setting each variable to a value
// the sample states. Each query must run and return rows; a variable's
// rows must hold the value the next query is given; a query filtered by
// $__timeFilter must return nothing for a range before the sample.
func TestSQLQueriesReturnRowsOnTheSample(t *testing.T) {
	url := testexporter.PostgresDatabase(t) // skips without DEVZONE_TEST_DATABASE_URL
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, url, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	idx := availableSamples(t)
	in := inbox.Ingester{Store: st}
	paths := slices.Clone(history)
	for _, i := range idx {
		paths = append(paths, samples[i].path)
	}
	for _, path := range paths {
		if r := in.File(ctx, path); r.Outcome != inbox.Ingested {
			t.Fatalf("ingest %s: %s %v", path, r.Outcome, r.Err)
		}
	}
	var periods []string
	if err := st.DB().SelectContext(ctx, &periods, "SELECT DISTINCT period FROM figures"); err != nil {
		t.Fatal(err)
	}
	queries := queriesOf(t, typePostgres)

	// A board opens with each variable at its default, which Grafana
	// takes from the variable's query: its current value if the query
	// lists it, else the first row. Every panel must show something then.
	// This is what fails on a board that opens empty.
	t.Run("defaults", func(t *testing.T) {
	boards:
		for _, b := range generated(t) {
			vars := map[string][]string{}
			for _, v := range b.Templating.List {
				if v.Datasource == nil || v.Datasource.Type != typePostgres {
					continue
				}
				q, _ := v.Query.(string)
				cols, rows, text, err := runSQL(ctx, st.DB(), q, sqlScope{From: sampleRange.From, To: sampleRange.To, Vars: vars})
				if err != nil || len(rows) == 0 {
					t.Errorf("%s / $%s with %v: %d choices, the board opens empty (%v)\n%s", b.Title, v.Name, vars, len(rows), err, text)
					continue boards
				}
				col := max(slices.Index(cols, "__value"), 0)
				vars[v.Name] = []string{fmt.Sprint(rows[0][col])}
				for _, r := range rows {
					if cur := v.current(); len(cur) == 1 && fmt.Sprint(r[col]) == cur[0] {
						vars[v.Name] = cur
					}
				}
			}
			t.Logf("%s opens on %v", b.Title, vars)
			for _, q := range b.queries() {
				if q.Datasource.Type != typePostgres || q.Variable != "" {
					continue
				}
				cols, rows, text, err := runSQL(ctx, st.DB(), q.Text, sqlScope{From: sampleRange.From, To: sampleRange.To, Vars: vars})
				if err != nil {
					t.Errorf("%s: %v\n%s", q.Where, err, text)
					continue
				}
				if len(rows) == 0 {
					t.Errorf("%s: no rows with the defaults %v\n%s", q.Where, vars, text)
				}
				checkPointMonths(t, q, cols, rows, periods)
			}
		}
	})

	for _, i := range idx {
		s := samples[i]
		t.Run(s.name, func(t *testing.T) {
			vars := map[string][]string{"city": {s.city}, "zone": {s.zone}, "indicator": {s.indicator}}
			for _, q := range queries {
				scope := sampleRange
				scope.Vars = vars
				cols, rows, text, err := runSQL(ctx, st.DB(), q.Text, scope)
				if err != nil {
					t.Errorf("%s: %v\n%s", q.Where, err, text)
					continue
				}
				if len(rows) == 0 {
					t.Errorf("%s: no rows for %s %s %s\n%s", q.Where, s.city, s.zone, s.indicator, text)
					continue
				}
				t.Logf("%s: %d rows, columns %v, first %v", q.Where, len(rows), cols, rows[0])
				switch {
				case q.Variable != "":
					checkVariable(t, q, cols, rows, vars[q.Variable][0])
				case q.Format == "time_series" && !slices.Contains(cols, "time"):
					t.Errorf("%s: time series without a time column: %v", q.Where, cols)
				}
				checkPointMonths(t, q, cols, rows, periods)
				if strings.Contains(q.Text, "$__timeFilter") || strings.Contains(q.Text, "$__timeFrom") {
					scope := emptyRange
					scope.Vars = vars
					if _, rows, _, err := runSQL(ctx, st.DB(), q.Text, scope); err != nil || len(rows) > 0 {
						t.Errorf("%s: %d rows in %s–%s, before the sample (%v)", q.Where, len(rows),
							scope.From.Format("2006"), scope.To.Format("2006"), err)
					}
				}
			}
		})
	}
}

// checkPointMonths checks that each point of a time series sits in its
// period's own month: at the first instant of a month, Beijing time,
// whose YYYY-MM is a period the store holds (2023年1-6月 at 2023-06-01
// 00:00 +08:00, not at its end, 2023-07-01, on July's tick).
func checkPointMonths(t *testing.T, q query, cols []string, rows [][]any, periods []string) {
	t.Helper()
	i := slices.Index(cols, "time")
	if i < 0 {
		return
	}
	beijing, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		ts, ok := r[i].(time.Time)
		if !ok {
			t.Errorf("%s: time %v (%T) is not a timestamp", q.Where, r[i], r[i])
			continue
		}
		local := ts.In(beijing)
		if local.Day() != 1 || local.Hour() != 0 || local.Minute() != 0 || !slices.Contains(periods, local.Format("2006-01")) {
			t.Errorf("%s: a point at %s, not at the start of a stated period's month (periods %v)", q.Where, local, periods)
		}
	}
}

// checkVariable checks that a variable query lists want, as its only
// column or as __value; an indicator must be named in Chinese (__text).
func checkVariable(t *testing.T, q query, cols []string, rows [][]any, want string) {
	t.Helper()
	valueCol, textCol := 0, -1
	if i := slices.Index(cols, "__value"); i >= 0 {
		valueCol, textCol = i, slices.Index(cols, "__text")
	}
	for _, r := range rows {
		if fmt.Sprint(r[valueCol]) != want {
			continue
		}
		if q.Variable == "indicator" {
			if textCol < 0 || fmt.Sprint(r[textCol]) != figure.Indicators[want] {
				t.Errorf("%s: %s is shown as %v, want %s", q.Where, want, r[textCol], figure.Indicators[want])
			}
		}
		return
	}
	t.Errorf("%s: %d options, %s not among them", q.Where, len(rows), want)
}

// runSQL expands and runs a query and returns its columns and rows.
func runSQL(ctx context.Context, db *sqlx.DB, q string, s sqlScope) (cols []string, rows [][]any, text string, err error) {
	text, err = expandSQL(q, s)
	if err != nil {
		return nil, nil, q, err
	}
	rs, err := db.QueryxContext(ctx, text)
	if err != nil {
		return nil, nil, text, err
	}
	defer rs.Close()
	if cols, err = rs.Columns(); err != nil {
		return nil, nil, text, err
	}
	for rs.Next() {
		r, err := rs.SliceScan()
		if err != nil {
			return nil, nil, text, err
		}
		for i, v := range r {
			if b, ok := v.([]byte); ok {
				r[i] = string(b)
			}
		}
		rows = append(rows, r)
	}
	return cols, rows, text, rs.Err()
}
