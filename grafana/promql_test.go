package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// Bulletins the checks run on, with a city, zone and indicator each
// states a value, growth and city share for: the sample corpus (when the
// shared corpus is there) and one of our own, another city and period.
var samples = []struct {
	name, path, city, zone, indicator string
}{
	{"sample", "../../shared/corpus/shanxi-devzones-2023h1.txt", "太原市", "中北高新区、清徐开发区", "industrial_value_added"},
	{"datong", "../collector/bulletin/testdata/bulletins/datong-2023q1.txt", "大同市", "大同经开区", "industrial_value_added"},
}

// availableSamples returns the samples whose bulletin exists; it fails
// when our own is missing and logs when the shared corpus is.
func availableSamples(t *testing.T) []int {
	t.Helper()
	var out []int
	for i, s := range samples {
		if _, err := os.Stat(s.path); err != nil {
			if s.name == "sample" {
				// Our example carries the sample's 太原/晋中 figures in our own
				// sentences.
				t.Logf("shared corpus absent (%v): checking on our example bulletin instead", err)
				samples[i].path = "../examples/inbox/taiyuan-jinzhong-2023h1.txt"
				out = append(out, i)
				continue
			}
			t.Fatal(err)
		}
		out = append(out, i)
	}
	return out
}

// prometheusOwn are series Prometheus makes itself; queries may name them.
var prometheusOwn = []string{"ALERTS"}

// Target labels Prometheus attaches to every scraped series, and the job
// name the checks give the exporter's scrape job.
const (
	scrapeJob = "devzone"
)

// labelValues matches a label_values(metric, label) variable query.
var labelValues = regexp.MustCompile(`^label_values\((.+),\s*(\w+)\)$`)

// promExpr returns the PromQL a query runs: a target's expression, or the
// metric selector of a label_values variable, with the label it lists.
func promExpr(q query) (expr, label string) {
	if m := labelValues.FindStringSubmatch(q.Text); m != nil && q.Variable != "" {
		return m[1], m[2]
	}
	return q.Text, ""
}

func TestPromQLParses(t *testing.T) {
	p := parser.NewParser(parser.Options{})
	for _, q := range queriesOf(t, typePrometheus) {
		expr, _ := promExpr(q)
		for _, vars := range []map[string][]string{
			{"city": {".*"}, "instance": {".*"}},                  // All
			{"city": {"太原市", "大同市"}, "instance": {"127.0.0.1:9"}}, // several, a value
		} {
			e, err := expandPromQL(expr, vars)
			if err != nil {
				t.Errorf("%s: %v", q.Where, err)
				continue
			}
			if _, err := p.ParseExpr(e); err != nil {
				t.Errorf("%s: %s: %v", q.Where, e, err)
			}
		}
	}
}

// scraped is the exporter's output as Prometheus stores it.
type scraped struct {
	storage *teststorage.TestStorage
	at      time.Time           // when queries are evaluated
	labels  map[string][]string // series name → label names
}

