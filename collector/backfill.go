package collector

import (
	"bufio"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/store"
)

// WriteBackfill writes the store's history as OpenMetrics text in the form
// `promtool tsdb create-blocks-from openmetrics` takes: every stated figure
// as a sample of the family the exporter serves it in, timestamped (in
// seconds) at the end of its period, families not interleaved, series in
// time order, and # EOF last. Derived figures are left out: Prometheus
// gets what bulletins stated, as the live exporter serves it.
func WriteBackfill(w io.Writer, figs []store.StoredFigure) (samples int, err error) {
	type sample struct {
		labels [4]string
		ts     int64
		value  float64
	}
	byFamily := make([][]sample, numFamilies)
	for i := range figs {
		f := &figs[i].Figure
		if f.Derived {
			continue
		}
		id, labels, value, ok := classify(f, f.Zone())
		if !ok {
			continue
		}
		byFamily[id] = append(byFamily[id], sample{labels, f.Period.End().Unix(), value})
	}
	bw := bufio.NewWriter(w)
	for _, id := range renderOrder {
		ss := byFamily[id]
		if len(ss) == 0 {
			continue
		}
		fam := &families[id]
		slices.SortFunc(ss, func(a, b sample) int {
			if c := slices.Compare(a.labels[:], b.labels[:]); c != 0 {
				return c
			}
			return int(a.ts - b.ts)
		})
		help := strings.TrimSuffix(fam.help, cachedHelp) + " Backfilled from the store's history at the end of each period."
		bw.WriteString("# HELP " + fam.name + " " + escapeHelp(help) + "\n")
		bw.WriteString("# TYPE " + fam.name + " gauge\n")
		for _, s := range ss {
			bw.WriteString(fam.name)
			bw.WriteByte('{')
			for j, name := range fam.labels {
				if j > 0 {
					bw.WriteByte(',')
				}
				bw.WriteString(name + `="` + escapeLabel(s.labels[j]) + `"`)
			}
			bw.WriteString("} ")
			bw.WriteString(strconv.FormatFloat(s.value, 'g', -1, 64))
			bw.WriteByte(' ')
			bw.WriteString(strconv.FormatInt(s.ts, 10))
			bw.WriteByte('\n')
			samples++
		}
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
