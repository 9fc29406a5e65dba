package alerts

import (
	"context"
	"errors"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

func TestMain(m *testing.M) { os.Exit(testexporter.Main(m)) }

// sampleBulletins are the bulletins the exporter runs on: the shared sample
// corpus when it is beside the checkout, and always our own copy of its
// 太原/晋中 figures.
var sampleBulletins = []string{
	"../../shared/corpus/shanxi-devzones-2023h1.txt",
	"../examples/inbox/taiyuan-jinzhong-2023h1.txt",
}

// sampleBulletin returns the first of sampleBulletins that exists.
func sampleBulletin(t *testing.T) string {
	t.Helper()
	for _, p := range sampleBulletins {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Fatalf("none of the sample bulletins is there: %v", sampleBulletins)
	return ""
}

// sampleInbox returns a new inbox holding the sample bulletin.
func sampleInbox(t *testing.T) string {
	t.Helper()
	src := sampleBulletin(t)
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("exporter inbox: %s", src)
	return dir
}

// needBinary returns the path of a Debian-packaged tool, or skips the test
// saying which package provides it. CI (.ci/run) installs them all.
func needBinary(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (apt-get install %s): %v", name, pkg, err)
	}
	return p
}

// run runs a command and returns its combined output.
func run(t *testing.T, name string, args ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// loadRules loads the rule file the way Prometheus 3 does.
func loadRules(t *testing.T) *rulefmt.RuleGroups {
	t.Helper()
	groups, errs := rulefmt.ParseFile(RuleFile, false, model.UTF8Validation, parser.NewParser(parser.Options{}), nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", RuleFile, errors.Join(errs...))
	}
	return groups
}

// alertNames returns the alerts of the rule file in order.
func alertNames(t *testing.T) []string {
	t.Helper()
	var names []string
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				names = append(names, r.Alert)
			}
		}
	}
	return names
}

func TestRuleFileLoadsAndEveryAlertIsLabelledAndExplained(t *testing.T) {
	groups := loadRules(t)
	if len(groups.Groups) != 2 || groups.Groups[0].Name != GroupOfficials || groups.Groups[1].Name != GroupExporter {
		t.Errorf("groups %v, want %s, %s", groups.Groups, GroupOfficials, GroupExporter)
	}
	alertName := regexp.MustCompile(`^DevZone[A-Z][A-Za-z]+$`)
	recordName := regexp.MustCompile(`^[a-z]+:devzone_[a-z_]+:[a-z]+$`)
	for _, g := range groups.Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				if !recordName.MatchString(r.Record) || g.Name != GroupOfficials {
					t.Errorf("%s: not a recording rule named level:devzone_metric:operation in %s", r.Record, GroupOfficials)
				}
				continue
			}
			if !alertName.MatchString(r.Alert) {
				t.Errorf("%s: not an alert named DevZone<Symptom>", r.Alert)
			}
			if sev := r.Labels["severity"]; sev != "warning" && sev != "critical" {
				t.Errorf("%s: severity %q, want warning or critical", r.Alert, sev)
			}
			for _, a := range []string{"summary", "description", "dashboard", "runbook_url"} {
				if r.Annotations[a] == "" {
					t.Errorf("%s: no %s annotation", r.Alert, a)
				}
			}
			if r.Labels["measure"] != "" {
				for _, a := range []string{"indicator_name", "period", "value"} {
					if r.Annotations[a] == "" {
						t.Errorf("%s: no %s annotation, which the notification table shows", r.Alert, a)
					}
				}
			}
		}
	}
}

// TestEveryAlertHasARunbookSection: each alert's runbook_url is the
// runbook's address and the anchor of a section of alerts/runbook.md
// named after the alert, and that section says, in Chinese, what the
// alert means, whom to call, and how to check the source (the bulletin,
// or for the exporter's own alerts the exporter).
func TestEveryAlertHasARunbookSection(t *testing.T) {
	b, err := os.ReadFile("runbook.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{} // GitHub's anchor of a "## " heading → its text
	for _, s := range strings.Split(string(b), "\n## ")[1:] {
		heading, body, _ := strings.Cut(s, "\n")
		sections[strings.ToLower(strings.TrimSpace(heading))] = body
	}
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue
			}
			u := r.Annotations["runbook_url"]
			base, anchor, ok := strings.Cut(u, "#")
			if !ok || base != DefaultConfig.RunbookURL || anchor != strings.ToLower(r.Alert) {
				t.Errorf("%s: runbook_url %q, want %s#%s", r.Alert, u, DefaultConfig.RunbookURL, strings.ToLower(r.Alert))
				continue
			}
			body, ok := sections[anchor]
			if !ok {
				t.Errorf("%s: runbook.md has no section ## %s", r.Alert, r.Alert)
				continue
			}
			for _, want := range []string{"**含义**", "**联系谁**"} {
				if !strings.Contains(body, want) {
					t.Errorf("runbook.md ## %s does not say %s", r.Alert, want)
				}
			}
			if !strings.Contains(body, "**如何核对原始公报**") && !strings.Contains(body, "**如何排查**") {
				t.Errorf("runbook.md ## %s says neither how to check the bulletin nor how to investigate", r.Alert)
			}
		}
	}
}

