package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// IngestResult says what one Ingest did.
type IngestResult struct {
	ReportID int64
	// Figures counts the report's distinct stated figures; it is New +
	// Revised + Unchanged.
	Figures, New, Revised, Unchanged int
	// Derived counts the figures derived from the stated ones, stored
	// beside them and marked derived.
	Derived int
	// Withdrawn counts the figures (stated or derived) of the report's
	// cities and period that earlier reports stated and this one no
	// longer does: moved to figure_revisions, reason withdrawn.
	Withdrawn int
	// Duplicate is true when the same bytes were ingested before; nothing
	// was changed.
	Duplicate bool
	// HeldBy is the pinned report of the report's city and period that
	// kept it from being applied: it is stored as held, its figures and
	// findings unwritten (see PinReport). 0 when it was applied.
	HeldBy int64
}

// stageRow is one figure on its way into the figures table.
type stageRow struct {
	City, Zone, Indicator, Measure, Period string
	PeriodEnd                              time.Time
	Value                                  float64
	Unit                                   string
	Approx                                 bool
	Text                                   string
	Line                                   int
	Derived                                bool
	// ZoneWritten is the zone as written when the registry resolved it to
	// Zone; "" when Zone is as written.
	ZoneWritten string
	// Newest is set on the row of the latest period among the report's rows
	// of one series (derived, city, zone, indicator, measure): the one that
	// may become the series' row in latest_figures.
	Newest bool
}

// stageColumns are the columns of ingest_stage in the order of stageRow.args.
var stageColumns = []string{"city", "zone", "indicator", "measure", "period", "period_end", "value", "unit", "approx", "text", "line", "derived", "zone_written", "newest"}

func (r *stageRow) args() []any {
	return []any{r.City, r.Zone, r.Indicator, r.Measure, r.Period, r.PeriodEnd, r.Value, r.Unit, r.Approx, r.Text, r.Line, r.Derived, r.ZoneWritten, r.Newest}
}

// stageRows checks figures and drops exact repeats: a bulletin may state one
// number twice (in its summary and its table), but two different numbers
// for one key is a parser or bulletin error the store must not hide.
func stageRows(figs []figure.Figure) ([]stageRow, error) {
	rows := make([]stageRow, 0, len(figs))
	type stagedKey struct {
		figure.Key
		derived bool
	}
	seen := make(map[stagedKey]int, len(figs))
	// newest is the row of each series' latest period.
	type seriesKey struct {
		city, zone, indicator, measure string
		derived                        bool
	}
	newest := make(map[seriesKey]int, len(figs))
	for _, f := range figs {
		k := f.Key()
		sk := stagedKey{k, f.Derived}
		switch {
		case f.Period.IsZero():
			return nil, fmt.Errorf("figure %s (line %d): no period", k, f.Line)
		case f.Indicator == "" || f.Measure == "":
			return nil, fmt.Errorf("figure %s (line %d): no indicator or measure", k, f.Line)
		case math.IsNaN(f.Value) || math.IsInf(f.Value, 0):
			return nil, fmt.Errorf("figure %s (line %d): value %v", k, f.Line, f.Value)
		}
		if i, ok := seen[sk]; ok {
			prev := rows[i]
			if prev.Value != f.Value || prev.Unit != string(f.Unit) || prev.Approx != f.Approx {
				return nil, fmt.Errorf("figure %s stated twice with different values: %v %s (line %d) and %v %s (line %d)",
					k, prev.Value, prev.Unit, prev.Line, f.Value, f.Unit, f.Line)
			}
			continue
		}
		seen[sk] = len(rows)
		rows = append(rows, stageRow{
			City:      f.City,
			Zone:      k.Zone,
			Indicator: f.Indicator,
			Measure:   f.Measure,
			Period:    f.Period.String(),
			PeriodEnd: f.Period.End().UTC(),
			Value:     f.Value,
			Unit:      string(f.Unit),
			Approx:    f.Approx,
			Text:      f.Text,
			Line:      f.Line,
			Derived:   f.Derived,
			// The written zones of the figure stated first: a restatement
			// under another name is the same figure.
			ZoneWritten: strings.Join(f.Written, figure.ZoneSep),
		})
		sk2 := seriesKey{f.City, k.Zone, f.Indicator, f.Measure, f.Derived}
		if j, ok := newest[sk2]; !ok || rows[j].Period < rows[len(rows)-1].Period {
			newest[sk2] = len(rows) - 1
		}
	}
	for _, i := range newest {
		rows[i].Newest = true
	}
	return rows, nil
}

