package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// insertFindingSQL stores one finding; numbers and sentences are JSON arrays.
const insertFindingSQL = `
INSERT INTO findings (report_id, kind, city, zone, indicator, period, message, numbers, sentences)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

// insertFindings stores a report's findings in its transaction.
func insertFindings(ctx context.Context, tx *sqlx.Tx, reportID int64, fs []figure.Finding) error {
	if len(fs) == 0 {
		return nil
	}
	stmt, err := tx.PreparexContext(ctx, tx.Rebind(insertFindingSQL))
	if err != nil {
		return fmt.Errorf("insert findings: %w", err)
	}
	defer stmt.Close()
	// A contradiction a bulletin states twice (its summary and its table)
	// is one finding.
	type findingKey struct{ kind, city, zone, indicator, period, message, nums, sents string }
	seen := map[findingKey]bool{}
	for _, f := range fs {
		nums, _ := json.Marshal(f.Numbers)
		sents, _ := json.Marshal(f.Sentences)
		k := findingKey{f.Kind, f.City, f.Zone, f.Indicator, f.Period, f.Message, string(nums), string(sents)}
		if seen[k] {
			continue
		}
		seen[k] = true
		if _, err := stmt.ExecContext(ctx, reportID, f.Kind, f.City, f.Zone, f.Indicator, f.Period, f.Message, string(nums), string(sents)); err != nil {
			return fmt.Errorf("insert finding %s: %w", f.Kind, err)
		}
	}
	return nil
}

// ReportFinding is a finding with the report it was found in.
type ReportFinding struct {
	figure.Finding
	ID         int64 // the cursor of a page of findings
	ReportID   int64
	ReportName string
}

// findingsSQL reads findings along their primary key from a cursor on:
// the order they were stored in, report by report.
const findingsSQL = `
SELECT f.id, f.report_id, r.name AS report_name, f.kind, f.city, f.zone, f.indicator, f.period, f.message, f.numbers, f.sentences
FROM findings f
JOIN reports r ON r.id = f.report_id
WHERE f.id > ?
ORDER BY f.id
LIMIT ?`

// Findings returns the findings of the ingested reports in the order they
// were stored: at most limit of them (all when limit <= 0), those stored
// after the finding whose ID is after.
func (s *Store) Findings(ctx context.Context, after int64, limit int) ([]ReportFinding, error) {
	if limit <= 0 {
		limit = math.MaxInt32
	}
	var rows []struct {
		ID         int64  `db:"id"`
		ReportID   int64  `db:"report_id"`
		ReportName string `db:"report_name"`
		Kind       string `db:"kind"`
		City       string `db:"city"`
		Zone       string `db:"zone"`
		Indicator  string `db:"indicator"`
		Period     string `db:"period"`
		Message    string `db:"message"`
		Numbers    string `db:"numbers"`
		Sentences  string `db:"sentences"`
	}
	if err := s.db.SelectContext(ctx, &rows, s.db.Rebind(findingsSQL), after, limit); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	out := make([]ReportFinding, 0, len(rows))
	for _, r := range rows {
		f := ReportFinding{ID: r.ID, ReportID: r.ReportID, ReportName: r.ReportName, Finding: figure.Finding{
			Kind: r.Kind, City: r.City, Zone: r.Zone, Indicator: r.Indicator, Period: r.Period, Message: r.Message}}
		if err := json.Unmarshal([]byte(r.Numbers), &f.Numbers); err != nil {
			return nil, fmt.Errorf("finding of report %d: numbers: %w", r.ReportID, err)
		}
		if err := json.Unmarshal([]byte(r.Sentences), &f.Sentences); err != nil {
			return nil, fmt.Errorf("finding of report %d: sentences: %w", r.ReportID, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// FindingCount is how many findings of one kind a city's bulletins of one
// period have.
type FindingCount struct {
	City, Period, Kind string
	Count              int
}

// latestFindingCountsSQL counts the findings of each city's latest period
// (the latest of its zones', from the small zones table) through
// findings_city_period, reading no finding's text and no other period's.
const latestFindingCountsSQL = `
SELECT f.city, f.period, f.kind, count(*) AS n
FROM (SELECT city, max(latest_period) AS period FROM zones GROUP BY city) c
JOIN findings f ON f.city = c.city AND f.period = c.period
GROUP BY f.city, f.period, f.kind
ORDER BY f.city, f.kind`

// LatestFindingCounts counts the findings of each city's latest period (of
// its stated figures) by kind, ordered by city and kind.
func (s *Store) LatestFindingCounts(ctx context.Context) ([]FindingCount, error) {
	return s.findingCounts(ctx, latestFindingCountsSQL)
}

// findingCounts runs query, which selects city, period, kind and a count.
func (s *Store) findingCounts(ctx context.Context, query string) ([]FindingCount, error) {
	rows, err := s.db.QueryContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	defer rows.Close()
	var out []FindingCount
	for rows.Next() {
		var c FindingCount
		if err := rows.Scan(&c.City, &c.Period, &c.Kind, &c.Count); err != nil {
			return nil, fmt.Errorf("finding counts: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("finding counts: %w", err)
	}
	return out, nil
}