func TestPromtoolChecksTheRuleFile(t *testing.T) {
	promtool := needBinary(t, "promtool", "prometheus")
	out, err := run(t, promtool, "check", "rules", RuleFile)
	if err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
	rules := 0
	for _, g := range loadRules(t).Groups {
		rules += len(g.Rules)
	}
	want := "SUCCESS: " + strconv.Itoa(rules) + " rules found"
	if !strings.Contains(out, want) {
		t.Errorf("promtool check rules: want %q in:\n%s", want, out)
	}
}

func TestPromtoolUnitTestsPass(t *testing.T) {
	promtool := needBinary(t, "promtool", "prometheus")
	files, err := filepath.Glob("tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no unit tests in tests/ (%v)", err)
	}
	out, err := run(t, promtool, append([]string{"test", "rules"}, files...)...)
	if err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, out)
	}
	if n := strings.Count(out, "SUCCESS"); n != len(files) {
		t.Errorf("promtool test rules: %d SUCCESS for %d files:\n%s", n, len(files), out)
	}
}

// unitTestFile is the part of a promtool test file the coverage check reads.
type unitTestFile struct {
	Tests []struct {
		Name          string `yaml:"name"`
		AlertRuleTest []struct {
			Alertname string           `yaml:"alertname"`
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// Every alert has a unit test where it fires and one where it stays
// silent, and every test group is named by a sentence.
func TestEveryAlertHasUnitTestsThatFireAndStaySilent(t *testing.T) {
	files, err := filepath.Glob("tests/*.yml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no unit tests in tests/ (%v)", err)
	}
	fires, silent := map[string]bool{}, map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var u unitTestFile
		if err := yaml.Unmarshal(b, &u); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, g := range u.Tests {
			if len(strings.Fields(g.Name)) < 5 {
				t.Errorf("%s: test %q is not named by a sentence", f, g.Name)
			}
			for _, a := range g.AlertRuleTest {
				if len(a.ExpAlerts) > 0 {
					fires[a.Alertname] = true
				} else {
					silent[a.Alertname] = true
				}
			}
		}
	}
	for _, name := range alertNames(t) {
		if !fires[name] {
			t.Errorf("%s: no unit test where it fires", name)
		}
		if !silent[name] {
			t.Errorf("%s: no unit test where it stays silent", name)
		}
	}
}

// unreadableBulletin is a bulletin of 晋中市 that names no period: the
// ingest job keeps it as failed.
const unreadableBulletin = "晋中市开发区\n\n晋中国家农高区工业投资完成21.05亿元。\n"

// prometheusOwn are series Prometheus makes itself, which rules may name,
// with the labels they carry beside the target's.
var prometheusOwn = map[string][]string{"up": nil, "ALERTS": {"alertname", "alertstate", "severity", "task"}}

// targetLabels are the labels Prometheus attaches to every scraped series.
var targetLabels = []string{"instance", "job"}

// queryFormat finds the PromQL that alert texts build with printf for the
// query function.
var queryFormat = regexp.MustCompile(`printf ("(?:[^"\\]|\\.)*")`)

// ruleQueries returns every PromQL expression of the rule file: each
// rule's expr and each query its annotations run, with placeholder label
// values.
func ruleQueries(t *testing.T) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if r.Alert == "" {
				continue // a recording rule: see recordLabels
			}
			out[r.Alert] = append(out[r.Alert], r.Expr)
			for _, text := range r.Annotations {
				for _, m := range queryFormat.FindAllStringSubmatch(text, -1) {
					format, err := strconv.Unquote(m[1])
					if err != nil {
						t.Fatalf("%s: %s: %v", r.Alert, m[1], err)
					}
					if !strings.Contains(format, "{") {
						continue // not a query: a number or a label
					}
					if q := strings.ReplaceAll(format, "%q", `"x"`); !slices.Contains(out[r.Alert], q) {
						out[r.Alert] = append(out[r.Alert], q)
					}
				}
			}
		}
	}
	return out
}