// claimReportSQL inserts the report, or turns a failed report with the same
// bytes into an ingested one. It returns no row when the bytes were
// ingested before.
const claimReportSQL = `
INSERT INTO reports (name, checksum, received_at, period, status, error, figures, city, diagnostics, warnings, unmatched, skipped)
VALUES (?, ?, ?, ?, 'ingested', '', ?, ?, ?, ?, ?, ?)
ON CONFLICT (checksum) DO UPDATE
SET name = excluded.name, received_at = excluded.received_at, period = excluded.period,
    status = 'ingested', error = '', figures = excluded.figures,
    city = excluded.city, diagnostics = excluded.diagnostics,
    warnings = excluded.warnings, unmatched = excluded.unmatched, skipped = excluded.skipped
WHERE reports.status = 'failed'
RETURNING id`

// The staging table holds the report's figures for the set-based
// statements below. On PostgreSQL it goes away at commit and its key
// columns collate like those of figures; SQLite has no ON COMMIT DROP, so
// Ingest drops it itself.
const (
	createStagePostgres = `
CREATE TEMP TABLE ingest_stage (
    city       TEXT COLLATE "C" NOT NULL,
    zone       TEXT COLLATE "C" NOT NULL,
    indicator  TEXT COLLATE "C" NOT NULL,
    measure    TEXT COLLATE "C" NOT NULL,
    period     TEXT COLLATE "C" NOT NULL,
    period_end TIMESTAMP        NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    unit       TEXT             NOT NULL,
    approx     BOOLEAN          NOT NULL,
    text       TEXT             NOT NULL,
    line       INTEGER          NOT NULL,
    derived    BOOLEAN          NOT NULL,
    zone_written TEXT           NOT NULL,
    newest     BOOLEAN          NOT NULL,
    figure_id  BIGINT -- set by matchSQL: the current figure with this key
) ON COMMIT DROP`
	createStageSQLite = `
CREATE TEMP TABLE ingest_stage (
    city       TEXT             NOT NULL,
    zone       TEXT             NOT NULL,
    indicator  TEXT             NOT NULL,
    measure    TEXT             NOT NULL,
    period     TEXT             NOT NULL,
    period_end TIMESTAMP        NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    unit       TEXT             NOT NULL,
    approx     BOOLEAN          NOT NULL,
    text       TEXT             NOT NULL,
    line       INTEGER          NOT NULL,
    derived    BOOLEAN          NOT NULL,
    zone_written TEXT           NOT NULL,
    newest     BOOLEAN          NOT NULL,
    figure_id  INTEGER -- set by matchSQL: the current figure with this key
)`
	dropStage = `DROP TABLE ingest_stage`
)

// matchSQL finds the current figure of each staged key. A correlated
// subquery is one probe of figures_key per staged row on both dialects,
// whatever the table statistics say; a five-column text join left to
// PostgreSQL's planner was at times a merge join on the wrong index that
// took seconds.
const matchSQL = `
UPDATE ingest_stage
SET figure_id = (
    SELECT f.id FROM figures f
    WHERE f.city = ingest_stage.city AND f.zone = ingest_stage.zone AND f.indicator = ingest_stage.indicator
      AND f.measure = ingest_stage.measure AND f.period = ingest_stage.period AND f.derived = ingest_stage.derived)`

// reviseSQL copies every current figure the report changes into
// figure_revisions, before updateSQL overwrites it. Parameters: the new
// report's id, the time.
const reviseSQL = `
INSERT INTO figure_revisions
    (figure_id, city, zone, indicator, measure, period, value, unit, approx, text,
     report_id, replaced_by_report_id, replaced_at, derived, line, zone_written)
SELECT f.id, f.city, f.zone, f.indicator, f.measure, f.period, f.value, f.unit, f.approx, f.text,
       f.report_id, ?, ?, f.derived, f.line, f.zone_written
FROM ingest_stage s
JOIN figures f ON f.id = s.figure_id
WHERE f.value <> s.value OR f.unit <> s.unit OR f.approx <> s.approx`

