package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// figureRow is a figures row as the queries below return it.
type figureRow struct {
	City       string  `db:"city"`
	Zone       string  `db:"zone"`
	Indicator  string  `db:"indicator"`
	Measure    string  `db:"measure"`
	Period     string  `db:"period"`
	Value      float64 `db:"value"`
	Unit       string  `db:"unit"`
	Approx     bool    `db:"approx"`
	Text       string  `db:"text"`
	Line       int     `db:"line"`
	ReportID   int64   `db:"report_id"`
	ReportName string  `db:"report_name"`
	Derived    bool    `db:"derived"`
}

func (r *figureRow) figure() (figure.Figure, error) {
	p, err := figure.ParsePeriod(r.Period)
	if err != nil {
		return figure.Figure{}, err
	}
	return figure.Figure{
		City:      r.City,
		Zones:     splitZone(r.Zone),
		Indicator: r.Indicator,
		Measure:   r.Measure,
		Value:     r.Value,
		Unit:      figure.Unit(r.Unit),
		Approx:    r.Approx,
		Period:    p,
		Text:      r.Text,
		Line:      r.Line,
		Derived:   r.Derived,
	}, nil
}

// splitZone undoes Figure.Zone; a figure about the whole city has no zones.
func splitZone(zone string) []string {
	if zone == "" {
		return nil
	}
	return strings.Split(zone, figure.ZoneSep)
}

// latestSQL reads latest_figures, which Ingest keeps: one row per
// series, however many periods figures holds. The parameter selects
// stated (false) or derived (true) figures; the first %s is text and line,
// or placeholders for them, the second the order or nothing.
const latestSQL = `
SELECT city, zone, indicator, measure, period, value, unit, approx, %s
FROM latest_figures
WHERE derived = ?%s`

// latestOrder is Latest's order, its primary key's. The refresh does
// without: the snapshot sorts its series itself, and PostgreSQL, whose
// plan after a month's updates is a scan and a sort on disk, then only
// scans (40 ms instead of 270 at 150k rows).
const latestOrder = `
ORDER BY derived, city, zone, indicator, measure`

// Latest returns the current figures of each (city, zone, indicator,
// measure) at its latest period, non-derived only, ordered by city, zone,
// indicator, measure. Figure.Text and Line are filled.
func (s *Store) Latest(ctx context.Context) ([]figure.Figure, error) {
	return s.latest(ctx, false, true)
}

// LatestDerived is Latest for the derived figures (Figure.Derived set).
func (s *Store) LatestDerived(ctx context.Context) ([]figure.Figure, error) {
	return s.latest(ctx, true, true)
}

// LatestValues is Latest (derived false) or LatestDerived (true) without
// Text and Line and in no particular order: what the refresh job turns
// into metrics, without a sentence per figure to read, hold and collect.
func (s *Store) LatestValues(ctx context.Context, derived bool) ([]figure.Figure, error) {
	return s.latest(ctx, derived, false)
}

func (s *Store) latest(ctx context.Context, derived, withText bool) ([]figure.Figure, error) {
	cols, order := "text, line", latestOrder
	if !withText {
		cols, order = "'', 0", ""
	}
	rows, err := s.db.QueryContext(ctx, s.db.Rebind(fmt.Sprintf(latestSQL, cols, order)), derived)
	if err != nil {
		return nil, fmt.Errorf("latest figures: %w", err)
	}
	defer rows.Close()
	var figs []figure.Figure
	// A store holds a few hundred periods at most: parse each once.
	periods := map[string]figure.Period{}
	var zone, period, unit string
	for rows.Next() {
		f := figure.Figure{Derived: derived}
		if err := rows.Scan(&f.City, &zone, &f.Indicator, &f.Measure, &period, &f.Value, &unit, &f.Approx, &f.Text, &f.Line); err != nil {
			return nil, fmt.Errorf("latest figures: %w", err)
		}
		p, ok := periods[period]
		if !ok {
			if p, err = figure.ParsePeriod(period); err != nil {
				return nil, fmt.Errorf("latest figures: %w", err)
			}
			periods[period] = p
		}
		f.Period, f.Unit, f.Zones = p, figure.Unit(unit), splitZone(zone)
		figs = append(figs, f)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("latest figures: %w", err)
	}
	return figs, nil
}

