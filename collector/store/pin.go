package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// heldFigures is what a held report would have written, kept with it
// (reports.held_figures) until UnpinReport applies it.
type heldFigures struct {
	Rows     []stageRow       `json:"rows"`
	Findings []figure.Finding `json:"findings,omitempty"`
}

// pinnedReport returns the pinned report of period and one of cities (or
// of joined, the cities of a report with several), 0 when there is none.
func pinnedReport(ctx context.Context, tx *sqlx.Tx, p figure.Period, cities []string, joined string) (int64, error) {
	names := append([]string(nil), cities...)
	if joined != "" {
		names = append(names, joined)
	}
	if len(names) == 0 {
		return 0, nil
	}
	q, args, err := sqlx.In(`SELECT id FROM reports WHERE pinned_at IS NOT NULL AND withdrawn_at IS NULL AND period = ? AND city IN (?) ORDER BY id LIMIT 1`, p.String(), names)
	if err != nil {
		return 0, err
	}
	var ids []int64
	if err := tx.SelectContext(ctx, &ids, tx.Rebind(q), args...); err != nil {
		return 0, fmt.Errorf("pinned report of %s %s: %w", joined, p, err)
	}
	if len(ids) == 0 {
		return 0, nil
	}
	return ids[0], nil
}

// hold keeps a claimed report as held by the pinned report: its figures
// and findings are kept with it, unwritten, and the store's version moves
// (the report is news on the landing page and /api/v1/reports).
func hold(ctx context.Context, tx *sqlx.Tx, reportID, pinned int64, rows []stageRow, findings []figure.Finding) error {
	b, err := json.Marshal(heldFigures{Rows: rows, Findings: findings})
	if err != nil {
		return fmt.Errorf("hold: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET held = ?, superseded_by = ?, held_figures = ? WHERE id = ?`), true, pinned, string(b), reportID); err != nil {
		return fmt.Errorf("hold report %d for pinned report %d: %w", reportID, pinned, err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), 0); err != nil {
		return fmt.Errorf("store state: %w", err)
	}
	return nil
}

// PinReport pins the current report of its city and period, so that it
// stays current: a later report of that city and period is kept as held
// (StatusHeld), its figures and findings unwritten, until UnpinReport.
// ref is the report's id, checksum or file name, as for WithdrawReport.
// Only a current report may be pinned: to pin one a later report
// superseded, withdraw that one first (which makes it current again).
func (s *Store) PinReport(ctx context.Context, ref string) (Report, error) {
	rep, err := s.pinReport(ctx, ref)
	if err != nil {
		return Report{}, fmt.Errorf("pin %s: %w", ref, err)
	}
	return rep, nil
}

func (s *Store) pinReport(ctx context.Context, ref string) (Report, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return Report{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	row, err := findReport(ctx, tx, ref)
	if err != nil {
		return Report{}, err
	}
	switch {
	case row.PinnedAt.Valid:
		return Report{}, fmt.Errorf("report %d (%s) was pinned at %s", row.ID, row.Name, row.PinnedAt.Time.UTC().Format(time.RFC3339))
	case row.WithdrawnAt.Valid:
		return Report{}, fmt.Errorf("report %d (%s) was withdrawn", row.ID, row.Name)
	case row.Status != StatusIngested:
		return Report{}, fmt.Errorf("report %d (%s) is %s, it stored no figures", row.ID, row.Name, row.Status)
	case row.Held:
		return Report{}, fmt.Errorf("report %d (%s) is held by pinned report %d; unpin that one to apply the newest held report", row.ID, row.Name, row.SupersededBy.Int64)
	case row.SupersededBy.Valid:
		return Report{}, fmt.Errorf("report %d (%s) is not current: report %d superseded it (withdraw that one to make it current again)", row.ID, row.Name, row.SupersededBy.Int64)
	case row.Period == "":
		return Report{}, fmt.Errorf("report %d (%s) states no period", row.ID, row.Name)
	case row.City == "":
		return Report{}, fmt.Errorf("report %d (%s) names no city (stored before migration 5); ingest its bulletin again to pin it", row.ID, row.Name)
	}
	now := s.clock()
	// Checked again as it is written: a report an ingest superseded since
	// it was read (another transaction, on PostgreSQL) is not pinned.
	n, err := execCount(ctx, tx, `UPDATE reports SET pinned_at = ? WHERE id = ? AND pinned_at IS NULL AND superseded_by IS NULL AND withdrawn_at IS NULL`, now, row.ID)
	if err != nil {
		return Report{}, err
	}
	if n != 1 {
		return Report{}, fmt.Errorf("report %d (%s) changed while it was being pinned; look at it again (/api/v1/reports)", row.ID, row.Name)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), 0); err != nil {
		return Report{}, fmt.Errorf("store state: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return Report{}, fmt.Errorf("commit: %w", err)
	}
	rep, err := row.report()
	rep.PinnedAt = now
	return rep, err
}

// UnpinResult says what UnpinReport did.
type UnpinResult struct {
	Report Report // the report unpinned
	// Applied is the newest report the pin held, now the current one of
	// the city and period; zero when the pin held none.
	Applied Report
	// New, Revised and Withdrawn count what applying it did to the
	// stated figures, as IngestResult does.
	New, Revised, Withdrawn int
}

// UnpinReport unpins a pinned report and, in the same transaction, applies
// the newest report the pin held, as Ingest would have when it came: it
// supersedes the pinned report, its figures are written and its findings
// stored. The older held reports are marked superseded by it. With none
// held, the pinned report stays current: only the pin goes.
func (s *Store) UnpinReport(ctx context.Context, ref string) (UnpinResult, error) {
	res, err := s.unpinReport(ctx, ref)
	if err != nil {
		return UnpinResult{}, fmt.Errorf("unpin %s: %w", ref, err)
	}
	return res, nil
}

func (s *Store) unpinReport(ctx context.Context, ref string) (UnpinResult, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return UnpinResult{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	row, err := findReport(ctx, tx, ref)
	if err != nil {
		return UnpinResult{}, err
	}
	if !row.PinnedAt.Valid {
		return UnpinResult{}, fmt.Errorf("report %d (%s) is not pinned", row.ID, row.Name)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET pinned_at = NULL WHERE id = ?`), row.ID); err != nil {
		return UnpinResult{}, err
	}
	var res UnpinResult
	if res.Report, err = row.report(); err != nil {
		return UnpinResult{}, err
	}
	res.Report.PinnedAt = time.Time{}
	var held []struct {
		reportRow
		HeldFigures string `db:"held_figures"`
	}
	err = tx.SelectContext(ctx, &held, tx.Rebind(`SELECT `+reportColumns+`, held_figures FROM reports
WHERE held AND superseded_by = ? AND withdrawn_at IS NULL AND held_figures <> ''
ORDER BY received_at DESC, id DESC LIMIT 1`), row.ID)
	if err != nil {
		return UnpinResult{}, fmt.Errorf("held reports: %w", err)
	}
	if len(held) == 0 {
		if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), 0); err != nil {
			return UnpinResult{}, fmt.Errorf("store state: %w", err)
		}
		return res, commit(tx)
	}
	h := held[0]
	var hf heldFigures
	if err := json.Unmarshal([]byte(h.HeldFigures), &hf); err != nil {
		return UnpinResult{}, fmt.Errorf("held report %d (%s): %w", h.ID, h.Name, err)
	}
	var p figure.Period
	if err := p.UnmarshalText([]byte(h.Period)); err != nil {
		return UnpinResult{}, fmt.Errorf("held report %d (%s): %w", h.ID, h.Name, err)
	}
	// It is current from now: out of the held, no longer superseded, so
	// that superseding marks the others, the pinned one included.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET held = ?, superseded_by = NULL, held_figures = '' WHERE id = ?`), false, h.ID); err != nil {
		return UnpinResult{}, err
	}
	var stated, derived []stageRow
	for _, r := range hf.Rows {
		if r.Derived {
			derived = append(derived, r)
		} else {
			stated = append(stated, r)
		}
	}
	a, err := s.applyReport(ctx, tx, p, h.ID, stated, derived, hf.Findings, s.clock())
	if err != nil {
		return UnpinResult{}, fmt.Errorf("apply held report %d (%s): %w", h.ID, h.Name, err)
	}
	// The pinned report is superseded by the one applied, whatever cities
	// the two name. The older reports the pin held stay held by it: they
	// were never current, and withdrawing the applied one must bring back
	// the pinned one, not them. What they would have written goes.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET superseded_by = ? WHERE id = ?`), h.ID, row.ID); err != nil {
		return UnpinResult{}, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET held_figures = '' WHERE held AND superseded_by = ?`), row.ID); err != nil {
		return UnpinResult{}, fmt.Errorf("older held reports: %w", err)
	}
	if err := commit(tx); err != nil {
		return UnpinResult{}, err
	}
	h.Held, h.SupersededBy, h.Withdrawn = false, sql.NullInt64{}, a.withdrawn
	if res.Applied, err = h.report(); err != nil {
		return UnpinResult{}, err
	}
	res.New, res.Revised, res.Withdrawn = a.added, a.revised, a.withdrawn
	if res.Report, err = row.report(); err == nil {
		res.Report.PinnedAt, res.Report.SupersededBy = time.Time{}, h.ID
	}
	return res, err
}

// commit commits tx, saying so in its error.
func commit(tx *sqlx.Tx) error {
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