// updateSQL makes the report's value current where it differs. Parameter:
// the new report's id.
const updateSQL = `
UPDATE figures
SET report_id = ?, value = s.value, unit = s.unit, approx = s.approx,
    text = s.text, line = s.line, period_end = s.period_end, zone_written = s.zone_written
FROM ingest_stage s
WHERE figures.id = s.figure_id
  AND (figures.value <> s.value OR figures.unit <> s.unit OR figures.approx <> s.approx)`

// insertNewSQL adds the figures no report stated before. Parameter: the new
// report's id.
const insertNewSQL = `
INSERT INTO figures
    (report_id, city, zone, indicator, measure, period, period_end, value, unit, approx, derived, text, line, zone_written)
SELECT ?, s.city, s.zone, s.indicator, s.measure, s.period, s.period_end, s.value, s.unit, s.approx, s.derived, s.text, s.line, s.zone_written
FROM ingest_stage s
WHERE s.figure_id IS NULL`

// upsertLatestSQL makes each staged series' newest row its row in
// latest_figures when it is of a later period than the one there, or of
// the same period with another value: what updateSQL and insertNewSQL did
// to figures. An older period's figure leaves the series as it is.
// Parameter: the new report's id.
const upsertLatestSQL = `
INSERT INTO latest_figures (derived, city, zone, indicator, measure, period, value, unit, approx, text, line, report_id)
SELECT s.derived, s.city, s.zone, s.indicator, s.measure, s.period, s.value, s.unit, s.approx, s.text, s.line, ?
FROM ingest_stage s
WHERE s.newest
ON CONFLICT (derived, city, zone, indicator, measure) DO UPDATE
SET period = excluded.period, value = excluded.value, unit = excluded.unit, approx = excluded.approx,
    text = excluded.text, line = excluded.line, report_id = excluded.report_id
WHERE excluded.period > latest_figures.period
   OR (excluded.period = latest_figures.period AND (excluded.value <> latest_figures.value
       OR excluded.unit <> latest_figures.unit OR excluded.approx <> latest_figures.approx))`

// upsertZonesSQL moves each staged zone's latest period forward.
const upsertZonesSQL = `
INSERT INTO zones (city, zone, latest_period)
SELECT s.city, s.zone, max(s.period) FROM ingest_stage s
WHERE NOT s.derived
GROUP BY s.city, s.zone
ON CONFLICT (city, zone) DO UPDATE
SET latest_period = excluded.latest_period
WHERE excluded.latest_period > zones.latest_period`

// bumpStateSQL records that a report changed the store, and the figures it
// added. Parameter: the figures added.
const bumpStateSQL = `UPDATE store_state SET version = version + 1, figures = figures + ? WHERE id = 1`

// Ingest stores one report and its figures in one transaction. If a report
// with the same checksum was already ingested, it returns Duplicate=true
// and changes nothing. If the checksum is recorded as failed, the failed
// row is replaced by the ingested one. For each figure: no current figure
// with its key (city, zone, indicator, measure, period, derived=false) ->
// New; same value, unit and approx -> Unchanged (text/line/report_id may
// stay as they were); different -> the old row is copied into
// figure_revisions (with old report id, new report id, replaced_at) and the
// current row updated -> Revised. Two figures with the same key inside one
// call: if equal, count once; if different, return an error naming the key
// (and nothing is written).
//
// A report of a city and period whose current report an operator pinned
// (PinReport) is kept held instead (HeldBy): its row is stored, its
// figures and findings are kept with it, unwritten, until UnpinReport.
//
// The figures go through a staging table (COPY on PostgreSQL, multi-row
// INSERTs on SQLite) and four set-based statements, so a report of 100,000
// figures costs a handful of round trips, not 100,000.
func (s *Store) Ingest(ctx context.Context, r Report, figs []figure.Figure) (IngestResult, error) {
	if r.Checksum == "" {
		return IngestResult{}, fmt.Errorf("ingest %s: no checksum", r.Name)
	}
	rows, err := stageRows(figs)
	if err == nil {
		err = checkPeriod(r, rows)
	}
	if err != nil {
		return IngestResult{}, fmt.Errorf("ingest %s: %w", r.Name, err)
	}
	res, err := s.ingest(ctx, r, rows)
	if err != nil {
		return IngestResult{}, fmt.Errorf("ingest %s: %w", r.Name, err)
	}
	return res, nil
}

