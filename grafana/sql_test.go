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
	for _, i := range idx {
		if r := in.File(ctx, samples[i].path); r.Outcome != inbox.Ingested {
			t.Fatalf("ingest %s: %s %v", samples[i].path, r.Outcome, r.Err)
		}
	}
	queries := queriesOf(t, typePostgres)
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
				if strings.Contains(q.Text, "$__timeFilter") {
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