// Filter selects figures for Figures. An empty field matches any value; a
// zero From or To leaves that end open; Limit <= 0 means no limit; a
// non-nil After starts past that figure, in Figures' order.
type Filter struct {
	City, Zone, Indicator, Measure string
	// Joint makes Zone match the joint figures it is a member of too
	// (中北高新区 matches 中北高新区、清徐开发区).
	Joint    bool
	From, To figure.Period // inclusive
	Limit    int
	After    *FigureKey

	zoneIn []string // Zone and its joint labels, set by Figures
}

// FigureKey is a figure's place in Figures' order: the columns of
// figures_key, the cursor of a page of figures.
type FigureKey struct {
	City, Zone, Indicator, Measure, Period string
	Derived                                bool
}

// Cursor returns f's place in Figures' order.
func (f *StoredFigure) Cursor() FigureKey {
	return FigureKey{City: f.City, Zone: f.Zone(), Indicator: f.Indicator, Measure: f.Measure,
		Period: f.Period.String(), Derived: f.Derived}
}

// jointLabels returns zone and the zone labels of the store that name it
// among their members (中北高新区、清徐开发区 for 中北高新区), from the zones
// table: one row per zone label, a few thousand at national scale.
func (s *Store) jointLabels(ctx context.Context, city, zone string) ([]string, error) {
	q := `SELECT DISTINCT zone FROM zones WHERE zone LIKE ?`
	args := []any{"%" + figure.ZoneSep + "%"}
	if city != "" {
		q += ` AND city = ?`
		args = append(args, city)
	}
	var all []string
	if err := s.db.SelectContext(ctx, &all, s.db.Rebind(q), args...); err != nil {
		return nil, fmt.Errorf("joint labels of %s: %w", zone, err)
	}
	out := []string{zone}
	for _, l := range all {
		if l != zone && slices.Contains(strings.Split(l, figure.ZoneSep), zone) {
			out = append(out, l)
		}
	}
	slices.Sort(out)
	return out, nil
}

// StoredFigure is a current figure with where it came from.
type StoredFigure struct {
	figure.Figure
	ReportID   int64  // the report that stated the current value
	ReportName string // its file name
}

const figuresSQL = `
SELECT f.city, f.zone, f.indicator, f.measure, f.period, f.value, f.unit, f.approx, f.text, f.line,
       f.report_id, r.name AS report_name, f.derived
FROM figures f
JOIN reports r ON r.id = f.report_id`

// figuresQuery is Figures' statement, with ? placeholders, and its
// arguments.
func figuresQuery(f Filter) (string, []any) {
	var where []string
	var args []any
	for _, c := range []struct{ column, value string }{
		{"f.city = ?", f.City},
		{"f.zone = ?", f.Zone},
		{"f.indicator = ?", f.Indicator},
		{"f.measure = ?", f.Measure},
		{"f.period >= ?", f.From.String()},
		{"f.period <= ?", f.To.String()},
	} {
		if c.value != "" {
			where = append(where, c.column)
			args = append(args, c.value)
		}
	}
	if len(f.zoneIn) > 1 {
		// The zone and the joint labels it is a member of, found in the
		// zones table: an IN list figures_key and figures_zone serve, where
		// a LIKE '%、X' would read every figure.
		i := slices.Index(where, "f.zone = ?")
		where[i] = "f.zone IN (?" + strings.Repeat(", ?", len(f.zoneIn)-1) + ")"
		in := make([]any, len(f.zoneIn))
		for j, z := range f.zoneIn {
			in[j] = z
		}
		args = slices.Concat(args[:i], in, args[i+1:])
	}
	if a := f.After; a != nil {
		// A row comparison: figures_key's columns in its order, so that
		// PostgreSQL starts its index scan there.
		where = append(where, "(f.city, f.zone, f.indicator, f.measure, f.period, f.derived) > (?, ?, ?, ?, ?, ?)")
		args = append(args, a.City, a.Zone, a.Indicator, a.Measure, a.Period, a.Derived)
	}
	q := figuresSQL
	if len(where) > 0 {
		q += "\nWHERE " + strings.Join(where, " AND ")
	}
	q += "\nORDER BY f.city, f.zone, f.indicator, f.measure, f.period, f.derived"
	if f.Limit > 0 {
		q += "\nLIMIT ?"
		args = append(args, f.Limit)
	}
	return q, args
}

