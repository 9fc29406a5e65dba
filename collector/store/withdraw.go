package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// ErrReportNotFound is returned by WithdrawReport, PinReport and
// UnpinReport for a report the store does not have.
var ErrReportNotFound = errors.New("no such report")

// findReport reads the report ref names, in tx: its id, checksum or file
// name (the latest received of that name).
func findReport(ctx context.Context, tx *sqlx.Tx, ref string) (reportRow, error) {
	var row reportRow
	q := `SELECT ` + reportColumns + ` FROM reports WHERE checksum = ? OR name = ?`
	args := []any{ref, ref}
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		q += ` OR id = ?`
		args = append(args, id)
	}
	err := tx.GetContext(ctx, &row, tx.Rebind(q+` ORDER BY received_at DESC, id DESC LIMIT 1`), args...)
	if errors.Is(err, sql.ErrNoRows) {
		return reportRow{}, ErrReportNotFound
	}
	return row, err
}

// WithdrawResult says what WithdrawReport did.
type WithdrawResult struct {
	Report  Report
	Figures int // the figures withdrawn (those whose current value it stated)
	// Restored is the report that is current again for the city and
	// period, the one the withdrawn report had superseded; zero when the
	// withdrawn report was not current or superseded none that may come
	// back.
	Restored Report
	// RestoredFigures counts the values brought back from
	// figure_revisions: those the withdrawn report had revised or
	// withdrawn.
	RestoredFigures int
}

// WithdrawReport withdraws a report an operator says is wrong, in one
// transaction: the figures whose current value it stated leave figures
// (kept in figure_revisions, reason withdrawn), its findings are dropped,
// and the report is marked withdrawn. ref is the report's id, checksum or
// file name (the latest received of that name). A figure it stated with
// the same value as an earlier report stays: that report stated it too;
// so do those of a superseded report, which the later report stated too.
//
// When it is the current report of its city and period, what it
// superseded comes back: the values it revised or withdrew are restored
// from figure_revisions (their revision rows stay, the history of what
// happened), and the newest report it superseded that is not withdrawn
// itself is current again. The findings it replaced come
// back with it (superseding kept them aside). A pinned report is refused
// (unpin it first).
func (s *Store) WithdrawReport(ctx context.Context, ref string) (WithdrawResult, error) {
	res, err := s.withdrawReport(ctx, ref)
	if err != nil {
		return WithdrawResult{}, fmt.Errorf("withdraw %s: %w", ref, err)
	}
	return res, nil
}

func (s *Store) withdrawReport(ctx context.Context, ref string) (WithdrawResult, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return WithdrawResult{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	row, err := findReport(ctx, tx, ref)
	if err != nil {
		return WithdrawResult{}, err
	}
	switch {
	case row.WithdrawnAt.Valid:
		return WithdrawResult{}, fmt.Errorf("report %d (%s) was withdrawn at %s", row.ID, row.Name, row.WithdrawnAt.Time.UTC().Format(time.RFC3339))
	case row.Status != StatusIngested:
		return WithdrawResult{}, fmt.Errorf("report %d (%s) is %s, it stored no figures", row.ID, row.Name, row.Status)
	case row.PinnedAt.Valid:
		return WithdrawResult{}, fmt.Errorf("report %d (%s) is pinned; unpin it first (reports unpin %d)", row.ID, row.Name, row.ID)
	}
	current := !row.SupersededBy.Valid && !row.Held && row.Period != ""
	var ids []int64
	// A superseded report's figures still in the store are those the
	// report that superseded it stated again with the same value (it
	// withdrew the others): they stay.
	if !row.SupersededBy.Valid || row.Period == "" {
		if err := tx.SelectContext(ctx, &ids, tx.Rebind(`SELECT id FROM figures WHERE report_id = ?`), row.ID); err != nil {
			return WithdrawResult{}, err
		}
	}
	now := s.clock()
	if err := withdrawFigures(ctx, tx, ids, row.ID, now); err != nil {
		return WithdrawResult{}, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM findings WHERE report_id = ?`), row.ID); err != nil {
		return WithdrawResult{}, fmt.Errorf("findings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET withdrawn_at = ?, withdrawn = ? WHERE id = ?`), now, len(ids), row.ID); err != nil {
		return WithdrawResult{}, err
	}
	res := WithdrawResult{Figures: len(ids)}
	if current {
		if res.Restored, res.RestoredFigures, err = s.restore(ctx, tx, row, now); err != nil {
			return WithdrawResult{}, fmt.Errorf("restore what report %d superseded: %w", row.ID, err)
		}
	}
	// The findings' counts changed even when no figure did.
	if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), 0); err != nil {
		return WithdrawResult{}, fmt.Errorf("store state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return WithdrawResult{}, fmt.Errorf("commit: %w", err)
	}
	if res.Report, err = row.report(); err != nil {
		return WithdrawResult{}, err
	}
	res.Report.WithdrawnAt = now
	return res, nil
}

