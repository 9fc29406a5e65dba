package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// Report statuses.
const (
	// StatusIngested marks a report whose figures are stored.
	StatusIngested = "ingested"
	// StatusFailed marks a report that could not be parsed or stored; it is
	// retried only when its bytes change.
	StatusFailed = "failed"
	// StatusHeld marks a report read while an operator had pinned another
	// report of its city and period (reports pin): kept with its figures
	// unwritten, SupersededBy the pinned report. The store keeps it as an
	// ingested row with held set; reports unpin applies the newest one.
	StatusHeld = "held"
)

// Report is one bulletin file the store has seen.
type Report struct {
	ID         int64
	Name       string
	Checksum   string // sha256 hex of the file's bytes, see Checksum
	ReceivedAt time.Time
	Period     figure.Period // zero when the bulletin's period is unknown
	Status     string        // StatusIngested or StatusFailed
	Error      string        // why a failed report failed
	Figures    int           // distinct stated figures ingested from it
	// Findings are the inconsistencies among its figures, stored with it by
	// Ingest.
	Findings []figure.Finding
	// City is the cities of its stated figures joined by 、, set by Ingest.
	City string
	// SupersededBy is the later report of its city and period that
	// replaced it; 0 while it is current.
	SupersededBy int64
	// WithdrawnAt is when an operator withdrew it (reports withdraw).
	WithdrawnAt time.Time
	// Withdrawn counts the figures it withdrew from the store: those an
	// earlier report of its city and period stated and it did not, or, once
	// withdrawn itself, its own.
	Withdrawn int
	// Diagnostics is what the parser could not read, stored with it.
	Diagnostics Diagnostics
	// Warnings, Unmatched and Skipped count Diagnostics' lists, as the
	// store read them (Ingest counts the lists it is given).
	Warnings, Unmatched, Skipped int
	// PinnedAt is when an operator pinned it as the current report of its
	// city and period (reports pin); zero when it is not pinned.
	PinnedAt time.Time
}

// Diagnostics is what the parser said about a bulletin beside its
// figures: warnings, sentences it matched no phrasing in, and numbers it
// skipped, each with its reason.
type Diagnostics struct {
	Warnings  []string     `json:"warnings,omitempty"`
	Unmatched []Diagnostic `json:"unmatched,omitempty"`
	Skipped   []Diagnostic `json:"skipped,omitempty"`
}

// Diagnostic is one sentence or number the parser did not store.
type Diagnostic struct {
	Line   int    `json:"line"`
	Text   string `json:"text"`
	Reason string `json:"reason,omitempty"`
}