func (s *Store) ingest(ctx context.Context, r Report, rows []stageRow) (IngestResult, error) {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return IngestResult{}, err
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit

	var stated, derived []stageRow
	for _, row := range rows {
		if row.Derived {
			derived = append(derived, row)
		} else {
			stated = append(stated, row)
		}
	}
	city := r.City
	if cities := reportCities(stated); len(cities) > 0 {
		city = strings.Join(cities, citySep)
	}
	now := s.clock()
	var res IngestResult
	err = tx.GetContext(ctx, &res.ReportID, tx.Rebind(claimReportSQL),
		r.Name, r.Checksum, s.receivedAt(r), r.Period.String(), len(stated), city, diagnosticsJSON(r.Diagnostics),
		len(r.Diagnostics.Warnings), len(r.Diagnostics.Unmatched), len(r.Diagnostics.Skipped))
	if errors.Is(err, sql.ErrNoRows) {
		var dup struct {
			ID      int64 `db:"id"`
			Figures int   `db:"figures"`
		}
		err := tx.GetContext(ctx, &dup, tx.Rebind(`SELECT id, figures FROM reports WHERE checksum = ?`), r.Checksum)
		if err != nil {
			return IngestResult{}, fmt.Errorf("look up duplicate: %w", err)
		}
		return IngestResult{ReportID: dup.ID, Figures: dup.Figures, Duplicate: true}, nil
	}
	if err != nil {
		return IngestResult{}, fmt.Errorf("insert report: %w", err)
	}

	res.Figures, res.Derived = len(stated), len(derived)
	if !r.Period.IsZero() {
		pinned, err := pinnedReport(ctx, tx, r.Period, reportCities(stated), city)
		if err != nil {
			return IngestResult{}, err
		}
		if pinned != 0 {
			if err := hold(ctx, tx, res.ReportID, pinned, rows, r.Findings); err != nil {
				return IngestResult{}, err
			}
			if err := tx.Commit(); err != nil {
				return IngestResult{}, fmt.Errorf("commit: %w", err)
			}
			res.HeldBy = pinned
			return res, nil
		}
	}
	a, err := s.applyReport(ctx, tx, r.Period, res.ReportID, stated, derived, r.Findings, now)
	if err != nil {
		return IngestResult{}, err
	}
	if err := tx.Commit(); err != nil {
		return IngestResult{}, fmt.Errorf("commit: %w", err)
	}
	res.New, res.Revised, res.Withdrawn = a.added, a.revised, a.withdrawn
	res.Unchanged = res.Figures - a.added - a.revised
	return res, nil
}

// applied is what applyReport did.
type applied struct {
	added, revised, withdrawn int
}

// applyReport makes a claimed report the current one of its cities and
// period, in its transaction: it supersedes the earlier reports (figures
// they stated and it does not are withdrawn, their findings set aside),
// merges its stated and derived figures, stores its findings and moves the
// store's version. Ingest calls it for a new report, UnpinReport for the
// held report it applies.
func (s *Store) applyReport(ctx context.Context, tx *sqlx.Tx, period figure.Period, reportID int64, stated, derived []stageRow, findings []figure.Finding, now time.Time) (applied, error) {
	var a applied
	var err error
	if a.withdrawn, err = s.supersede(ctx, tx, period, reportID, append(append([]stageRow(nil), stated...), derived...), now); err != nil {
		return applied{}, fmt.Errorf("supersede: %w", err)
	}
	if a.withdrawn > 0 {
		if _, err := tx.ExecContext(ctx, tx.Rebind(`UPDATE reports SET withdrawn = ? WHERE id = ?`), a.withdrawn, reportID); err != nil {
			return applied{}, fmt.Errorf("supersede: %w", err)
		}
	}
	if a.added, a.revised, err = s.apply(ctx, tx, stated, reportID, now); err != nil {
		return applied{}, err
	}
	addedDerived := 0
	if len(derived) > 0 {
		if addedDerived, _, err = s.apply(ctx, tx, derived, reportID, now); err != nil {
			return applied{}, fmt.Errorf("derived figures: %w", err)
		}
	}
	if err := insertFindings(ctx, tx, reportID, findings); err != nil {
		return applied{}, err
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(bumpStateSQL), a.added+addedDerived); err != nil {
		return applied{}, fmt.Errorf("store state: %w", err)
	}
	return a, nil
}

