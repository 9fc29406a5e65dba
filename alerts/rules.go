// Package alerts holds the Prometheus alerting rules of devzone_exporter as
// code, with every threshold and selector in Config, and renders them to
// the rule file operators load (devzone.rules.yml). The file is generated
// so that the Chinese alert text, whose period and indicator lookups are
// long Go templates, is written once and not pasted into every alert; a
// test proves the committed file is what DefaultConfig renders.
//
// The directory also holds the promtool unit tests (tests/), the
// Alertmanager example (alertmanager.yml) and its notification templates
// (templates/); see README.md.
package alerts

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"
)

// Config holds every threshold, duration and selector the rules use. To
// change one, edit DefaultConfig and regenerate the rule file:
//
//	go test ./alerts -run TestRuleFileIsCurrent -update
type Config struct {
	// ExporterJob is the name of the exporter's scrape job in
	// prometheus.yml; only DevZoneExporterAbsent selects on it.
	ExporterJob string
	// CriticalGrowth is the year-on-year growth below which a decline is
	// critical rather than a warning: -0.10 is a fall of more than 10%.
	// A growth exactly at the threshold is a warning.
	CriticalGrowth float64
	// OverdueDays is how many days after the end of its latest reported
	// period a zone counts as overdue. Bulletins are monthly and come out
	// two to four weeks after the month; a zone past two months has missed
	// one. The Grafana overview uses the same number.
	OverdueDays int
	// FigureFor is how long a figure must stand before its alert fires: a
	// few scrapes, so that a figure corrected right after ingestion never
	// reaches an official.
	FigureFor time.Duration
	// FigureKeepFiringFor keeps a figure alert firing through a gap in the
	// data (an exporter restart, a missed scrape, an outage operators are
	// told of), so that officials get no "resolved" followed by the same
	// alert again. A later positive figure resolves the alert this long
	// after it is scraped: an hour is nothing for monthly figures.
	FigureKeepFiringFor time.Duration
	// ExporterFor is how long the exporter must be absent, failing or
	// without its store before operators are told.
	ExporterFor time.Duration
	// JobFailingWindow is how long a job must have failed, with no
	// success, to count as failing; the default schedule runs every job
	// every minute.
	JobFailingWindow time.Duration
	// GrafanaURL is the root URL of the Grafana serving the boards; the
	// dashboard annotation links to GrafanaURL/d/<uid>.
	GrafanaURL string
	// RunbookURL is where alerts/runbook.md is read; every alert's
	// runbook_url is RunbookURL#<its name in lower case>, the anchor of
	// its section. Point it at your own copy (an intranet wiki, a Git
	// server) when officials cannot reach this one.
	RunbookURL string
	// ReplicaLabels tell apart the replicas of one exporter that
	// Prometheus scrapes each (docs/OPERATIONS.md, layout B): the alerts on
	// figures take the highest value over them, so that a figure alerts
	// once however many replicas serve it, under any job name. The
	// exporter alerts keep them: their subject is the replica.
	ReplicaLabels []string
}

// DefaultConfig is what devzone.rules.yml is generated from.
var DefaultConfig = Config{
	ExporterJob:         "devzone",
	CriticalGrowth:      -0.10,
	OverdueDays:         62,
	FigureFor:           5 * time.Minute,
	FigureKeepFiringFor: time.Hour,
	ExporterFor:         5 * time.Minute,
	JobFailingWindow:    15 * time.Minute,
	GrafanaURL:          "http://localhost:3000",
	RunbookURL:          "https://github.com/devzone/devzone_exporter/blob/main/alerts/runbook.md",
	ReplicaLabels:       []string{"instance"},
}

// Dashboard uids planned by the Grafana boards (grafana/boards): alert
// links depend on them, so they never change.
const (
	OverviewUID = "devzone-overview"
	ExporterUID = "devzone-exporter"
)

// RuleFile is the name of the generated rule file in this directory.
const RuleFile = "devzone.rules.yml"

// Group is a rule group of the rule file.
type Group struct {
	Name  string `yaml:"name"`
	Rules []Rule `yaml:"rules"`
}

