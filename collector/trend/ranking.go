package trend

import (
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
	"github.com/devzone/devzone_exporter/internal/table"
)

// RankQuery asks for the zones of one period ordered by one measure of an
// indicator: of one city, or of every city when City is empty.
type RankQuery struct {
	City, Indicator, Measure string
	// Period is the period ranked; the zero period asks for the latest
	// period that has a figure of the indicator and measure.
	Period figure.Period
}

// Validate checks the query and turns Chinese names into keys, as
// Query.Validate does.
func (q *RankQuery) Validate() error {
	if q.Indicator == "" {
		return invalid("indicator is required (see /api/v1/indicators)")
	}
	if q.Measure == MeasureAll {
		return invalid("a ranking is of one measure, not %s", MeasureAll)
	}
	sq := Query{City: q.City, Indicator: q.Indicator, Measure: q.Measure}
	if err := sq.Validate(); err != nil {
		return err
	}
	q.Indicator, q.Measure = sq.Indicator, sq.Measure
	return nil
}

// ParseRankQuery reads a ranking query from URL parameters indicator,
// measure, period (YYYY-MM) and city; format is the caller's, anything
// else an error.
func ParseRankQuery(v url.Values) (RankQuery, error) {
	var q RankQuery
	for k, vs := range v {
		if len(vs) > 1 {
			return q, invalid("parameter %s given %d times", quote(k), len(vs))
		}
		switch k {
		case "city", "indicator", "measure", "period", "format":
		default:
			return q, invalid("unknown parameter %s (this endpoint takes indicator, measure, period, city and format)", quote(k))
		}
	}
	q.City, q.Indicator, q.Measure = v.Get("city"), v.Get("indicator"), v.Get("measure")
	if s := v.Get("period"); s != "" {
		p, err := figure.ParsePeriod(clip(s))
		if err != nil {
			return q, invalid("period: %v", err)
		}
		q.Period = p
	}
	return q, q.Validate()
}

// Ranked is one subject of a ranking. Rank is 1 for the highest value;
// equal values share a rank (1, 2, 2, 4). Joint figures and aggregates
// have no rank.
type Ranked struct {
	Rank   int     `json:"rank,omitempty"`
	City   string  `json:"city"`
	Zone   string  `json:"zone"`
	Value  float64 `json:"value"`
	Approx bool    `json:"approx"`
	Report string  `json:"report"`
}

// Ranking is the zones of one period ordered by one measure, highest
// first. Zones are ranked; figures about several zones together (Joint)
// and about a city's zones as a whole (Aggregates, 全市开发区) are listed
// apart, unranked, since neither competes with a zone.
type Ranking struct {
	Indicator     string      `json:"indicator"`
	IndicatorName string      `json:"indicator_name"`
	Measure       string      `json:"measure"`
	MeasureName   string      `json:"measure_name"`
	City          string      `json:"city,omitempty"`
	Unit          figure.Unit `json:"unit"`
	// Period is the period ranked; Latest says it was not asked for but
	// is the latest with a figure of this indicator and measure (of City).
	// A city whose bulletin of Period has not come is not in it.
	Period     figure.Period `json:"period"`
	Latest     bool          `json:"period_is_latest"`
	Zones      []Ranked      `json:"zones"`
	Joint      []Ranked      `json:"joint"`
	Aggregates []Ranked      `json:"aggregates"`
	// OtherUnit counts figures left out for being in another unit than
	// the rest (Unit): values in two units are no order.
	OtherUnit int `json:"other_unit,omitempty"`
}

// Rank answers a ranking query from the store.
func Rank(ctx context.Context, st *store.Store, q RankQuery) (Ranking, error) {
	if err := q.Validate(); err != nil {
		return Ranking{}, err
	}
	derived := q.Measure == consistency.MeasureImpliedCityTotal || q.Measure == consistency.MeasureImpliedCityGrowth
	r := Ranking{Indicator: q.Indicator, IndicatorName: figure.Indicators[q.Indicator], Measure: q.Measure,
		MeasureName: measureName(q.Measure), City: q.City, Period: q.Period,
		Zones: []Ranked{}, Joint: []Ranked{}, Aggregates: []Ranked{}}
	if r.Period.IsZero() {
		p, err := st.LatestPeriod(ctx, q.City, q.Indicator, q.Measure, derived)
		if err != nil {
			return r, fmt.Errorf("ranking: %w", err)
		}
		if p.IsZero() {
			return r, nil
		}
		r.Period, r.Latest = p, true
	}
	figs, err := st.Figures(ctx, store.Filter{City: q.City, Indicator: q.Indicator, Measure: q.Measure,
		From: r.Period, To: r.Period, Limit: MaxPoints + 1})
	if err != nil {
		return r, fmt.Errorf("ranking: %w", err)
	}
	if len(figs) > MaxPoints {
		return r, invalid("more than %d figures to rank: narrow the ranking to a city", MaxPoints)
	}
	units := map[figure.Unit]int{}
	for _, f := range figs {
		if f.Derived == derived {
			units[f.Unit]++
		}
	}
	for u, n := range units {
		if n > units[r.Unit] || n == units[r.Unit] && u < r.Unit {
			r.Unit = u
		}
	}
	for _, f := range figs {
		if f.Derived != derived {
			continue
		}
		if f.Unit != r.Unit {
			r.OtherUnit++
			continue
		}
		e := Ranked{City: f.City, Zone: f.Zone(), Value: f.Value, Approx: f.Approx, Report: f.ReportName}
		switch {
		case len(f.Zones) > 1:
			r.Joint = append(r.Joint, e)
		case isAggregate(e.Zone):
			r.Aggregates = append(r.Aggregates, e)
		default:
			r.Zones = append(r.Zones, e)
		}
	}
	rankZones(&r)
	return r, nil
}