// scrape converts families to the series a Prometheus scraping the exporter
// as job scrapeJob would store, ten minutes of them at a 15 s interval:
// the target labels job and instance are added, and the exporter's own job
// label, if a family had one, would become exported_job (honor_labels:
// false, the default); the exporter names its jobs in task instead.
func scrape(t *testing.T, families map[string]*dto.MetricFamily, instance string) scraped {
	t.Helper()
	s := scraped{storage: teststorage.New(t), at: time.Unix(1_700_000_600, 0), labels: map[string][]string{}}
	type sample struct {
		lset labels.Labels
		v    float64
	}
	var samples []sample
	add := func(name string, m *dto.Metric, v float64, extra ...string) {
		b := labels.NewBuilder(labels.EmptyLabels())
		for _, lp := range m.GetLabel() {
			k := lp.GetName()
			if k == "job" || k == "instance" {
				k = "exported_" + k
			}
			b.Set(k, lp.GetValue())
		}
		for i := 0; i+1 < len(extra); i += 2 {
			b.Set(extra[i], extra[i+1])
		}
		b.Set("job", scrapeJob)
		b.Set("instance", instance)
		b.Set(model.MetricNameLabel, name)
		lset := b.Labels()
		lset.Range(func(l labels.Label) {
			if l.Name != model.MetricNameLabel && !slices.Contains(s.labels[name], l.Name) {
				s.labels[name] = append(s.labels[name], l.Name)
			}
		})
		samples = append(samples, sample{lset, v})
	}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				add(name, m, m.GetCounter().GetValue())
			case dto.MetricType_GAUGE:
				add(name, m, m.GetGauge().GetValue())
			case dto.MetricType_UNTYPED:
				add(name, m, m.GetUntyped().GetValue())
			case dto.MetricType_SUMMARY:
				for _, q := range m.GetSummary().GetQuantile() {
					add(name, m, q.GetValue(), "quantile", strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64))
				}
				add(name+"_sum", m, m.GetSummary().GetSampleSum())
				add(name+"_count", m, float64(m.GetSummary().GetSampleCount()))
			case dto.MetricType_HISTOGRAM:
				for _, bk := range m.GetHistogram().GetBucket() {
					add(name+"_bucket", m, float64(bk.GetCumulativeCount()), "le", strconv.FormatFloat(bk.GetUpperBound(), 'g', -1, 64))
				}
				add(name+"_bucket", m, float64(m.GetHistogram().GetSampleCount()), "le", "+Inf")
				add(name+"_sum", m, m.GetHistogram().GetSampleSum())
				add(name+"_count", m, float64(m.GetHistogram().GetSampleCount()))
			default:
				t.Fatalf("family %s: type %v unknown to this check", name, f.GetType())
			}
		}
	}
	app := s.storage.Appender(context.Background())
	for ts := s.at.Add(-10 * time.Minute); !ts.After(s.at); ts = ts.Add(15 * time.Second) {
		for _, smp := range samples {
			if _, err := app.Append(0, smp.lset, ts.UnixMilli(), smp.v); err != nil {
				t.Fatalf("append %s: %v", smp.lset, err)
			}
		}
	}
	if err := app.Commit(); err != nil {
		t.Fatal(err)
	}
	return s
}

// selectors returns the vector selectors of an expression.
func selectors(e parser.Expr) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}