// Rule is one alerting rule.
type Rule struct {
	Alert         string         `yaml:"alert"`
	Expr          string         `yaml:"expr"`
	For           model.Duration `yaml:"for,omitempty"`
	KeepFiringFor model.Duration `yaml:"keep_firing_for,omitempty"`
	Labels        orderedMap     `yaml:"labels,omitempty"`
	Annotations   orderedMap     `yaml:"annotations,omitempty"`
}

// Groups returns the rule groups for c.
func (c Config) Groups() []Group {
	critical := formatPercent(-c.CriticalGrowth)
	groups := []Group{
		{Name: "devzone-growth", Rules: []Rule{
			c.figureAlert(figureAlert{
				name: "DevZoneGrowthNegative", severity: "warning", measure: "yoy_growth",
				expr:        c.once("devzone_yoy_growth_ratio") + " < 0",
				summary:     "{{ $labels.zone }} {{ $name }}同比下降{{ $approx }}{{ $pct }}({{ $period }})",
				description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $amount }}同比下降{{ $approx }}{{ $pct }},为负增长。",
				value:       "{{ $approx }}{{ $value | humanizePercentage }}",
			}),
			c.figureAlert(figureAlert{
				name: "DevZoneGrowthSharplyNegative", severity: "critical", measure: "yoy_growth",
				expr:        c.once("devzone_yoy_growth_ratio") + " < " + formatFloat(c.CriticalGrowth),
				summary:     "{{ $labels.zone }} {{ $name }}同比下降{{ $approx }}{{ $pct }}({{ $period }})",
				description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $amount }}同比下降{{ $approx }}{{ $pct }},降幅超过" + critical + "。",
				value:       "{{ $approx }}{{ $value | humanizePercentage }}",
			}),
			c.figureAlert(figureAlert{
				name: "DevZoneGrowthBelowCity", severity: "warning", measure: "growth_vs_city",
				expr:        c.once("devzone_growth_vs_city_ratio") + " < 0",
				summary:     "{{ $labels.zone }} {{ $name }}增速低于全市{{ $approx }}{{ $points }}个百分点({{ $period }})",
				description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $growth }}增速低于全市{{ $approx }}{{ $points }}个百分点。",
				value:       "{{ $approx }}-{{ $points }}个百分点",
			}),
			c.figureAlert(figureAlert{
				name: "DevZoneCityShareFalling", severity: "warning", measure: "city_share_change",
				expr:        c.once("devzone_city_share_change_ratio") + " < 0",
				summary:     "{{ $labels.zone }} {{ $name }}占全市比重较上月下降{{ $approx }}{{ $points }}个百分点({{ $period }})",
				description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}占全市比重{{ $share }}较上月下降{{ $approx }}{{ $points }}个百分点。",
				value:       "{{ $approx }}-{{ $points }}个百分点",
			}),
		}},
		{Name: "devzone-reports", Rules: []Rule{c.reportOverdue(), c.bulletinInconsistent()}},
		{Name: "devzone-exporter", Rules: c.exporterAlerts()},
	}
	for _, g := range groups {
		for i := range g.Rules {
			r := &g.Rules[i]
			r.Annotations = append(r.Annotations, [2]string{"runbook_url", c.RunbookURL + "#" + strings.ToLower(r.Alert)})
		}
	}
	return groups
}

// once selects a figure family once per figure: the highest value over
// the replicas that serve it (ReplicaLabels), so that an alert on it fires
// once, not once per scraped replica. Replicas share one store and serve
// the same value but for the minute one refreshes before the other; the
// highest is the last to cross a "below" threshold and the first to
// recover, so a figure corrected upwards resolves at once.
func (c Config) once(family string) string {
	if len(c.ReplicaLabels) == 0 {
		return family
	}
	return "max without (" + strings.Join(c.ReplicaLabels, ", ") + ") (" + family + ")"
}

// figureAlert is an alert on one figure family: its series carry city,
// zone and indicator, and the alert adds the measure, so that a critical
// inhibits only the warnings of the same figure. Its texts use the
// variables of lookups.
type figureAlert struct {
	name, severity, measure string
	expr                    string
	summary, description    string
	// value is the signed figure, for notification tables.
	value string
}