// restorableSQL reads the values the withdrawn report (parameter 1, and 2)
// revised or withdrew in its period (3) that no figure holds now: those
// of reports that are not withdrawn themselves. A revision it kept of its
// own figures (report_id itself) is what it loses, not what comes back.
const restorableSQL = `
SELECT v.id, v.city, v.zone, v.indicator, v.measure, v.period, v.value, v.unit, v.approx, v.text,
       v.line, v.derived, v.zone_written, v.report_id
FROM figure_revisions v
WHERE v.replaced_by_report_id = ? AND v.report_id <> ? AND v.period = ? AND v.reason IN ('', 'withdrawn')
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = v.report_id AND r.withdrawn_at IS NOT NULL)
  AND NOT EXISTS (SELECT 1 FROM figures f
                  WHERE f.city = v.city AND f.zone = v.zone AND f.indicator = v.indicator
                    AND f.measure = v.measure AND f.period = v.period AND f.derived = v.derived)
ORDER BY v.report_id, v.id`

// restorableRow is a value restorableSQL found: a figure row with its
// revision's id and the zone as the bulletin wrote it.
type restorableRow struct {
	figureRow
	ID          int64  `db:"id"`
	ZoneWritten string `db:"zone_written"`
}

// restore brings back, in the withdrawing transaction, what the withdrawn
// report w superseded: the values it revised or withdrew, each under the
// report that stated it, and the newest report it superseded that is not
// withdrawn as the current one of the city and period (the others it
// superseded are superseded by that one). Its own figures are gone by
// now, so nothing restored overwrites a value.
func (s *Store) restore(ctx context.Context, tx *sqlx.Tx, w reportRow, now time.Time) (Report, int, error) {
	var revs []restorableRow
	if err := tx.SelectContext(ctx, &revs, tx.Rebind(restorableSQL), w.ID, w.ID, w.Period); err != nil {
		return Report{}, 0, fmt.Errorf("read revisions: %w", err)
	}
	type key struct {
		city, zone, indicator, measure string
		derived                        bool
	}
	byReport := map[int64][]stageRow{}
	var order []int64
	seen := map[key]bool{}
	restored := 0
	for _, v := range revs {
		k := key{v.City, v.Zone, v.Indicator, v.Measure, v.Derived}
		if seen[k] {
			continue // a report revises or withdraws a figure once: cannot happen
		}
		seen[k] = true
		var p figure.Period
		if err := p.UnmarshalText([]byte(v.Period)); err != nil {
			return Report{}, 0, fmt.Errorf("revision %d: %w", v.ID, err)
		}
		if _, ok := byReport[v.ReportID]; !ok {
			order = append(order, v.ReportID)
		}
		byReport[v.ReportID] = append(byReport[v.ReportID], stageRow{
			City: v.City, Zone: v.Zone, Indicator: v.Indicator, Measure: v.Measure,
			Period: v.Period, PeriodEnd: p.End().UTC(), Value: v.Value, Unit: v.Unit, Approx: v.Approx,
			Text: v.Text, Line: v.Line, Derived: v.Derived, ZoneWritten: v.ZoneWritten,
			Newest: true, // one period: each series' only row
		})
	}
	for _, id := range order {
		added, _, err := s.apply(ctx, tx, byReport[id], id, now)
		if err != nil {
			return Report{}, 0, err
		}
		restored += added
		if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), added); err != nil {
			return Report{}, 0, fmt.Errorf("store state: %w", err)
		}
	}
	// The findings it replaced come back, but a withdrawn report's.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`INSERT INTO findings (report_id, kind, city, zone, indicator, period, message, numbers, sentences)
SELECT report_id, kind, city, zone, indicator, period, message, numbers, sentences FROM superseded_findings s
WHERE s.superseded_by = ? AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = s.report_id AND r.withdrawn_at IS NOT NULL)
ORDER BY s.id`), w.ID); err != nil {
		return Report{}, 0, fmt.Errorf("restore findings: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM superseded_findings WHERE superseded_by = ?`), w.ID); err != nil {
		return Report{}, 0, fmt.Errorf("restore findings: %w", err)
	}
	var prev reportRow
	err := tx.GetContext(ctx, &prev, tx.Rebind(`SELECT `+reportColumns+` FROM reports
WHERE superseded_by = ? AND withdrawn_at IS NULL AND NOT held AND status = 'ingested'
ORDER BY received_at DESC, id DESC LIMIT 1`), w.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, restored, nil
	}
	if err != nil {
		return Report{}, 0, fmt.Errorf("superseded report: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET superseded_by = NULL WHERE id = ?`), prev.ID); err != nil {
		return Report{}, 0, fmt.Errorf("make report %d current: %w", prev.ID, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET superseded_by = ? WHERE superseded_by = ? AND NOT held`), prev.ID, w.ID); err != nil {
		return Report{}, 0, fmt.Errorf("make report %d current: %w", prev.ID, err)
	}
	prev.SupersededBy = sql.NullInt64{}
	rep, err := prev.report()
	return rep, restored, err
}