// Checksum returns the sha256 of a bulletin's bytes in hex, the identity
// under which the store remembers it.
func Checksum(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// reportRow is a reports row as the database returns it.
type reportRow struct {
	ID           int64         `db:"id"`
	Name         string        `db:"name"`
	Checksum     string        `db:"checksum"`
	ReceivedAt   time.Time     `db:"received_at"`
	Period       string        `db:"period"`
	Status       string        `db:"status"`
	Error        string        `db:"error"`
	Figures      int           `db:"figures"`
	City         string        `db:"city"`
	SupersededBy sql.NullInt64 `db:"superseded_by"`
	WithdrawnAt  sql.NullTime  `db:"withdrawn_at"`
	Withdrawn    int           `db:"withdrawn"`
	Diagnostics  string        `db:"diagnostics"`
	Warnings     int           `db:"warnings"`
	Unmatched    int           `db:"unmatched"`
	Skipped      int           `db:"skipped"`
	PinnedAt     sql.NullTime  `db:"pinned_at"`
	Held         bool          `db:"held"`
}

// reportColumns are the columns of reportRow. held_figures is read only
// where it is applied (UnpinReport): the refresh lists every report.
const reportColumns = `id, name, checksum, received_at, period, status, error, figures, city, superseded_by, withdrawn_at, withdrawn, diagnostics, warnings, unmatched, skipped, pinned_at, held`

func (r reportRow) report() (Report, error) {
	var p figure.Period
	if err := p.UnmarshalText([]byte(r.Period)); err != nil {
		return Report{}, fmt.Errorf("report %d: %w", r.ID, err)
	}
	var d Diagnostics
	if err := json.Unmarshal([]byte(r.Diagnostics), &d); err != nil {
		return Report{}, fmt.Errorf("report %d: diagnostics: %w", r.ID, err)
	}
	rep := Report{
		ID:           r.ID,
		Name:         r.Name,
		Checksum:     r.Checksum,
		ReceivedAt:   r.ReceivedAt.UTC(),
		Period:       p,
		Status:       r.Status,
		Error:        r.Error,
		Figures:      r.Figures,
		City:         r.City,
		SupersededBy: r.SupersededBy.Int64,
		Withdrawn:    r.Withdrawn,
		Diagnostics:  d,
		Warnings:     r.Warnings,
		Unmatched:    r.Unmatched,
		Skipped:      r.Skipped,
	}
	if r.WithdrawnAt.Valid {
		rep.WithdrawnAt = r.WithdrawnAt.Time.UTC()
	}
	if r.PinnedAt.Valid {
		rep.PinnedAt = r.PinnedAt.Time.UTC()
	}
	if r.Held {
		rep.Status = StatusHeld
	}
	return rep, nil
}

// diagnosticsJSON is d as the reports.diagnostics column keeps it.
func diagnosticsJSON(d Diagnostics) string {
	b, err := json.Marshal(d)
	if err != nil {
		return "{}" // strings and ints only: cannot happen
	}
	return string(b)
}

// receivedAt is the report's time, the store's clock when unset.
func (s *Store) receivedAt(r Report) time.Time {
	if r.ReceivedAt.IsZero() {
		return s.clock()
	}
	return dbTime(r.ReceivedAt)
}

// clock is the store's clock as dbTime.
func (s *Store) clock() time.Time { return dbTime(s.now()) }

// dbTime is t as both dialects keep it: UTC (TIMESTAMP has no zone) and
// whole microseconds (PostgreSQL's precision; SQLite would keep
// nanoseconds, and the two would then disagree).
func dbTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// recordFailureSQL inserts a failed report or updates one that failed
// before. An ingested report with the same checksum stays as it is: its
// figures are stored and the bytes did not change.
const recordFailureSQL = `
INSERT INTO reports (name, checksum, received_at, period, status, error, figures, city, diagnostics, warnings, unmatched, skipped)
VALUES (?, ?, ?, ?, 'failed', ?, 0, ?, ?, ?, ?, ?)
ON CONFLICT (checksum) DO UPDATE
SET name = excluded.name, received_at = excluded.received_at, period = excluded.period, error = excluded.error,
    city = excluded.city, diagnostics = excluded.diagnostics,
    warnings = excluded.warnings, unmatched = excluded.unmatched, skipped = excluded.skipped
WHERE reports.status = 'failed'`

// RecordFailure keeps a bulletin that could not be parsed or stored, with
// its error, so it is retried only when its bytes change (upsert by
// checksum; status failed). A report already ingested under that checksum
// is left as it is.
func (s *Store) RecordFailure(ctx context.Context, r Report, cause error) error {
	if r.Checksum == "" {
		return fmt.Errorf("record failure of %s: no checksum", r.Name)
	}
	msg := "unknown error"
	if cause != nil {
		msg = cause.Error()
	}
	_, err := s.db.ExecContext(ctx, s.db.Rebind(recordFailureSQL),
		r.Name, r.Checksum, s.receivedAt(r), r.Period.String(), msg, r.City, diagnosticsJSON(r.Diagnostics),
		len(r.Diagnostics.Warnings), len(r.Diagnostics.Unmatched), len(r.Diagnostics.Skipped))
	if err != nil {
		return fmt.Errorf("record failure of %s: %w", r.Name, err)
	}
	return nil
}

// LookupReport finds a report by checksum.
func (s *Store) LookupReport(ctx context.Context, checksum string) (Report, bool, error) {
	var row reportRow
	err := s.db.GetContext(ctx, &row, s.db.Rebind(`SELECT `+reportColumns+` FROM reports WHERE checksum = ?`), checksum)
	if errors.Is(err, sql.ErrNoRows) {
		return Report{}, false, nil
	}
	if err != nil {
		return Report{}, false, fmt.Errorf("look up report %s: %w", checksum, err)
	}
	r, err := row.report()
	if err != nil {
		return Report{}, false, fmt.Errorf("look up report: %w", err)
	}
	return r, true, nil
}

// Reports returns every report, newest first.
func (s *Store) Reports(ctx context.Context) ([]Report, error) {
	return s.reports(ctx, `SELECT `+reportColumns+` FROM reports ORDER BY received_at DESC, id DESC`)
}

// ReportsPage returns at most limit reports, newest stored first (by id),
// those stored before the report whose ID is before (all when before <=
// 0): the pages of /api/v1/reports.
func (s *Store) ReportsPage(ctx context.Context, before int64, limit int) ([]Report, error) {
	if before <= 0 {
		before = math.MaxInt64
	}
	return s.reports(ctx, s.db.Rebind(`SELECT `+reportColumns+` FROM reports WHERE id < ? ORDER BY id DESC LIMIT ?`), before, limit)
}

// reports runs a query of report rows.
func (s *Store) reports(ctx context.Context, q string, args ...any) ([]Report, error) {
	var rows []reportRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	reports := make([]Report, 0, len(rows))
	for _, row := range rows {
		r, err := row.report()
		if err != nil {
			return nil, fmt.Errorf("list reports: %w", err)
		}
		reports = append(reports, r)
	}
	return reports, nil
}
