package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
)

// Reasons a revision was kept (figure_revisions.reason); "" is a value a
// later report replaced.
const (
	// ReasonRenamed: the zone registry moved the figure to its canonical
	// zone; the revision keeps the zone it was stored under.
	ReasonRenamed = "renamed"
	// ReasonMerged: the zone registry merged the figure's zone into one
	// that held the same figure; the revision keeps the value that gave
	// way (the one of the earlier report).
	ReasonMerged = "merged"
)

// CityZone is a zone label of a city as the store holds it.
type CityZone struct {
	City string `db:"city"`
	Zone string `db:"zone"`
}

// StoredZones lists every (city, zone) the figures table holds, derived
// figures included.
func (s *Store) StoredZones(ctx context.Context) ([]CityZone, error) {
	var out []CityZone
	if err := s.db.SelectContext(ctx, &out, `SELECT DISTINCT city, zone FROM figures ORDER BY city, zone`); err != nil {
		return nil, fmt.Errorf("stored zones: %w", err)
	}
	return out, nil
}

// MoveResult says what MoveZone did.
type MoveResult struct {
	// Moved figures had no counterpart in the target zone; Merged did,
	// and the earlier report's value became a revision of the later's.
	Moved, Merged int
}

// movedFigure is a figure row MoveZone reads.
type movedFigure struct {
	ID          int64   `db:"id"`
	ReportID    int64   `db:"report_id"`
	Indicator   string  `db:"indicator"`
	Measure     string  `db:"measure"`
	Period      string  `db:"period"`
	Derived     bool    `db:"derived"`
	Value       float64 `db:"value"`
	Unit        string  `db:"unit"`
	Approx      bool    `db:"approx"`
	Text        string  `db:"text"`
	Line        int     `db:"line"`
	ZoneWritten string  `db:"zone_written"`
}

const movedColumns = `id, report_id, indicator, measure, period, derived, value, unit, approx, text, line, zone_written`

// keepRevisionSQL records a figure's state before MoveZone changes it.
// Parameters: the figure it is a revision of, its zone, indicator,
// measure, period, value, unit, approx, text, report, replacing report,
// time, reason.
const keepRevisionSQL = `
INSERT INTO figure_revisions
    (figure_id, city, zone, indicator, measure, period, value, unit, approx, text,
     report_id, replaced_by_report_id, replaced_at, reason)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// MoveZone moves every figure of (city, from) to (city, to), in one
// transaction, when the zone registry says from is a name of to. A figure
// the target zone does not hold is renamed, with a revision (reason
// renamed) that keeps the zone it had and its zone_written set to from. A
// figure it holds already is merged: the later report's value is current
// in the target row, the other is kept as a revision (reason merged), the
// moved row's revisions follow it and the row goes. Nothing is lost: every
// value any report stated stays in figures or figure_revisions.
func (s *Store) MoveZone(ctx context.Context, city, from, to string) (MoveResult, error) {
	var res MoveResult
	if from == to {
		return res, nil
	}
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return res, fmt.Errorf("move zone %s %s: %w", city, from, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	var rows []movedFigure
	if err := tx.SelectContext(ctx, &rows, tx.Rebind(`SELECT `+movedColumns+` FROM figures WHERE city = ? AND zone = ? ORDER BY id`), city, from); err != nil {
		return res, fmt.Errorf("move zone %s %s: %w", city, from, err)
	}
	now := s.clock()
	for _, f := range rows {
		var t movedFigure
		err := tx.GetContext(ctx, &t, tx.Rebind(`SELECT `+movedColumns+` FROM figures
WHERE city = ? AND zone = ? AND indicator = ? AND measure = ? AND period = ? AND derived = ?`),
			city, to, f.Indicator, f.Measure, f.Period, f.Derived)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			err = s.rename(ctx, tx, city, from, to, f, now)
			res.Moved++
		case err == nil:
			err = s.merge(ctx, tx, city, from, to, f, t, now)
			res.Merged++
		}
		if err != nil {
			return MoveResult{}, fmt.Errorf("move zone %s %s to %s: figure %d: %w", city, from, to, f.ID, err)
		}
	}
	if res.Moved+res.Merged > 0 {
		if err := resyncLatest(ctx, tx, city, from, to); err != nil {
			return MoveResult{}, fmt.Errorf("move zone %s %s to %s: %w", city, from, to, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return MoveResult{}, fmt.Errorf("move zone %s %s: commit: %w", city, from, err)
	}
	return res, nil
}

// resyncLatestSQL rebuilds the rows of latest_figures and zones that Ingest
// keeps for two zones of a city (the name moved from and the one moved
// to), from figures, and moves the store's version so that the next
// refresh reads them. A rename is an UPDATE of figures, which no trigger
// follows (only DELETE is).
var resyncLatestSQL = []string{
	`DELETE FROM latest_figures WHERE city = ? AND zone IN (?, ?)`,
	`INSERT INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
