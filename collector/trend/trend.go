// Package trend answers analysts' questions over time: a zone's indicator
// by reporting period, from the store's history, as JSON, CSV that Excel
// opens with its Chinese intact, or an aligned table with a sparkline. The
// exporter's HTTP API and the trend command share it.
package trend

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// Limits that keep one query from taking the server down.
const (
	// MaxPoints is the most figures one query returns.
	MaxPoints = 20000
	// MaxYears is the longest range one query may ask for.
	MaxYears = 30
)

// Query selects series. Empty fields match everything; Indicator is
// required unless City or Zone is given, so that no query reads the whole
// store (a city's every indicator is what the landing page's CSV link
// downloads).
type Query struct {
	City, Zone, Indicator, Measure string
	From, To                       figure.Period
	// Limit, when not zero, asks for one page of at most Limit figures
	// (1 to MaxPoints), starting past After when it is not nil; RunPage
	// then says where the next page starts.
	Limit int
	After *store.FigureKey
}

// MeasureAll asks for every measure of the indicator at once: a table with
// a column per measure, or CSV with a row per figure.
const MeasureAll = "all"

// ErrInvalid marks a query an analyst got wrong (HTTP 400), as opposed to
// a failure of the server.
var ErrInvalid = errors.New("invalid query")

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

// Validate checks a query's keys and range.
func (q *Query) Validate() error {
	if q.Indicator == "" && q.City == "" && q.Zone == "" {
		return invalid("indicator is required unless city or zone is given (see /api/v1/indicators)")
	}
	if q.Indicator != "" {
		key, ok := figure.LookupIndicator(q.Indicator)
		if !ok {
			return invalid("unknown indicator %s; a key or a Chinese name, such as %s", quote(q.Indicator), indicatorChoices(q.Indicator))
		}
		q.Indicator = key
	}
	if q.Measure == "" {
		q.Measure = figure.MeasureValue
	}
	if key, ok := figure.LookupMeasure(q.Measure); ok {
		q.Measure = key
	}
	if !knownMeasure(q.Measure) && q.Measure != MeasureAll {
		return invalid("unknown measure %s; a key or a Chinese name, such as %s", quote(q.Measure), measureChoices(q.Measure))
	}
	if !q.From.IsZero() && !q.To.IsZero() {
		if q.To.Before(q.From) {
			return invalid("from %s is after to %s", q.From, q.To)
		}
		if q.To.Year-q.From.Year > MaxYears {
			return invalid("range longer than %d years", MaxYears)
		}
	}
	return nil
}

// indicatorChoices names the indicators most like s for an error
// message, and where to find all of them.
func indicatorChoices(s string) string {
	return closest(s, figure.Indicators, nil) + " (all: /api/v1/indicators)"
}

// measureChoices is indicatorChoices for measures.
func measureChoices(s string) string {
	return closest(s, figure.Measures, []string{consistency.MeasureImpliedCityTotal, consistency.MeasureImpliedCityGrowth, MeasureAll})
}

// closest lists the entries of catalog (key → Chinese name) and extra keys
// that share the most characters with s, at most five, as "key (name)":
// an error message stays one short line however large the catalog grows.
func closest(s string, catalog map[string]string, extra []string) string {
	type choice struct {
		text  string
		score int
	}
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	score := func(t string) int {
		n := 0
		for r := range seen {
			if strings.ContainsRune(t, r) {
				n++
			}
		}
		return n
	}
	var cs []choice
	for k, name := range catalog {
		cs = append(cs, choice{k + " (" + name + ")", score(k + name)})
	}
	for _, k := range extra {
		cs = append(cs, choice{k, score(k)})
	}
	sort.Slice(cs, func(i, j int) bool {
		if cs[i].score != cs[j].score {
			return cs[i].score > cs[j].score
		}
		return cs[i].text < cs[j].text
	})
	var out []string
	for _, c := range cs[:min(5, len(cs))] {
		out = append(out, c.text)
	}
	return strings.Join(out, ", ")
}

func knownMeasure(m string) bool {
	if _, ok := figure.Measures[m]; ok {
		return true
	}
	return m == consistency.MeasureImpliedCityTotal || m == consistency.MeasureImpliedCityGrowth
}