func (c Config) figureAlert(a figureAlert) Rule {
	return Rule{
		Alert:         a.name,
		Expr:          a.expr,
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", a.severity}, {"measure", a.measure}},
		Annotations: orderedMap{
			{"summary", withLookups(a.measure, a.summary)},
			{"description", withLookups(a.measure, a.description)},
			{"indicator_name", withLookups(a.measure, "{{ $name }}")},
			{"period", withLookups(a.measure, "{{ $period }}")},
			{"value", withLookups(a.measure, a.value)},
			{"dashboard", c.overviewLink()},
		},
	}
}

func (c Config) reportOverdue() Rule {
	days := strconv.Itoa(c.OverdueDays)
	return Rule{
		Alert:         "DevZoneReportOverdue",
		Expr:          "(time() - " + c.once("devzone_period_end_timestamp_seconds") + ") / 86400 > " + days,
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", withLookups("", "{{ $labels.zone }} 超过"+days+"天未报送新数据(最新报告期{{ $period }})")},
			{"description", withLookups("", "{{ $labels.city }}{{ $labels.zone }}最新报告期为{{ $period }},期末至今已{{ $days }}天,"+
				"超过"+days+"天没有新一期数据。请督促报送,或检查公报是否已放入收件目录。")},
			{"period", withLookups("", "{{ $period }}")},
			{"value", withLookups("", "{{ $days }}天")},
			{"dashboard", c.overviewLink()},
		},
	}
}

// bulletinInconsistent flags a city whose latest bulletins contradict
// themselves (batches that do not add up to their total, two statements
// implying different city totals): the figures need a second look before
// anyone acts on them.
func (c Config) bulletinInconsistent() Rule {
	return Rule{
		Alert: "DevZoneBulletinInconsistent",
		// A zone name the registry does not know is no contradiction: it
		// is the operator's to register (devzone_exporter zones suggest).
		Expr:   c.once(`devzone_report_findings{kind!="unknown_zone_name"}`) + " > 0",
		For:    model.Duration(c.FigureFor),
		Labels: orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", "{{ $labels.city }} 最新一期公报有{{ $value }}处数字前后不一致,请复核"},
			{"description", "{{ $labels.city }}最新一期公报中有{{ $value }}处数字相互矛盾(类型 {{ $labels.kind }}),例如各批次之和与所报总数不符。" +
				"请向报送单位核实;具体句子和数字见 devzone_exporter 的 /api/v1/findings。"},
			{"dashboard", c.overviewLink()},
		},
	}
}

func (c Config) exporterAlerts() []Rule {
	window := model.Duration(c.JobFailingWindow).String()
	link := c.GrafanaURL + "/d/" + ExporterUID
	return []Rule{
		{
			Alert:  "DevZoneExporterAbsent",
			Expr:   fmt.Sprintf("absent(up{job=%q} == 1)", c.ExporterJob),
			For:    model.Duration(c.ExporterFor),
			Labels: orderedMap{{"severity", "critical"}, {"job", c.ExporterJob}},
			Annotations: orderedMap{
				{"summary", "devzone_exporter 无法采集"},
				{"description", "Prometheus 已" + durationZh(c.ExporterFor) + "没有从 job=\"" + c.ExporterJob +
					"\" 采集到 devzone_exporter 的指标:开发区指标告警不会触发,看板也不再更新。"},
				{"dashboard", link},
			},
		},
		{
			Alert: "DevZoneJobFailing",
			Expr: "increase(devzone_job_failures_total[" + window + "]) > 0\n" +
				"and on (instance, job, task)\n" +
				"time() - devzone_job_last_success_timestamp_seconds > " + strconv.Itoa(int(c.JobFailingWindow.Seconds())),
			For:    model.Duration(c.ExporterFor),
			Labels: orderedMap{{"severity", "warning"}},
			Annotations: orderedMap{
				{"summary", "devzone_exporter {{ $labels.task }} 任务持续失败"},
				{"description", "{{ $labels.instance }} 的 {{ $labels.task }} 任务近" + durationZh(c.JobFailingWindow) +
					"有失败、没有一次成功:新公报不会入库,或指标不会刷新。请查看 devzone_exporter 的日志。"},
				{"dashboard", link},
			},
		},
		{
			Alert:  "DevZoneStoreUnreachable",
			Expr:   "devzone_store_reachable == 0",
			For:    model.Duration(c.ExporterFor),
			Labels: orderedMap{{"severity", "warning"}},
			Annotations: orderedMap{
				{"summary", "devzone_exporter 无法连接存储"},
				{"description", "{{ $labels.instance }} 已" + durationZh(c.ExporterFor) +
					"无法连接存储:新公报不会入库,指标停留在最后一次成功刷新时的数据。"},
				{"dashboard", link},
			},
		},
	}
}

