package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestQueryPlans pins issue 17's indexes: each query the refresh and the
// API run is answered through the index named, never by a scan of
// figures or findings. On PostgreSQL, whose planner would rightly scan
// the few rows of a test table, sequential scans and hash and merge joins
// are turned off for the check, and the plan must look its keys up in the
// index (an index condition): the test proves the index can serve the
// query — findings_city_period once could not, its collation not that of
// the zones it is joined to — and bench/history that the planner takes it
// at 18M figures.
func TestQueryPlans(t *testing.T) {
	zoneOnly, zoneOnlyArgs := figuresQuery(Filter{Zone: zb, Indicator: figure.GDP, Measure: figure.MeasureValue, Limit: 20001})
	withCity, withCityArgs := figuresQuery(Filter{City: ty, Zone: zb, Indicator: figure.GDP, Measure: figure.MeasureValue, Limit: 20001})
	joint, jointArgs := figuresQuery(Filter{Zone: zb, Joint: true, Indicator: figure.GDP, Measure: figure.MeasureValue, Limit: 20001,
		zoneIn: []string{zb, zb + figure.ZoneSep + "清徐开发区"}})
	next, nextArgs := figuresQuery(Filter{City: ty, Indicator: figure.GDP, Measure: figure.MeasureValue, Limit: 100,
		After: &FigureKey{ty, zb, figure.GDP, figure.MeasureValue, "2023-06", false}})
	tests := []struct {
		name, query string
		args        []any
		index       string // PostgreSQL's name; sqliteIndex says what SQLite calls it
	}{
		{"series of a zone without its city", zoneOnly, zoneOnlyArgs, "figures_zone"},
		{"series of a zone with its city", withCity, withCityArgs, "figures_key"},
		{"series of a zone and its joint figures, without its city", joint, jointArgs, "figures_zone"},
		{"a page of series after a cursor", next, nextArgs, "figures_key"},
		{"latest figures", fmt.Sprintf(latestSQL, "text, line", latestOrder), []any{false}, "latest_figures"},
		{"zones after a cursor", zonesAfterSQL, []any{ty, zb, 100}, "zones"},
		{"finding counts of the latest periods", latestFindingCountsSQL, nil, "findings_city_period"},
		{"a page of findings", findingsSQL, []any{0, 100}, "findings_pkey"},
	}
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		s := MustOpen(t, dialect)
		r := report("a.txt")
		r.Findings = []figure.Finding{{Kind: "k", City: ty, Period: "2023-06", Numbers: []string{}, Sentences: []string{}}}
		mustIngest(t, s, r, fig(ty, zb, figure.GDP, figure.MeasureValue, "2023-06", 1, figure.UnitYuan))
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				tx, err := s.DB().BeginTxx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				defer tx.Rollback()
				explain := "EXPLAIN QUERY PLAN "
				if dialect == DialectPostgres {
					explain = "EXPLAIN "
					for _, off := range []string{"seqscan", "hashjoin", "mergejoin"} {
						if _, err := tx.Exec(`SET LOCAL enable_` + off + ` = off`); err != nil {
							t.Fatal(err)
						}
					}
				}
				rows, err := tx.Query(tx.Rebind(explain+tt.query), tt.args...)
				if err != nil {
					t.Fatal(err)
				}
				defer rows.Close()
				cols, _ := rows.Columns()
				var plan strings.Builder
				for rows.Next() {
					vals := make([]any, len(cols))
					ptrs := make([]any, len(cols))
					for i := range vals {
						ptrs[i] = &vals[i]
					}
					if err := rows.Scan(ptrs...); err != nil {
						t.Fatal(err)
					}
					for _, v := range vals {
						if b, ok := v.([]byte); ok {
							v = string(b)
						}
						if s, ok := v.(string); ok {
							plan.WriteString(s + "\n")
						}
					}
				}
				p, index := plan.String(), tt.index
				if dialect == DialectSQLite {
					index = sqliteIndex(index)
				}
				scan := "SCAN f\n"
				if dialect == DialectPostgres {
					scan = "Seq Scan on figures"
				}
				if !strings.Contains(p, index) || strings.Contains(p, scan) {
					t.Errorf("plan does not use %s, or scans figures:\n%s", index, p)
				}
				// An index read from end to end is no better than a scan:
				// the query's keys must reach it as an index condition.
				if dialect == DialectPostgres && !strings.Contains(p, "Index Cond") {
					t.Errorf("plan has no index condition:\n%s", p)
				}
			})
		}
	})
}

// sqliteIndex is what SQLite's query plan calls an index.
func sqliteIndex(name string) string {
	switch name {
	case "figures_key":
		return "sqlite_autoindex_figures_1"
	case "findings_pkey":
		return "SEARCH f USING INTEGER PRIMARY KEY"
	}
	return name
}