// rankZones orders each list of r by value, highest first, and ranks the
// zones: equal values share a rank and the next rank skips (1, 2, 2, 4).
func rankZones(r *Ranking) {
	byValue := func(a, b Ranked) int {
		return cmp.Or(cmp.Compare(b.Value, a.Value), cmp.Compare(a.City, b.City), cmp.Compare(a.Zone, b.Zone))
	}
	for _, l := range [][]Ranked{r.Zones, r.Joint, r.Aggregates} {
		slices.SortFunc(l, byValue)
	}
	for i := range r.Zones {
		r.Zones[i].Rank = i + 1
		if i > 0 && r.Zones[i].Value == r.Zones[i-1].Value {
			r.Zones[i].Rank = r.Zones[i-1].Rank
		}
	}
}

// isAggregate reports whether a zone label stands for a city's zones as a
// whole: 全市开发区 and the like, and the 园区 or 开发区 of a table row that
// names a city (the parser's level "aggregate").
func isAggregate(zone string) bool {
	return zones.IsAggregate(zone) || zone == "园区" || zone == "开发区"
}

// heading names what a ranking ranks and which period, saying when the
// period is the latest rather than one asked for.
func (r Ranking) heading() string {
	where := "全部城市"
	if r.City != "" {
		where = r.City
	}
	period := "无数据"
	if !r.Period.IsZero() {
		period = r.Period.Label() + " (" + r.Period.String()
		if r.Latest {
			period += ", 最新一期"
		}
		period += ")"
	}
	return fmt.Sprintf("%s %s %s 排名 %s", where, r.IndicatorName, r.MeasureName, period)
}

// WriteRankingTable writes a ranking for a terminal: the heading with its
// period, the ranked zones, then the joint figures and aggregates apart.
func WriteRankingTable(w io.Writer, r Ranking) error {
	var sb strings.Builder
	sb.WriteString(r.heading() + "\n")
	kind := KindOf(r.Indicator, r.Measure, r.Unit)
	if len(r.Zones) == 0 && len(r.Joint) == 0 && len(r.Aggregates) == 0 {
		sb.WriteString("no figures match\n")
	}
	rows := func(l []Ranked, rank bool) [][]string {
		out := [][]string{{"RANK", "CITY", "ZONE", "VALUE", "APPROX"}}
		for _, e := range l {
			n := "-"
			if rank {
				n = strconv.Itoa(e.Rank)
			}
			out = append(out, []string{n, e.City, e.Zone, formatPoint(kind, r.Unit, e.Value), approxMark(e.Approx)})
		}
		return out
	}
	if len(r.Zones) > 0 {
		if err := table.Write(&sb, rows(r.Zones, true)); err != nil {
			return err
		}
	} else if len(r.Joint)+len(r.Aggregates) > 0 {
		sb.WriteString("no single zone has a figure of this period\n")
	}
	if others := slices.Concat(r.Joint, r.Aggregates); len(others) > 0 {
		sb.WriteString("\n联合与合计 (不参与排名)\n")
		if err := table.Write(&sb, rows(others, false)); err != nil {
			return err
		}
	}
	if r.OtherUnit > 0 {
		fmt.Fprintf(&sb, "\n%d figures in another unit than %s left out\n", r.OtherUnit, r.Unit)
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

func approxMark(approx bool) string {
	if approx {
		return "约"
	}
	return ""
}

// WriteRankingJSON writes a ranking as one JSON document, as
// /api/v1/ranking answers it.
func WriteRankingJSON(w io.Writer, r Ranking) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// RankingCSVHeader and RankingExcelHeader name the columns of
// WriteRankingCSV, plain and for Excel.
var (
	RankingCSVHeader   = []string{"rank", "kind", "city", "zone", "indicator", "measure", "period", "value", "unit", "approx", "report"}
	RankingExcelHeader = []string{"名次", "类别", "城市", "开发区", "指标", "口径", "期间", "数值", "单位", "约数", "来源公报"}
)

// WriteRankingCSV writes a ranking as CSV, UTF-8 with a byte order mark:
// ranked zones, then joint figures (kind joint, 联合) and aggregates
// (aggregate, 合计) with an empty rank. With excel it writes what
// WriteExcelCSV does for a series: Chinese headers, 亿元, percent, the
// period as text.
func WriteRankingCSV(w io.Writer, r Ranking, excel bool) error {
	if _, err := io.WriteString(w, utf8BOM); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	header := RankingCSVHeader
	if excel {
		header = RankingExcelHeader
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	kind := KindOf(r.Indicator, r.Measure, r.Unit)
	for _, l := range []struct {
		entries     []Ranked
		kind, label string
	}{{r.Zones, "zone", "开发区"}, {r.Joint, "joint", "联合"}, {r.Aggregates, "aggregate", "合计"}} {
		for _, e := range l.entries {
			rank := ""
			if e.Rank > 0 {
				rank = strconv.Itoa(e.Rank)
			}
			row := []string{rank, l.kind, e.City, e.Zone, r.Indicator, r.Measure, r.Period.String(),
				strconv.FormatFloat(e.Value, 'f', -1, 64), string(r.Unit), strconv.FormatBool(e.Approx), e.Report}
			if excel {
				value, unit := excelValue(kind, r.Unit, e.Value)
				row = []string{rank, l.label, e.City, e.Zone, r.IndicatorName, r.MeasureName, periodText(r.Period),
					value, unit, approxMark(e.Approx), e.Report}
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