// ParseQuery reads a query from URL parameters city, zone, indicator,
// measure, from and to (YYYY-MM); any other parameter but format is an
// error, so that a typo is not silently ignored.
func ParseQuery(v url.Values) (Query, error) {
	var q Query
	for k, vs := range v {
		if len(vs) > 1 {
			return q, invalid("parameter %s given %d times", quote(k), len(vs))
		}
		switch k {
		case "city", "zone", "indicator", "measure", "from", "to", "format", "limit", "cursor":
		default:
			return q, invalid("unknown parameter %s", quote(k))
		}
	}
	q.City, q.Zone, q.Indicator, q.Measure = v.Get("city"), v.Get("zone"), v.Get("indicator"), v.Get("measure")
	var err error
	if s := v.Get("from"); s != "" {
		if q.From, err = figure.ParsePeriod(clip(s)); err != nil {
			return q, invalid("from: %v", err)
		}
	}
	if s := v.Get("to"); s != "" {
		if q.To, err = figure.ParsePeriod(clip(s)); err != nil {
			return q, invalid("to: %v", err)
		}
	}
	if s := v.Get("limit"); s != "" {
		if q.Limit, err = parseLimit(s, MaxPoints, MaxPoints); err != nil {
			return q, err
		}
	}
	cursor, err := decodeCursor(v.Get("cursor"))
	if err != nil {
		return q, err
	}
	if cursor != nil {
		if len(cursor) != 6 {
			return q, invalid("cursor %q: not one this API gave", v.Get("cursor"))
		}
		q.After = &store.FigureKey{City: cursor[0], Zone: cursor[1], Indicator: cursor[2], Measure: cursor[3],
			Period: cursor[4], Derived: cursor[5] == "1"}
		if q.Limit == 0 {
			q.Limit = MaxPoints
		}
	}
	return q, q.Validate()
}

// Point is one period of a series.
type Point struct {
	Period  figure.Period `json:"period"`
	Value   float64       `json:"value"`
	Approx  bool          `json:"approx"`
	Derived bool          `json:"derived"`
	Report  string        `json:"report"`
	Text    string        `json:"text"`
	// Change is the value minus that of ChangeFrom, the series' previous
	// period of the same year, for rates and shares only (KindRate), in
	// the series' unit: 0.0056 is 0.56 个百分点. Absent where a change
	// means nothing: across years, for year-to-date amounts, next to an
	// approximate figure.
	Change     *float64       `json:"change,omitempty"`
	ChangeFrom *figure.Period `json:"change_from,omitempty"`
	// MonthValue is DERIVED, never stated: a year-to-date amount minus
	// that of the month before (1-7月 minus 1-6月 is July's own), set only
	// when both are stated exactly, in one unit, one month apart in one
	// year (KindCumulative).
	MonthValue *float64 `json:"derived_month_value,omitempty"`

	unit figure.Unit // the figure's own, to keep differences within one unit
}

// Series is one (city, zone, indicator, measure) over periods.
type Series struct {
	City          string      `json:"city"`
	Zone          string      `json:"zone"`
	Indicator     string      `json:"indicator"`
	IndicatorName string      `json:"indicator_name"`
	Measure       string      `json:"measure"`
	Unit          figure.Unit `json:"unit"`
	// Joint marks a figure about several zones together (zone is its
	// members joined by 、): a query for one member returns it too.
	Joint  bool    `json:"joint,omitempty"`
	Points []Point `json:"points"`
}

// Run answers a query from the store. It asks for one figure more than
// MaxPoints so that it can tell a complete answer from a truncated one.
func Run(ctx context.Context, st *store.Store, q Query) ([]Series, error) {
	series, _, err := RunPage(ctx, st, q)
	return series, err
}