SELECT f.derived, f.city, f.zone, f.indicator, f.measure, f.period, f.value, f.unit, f.approx, f.text, f.line, f.report_id
FROM figures f
WHERE f.city = ? AND f.zone IN (?, ?)
  AND f.period = (SELECT max(g.period) FROM figures g
                  WHERE g.derived = f.derived AND g.city = f.city AND g.zone = f.zone
                    AND g.indicator = f.indicator AND g.measure = f.measure)`,
	`DELETE FROM zones WHERE city = ? AND zone IN (?, ?)`,
	`INSERT INTO zones (city, zone, latest_period)
SELECT city, zone, max(period) FROM latest_figures WHERE NOT derived AND city = ? AND zone IN (?, ?) GROUP BY city, zone`,
}

func resyncLatest(ctx context.Context, tx *sqlx.Tx, city, from, to string) error {
	for _, q := range resyncLatestSQL {
		if _, err := tx.ExecContext(ctx, tx.Rebind(q), city, from, to); err != nil {
			return fmt.Errorf("keep the latest figures: %w", err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE store_state SET version = version + 1 WHERE id = 1`); err != nil {
		return fmt.Errorf("move the store's version: %w", err)
	}
	return nil
}

func (s *Store) rename(ctx context.Context, tx *sqlx.Tx, city, from, to string, f movedFigure, now time.Time) error {
	if _, err := tx.ExecContext(ctx, tx.Rebind(keepRevisionSQL), f.ID, city, from, f.Indicator, f.Measure, f.Period,
		f.Value, f.Unit, f.Approx, f.Text, f.ReportID, f.ReportID, now, ReasonRenamed); err != nil {
		return err
	}
	written := f.ZoneWritten
	if written == "" {
		written = from
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE figures SET zone = ?, zone_written = ? WHERE id = ?`), to, written, f.ID)
	return err
}

// merge folds the moved figure f into the target's row t.
func (s *Store) merge(ctx context.Context, tx *sqlx.Tx, city, from, to string, f, t movedFigure, now time.Time) error {
	// Revisions of the moved row become the target's.
	if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE figure_revisions SET figure_id = ? WHERE figure_id = ?`), t.ID, f.ID); err != nil {
		return err
	}
	if f.ReportID > t.ReportID {
		// The moved figure is the later statement: it becomes current and
		// the target's value a revision.
		if _, err := tx.ExecContext(ctx, tx.Rebind(keepRevisionSQL), t.ID, city, to, t.Indicator, t.Measure, t.Period,
			t.Value, t.Unit, t.Approx, t.Text, t.ReportID, f.ReportID, now, ReasonMerged); err != nil {
			return err
		}
		written := f.ZoneWritten
		if written == "" {
			written = from
		}
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE figures SET report_id = ?, value = ?, unit = ?, approx = ?, text = ?, line = ?, zone_written = ? WHERE id = ?`),
			f.ReportID, f.Value, f.Unit, f.Approx, f.Text, f.Line, written, t.ID); err != nil {
			return err
		}
	} else if _, err := tx.ExecContext(ctx, tx.Rebind(keepRevisionSQL), t.ID, city, from, f.Indicator, f.Measure, f.Period,
		f.Value, f.Unit, f.Approx, f.Text, f.ReportID, t.ReportID, now, ReasonMerged); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, tx.Rebind(`DELETE FROM figures WHERE id = ?`), f.ID)
	return err
}

// DropFindings deletes the findings of one kind about (city, zone): those
// of a name the zone registry now resolves.
func (s *Store) DropFindings(ctx context.Context, kind, city, zone string) (int, error) {
	r, err := s.db.ExecContext(ctx, s.db.Rebind(`DELETE FROM findings WHERE kind = ? AND city = ? AND zone = ?`), kind, city, zone)
	if err != nil {
		return 0, fmt.Errorf("drop findings: %w", err)
	}
	n, err := r.RowsAffected()
	return int(n), err
}

// FindingZonesOf lists the zones of a city's findings of one kind.
func (s *Store) FindingZonesOf(ctx context.Context, kind, city string) (map[string]bool, error) {
	var zones []string
	if err := s.db.SelectContext(ctx, &zones, s.db.Rebind(`SELECT DISTINCT zone FROM findings WHERE kind = ? AND city = ?`), kind, city); err != nil {
		return nil, fmt.Errorf("finding zones of %s: %w", city, err)
	}
	out := make(map[string]bool, len(zones))
	for _, z := range zones {
		out[z] = true
	}
	return out, nil
}

// FindingZones lists the (city, zone) of the findings of one kind.
func (s *Store) FindingZones(ctx context.Context, kind string) ([]CityZone, error) {
	var out []CityZone
	if err := s.db.SelectContext(ctx, &out, s.db.Rebind(`SELECT DISTINCT city, zone FROM findings WHERE kind = ? ORDER BY city, zone`), kind); err != nil {
		return nil, fmt.Errorf("finding zones: %w", err)
	}
	return out, nil
}