// Figures returns the current figures matching a filter over all periods
// (for trends), ordered by city, zone, indicator, measure, period.
func (s *Store) Figures(ctx context.Context, f Filter) ([]StoredFigure, error) {
	if f.Joint && f.Zone != "" {
		labels, err := s.jointLabels(ctx, f.City, f.Zone)
		if err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		f.zoneIn = labels
	}
	q, args := figuresQuery(f)
	rows, err := s.db.QueryxContext(ctx, s.db.Rebind(q), args...)
	if err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	defer rows.Close()
	var figs []StoredFigure
	var row figureRow
	for rows.Next() {
		if err := rows.StructScan(&row); err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		fig, err := row.figure()
		if err != nil {
			return nil, fmt.Errorf("figures: %w", err)
		}
		figs = append(figs, StoredFigure{Figure: fig, ReportID: row.ReportID, ReportName: row.ReportName})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("figures: %w", err)
	}
	return figs, nil
}

// Revision is a value a later report replaced.
type Revision struct {
	ID       int64
	FigureID int64
	// Figure is the value as it stood before; Line is not kept.
	figure.Figure
	ReportID           int64 // the report that stated the old value
	ReplacedByReportID int64 // the report that replaced it
	ReplacedAt         time.Time
}

type revisionRow struct {
	ID                 int64     `db:"id"`
	FigureID           int64     `db:"figure_id"`
	City               string    `db:"city"`
	Zone               string    `db:"zone"`
	Indicator          string    `db:"indicator"`
	Measure            string    `db:"measure"`
	Period             string    `db:"period"`
	Value              float64   `db:"value"`
	Unit               string    `db:"unit"`
	Approx             bool      `db:"approx"`
	Text               string    `db:"text"`
	ReportID           int64     `db:"report_id"`
	ReplacedByReportID int64     `db:"replaced_by_report_id"`
	ReplacedAt         time.Time `db:"replaced_at"`
}

// revisionsSQL finds the key's figure by figures_key, then its revisions by
// figure_id.
const revisionsSQL = `
SELECT r.id, r.figure_id, r.city, r.zone, r.indicator, r.measure, r.period, r.value, r.unit, r.approx, r.text,
       r.report_id, r.replaced_by_report_id, r.replaced_at
FROM figures f
JOIN figure_revisions r ON r.figure_id = f.id
WHERE f.city = ? AND f.zone = ? AND f.indicator = ? AND f.measure = ? AND f.period = ? AND NOT f.derived
ORDER BY r.replaced_at, r.id`

// Revisions returns the values a figure had before its current one, oldest
// first.
func (s *Store) Revisions(ctx context.Context, k figure.Key) ([]Revision, error) {
	var rows []revisionRow
	err := s.db.SelectContext(ctx, &rows, s.db.Rebind(revisionsSQL),
		k.City, k.Zone, k.Indicator, k.Measure, k.Period.String())
	if err != nil {
		return nil, fmt.Errorf("revisions of %s: %w", k, err)
	}
	revs := make([]Revision, 0, len(rows))
	for _, r := range rows {
		revs = append(revs, Revision{
			ID:       r.ID,
			FigureID: r.FigureID,
			Figure: figure.Figure{
				City:      r.City,
				Zones:     splitZone(r.Zone),
				Indicator: r.Indicator,
				Measure:   r.Measure,
				Value:     r.Value,
				Unit:      figure.Unit(r.Unit),
				Approx:    r.Approx,
				Period:    k.Period,
				Text:      r.Text,
			},
			ReportID:           r.ReportID,
			ReplacedByReportID: r.ReplacedByReportID,
			ReplacedAt:         r.ReplacedAt.UTC(),
		})
	}
	return revs, nil
}

// CountFigures returns the number of current figures, all periods, derived
// included, counted (State has the same number without reading figures).
func (s *Store) CountFigures(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM figures`); err != nil {
		return 0, fmt.Errorf("count figures: %w", err)
	}
	return n, nil
}

// State is what a refresh compares to find out whether the store changed.
type State struct {
	// Version moves with every ingested report.
	Version int64
	// Figures is the number of current figures, all periods, derived
	// included; the exporter reports it as devzone_store_figures.
	Figures int64
}

// State reads the store's version and figure count: one row, by primary
// key. Ingest keeps both in the report's transaction.
func (s *Store) State(ctx context.Context) (State, error) {
	var st State
	err := s.db.QueryRowContext(ctx, `SELECT version, figures FROM store_state WHERE id = 1`).Scan(&st.Version, &st.Figures)
	if err != nil {
		return State{}, fmt.Errorf("store state: %w", err)
	}
	return st, nil
}
