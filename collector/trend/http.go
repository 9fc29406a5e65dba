package trend

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// QueryTimeout bounds the time one API request may spend in the store.
const QueryTimeout = 10 * time.Second

// API serves the trend endpoints under /api/v1/. Store returns the store,
// or nil while it cannot be reached.
type API struct {
	Store  func() *store.Store
	Logger *slog.Logger
	// MaxInFlight caps the requests served at once; DefaultMaxInFlight
	// when zero. Requests over it get 503 with Retry-After.
	MaxInFlight int

	inFlight chan struct{}
}

// Register mounts the endpoints on mux.
func (a *API) Register(mux *http.ServeMux) {
	n := a.MaxInFlight
	if n <= 0 {
		n = DefaultMaxInFlight
	}
	a.inFlight = make(chan struct{}, n)
	mux.HandleFunc("GET /api/v1/series", a.guard(a.series))
	mux.HandleFunc("GET /api/v1/ranking", a.guard(a.ranking))
	mux.HandleFunc("GET /api/v1/zones", a.guard(a.zones))
	mux.HandleFunc("GET /api/v1/indicators", a.guard(a.indicators))
	mux.HandleFunc("GET /api/v1/findings", a.guard(a.findings))
	mux.HandleFunc("GET /api/v1/reports", a.guard(a.reports))
}

// reportJSON is one report of /api/v1/reports.
type reportJSON struct {
	ID           int64      `json:"id"`
	File         string     `json:"file"`
	Checksum     string     `json:"checksum"`
	Received     time.Time  `json:"received"`
	City         string     `json:"city"`
	Period       string     `json:"period"`
	Status       string     `json:"status"`
	Error        string     `json:"error,omitempty"`
	Figures      int        `json:"figures_stored"`
	Withdrawn    int        `json:"figures_withdrawn"`
	SupersededBy int64      `json:"superseded_by,omitempty"`
	WithdrawnAt  *time.Time `json:"withdrawn_at,omitempty"`
	PinnedAt     *time.Time `json:"pinned_at,omitempty"`
	// Held is why a held report's figures are not in the store; its
	// figures_stored is 0 and figures_held counts what it states.
	Held        string             `json:"held,omitempty"`
	FiguresHeld int                `json:"figures_held,omitempty"`
	Warnings    []string           `json:"warnings"`
	Unmatched   []store.Diagnostic `json:"unmatched"`
	Skipped     []store.Diagnostic `json:"skipped"`
}