// The rules, and the queries their texts run, name only metric families
// the exporter exposes (or Prometheus's own up) and only labels those
// families carry, checked against the real exporter running on the sample
// bulletin.
func TestRulesNameOnlyWhatTheExporterExposes(t *testing.T) {
	// The sample, and July's bulletin that restates only investment: its
	// other figures stay June's and get a figure period of their own.
	inbox := sampleInbox(t)
	july, err := os.ReadFile(filepath.Join("testdata", "taiyuan-2023-07.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "taiyuan-2023-07.txt"), july, 0o644); err != nil {
		t.Fatal(err)
	}
	// And an undated bulletin of 晋中市, which cannot be read.
	writeFile(t, filepath.Join(inbox, "晋中市2023年1-7月.txt"), []byte(unreadableBulletin))
	e := testexporter.Start(t, testexporter.Options{InboxDir: inbox})
	e.WaitForMetrics(t, "the sample's figures", func(m string) bool {
		return strings.Contains(m, "devzone_yoy_growth_ratio{") && strings.Contains(m, "devzone_figure_approximate{") &&
			strings.Contains(m, "devzone_figure_period_end_timestamp_seconds{") && strings.Contains(m, `devzone_reports_failed{city="晋中市"} 1`)
	})
	families := map[string][]string{} // name → label names
	for name, mf := range e.Families(t) {
		var labels []string
		for _, m := range mf.GetMetric() {
			for _, lp := range m.GetLabel() {
				if !slices.Contains(labels, lp.GetName()) {
					labels = append(labels, lp.GetName())
				}
			}
		}
		families[name] = labels
	}

	p := parser.NewParser(parser.Options{})
	// A recording rule carries the labels of the families it selects (and
	// of other records); each must select only what the exporter exposes.
	// Records may read records defined after them (a prior reads the held
	// record of the last evaluation): name them all first.
	for _, g := range loadRules(t).Groups {
		for _, r := range g.Rules {
			if r.Record != "" {
				families[r.Record] = nil
			}
		}
	}
	for range 2 {
		for _, g := range loadRules(t).Groups {
			for _, r := range g.Rules {
				if r.Record != "" {
					recordLabels(t, p, r.Record, r.Expr, families)
				}
			}
		}
	}
	for alert, queries := range ruleQueries(t) {
		for _, q := range queries {
			expr, err := p.ParseExpr(q)
			if err != nil {
				t.Errorf("%s: %q: %v", alert, q, err)
				continue
			}
			var usable []string // labels of the families q selects
			parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
				vs, ok := n.(*parser.VectorSelector)
				if !ok {
					return nil
				}
				labels, exposed := families[vs.Name]
				switch {
				case slices.Contains(slices.Collect(maps.Keys(prometheusOwn)), vs.Name):
					labels = prometheusOwn[vs.Name]
				case !exposed:
					t.Errorf("%s: %q names %s, which the exporter does not expose", alert, q, vs.Name)
				}
				labels = scrapedLabels(labels)
				usable = append(usable, labels...)
				for _, m := range vs.LabelMatchers {
					if m.Name != model.MetricNameLabel && !slices.Contains(labels, m.Name) {
						t.Errorf("%s: %q matches on %s, which %s does not carry", alert, q, m.Name, vs.Name)
					}
				}
				return nil
			})
			parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
				if b, ok := n.(*parser.BinaryExpr); ok && b.VectorMatching != nil {
					for _, l := range b.VectorMatching.MatchingLabels {
						if !slices.Contains(usable, l) {
							t.Errorf("%s: %q matches on (%s), which none of its series carry", alert, q, l)
						}
					}
				}
				return nil
			})
		}
	}

	// Alerts on figures carry city, zone and indicator (the overdue alert,
	// about a zone, city and zone) because the series they select do.
	for metric, want := range map[string][]string{
		"devzone_yoy_growth_ratio":             {"city", "zone", "indicator"},
		"devzone_growth_vs_city_ratio":         {"city", "zone", "indicator"},
		"devzone_city_share_change_ratio":      {"city", "zone", "indicator"},
		"devzone_city_share_ratio":             {"city", "zone", "indicator"},
		"devzone_batch_rate_ratio":             {"batch", "city", "scope", "zone"},
		"devzone_period_end_timestamp_seconds": {"city", "zone"},
		"devzone_reports_failed":               {"city"},
	} {
		for _, l := range want {
			if !slices.Contains(families[metric], l) {
				t.Errorf("%s has no %s label: its alerts would not carry it", metric, l)
			}
		}
	}
}

// scrapedLabels returns the label names a family's series have once
// Prometheus has scraped them: its own, the target labels, and a job label
// of its own renamed exported_job (honor_labels: false) should an exposed
// family carry one; the exporter names its jobs in task instead.
func scrapedLabels(exposed []string) []string {
	out := slices.Clone(targetLabels)
	for _, l := range exposed {
		if slices.Contains(targetLabels, l) {
			l = "exported_" + l
		}
		out = append(out, l)
	}
	return out
}

// recordLabels sets the labels of the record rec to those of the series
// its expression selects.
func recordLabels(t *testing.T, p parser.Parser, rec, q string, families map[string][]string) {
	t.Helper()
	expr, err := p.ParseExpr(q)
	if err != nil {
		t.Errorf("%s: %v", rec, err)
		return
	}
	labels := families[rec]
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		vs, ok := n.(*parser.VectorSelector)
		if !ok || vs.Name == rec {
			return nil
		}
		got, exposed := families[vs.Name]
		switch {
		case slices.Contains(slices.Collect(maps.Keys(prometheusOwn)), vs.Name):
			got = prometheusOwn[vs.Name]
		case !exposed:
			t.Errorf("%s: names %s, which the exporter does not expose", rec, vs.Name)
		}
		for _, l := range got {
			if !slices.Contains(labels, l) {
				labels = append(labels, l)
			}
		}
		return nil
	})
	families[rec] = labels
}
