package collector

import (
	"bufio"
	"cmp"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
)

// Backfill is the history WriteBackfill writes: the store's figures and
// finding counts, the zone registry, and the target labels Prometheus
// would have added had it scraped the exporter all along.
type Backfill struct {
	Figures []store.StoredFigure
	// Findings are the findings of every city and period, by kind.
	Findings []store.FindingCount
	// Zones is the registry devzone_zone_info comes from; nil leaves it out.
	Zones *zones.Registry
	// Job and Instance are the job and instance labels of every sample,
	// as the scrape config names the exporter's target: the rules select
	// job="devzone" and the boards an instance. An empty Instance leaves
	// the label out.
	Job, Instance string
}

// backfillSample is one sample of a family: label values in the family's
// label order, time in seconds, value.
type backfillSample struct {
	labels []string
	ts     int64
	value  float64
}

// WriteBackfill writes the store's history as OpenMetrics text in the form
// `promtool tsdb create-blocks-from openmetrics` takes: at the end of every
// period the store has, what the exporter would have served had it held
// the bulletins up to that period — every figure family (each series at
// its latest period up to then, as /metrics serves it), the approximate
// marks, the zones' and figures' period ends, the finding counts of each
// city's latest period, the indicator names, the zone registry and the
// members of each zone label — timestamped in seconds, families not
// interleaved, series in time order, and # EOF last. Derived figures are
// left out (the exporter serves them only with --metrics.derived), and so
// are the failed-bulletin and parser-diagnostic families, which describe
// the inbox of the moment rather than history.
func WriteBackfill(w io.Writer, b Backfill) (samples int, err error) {
	stated := make([]figure.Figure, 0, len(b.Figures))
	for i := range b.Figures {
		if !b.Figures[i].Derived {
			stated = append(stated, b.Figures[i].Figure)
		}
	}
	// Figures in period order, so that each period's end adds its own.
	slices.SortStableFunc(stated, func(x, y figure.Figure) int {
		return cmp.Compare(x.Period.String(), y.Period.String())
	})
	findings := make(map[findingCount]int, len(b.Findings))
	for _, c := range b.Findings {
		findings[findingCount{c.City, c.Period, c.Kind}] += c.Count
	}

	// devzone_zone_info's labels, sorted as the exposition prints them:
	// the registry's routing labels among the fixed ones.
	var registered []zones.Zone
	zoneInfoLabels := []string{"city", "county", "kind", "level", "zone"}
	if b.Zones != nil {
		registered = b.Zones.Zones
		zoneInfoLabels = append(zoneInfoLabels, b.Zones.LabelNames()...)
		slices.Sort(zoneInfoLabels)
	}
	byFamily := make([][]backfillSample, numFamilies)
	var zoneInfo, groupInfo []backfillSample
	latest := map[figure.Key]int{} // a series (its key without period) → index in current
	var current []figure.Figure
	for i := 0; i < len(stated); {
		period := stated[i].Period
		for ; i < len(stated) && stated[i].Period == period; i++ {
			k := stated[i].Key()
			k.Period = figure.Period{}
			if j, ok := latest[k]; ok {
				current[j] = stated[i]
				continue
			}
			latest[k] = len(current)
			current = append(current, stated[i])
		}
		ts := period.End().Unix()
		snap := newSnapshot(current, findings, period.End())
		for id := range snap.series {
			n := len(families[id].labels)
			for _, s := range snap.series[id] {
				byFamily[id] = append(byFamily[id], backfillSample{s.labels[:n:n], ts, s.value})
			}
		}
		for _, m := range membersOf(current) {
			groupInfo = append(groupInfo, backfillSample{[]string{m.city, m.member, m.zone}, ts, 1})
		}
		for _, z := range registered {
			values := make([]string, len(zoneInfoLabels))
			for j, l := range zoneInfoLabels {
				switch l {
				case "city":
					values[j] = z.City
				case "county":
					values[j] = z.County
				case "kind":
					values[j] = z.Kind
				case "level":
					values[j] = z.Level
				case "zone":
					values[j] = z.Name
				default:
					values[j] = z.Labels[l]
				}
			}
			zoneInfo = append(zoneInfo, backfillSample{values, ts, 1})
		}
	}

	target := []string{}
	if b.Instance != "" {
		target = append(target, `instance="`+escapeLabel(b.Instance)+`"`)
	}
	if b.Job != "" {
		target = append(target, `job="`+escapeLabel(b.Job)+`"`)
	}
	bw := bufio.NewWriter(w)
	write := func(name, help string, labels []string, ss []backfillSample) {
		if len(ss) == 0 {
			return
		}
		slices.SortFunc(ss, func(a, b backfillSample) int {
			return cmp.Or(slices.Compare(a.labels, b.labels), cmp.Compare(a.ts, b.ts))
		})
		bw.WriteString("# HELP " + name + " " + escapeHelp(help+" Backfilled from the store's history at the end of each period.") + "\n")
		bw.WriteString("# TYPE " + name + " gauge\n")
		for _, s := range ss {
			bw.WriteString(name)
			bw.WriteByte('{')
			for j, l := range labels {
				if j > 0 {
					bw.WriteByte(',')
				}
				bw.WriteString(l + `="` + escapeLabel(s.labels[j]) + `"`)
			}
			for _, t := range target {
				bw.WriteByte(',')
				bw.WriteString(t)
			}
			bw.WriteString("} ")
			bw.WriteString(strconv.FormatFloat(s.value, 'g', -1, 64))
			bw.WriteByte(' ')
			bw.WriteString(strconv.FormatInt(s.ts, 10))
			bw.WriteByte('\n')
			samples++
		}
	}
	for _, id := range renderOrder {
		fam := &families[id]
		write(fam.name, strings.TrimSuffix(fam.help, cachedHelp), fam.labels, byFamily[id])
	}
	// devzone_zone_group_info sorts before devzone_zone_info.
	write(prometheus.BuildFQName(namespace, "zone", "group_info"),
		"1 for each member of a zone label of the figures: a joint figure's label (zones joined by 、) has one series per member, a single zone one with member = zone.",
		[]string{"city", "member", "zone"}, groupInfo)
	if b.Zones != nil {
		write(prometheus.BuildFQName(namespace, "zone", "info"),
			"1 for each zone of the zone registry (--zones.file), with its county, level (国家级, 省级), kind and routing labels.",
			zoneInfoLabels, zoneInfo)
	}
	bw.WriteString("# EOF\n")
	return samples, bw.Flush()
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