// RunPage is Run, and with q.Limit set it answers one page: at most
// q.Limit figures, and the cursor of the next page ("" after the last).
// Without a limit a query matching more than MaxPoints figures is refused,
// as before there were pages, so that no caller takes part of an answer
// for all of it.
func RunPage(ctx context.Context, st *store.Store, q Query) ([]Series, string, error) {
	if err := q.Validate(); err != nil {
		return nil, "", err
	}
	limit := q.Limit
	if limit <= 0 || limit > MaxPoints {
		limit = MaxPoints
	}
	// One figure more than asked tells a complete answer from a cut one.
	measure := q.Measure
	if measure == MeasureAll {
		measure = ""
	}
	figs, err := st.Figures(ctx, store.Filter{
		City: q.City, Zone: q.Zone, Joint: true, Indicator: q.Indicator, Measure: measure,
		From: q.From, To: q.To, Limit: limit + 1, After: q.After,
	})
	if err != nil {
		return nil, "", err
	}
	if len(figs) <= limit {
		return Group(figs), "", nil
	}
	if q.Limit == 0 {
		return nil, "", invalid("more than %d figures match: narrow the query by city, zone or from/to, or page through them with limit", MaxPoints)
	}
	figs = figs[:limit]
	k := figs[limit-1].Cursor()
	derived := "0"
	if k.Derived {
		derived = "1"
	}
	return Group(figs), encodeCursor(k.City, k.Zone, k.Indicator, k.Measure, k.Period, derived), nil
}

// Group turns figures, ordered by key and period, into series.
func Group(figs []store.StoredFigure) []Series {
	var out []Series
	for _, f := range figs {
		n := len(out)
		if n == 0 || out[n-1].City != f.City || out[n-1].Zone != f.Zone() || out[n-1].Indicator != f.Indicator || out[n-1].Measure != f.Measure {
			out = append(out, Series{City: f.City, Zone: f.Zone(), Indicator: f.Indicator,
				IndicatorName: figure.Indicators[f.Indicator], Measure: f.Measure, Unit: f.Unit, Joint: len(f.Zones) > 1})
			n++
		}
		out[n-1].Points = append(out[n-1].Points, Point{Period: f.Period, Value: f.Value, Approx: f.Approx,
			Derived: f.Derived, Report: f.ReportName, Text: f.Text, unit: f.Unit})
	}
	for i := range out {
		sort.SliceStable(out[i].Points, func(a, b int) bool { return out[i].Points[a].Period.Before(out[i].Points[b].Period) })
		annotate(&out[i])
	}
	return out
}

// Zone is a subject with its latest reported period, for /api/v1/zones.
type Zone struct {
	City   string        `json:"city"`
	Zone   string        `json:"zone"`
	Latest figure.Period `json:"latest_period"`
}

// Indicator is a catalog entry, for /api/v1/indicators.
type Indicator struct {
	Key  string `json:"key"`
	Name string `json:"name"`
}

// Indicators lists the indicator keys with their Chinese names.
func Indicators() []Indicator {
	var out []Indicator
	for _, k := range figure.IndicatorKeys() {
		out = append(out, Indicator{Key: k, Name: figure.Indicators[k]})
	}
	return out
}

// Zones lists the subjects in the store with their latest period, at most
// limit of them from the cursor (as the last page's next gave it) on, and
// the cursor of the next page ("" after the last).
func Zones(ctx context.Context, st *store.Store, cursor []string, limit int) ([]Zone, string, error) {
	var after *store.ZoneKey
	switch len(cursor) {
	case 0:
	case 2:
		after = &store.ZoneKey{City: cursor[0], Zone: cursor[1]}
	default:
		return nil, "", invalid("cursor: not one this API gave")
	}
	zs, err := st.Zones(ctx, after, limit+1)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(zs) > limit {
		zs = zs[:limit]
		next = encodeCursor(zs[limit-1].City, zs[limit-1].Zone)
	}
	out := make([]Zone, 0, len(zs))
	for _, z := range zs {
		out = append(out, Zone{City: z.City, Zone: z.Zone, Latest: z.Latest})
	}
	return out, next, nil
}

// measureName is the Chinese name of a measure, for headers.
func measureName(m string) string {
	switch m {
	case consistency.MeasureImpliedCityTotal:
		return "推算全市总量"
	case consistency.MeasureImpliedCityGrowth:
		return "推算全市增速"
	}
	if n, ok := figure.Measures[m]; ok {
		return n
	}
	return strings.ReplaceAll(m, "_", " ")
}
