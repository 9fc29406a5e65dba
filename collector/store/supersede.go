package store

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// ReasonWithdrawn marks a revision kept for a figure that left figures: a
// later report of its city and period no longer stated it, or an operator
// withdrew the report it came from. replaced_by_report_id is the report
// that withdrew it (the withdrawn report itself for reports withdraw).
const ReasonWithdrawn = "withdrawn"

// checkPeriod refuses a figure of a period other than the one the report
// states: a bulletin filed under the wrong period must not quietly revise
// another period's figures. A report that states no period (tests, old
// callers) is not checked and supersedes nothing.
func checkPeriod(r Report, rows []stageRow) error {
	if r.Period.IsZero() {
		return nil
	}
	want := r.Period.String()
	for _, row := range rows {
		if row.Period != want {
			return fmt.Errorf("figure %s %s %s %s of period %s (line %d): the report states %s",
				row.City, row.Zone, row.Indicator, row.Measure, row.Period, row.Line, want)
		}
	}
	return nil
}

// reportCities are the distinct cities of the rows, sorted.
func reportCities(rows []stageRow) []string {
	seen := map[string]bool{}
	var out []string
	for _, row := range rows {
		if !seen[row.City] {
			seen[row.City] = true
			out = append(out, row.City)
		}
	}
	sort.Strings(out)
	return out
}

// withdrawnFigure is a current figure of the superseded city and period.
type withdrawnFigure struct {
	ID        int64  `db:"id"`
	Zone      string `db:"zone"`
	Indicator string `db:"indicator"`
	Measure   string `db:"measure"`
	Derived   bool   `db:"derived"`
}

// supersede withdraws the figures of the report's cities and period that
// the report no longer states (stated or derived), drops the findings of
// the earlier reports of those cities and period, and marks those reports
// superseded. It runs in the report's transaction, before its figures are
// merged; it returns how many figures it withdrew.
func (s *Store) supersede(ctx context.Context, tx *sqlx.Tx, p figure.Period, reportID int64, rows []stageRow, now time.Time) (int, error) {
	if p.IsZero() || len(rows) == 0 {
		return 0, nil
	}
	period := p.String()
	type key struct {
		city, zone, indicator, measure string
		derived                        bool
	}
	kept := make(map[key]bool, len(rows))
	for _, row := range rows {
		kept[key{row.City, row.Zone, row.Indicator, row.Measure, row.Derived}] = true
	}
	var ids []int64
	cities := reportCities(rows)
	for _, city := range cities {
		var cur []withdrawnFigure
		err := tx.SelectContext(ctx, &cur, tx.Rebind(`SELECT id, zone, indicator, measure, derived FROM figures WHERE city = ? AND period = ?`), city, period)
		if err != nil {
			return 0, fmt.Errorf("figures of %s %s: %w", city, period, err)
		}
		for _, f := range cur {
			if !kept[key{city, f.Zone, f.Indicator, f.Measure, f.Derived}] {
				ids = append(ids, f.ID)
			}
		}
	}
	if err := withdrawFigures(ctx, tx, ids, reportID, now); err != nil {
		return 0, err
	}
	// The earlier reports' findings of these cities and period give way to
	// this report's: a contradiction two bulletins state counts once. The
	// registry's new-name findings are kept: they are noted once, in the
	// report a name first appears in.
	// They are kept aside, for WithdrawReport to bring back.
	q, args, err := sqlx.In(`INSERT INTO superseded_findings (report_id, kind, city, zone, indicator, period, message, numbers, sentences, superseded_by)
SELECT report_id, kind, city, zone, indicator, period, message, numbers, sentences, ? FROM findings
WHERE period = ? AND city IN (?) AND kind <> ? ORDER BY id`, reportID, period, cities, consistency.KindUnknownZoneName)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
		return 0, fmt.Errorf("keep superseded findings: %w", err)
	}
	q, args, err = sqlx.In(`DELETE FROM findings WHERE period = ? AND city IN (?) AND kind <> ?`, period, cities, consistency.KindUnknownZoneName)
	if err != nil {
		return 0, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
		return 0, fmt.Errorf("drop superseded findings: %w", err)
	}
	_, err = tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET superseded_by = ? WHERE city = ? AND period = ? AND id <> ? AND status = 'ingested' AND superseded_by IS NULL`),
		reportID, strings.Join(cities, citySep), period, reportID)
	if err != nil {
		return 0, fmt.Errorf("mark superseded reports: %w", err)
	}
	return len(ids), nil
}

// citySep joins the cities of a report with several.
const citySep = "、"

// withdrawChunk bounds the ids in one IN list (SQLite's variable limit).
const withdrawChunk = 500

// withdrawFigures keeps the figures as revisions (reason withdrawn, by the
// report byID) and deletes them; the DELETE trigger of migration 4 keeps
// latest_figures, zones and store_state true to what is left.
func withdrawFigures(ctx context.Context, tx *sqlx.Tx, ids []int64, byID int64, now time.Time) error {
	for start := 0; start < len(ids); start += withdrawChunk {
		chunk := ids[start:min(start+withdrawChunk, len(ids))]
		q, args, err := sqlx.In(`
INSERT INTO figure_revisions
    (figure_id, city, zone, indicator, measure, period, value, unit, approx, text,
     report_id, replaced_by_report_id, replaced_at, reason, derived, line, zone_written)
SELECT id, city, zone, indicator, measure, period, value, unit, approx, text, report_id, ?, ?, ?, derived, line, zone_written
FROM figures WHERE id IN (?)`, byID, now, ReasonWithdrawn, chunk)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("keep withdrawn figures: %w", err)
		}
		q, args, err = sqlx.In(`DELETE FROM figures WHERE id IN (?)`, chunk)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), args...); err != nil {
			return fmt.Errorf("withdraw figures: %w", err)
		}
	}
	return nil
}