// reports lists the bulletins the store has seen, newest first, a page at
// a time: what each stored or withdrew, and what the parser could not read.
func (a *API) reports(w http.ResponseWriter, r *http.Request) {
	limit, cursor, err := pageParams(r.URL.Query(), DefaultReports, MaxReports)
	var before int64
	if err == nil && cursor != nil {
		if before, err = strconv.ParseInt(cursor[0], 10, 64); err != nil || len(cursor) != 1 {
			err = invalid("cursor: not one this API gave")
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var reps []store.Report
	err = a.withStore(r, func(ctx context.Context, st *store.Store) (err error) {
		reps, err = st.ReportsPage(ctx, before, limit+1)
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	next := ""
	if len(reps) > limit {
		reps = reps[:limit]
		next = encodeCursor(strconv.FormatInt(reps[limit-1].ID, 10))
	}
	out := make([]reportJSON, 0, len(reps))
	for _, rep := range reps {
		j := reportJSON{ID: rep.ID, File: rep.Name, Checksum: rep.Checksum, Received: rep.ReceivedAt, City: rep.City,
			Period: rep.Period.String(), Status: rep.Status, Error: rep.Error, Figures: rep.Figures, Withdrawn: rep.Withdrawn,
			SupersededBy: rep.SupersededBy, Warnings: rep.Diagnostics.Warnings, Unmatched: rep.Diagnostics.Unmatched, Skipped: rep.Diagnostics.Skipped}
		if !rep.WithdrawnAt.IsZero() {
			at := rep.WithdrawnAt
			j.WithdrawnAt = &at
		}
		if !rep.PinnedAt.IsZero() {
			at := rep.PinnedAt
			j.PinnedAt = &at
		}
		if rep.Status == store.StatusHeld {
			j.Held = fmt.Sprintf("pinned report %d was current when it came; its figures were not written", rep.SupersededBy)
			j.Figures, j.FiguresHeld = 0, rep.Figures
		}
		if j.Warnings == nil {
			j.Warnings = []string{}
		}
		if j.Unmatched == nil {
			j.Unmatched = []store.Diagnostic{}
		}
		if j.Skipped == nil {
			j.Skipped = []store.Diagnostic{}
		}
		out = append(out, j)
	}
	setNext(w, r, next)
	writeJSON(w, struct {
		Reports []reportJSON `json:"reports"`
		Next    string       `json:"next,omitempty"`
	}{out, next})
}

// findings lists the inconsistencies found in the ingested reports, a page
// at a time.
func (a *API) findings(w http.ResponseWriter, r *http.Request) {
	limit, cursor, err := pageParams(r.URL.Query(), DefaultFindings, MaxFindings)
	var after int64
	if err == nil && cursor != nil {
		if after, err = strconv.ParseInt(cursor[0], 10, 64); err != nil || len(cursor) != 1 {
			err = invalid("cursor: not one this API gave")
		}
	}
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var fs []store.ReportFinding
	err = a.withStore(r, func(ctx context.Context, st *store.Store) (err error) {
		fs, err = st.Findings(ctx, after, limit+1)
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	type finding struct {
		Report string `json:"report"`
		figure.Finding
	}
	next := ""
	if len(fs) > limit {
		fs = fs[:limit]
		next = encodeCursor(strconv.FormatInt(fs[limit-1].ID, 10))
	}
	out := make([]finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, finding{Report: f.ReportName, Finding: f.Finding})
	}
	setNext(w, r, next)
	writeJSON(w, struct {
		Findings []finding `json:"findings"`
		Next     string    `json:"next,omitempty"`
	}{out, next})
}

func (a *API) series(w http.ResponseWriter, r *http.Request) {
	q, err := ParseQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	format, err := formatOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var series []Series
	var next string
	err = a.withStore(r, func(ctx context.Context, st *store.Store) (err error) {
		series, next, err = RunPage(ctx, st, q)
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	setNext(w, r, next)
	if format == "csv" || format == "excel" {
		write := WriteCSV
		if format == "excel" {
			write = WriteExcelCSV
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="devzone-`+cmp.Or(q.Indicator, "series")+`.csv"`)
		if err := write(w, series); err != nil {
			a.Logger.Warn("write csv", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := writeJSONPage(w, series, next); err != nil {
		a.Logger.Warn("write json", "err", err)
	}
}

// formatOf reads the format parameter of /series and /ranking: json (the
// default), csv or excel.
func formatOf(r *http.Request) (string, error) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" && format != "excel" {
		return "", invalid("format %s: want json, csv or excel", quote(format))
	}
	return format, nil
}

// ranking answers the zones of one period ordered by one measure, as
// JSON, CSV or CSV for Excel.
func (a *API) ranking(w http.ResponseWriter, r *http.Request) {
	q, err := ParseRankQuery(r.URL.Query())
	if err != nil {
		a.fail(w, r, err)
		return
	}
	format, err := formatOf(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var rk Ranking
	err = a.withStore(r, func(ctx context.Context, st *store.Store) (err error) {
		rk, err = Rank(ctx, st, q)
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if format == "csv" || format == "excel" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="devzone-ranking-`+q.Indicator+`.csv"`)
		if err := WriteRankingCSV(w, rk, format == "excel"); err != nil {
			a.Logger.Warn("write csv", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if err := WriteRankingJSON(w, rk); err != nil {
		a.Logger.Warn("write json", "err", err)
	}
}

func (a *API) zones(w http.ResponseWriter, r *http.Request) {
	limit, cursor, err := pageParams(r.URL.Query(), DefaultZones, MaxZones)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var zs []Zone
	var next string
	err = a.withStore(r, func(ctx context.Context, st *store.Store) (err error) {
		zs, next, err = Zones(ctx, st, cursor, limit)
		return err
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if zs == nil {
		zs = []Zone{}
	}
	setNext(w, r, next)
	writeJSON(w, struct {
		Zones []Zone `json:"zones"`
		Next  string `json:"next,omitempty"`
	}{zs, next})
}

func (a *API) indicators(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, struct {
		Indicators []Indicator `json:"indicators"`
	}{Indicators()})
}

var (
	errUnavailable = errors.New("store unreachable; try again later")
	errBusy        = errors.New("too many API requests at once; try again later")
)

// withStore runs a query on the store, bounded by QueryTimeout; while the
// store is unreachable it returns errUnavailable.
func (a *API) withStore(r *http.Request, query func(context.Context, *store.Store) error) error {
	st := a.Store()
	if st == nil {
		return errUnavailable
	}
	ctx, cancel := context.WithTimeout(r.Context(), QueryTimeout)
	defer cancel()
	return query(ctx, st)
}

// fail answers with a one-line reason: 400 for the caller's mistakes, 503
// while the store cannot answer (down, unreachable, locked; logged at
// debug level, as the store's job failures already say so once a run),
// 500 otherwise (logged, not shown).
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	code, msg := http.StatusInternalServerError, "internal error"
	switch {
	case errors.Is(err, ErrInvalid):
		code, msg = http.StatusBadRequest, err.Error()
	case errors.Is(err, errUnavailable), errors.Is(err, errBusy):
		code, msg = http.StatusServiceUnavailable, err.Error()
	case errors.Is(err, context.DeadlineExceeded) && r.Context().Err() == nil:
		code, msg = http.StatusServiceUnavailable, "query took too long; narrow it"
	case store.IsUnavailable(err):
		code, msg = http.StatusServiceUnavailable, errUnavailable.Error()
		a.Logger.Debug("api: store unavailable", "path", r.URL.Path, "err", err)
	default:
		a.Logger.Error("api", "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