func (c Config) overviewLink() string {
	return c.GrafanaURL + "/d/" + OverviewUID + "?var-city={{ $labels.city | urlquery }}"
}

// lookup sets one template variable an alert's text may use. Prometheus
// renders annotations at each evaluation with $labels and $value; a lookup
// either formats $value or queries another series of the same zone.
type lookup struct {
	name string // the variable, with its $
	def  func(measure string) string
}

// lookups are the variables of alert texts, in the order they are set.
var lookups = []lookup{
	// $name: the indicator's Chinese name from devzone_indicator_info, or
	// its key should the exporter not name it.
	{"$name", func(string) string {
		return `{{ $name := $labels.indicator }}{{ with printf "devzone_indicator_info{indicator=%q}" $labels.indicator | query }}{{ $name = . | first | label "name" }}{{ end }}`
	}},
	// $period: the zone's latest period as officials write it, 2023年1-6月
	// (year to date) or 2023年1月. The figure series carry no period;
	// devzone_period_end_timestamp_seconds holds the period's end, midnight
	// China time (+08:00) at the start of the next month. 8h less one
	// second later, in UTC, is the last second of the period's last month.
	//
	// A figure older than its zone's latest period (one a later bulletin
	// did not restate) has its own period in
	// devzone_figure_period_end_timestamp_seconds, which wins.
	{"$period", func(measure string) string {
		q := `printf "devzone_period_end_timestamp_seconds{city=%q,zone=%q} + 28799" $labels.city $labels.zone`
		if measure != "" {
			q = `printf "devzone_figure_period_end_timestamp_seconds{city=%q,zone=%q,indicator=%q,measure=%q} + 28799 or on (city, zone) devzone_period_end_timestamp_seconds{city=%q,zone=%q} + 28799" ` +
				`$labels.city $labels.zone $labels.indicator "` + measure + `" $labels.city $labels.zone`
		}
		return `{{ $period := "报告期未知" }}{{ with ` + q + ` | query }}` +
			`{{ with . | first | value | toTime }}{{ $period = printf "%d年1-%d月" .Year .Month }}{{ if eq .Month 1 }}{{ $period = printf "%d年1月" .Year }}{{ end }}{{ end }}{{ end }}`
	}},
	// $approx: 约 when the bulletin stated the figure approximately (约,
	// 近, 超, 余, 左右), from devzone_figure_approximate.
	{"$approx", func(measure string) string {
		return `{{ $approx := "" }}{{ with printf "devzone_figure_approximate{city=%q,zone=%q,indicator=%q,measure=%q} == 1" $labels.city $labels.zone $labels.indicator "` +
			measure + `" | query }}{{ $approx = "约" }}{{ end }}`
	}},
	// $amount: "完成21.05亿元," from devzone_amount_yuan, 完成约54亿元 if
	// the bulletin stated it approximately, or nothing.
	{"$amount", func(string) string {
		return `{{ $amount := "" }}{{ with printf "devzone_amount_yuan{city=%q,zone=%q,indicator=%q} / 1e8" $labels.city $labels.zone $labels.indicator | query }}` +
			`{{ $amount = . | first | value | printf "%.2f" | reReplaceAll "\\.?0+$" "" }}` +
			`{{ with printf "devzone_figure_approximate{city=%q,zone=%q,indicator=%q,measure=%q} == 1" $labels.city $labels.zone $labels.indicator "value" | query }}{{ $amount = printf "约%s" $amount }}{{ end }}` +
			`{{ $amount = printf "完成%s亿元," $amount }}{{ end }}`
	}},
	// $growth: the zone's own growth, "同比增速-5%,", or nothing.
	{"$growth", func(string) string {
		return `{{ $growth := "" }}{{ with printf "devzone_yoy_growth_ratio{city=%q,zone=%q,indicator=%q}" $labels.city $labels.zone $labels.indicator | query }}` +
			`{{ $growth = . | first | value | humanizePercentage | printf "同比增速%s," }}{{ end }}`
	}},
	// $share: the zone's current city share, "17.21%,", or nothing.
	{"$share", func(string) string {
		return `{{ $share := "" }}{{ with printf "devzone_city_share_ratio{city=%q,zone=%q,indicator=%q}" $labels.city $labels.zone $labels.indicator | query }}` +
			`{{ $share = . | first | value | humanizePercentage | printf "%s," }}{{ end }}`
	}},
	// $pct: $value as a percent without its sign, after 下降: 14.85%.
	{"$pct", func(string) string { return `{{ $pct := $value | humanizePercentage | reReplaceAll "^-" "" }}` }},
	// $points: $value in percentage points without its sign: 1.19.
	{"$points", func(string) string { return `{{ $points := $value | humanizePercentage | reReplaceAll "^-|%$" "" }}` }},
	// $days: $value, a number of days, rounded.
	{"$days", func(string) string { return `{{ $days := $value | printf "%.0f" }}` }},
}