// TestPromQLAgainstTheExporter starts the real exporter on the sample
// bulletins and checks every Prometheus query of every board against
// what it exposes: each names only series the exporter has (or ALERTS),
// each label matcher a label those series have after the scrape, and each
// returns series for every city variable value tried — except queries on
// ALERTS, which are empty when nothing fires.
func TestPromQLAgainstTheExporter(t *testing.T) {
	inbox := t.TempDir()
	idx := availableSamples(t)
	for _, i := range idx {
		b, err := os.ReadFile(samples[i].path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inbox, filepath.Base(samples[i].path)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := testexporter.Start(t, testexporter.Options{InboxDir: inbox})
	e.WaitForMetrics(t, "the growth of every sample city", func(m string) bool {
		for _, i := range idx {
			if !strings.Contains(m, `devzone_yoy_growth_ratio{city="`+samples[i].city+`"`) {
				return false
			}
		}
		return true
	})
	u, err := url.Parse(e.URL)
	if err != nil {
		t.Fatal(err)
	}
	s := scrape(t, e.Families(t), u.Host)
	queries := queriesOf(t, typePrometheus)
	p := parser.NewParser(parser.Options{})

	t.Run("names only what the exporter exposes", func(t *testing.T) {
		for _, q := range queries {
			expr, label := promExpr(q)
			text, err := expandPromQL(expr, map[string][]string{"city": {".*"}, "instance": {".*"}})
			if err != nil {
				t.Fatalf("%s: %v", q.Where, err)
			}
			ast, err := p.ParseExpr(text)
			if err != nil {
				t.Fatalf("%s: %v", q.Where, err)
			}
			vss := selectors(ast)
			if len(vss) == 0 {
				t.Errorf("%s: selects no series", q.Where)
			}
			for _, vs := range vss {
				if slices.Contains(prometheusOwn, vs.Name) {
					continue
				}
				have, ok := s.labels[vs.Name]
				if !ok {
					t.Errorf("%s: %s is not a series the exporter exposes", q.Where, vs.Name)
					continue
				}
				for _, m := range vs.LabelMatchers {
					if m.Name != model.MetricNameLabel && !slices.Contains(have, m.Name) {
						t.Errorf("%s: %s has no label %s (it has %v)", q.Where, vs.Name, m.Name, have)
					}
				}
				if label != "" && !slices.Contains(have, label) {
					t.Errorf("%s: label_values of %s lists %s, which it does not have", q.Where, vs.Name, label)
				}
			}
		}
	})

	// With every city (All), each query returns series. With one city,
	// each panel shows something: a column of a table may be empty for a
	// city whose bulletin does not state it (预计年产值 in 太原).
	t.Run("returns series", func(t *testing.T) {
		eng := promql.NewEngine(promql.EngineOpts{
			MaxSamples:    1_000_000,
			Timeout:       time.Minute,
			LookbackDelta: 5 * time.Minute,
			Parser:        p,
		})
		t.Cleanup(func() { eng.Close() })
		eval := func(q query, city string) (int, string) {
			expr, label := promExpr(q)
			text, err := expandPromQL(expr, map[string][]string{"city": {city}, "instance": {u.Host}})
			if err != nil {
				t.Fatalf("%s: %v", q.Where, err)
			}
			n, err := evalCount(eng, s.storage, text, s.at, label)
			if err != nil {
				t.Errorf("%s (city %s): %s: %v", q.Where, city, text, err)
			}
			return n, text
		}
		for _, q := range queries {
			if n, text := eval(q, ".*"); n == 0 && !onlyAlerts(p, text) {
				t.Errorf("%s (every city): %s returns nothing on the samples", q.Where, text)
			}
		}
		panels := map[string][]query{}
		var order []string
		for _, q := range queries {
			key := strings.TrimSuffix(q.Where, " / "+q.Target.RefID)
			if _, seen := panels[key]; !seen {
				order = append(order, key)
			}
			panels[key] = append(panels[key], q)
		}
		for _, i := range idx {
			city := samples[i].city
			for _, key := range order {
				shown, alerts := 0, true
				for _, q := range panels[key] {
					n, text := eval(q, city)
					shown += n
					alerts = alerts && onlyAlerts(p, text)
				}
				if shown == 0 && !alerts {
					t.Errorf("%s (city %s): shows nothing on the sample", key, city)
				}
			}
		}
	})
}

// evalCount evaluates expr at ts and counts the series of its result (a
// scalar counts one); with label set, it counts the series that have it.
func evalCount(eng *promql.Engine, st storage.Queryable, expr string, ts time.Time, label string) (int, error) {
	q, err := eng.NewInstantQuery(context.Background(), st, nil, expr, ts)
	if err != nil {
		return 0, err
	}
	defer q.Close()
	res := q.Exec(context.Background())
	if res.Err != nil {
		return 0, res.Err
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		n := 0
		for _, smp := range v {
			if label == "" || smp.Metric.Get(label) != "" {
				n++
			}
		}
		return n, nil
	case promql.Scalar:
		return 1, nil
	}
	return 0, fmt.Errorf("result of type %T", res.Value)
}

// onlyAlerts reports whether an expression selects from ALERTS alone:
// such a query is empty while nothing fires.
func onlyAlerts(p parser.Parser, expr string) bool {
	ast, err := p.ParseExpr(expr)
	if err != nil {
		return false
	}
	for _, vs := range selectors(ast) {
		if vs.Name != "ALERTS" {
			return false
		}
	}
	return true
}
