package main

import (
	"context"
	"errors"
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
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/teststorage"

	"github.com/devzone/devzone_exporter/grafana/boards"
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

// history are bulletins the checks ingest beside the samples: a later
// period of 大同, so that the store holds a series over two periods and
// a figure older than its zone's latest period (大同经开区's 工业投资,
// stated in 2023-03 only), which the period columns must show.
var history = []string{"../examples/datong/datong-2023-06.txt"}

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
var prometheusOwn = []string{"ALERTS", "up"}

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

// target is one scraped exporter: its instance label and what it served.
type target struct {
	instance string
	families map[string]*dto.MetricFamily
}

// scrape converts the targets' families to the series a Prometheus
// scraping them as job scrapeJob would store, ten minutes of them at a
// 15 s interval: the target labels job and instance are added, and the
// exporter's own job label, if a family had one, would become
// exported_job (honor_labels: false, the default); the exporter names its
// jobs in task instead. Each target's up is 1: both answered.
func scrape(t *testing.T, targets ...target) scraped {
	t.Helper()
	// Evaluated now: the exporters stamp their jobs and snapshot with the
	// wall clock.
	s := scraped{storage: teststorage.New(t), at: time.Now().Truncate(time.Millisecond), labels: map[string][]string{}}
	type sample struct {
		lset labels.Labels
		v    float64
	}
	var samples []sample
	add := func(instance, name string, m *dto.Metric, v float64, extra ...string) {
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
	for _, tg := range targets {
		add(tg.instance, "up", &dto.Metric{}, 1)
		for name, f := range tg.families {
			for _, m := range f.GetMetric() {
				switch f.GetType() {
				case dto.MetricType_COUNTER:
					add(tg.instance, name, m, m.GetCounter().GetValue())
				case dto.MetricType_GAUGE:
					add(tg.instance, name, m, m.GetGauge().GetValue())
				case dto.MetricType_UNTYPED:
					add(tg.instance, name, m, m.GetUntyped().GetValue())
				case dto.MetricType_SUMMARY:
					for _, q := range m.GetSummary().GetQuantile() {
						add(tg.instance, name, m, q.GetValue(), "quantile", strconv.FormatFloat(q.GetQuantile(), 'g', -1, 64))
					}
					add(tg.instance, name+"_sum", m, m.GetSummary().GetSampleSum())
					add(tg.instance, name+"_count", m, float64(m.GetSummary().GetSampleCount()))
				case dto.MetricType_HISTOGRAM:
					for _, bk := range m.GetHistogram().GetBucket() {
						add(tg.instance, name+"_bucket", m, float64(bk.GetCumulativeCount()), "le", strconv.FormatFloat(bk.GetUpperBound(), 'g', -1, 64))
					}
					add(tg.instance, name+"_bucket", m, float64(m.GetHistogram().GetSampleCount()), "le", "+Inf")
					add(tg.instance, name+"_sum", m, m.GetHistogram().GetSampleSum())
					add(tg.instance, name+"_count", m, float64(m.GetHistogram().GetSampleCount()))
				default:
					t.Fatalf("family %s: type %v unknown to this check", name, f.GetType())
				}
			}
		}
	}
	app := s.storage.Appender(context.Background())
	for ts := s.from(); !ts.After(s.at); ts = ts.Add(scrapeInterval) {
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

// scrapeInterval is the scrape and rule evaluation interval of the checks.
const scrapeInterval = 15 * time.Second

// from is the first scrape.
func (s scraped) from() time.Time { return s.at.Add(-10 * time.Minute) }

// ruleFile is the shipped alerting rule file.
const ruleFile = "../alerts/devzone.rules.yml"

// evalRules evaluates the shipped rule file over the scraped ten minutes,
// every scrape interval, rule after rule in file order as Prometheus does,
// and stores what the rules record and ALERTS (pending until the alert's
// for: has passed, then firing), so that the alert tables' queries run on
// what the real rules fire on the samples. The data does not change in
// the ten minutes, so keep_firing_for never comes into play; every for:
// of the file is 5 minutes, well inside them. (Prometheus's rules package
// would do this too, but it imports the notifier and with it
// Alertmanager's client.)
func evalRules(t *testing.T, s scraped, eng *promql.Engine, p parser.Parser) {
	t.Helper()
	groups, errs := rulefmt.ParseFile(ruleFile, false, model.UTF8Validation, p, nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", ruleFile, errors.Join(errs...))
	}
	ctx := context.Background()
	// per alert, its labels → the first evaluation of the run of
	// evaluations that returned it
	activeSince := map[string]map[string]time.Time{}
	for ts := s.from(); !ts.After(s.at); ts = ts.Add(scrapeInterval) {
		for _, g := range groups.Groups {
			for _, r := range g.Rules {
				v, err := evalVector(eng, s.storage, r.Expr, ts, "")
				if err != nil {
					t.Fatalf("%s %s%s: %v", ruleFile, r.Record, r.Alert, err)
				}
				app := s.storage.Appender(ctx)
				active := map[string]time.Time{}
				for _, smp := range v {
					b := labels.NewBuilder(smp.Metric)
					for k, val := range r.Labels {
						b.Set(k, val)
					}
					value := smp.F
					if r.Record != "" {
						b.Set(model.MetricNameLabel, r.Record)
					} else {
						b.Del(model.MetricNameLabel)
						b.Set(model.AlertNameLabel, r.Alert)
						key := b.Labels().String()
						since, ok := activeSince[r.Alert][key]
						if !ok {
							since = ts
						}
						active[key] = since
						state := "pending"
						if ts.Sub(since) >= time.Duration(r.For) {
							state = "firing"
						}
						b.Set(model.MetricNameLabel, "ALERTS")
						b.Set("alertstate", state)
						value = 1
					}
					if _, err := app.Append(0, b.Labels(), ts.UnixMilli(), value); err != nil {
						t.Fatalf("append %s: %v", b.Labels(), err)
					}
				}
				if err := app.Commit(); err != nil {
					t.Fatal(err)
				}
				if r.Alert != "" {
					activeSince[r.Alert] = active // an alert gone from the result starts again
				}
			}
		}
	}
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
// bulletins, and a second one whose store never answers (its snapshot
// never loads, its jobs never succeed), has Prometheus's engine hold what
// it would scrape from both and what the shipped rules make of it, and
// checks every Prometheus query of every board against that: each names
// only series the exporter has (or ALERTS, up), each label matcher a
// label those series have after the scrape; with every variable at its
// default each query returns series; with each sample city each panel
// shows something.
func TestPromQLAgainstTheExporter(t *testing.T) {
	inbox := t.TempDir()
	idx := availableSamples(t)
	paths := slices.Clone(history)
	for _, i := range idx {
		paths = append(paths, samples[i].path)
	}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inbox, filepath.Base(path)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := testexporter.Start(t, testexporter.Options{InboxDir: inbox})
	e.WaitForMetrics(t, "the growth of every sample city and the older figure of 大同", func(m string) bool {
		for _, i := range idx {
			if !strings.Contains(m, `devzone_yoy_growth_ratio{city="`+samples[i].city+`"`) {
				return false
			}
		}
		return strings.Contains(m, "devzone_figure_period_end_timestamp_seconds{")
	})
	broken := testexporter.Start(t, testexporter.Options{
		DBURL:       "postgres://nobody@" + testexporter.FreeAddr(t) + "/nothing?sslmode=disable&connect_timeout=1",
		NoWaitReady: true,
	})
	good, bad := hostOf(t, e.URL), hostOf(t, broken.URL)
	s := scrape(t, target{good, e.Families(t)}, target{bad, broken.Families(t)})
	p := parser.NewParser(parser.Options{})
	eng := promql.NewEngine(promql.EngineOpts{
		MaxSamples:    1_000_000,
		Timeout:       time.Minute,
		LookbackDelta: 5 * time.Minute,
		Parser:        p,
	})
	t.Cleanup(func() { eng.Close() })
	evalRules(t, s, eng, p)
	queries := queriesOf(t, typePrometheus)

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

	eval := func(q query, vars map[string][]string) (promql.Vector, string) {
		t.Helper()
		expr, label := promExpr(q)
		text, err := expandPromQL(expr, vars)
		if err != nil {
			t.Fatalf("%s: %v", q.Where, err)
		}
		v, err := evalVector(eng, s.storage, text, s.at, label)
		if err != nil {
			t.Errorf("%s: %s: %v", q.Where, text, err)
		}
		return v, text
	}

	// A board opens with each variable at its default: every query of
	// every panel must show something then, alert tables included (the
	// rules fire on the samples). This is what fails on a board that
	// opens empty.
	t.Run("returns series with every variable at its default", func(t *testing.T) {
		for _, b := range generated(t) {
			vars := b.promDefaults(t)
			for _, q := range b.queries() {
				if q.Datasource.Type != typePrometheus || q.Variable != "" {
					continue
				}
				if v, text := eval(q, vars); len(v) == 0 {
					t.Errorf("%s (defaults %v): %s returns nothing on the samples", q.Where, vars, text)
				}
			}
		}
	})

	// With one city, each panel shows something: a column of a table may
	// be empty for a city whose bulletin does not state it (预计年产值 in
	// 太原), and no alert may fire for a city.
	t.Run("each sample city shows something on each panel", func(t *testing.T) {
		panels := map[string][]query{}
		var order []string
		for _, q := range queries {
			if q.Variable != "" {
				continue
			}
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
					v, text := eval(q, map[string][]string{"city": {city}, "instance": {good}})
					shown += len(v)
					alerts = alerts && onlyAlerts(p, text)
				}
				if shown == 0 && !alerts {
					t.Errorf("%s (city %s): shows nothing on the sample", key, city)
				}
			}
		}
	})

	// A period is printed at its own month on the overview as on the
	// trends board: 太原's 2023年1-6月 at 2023-06-01 00:00 Beijing time.
	t.Run("periods at their own month", func(t *testing.T) {
		beijing, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range generated(t) {
			if b.UID != boards.OverviewUID {
				continue
			}
			p, ok := b.panel("最新报告期")
			if !ok || len(p.Targets) != 1 {
				t.Fatalf("%s: no panel 最新报告期 with one query", b.Title)
			}
			v, text := eval(query{Where: p.Title, Text: p.Targets[0].Expr}, map[string][]string{"city": {"太原市"}})
			if len(v) != 1 {
				t.Fatalf("%s: %d results\n%s", p.Title, len(v), text)
			}
			if got := time.UnixMilli(int64(v[0].F)).In(beijing); !got.Equal(time.Date(2023, 6, 1, 0, 0, 0, 0, beijing)) {
				t.Errorf("%s of 太原市 (2023年1-6月) at %s, want 2023-06-01 00:00 +08:00\n%s", p.Title, got, text)
			}
		}
	})

	// Regression: the exporter board showed 57 years (time() − 0) for a
	// snapshot never loaded, and max by (task) showed the instance that
	// succeeded in place of one that never did.
	t.Run("exporter board shows each instance and a snapshot never loaded", func(t *testing.T) {
		var board boardJSON
		for _, b := range generated(t) {
			if b.UID == boards.ExporterUID {
				board = b
			}
		}
		vars := board.promDefaults(t)
		for _, title := range []string{"快照距今", "距上次成功"} {
			p, ok := board.panel(title)
			if !ok {
				t.Fatalf("%s: no panel %s", board.Title, title)
			}
			words := p.valueTexts()
			for _, tg := range p.Targets {
				v, text := eval(query{Where: title, Text: tg.Expr}, vars)
				per := map[string]int{}
				for _, smp := range v {
					inst := smp.Metric.Get("instance")
					per[inst]++
					switch inst {
					case good:
						if smp.F < 0 || smp.F > 3600 {
							t.Errorf("%s: %s on the loaded exporter is %g s, want an age under an hour", title, smp.Metric, smp.F)
						}
					case bad:
						if w := words[strconv.FormatFloat(smp.F, 'g', -1, 64)]; w == "" {
							t.Errorf("%s: %s on the exporter that never loaded is %g, which the panel shows as a number (mappings %v)",
								title, smp.Metric, smp.F, words)
						}
					}
				}
				if per[good] == 0 || per[good] != per[bad] {
					t.Errorf("%s: series per instance %v, want the same number for %s and %s\n%s", title, per, good, bad, text)
				}
			}
		}
	})
}

// hostOf is the host:port of a URL, the instance label Prometheus gives it.
func hostOf(t *testing.T, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}

// evalVector evaluates expr at ts and returns its result as a vector (a
// scalar as one sample); with label set, only the series that have it.
func evalVector(eng *promql.Engine, st storage.Queryable, expr string, ts time.Time, label string) (promql.Vector, error) {
	q, err := eng.NewInstantQuery(context.Background(), st, nil, expr, ts)
	if err != nil {
		return nil, err
	}
	defer q.Close()
	res := q.Exec(context.Background())
	if res.Err != nil {
		return nil, res.Err
	}
	switch v := res.Value.(type) {
	case promql.Vector:
		if label != "" {
			v = slices.DeleteFunc(v, func(smp promql.Sample) bool { return smp.Metric.Get(label) == "" })
		}
		return v, nil
	case promql.Scalar:
		return promql.Vector{{T: v.T, F: v.V}}, nil
	}
	return nil, fmt.Errorf("result of type %T", res.Value)
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