// withLookups prefixes text with the lookups it uses, one a line, their
// line breaks trimmed, so that the sentence itself reads plainly in the
// rule file.
func withLookups(measure, text string) string {
	var b strings.Builder
	for _, l := range lookups {
		if !usesVar(text, l.name) {
			continue
		}
		def := strings.TrimSuffix(strings.TrimPrefix(l.def(measure), "{{ "), " }}")
		b.WriteString("{{- " + def + " -}}\n")
	}
	b.WriteString(text)
	return b.String()
}

// usesVar reports whether text uses the template variable v (and not
// merely one whose name starts with v).
func usesVar(text, v string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], v)
		if j < 0 {
			return false
		}
		end := i + j + len(v)
		if end == len(text) || !isIdent(text[end]) {
			return true
		}
		i = end
	}
}

func isIdent(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// formatFloat renders a threshold for PromQL.
func formatFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// formatPercent renders a ratio as a percent for text: 0.1 is "10%".
func formatPercent(v float64) string {
	return strconv.FormatFloat(v*100, 'f', -1, 64) + "%"
}

// durationZh renders a duration in Chinese for text: 15分钟, 1小时.
func durationZh(d time.Duration) string {
	switch {
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "小时"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "分钟"
	}
	return strconv.Itoa(int(d/time.Second)) + "秒"
}

// Header heads the generated rule file.
const Header = `# Alerting rules of devzone_exporter. Generated from alerts/rules.go
# (DefaultConfig holds every threshold): do not edit by hand. To change a
# threshold, edit DefaultConfig and run
#   go test ./alerts -run TestRuleFileIsCurrent -update
# Alerts and their meaning: alerts/README.md.
`

// Render renders the rule file for c.
func (c Config) Render() ([]byte, error) {
	var b strings.Builder
	b.WriteString(Header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(struct {
		Groups []Group `yaml:"groups"`
	}{c.Groups()}); err != nil {
		return nil, fmt.Errorf("render rules: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("render rules: %w", err)
	}
	return []byte(b.String()), nil
}

// orderedMap is a YAML mapping of strings that keeps its order: labels
// and annotations read severity first and summary before description.
type orderedMap [][2]string

// MarshalYAML implements yaml.Marshaler.
func (m orderedMap) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, kv := range m {
		n.Content = append(n.Content,
			&yaml.Node{Kind: yaml.ScalarNode, Value: kv[0]},
			&yaml.Node{Kind: yaml.ScalarNode, Value: kv[1]})
	}
	return n, nil
}