// apply stages rows and merges them into figures: revisions kept, changed
// figures updated, new ones inserted. It returns how many were added and
// revised.
func (s *Store) apply(ctx context.Context, tx *sqlx.Tx, rows []stageRow, reportID int64, now time.Time) (added, revised int, err error) {
	if s.dialect == DialectPostgres {
		err = stagePostgres(ctx, tx, rows)
	} else {
		err = stageSQLite(ctx, tx, rows)
	}
	if err != nil {
		return 0, 0, fmt.Errorf("stage figures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, matchSQL); err != nil {
		return 0, 0, fmt.Errorf("match figures: %w", err)
	}
	if s.dialect == DialectPostgres {
		// Temporary tables are never analyzed automatically; without
		// statistics the planner guesses the staged rows' count.
		if _, err := tx.ExecContext(ctx, `ANALYZE ingest_stage`); err != nil {
			return 0, 0, fmt.Errorf("analyze staging table: %w", err)
		}
	}
	revised, err = execCount(ctx, tx, reviseSQL, reportID, now)
	if err != nil {
		return 0, 0, fmt.Errorf("keep revisions: %w", err)
	}
	updated, err := execCount(ctx, tx, updateSQL, reportID)
	if err != nil {
		return 0, 0, fmt.Errorf("update figures: %w", err)
	}
	if updated != revised {
		return 0, 0, fmt.Errorf("updated %d figures but kept %d revisions", updated, revised)
	}
	added, err = execCount(ctx, tx, insertNewSQL, reportID)
	if err != nil {
		return 0, 0, fmt.Errorf("insert figures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, tx.Rebind(upsertLatestSQL), reportID); err != nil {
		return 0, 0, fmt.Errorf("latest figures: %w", err)
	}
	if _, err := tx.ExecContext(ctx, upsertZonesSQL); err != nil {
		return 0, 0, fmt.Errorf("zones: %w", err)
	}
	if _, err := tx.ExecContext(ctx, dropStage); err != nil {
		return 0, 0, fmt.Errorf("drop staging table: %w", err)
	}
	return added, revised, nil
}

// execCount runs a statement with ? placeholders and returns the rows it
// changed.
func execCount(ctx context.Context, tx *sqlx.Tx, query string, args ...any) (int, error) {
	result, err := tx.ExecContext(ctx, tx.Rebind(query), args...)
	if err != nil {
		return 0, err
	}
	n, err := result.RowsAffected()
	return int(n), err
}

// stagePostgres COPYs the rows into a fresh staging table.
func stagePostgres(ctx context.Context, tx *sqlx.Tx, rows []stageRow) error {
	if _, err := tx.ExecContext(ctx, createStagePostgres); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `COPY ingest_stage (`+strings.Join(stageColumns, ", ")+`) FROM STDIN`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for i := range rows {
		if _, err := stmt.ExecContext(ctx, rows[i].args()...); err != nil {
			return err
		}
	}
	if _, err := stmt.ExecContext(ctx); err != nil { // flush
		return err
	}
	return stmt.Close()
}

// sqliteChunk is the number of rows per multi-row INSERT on SQLite: 13
// columns x 500 rows = 6,500 variables, well under SQLite's limit of
// 32,766 (and under the 999 of builds before 3.32 only if lowered; modernc
// ships 3.32+).
const sqliteChunk = 500

// stageSQLite fills the staging table with multi-row INSERTs, reusing one
// prepared statement for every full chunk.
func stageSQLite(ctx context.Context, tx *sqlx.Tx, rows []stageRow) error {
	if _, err := tx.ExecContext(ctx, createStageSQLite); err != nil {
		return err
	}
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	args := make([]any, 0, sqliteChunk*len(stageColumns))
	for start := 0; start < len(rows); start += sqliteChunk {
		chunk := rows[start:min(start+sqliteChunk, len(rows))]
		args = args[:0]
		for i := range chunk {
			args = append(args, chunk[i].args()...)
		}
		if len(chunk) < sqliteChunk {
			if _, err := tx.ExecContext(ctx, insertStageSQL(len(chunk)), args...); err != nil {
				return err
			}
			continue
		}
		if full == nil {
			var err error
			if full, err = tx.PrepareContext(ctx, insertStageSQL(sqliteChunk)); err != nil {
				return err
			}
		}
		if _, err := full.ExecContext(ctx, args...); err != nil {
			return err
		}
	}
	return nil
}

// insertStageSQL is INSERT INTO ingest_stage (...) VALUES (?, ...), ... for
// n rows.
func insertStageSQL(n int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(stageColumns)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO ingest_stage (" + strings.Join(stageColumns, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}
