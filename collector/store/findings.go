package store

import (
	"context"
	"encoding/json"
	"fmt"

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
	for _, f := range fs {
		nums, _ := json.Marshal(f.Numbers)
		sents, _ := json.Marshal(f.Sentences)
		if _, err := stmt.ExecContext(ctx, reportID, f.Kind, f.City, f.Zone, f.Indicator, f.Period, f.Message, string(nums), string(sents)); err != nil {
			return fmt.Errorf("insert finding %s: %w", f.Kind, err)
		}
	}
	return nil
}

// ReportFinding is a finding with the report it was found in.
type ReportFinding struct {
	figure.Finding
	ReportID   int64
	ReportName string
}

const findingsSQL = `
SELECT f.report_id, r.name AS report_name, f.kind, f.city, f.zone, f.indicator, f.period, f.message, f.numbers, f.sentences
FROM findings f
JOIN reports r ON r.id = f.report_id
ORDER BY f.report_id, f.id`

// Findings returns every finding of every ingested report, oldest report
// first.
func (s *Store) Findings(ctx context.Context) ([]ReportFinding, error) {
	var rows []struct {
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
	if err := s.db.SelectContext(ctx, &rows, findingsSQL); err != nil {
		return nil, fmt.Errorf("findings: %w", err)
	}
	out := make([]ReportFinding, 0, len(rows))
	for _, r := range rows {
		f := ReportFinding{ReportID: r.ReportID, ReportName: r.ReportName, Finding: figure.Finding{
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
