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
	// prometheus.yml: the rules tell an exporter that serves data (up, with
	// a loaded snapshot) by it, and hold the figures while none does.
	ExporterJob string
	// CriticalGrowth is the year-on-year growth below which a decline is
	// critical rather than a warning: -0.10 is a fall of more than 10%.
	// A growth exactly at the threshold is a warning.
	CriticalGrowth float64
	// OverdueDays is how many days after the end of its latest reported
	// period a city counts as overdue. Bulletins are monthly and come out
	// two to four weeks after the month; a city past two months has missed
	// one. The Grafana overview uses the same number.
	OverdueDays int
	// LateDays is how many days after the end of the latest period any
	// city of the province reported a city still without that period is
	// late (DevZoneReportLate): 太原市 has 2023年1-7月, 晋中市 only 1-6月.
	LateDays int
	// FigureFor is how long a figure must stand before its alert fires: a
	// few scrapes, so that a figure corrected right after ingestion never
	// reaches an official.
	FigureFor time.Duration
	// FigureKeepFiringFor keeps a figure alert firing this long after its
	// figure changed. It equals FigureFor, so that a new bulletin's
	// resolutions and its new alerts reach Alertmanager at the same
	// evaluation and one notification carries both; it also bridges a
	// gap of a few scrapes. It is not what carries alerts through an
	// exporter outage: the held recording rules do (see holdFor).
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
	// Prometheus scrapes each (docs/OPERATIONS.md, layout B): the held
	// figures take the highest value over them, so that a figure alerts
	// once however many replicas serve it. The exporter alerts keep them:
	// their subject is the replica.
	ReplicaLabels []string
}

// DefaultConfig is what devzone.rules.yml is generated from.
var DefaultConfig = Config{
	ExporterJob:         "devzone",
	CriticalGrowth:      -0.10,
	OverdueDays:         62,
	LateDays:            31,
	FigureFor:           5 * time.Minute,
	FigureKeepFiringFor: 5 * time.Minute,
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

// Rule is one recording or alerting rule.
type Rule struct {
	Record        string         `yaml:"record,omitempty"`
	Alert         string         `yaml:"alert,omitempty"`
	Expr          string         `yaml:"expr"`
	For           model.Duration `yaml:"for,omitempty"`
	KeepFiringFor model.Duration `yaml:"keep_firing_for,omitempty"`
	Labels        orderedMap     `yaml:"labels,omitempty"`
	Annotations   orderedMap     `yaml:"annotations,omitempty"`
}

// Group names. Officials' alerts and the recording rules they read are in
// one group: Prometheus evaluates a group's rules in order at one time, so
// an alert reads the held figures of its own evaluation.
const (
	GroupOfficials = "devzone"
	GroupExporter  = "devzone-exporter"
)

// Recording rules. ServingRecord counts, per job, the exporters Prometheus
// scraped at the last scrape that serve a loaded snapshot; while it has no
// sample no exporter serves data (an outage, every scrape failing, a
// restart before its first load).
const (
	ServingRecord  = "job:devzone_exporters_serving:count"
	CityPeriodEnd  = "city:devzone_period_end_timestamp_seconds:max"
	heldSuffix     = ":held"
	priorSuffix    = ":prior"
	recordPrefix   = "devzone_"
	figureLevel    = "figure"
	zoneLevel      = "zone"
	cityLevel      = "city"
	batchLevel     = "batch"
	reportLevel    = "report"
	indicatorLevel = "indicator"
)

// heldFamilies are the exporter families officials' alerts and their texts
// read, each through its held record (holdFor), by the level its series
// are about.
var heldFamilies = []struct{ level, family string }{
	{figureLevel, "yoy_growth_ratio"},
	{figureLevel, "growth_vs_city_ratio"},
	{figureLevel, "city_share_change_ratio"},
	{figureLevel, "city_share_ratio"},
	{figureLevel, "amount_yuan"},
	{figureLevel, "figure_approximate"},
	{figureLevel, "figure_period_end_timestamp_seconds"},
	{zoneLevel, "period_end_timestamp_seconds"},
	{indicatorLevel, "indicator_info"},
	{cityLevel, "report_findings"},
	{cityLevel, "reports_failed"},
	{reportLevel, "report_failed_info"},
	{batchLevel, "batch_rate_ratio"},
}

// Held returns the name of the held record of an exporter family (its
// name without devzone_).
func Held(level, family string) string { return level + ":" + recordPrefix + family + heldSuffix }

func prior(level, family string) string { return level + ":" + recordPrefix + family + priorSuffix }

// Groups returns the rule groups for c.
func (c Config) Groups() []Group {
	critical := formatPercent(-c.CriticalGrowth)
	growth := Held(figureLevel, "yoy_growth_ratio")
	officials := []Rule{{Record: ServingRecord, Expr: c.serving()}}
	for _, h := range heldFamilies {
		officials = append(officials, c.holdFor(h.level, h.family))
	}
	// The priors compare the held figures of this evaluation with those of
	// the last: they come after the held records are written.
	officials = append(officials,
		priorRule(figureLevel, "city_share_ratio"),
		priorRule(batchLevel, "batch_rate_ratio"))
	officials = append(officials, Rule{
		Record: CityPeriodEnd,
		Expr:   "max by (job, city) (" + Held(zoneLevel, "period_end_timestamp_seconds") + ")",
	})
	officials = append(officials,
		c.figureAlert(figureAlert{
			name: "DevZoneGrowthNegative", severity: "warning", measure: "yoy_growth",
			expr:        growth + " < 0",
			summary:     "{{ $labels.zone }} {{ $name }}同比下降{{ $approx }}{{ $pct }}({{ $period }})",
			description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $amount }}同比下降{{ $approx }}{{ $pct }},为负增长。",
			value:       "{{ $approx }}{{ $value | humanizePercentage }}",
		}),
		c.figureAlert(figureAlert{
			name: "DevZoneGrowthSharplyNegative", severity: "critical", measure: "yoy_growth",
			expr:        growth + " < " + formatFloat(c.CriticalGrowth),
			summary:     "{{ $labels.zone }} {{ $name }}同比下降{{ $approx }}{{ $pct }}({{ $period }})",
			description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $amount }}同比下降{{ $approx }}{{ $pct }},降幅超过" + critical + "。",
			value:       "{{ $approx }}{{ $value | humanizePercentage }}",
		}),
		c.figureAlert(figureAlert{
			name: "DevZoneGrowthBelowCity", severity: "warning", measure: "growth_vs_city",
			expr:        Held(figureLevel, "growth_vs_city_ratio") + " < 0",
			summary:     "{{ $labels.zone }} {{ $name }}增速低于全市{{ $approx }}{{ $points }}个百分点({{ $period }})",
			description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}{{ $growth }}增速低于全市{{ $approx }}{{ $points }}个百分点。",
			value:       "{{ $approx }}-{{ $points }}个百分点",
		}),
		c.figureAlert(figureAlert{
			name: "DevZoneCityShareFalling", severity: "warning", measure: "city_share_change",
			expr:        Held(figureLevel, "city_share_change_ratio") + " < 0",
			summary:     "{{ $labels.zone }} {{ $name }}占全市比重较上月下降{{ $approx }}{{ $points }}个百分点({{ $period }})",
			description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}占全市比重{{ $share }}较上月下降{{ $approx }}{{ $points }}个百分点。",
			value:       "{{ $approx }}-{{ $points }}个百分点",
		}),
		c.shareFallingDerived(),
		c.batchRateFalling(),
		c.bulletinInconsistent(),
		c.bulletinUnreadable(),
		c.reportLate(),
		c.reportOverdue(),
	)
	groups := []Group{
		{Name: GroupOfficials, Rules: officials},
		{Name: GroupExporter, Rules: c.exporterAlerts()},
	}
	for _, g := range groups {
		for i := range g.Rules {
			r := &g.Rules[i]
			if r.Alert != "" {
				r.Annotations = append(r.Annotations, [2]string{"runbook_url", c.RunbookURL + "#" + strings.ToLower(r.Alert)})
			}
		}
	}
	return groups
}

// serving is the expression of ServingRecord: the exporters of the job
// that Prometheus scraped (up) and that serve a snapshot loaded from the
// store (a restarted exporter serves none until its first refresh).
func (c Config) serving() string {
	return fmt.Sprintf("count by (job) (up{job=%q} == 1 and on (instance, job) devzone_snapshot_timestamp_seconds > 0)", c.ExporterJob)
}

// once selects a family once per figure: the highest value over the
// replicas that serve it (ReplicaLabels). Replicas share one store and
// serve the same value but for the minute one refreshes before the other;
// the highest is the last to cross a "below" threshold and the first to
// recover, so a figure corrected upwards resolves at once.
func (c Config) once(family string) string {
	if len(c.ReplicaLabels) == 0 {
		return family
	}
	return "max without (" + strings.Join(c.ReplicaLabels, ", ") + ") (" + family + ")"
}

// holdFor records a family as officials' alerts read it: the exporters'
// current series while any exporter serves data, and the last ones they
// served while none does. A figure alert thus neither resolves nor fires
// anew during an outage (officials are told nothing, operators are told
// the data is unavailable), and a new bulletin replaces its figures at
// the very next evaluation: no keep_firing_for is needed to bridge an
// outage, so none keeps a stale figure. The record reads its own last
// sample, which Prometheus finds within its lookback (5 minutes): the
// evaluation interval must be shorter.
func (c Config) holdFor(level, family string) Rule {
	rec := Held(level, family)
	return Rule{
		Record: rec,
		Expr:   c.once(recordPrefix+family) + "\nor\n(" + rec + " unless on () " + ServingRecord + ")",
	}
}

// priorRule records the value a figure had before it last changed, for
// alerts on falls the bulletin does not state (a share, a 三个一批 rate).
// It runs after the held record is written at this evaluation's time, so
// "held offset 1ms" is the held value of the last evaluation, whatever the
// evaluation interval: when the two differ, the older is the prior;
// otherwise the prior stays as long as the figure is held (through an
// outage too, as the held record is). Both sides read the held record, never
// the exporters' series: a scrape that lands in the middle of an
// evaluation cannot make the prior miss the change (it did when the prior
// compared the last held value with the series and the held record then
// read the series again).
func priorRule(level, family string) Rule {
	rec, held := prior(level, family), Held(level, family)
	return Rule{
		Record: rec,
		Expr:   "(" + held + " offset 1ms != " + held + ")\nor\n(" + rec + " and " + held + ")",
	}
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
	// labels are added after severity and measure.
	labels orderedMap
}

func (c Config) figureAlert(a figureAlert) Rule {
	return Rule{
		Alert:         a.name,
		Expr:          a.expr,
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        append(orderedMap{{"severity", a.severity}, {"measure", a.measure}}, a.labels...),
		Annotations: orderedMap{
			{"summary", withLookups(a.measure, a.summary)},
			{"description", withLookups(a.measure, a.description)},
			{"indicator_name", withLookups(a.measure, "{{ $name }}")},
			{"period", withLookups(a.measure, "{{ $period }}")},
			{"value", withLookups(a.measure, a.value)},
			{"amount", withLookups(a.measure, "{{ $amt }}")},
			{"share", withLookups(a.measure, "{{ $shr }}")},
			{"dashboard", c.overviewLink()},
		},
	}
}

// shareFallingDerived alerts on a city share that fell between two
// bulletins that state the share but not its change (较上月): 5.77% in
// June, 5.42% in July. The change is derived, and the alert says so.
func (c Config) shareFallingDerived() Rule {
	share := Held(figureLevel, "city_share_ratio")
	r := c.figureAlert(figureAlert{
		name: "DevZoneCityShareFallingDerived", severity: "warning", measure: "city_share",
		expr: "(" + share + " - " + prior(figureLevel, "city_share_ratio") + " < 0)\n" +
			"unless on (city, zone, indicator) " + Held(figureLevel, "city_share_change_ratio"),
		summary: "{{ $labels.zone }} {{ $name }}占全市比重由{{ $before }}降至{{ $shr }},下降{{ $points }}个百分点({{ $period }},推算)",
		description: "{{ $labels.city }}{{ $labels.zone }}{{ $period }}{{ $name }}占全市比重{{ $shr }},上一期公报为{{ $before }},下降{{ $points }}个百分点。" +
			"公报未报较上月变化,此数由两期所报比重推算。",
		value:  "-{{ $points }}个百分点(推算)",
		labels: orderedMap{{"derived", "true"}},
	})
	return r
}

// batchRateFalling alerts on a 三个一批 rate that fell between two
// bulletins: 开工率 of the signed projects, 投产率 of the started, 达产率
// of the producing.
func (c Config) batchRateFalling() Rule {
	rate := `{{ $rate := "比率" }}{{ if eq $labels.batch "signed" }}{{ $rate = "开工率" }}{{ else if eq $labels.batch "started" }}{{ $rate = "投产率" }}{{ else if eq $labels.batch "producing" }}{{ $rate = "达产率" }}{{ end }}`
	return Rule{
		Alert:         "DevZoneBatchRateFalling",
		Expr:          Held(batchLevel, "batch_rate_ratio") + " - " + prior(batchLevel, "batch_rate_ratio") + " < 0",
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}, {"measure", "rate"}},
		Annotations: orderedMap{
			{"summary", withLookups("batch", rate+"{{ $labels.zone }} 三个一批{{ $rate }}由{{ $before }}降至{{ $shr }}({{ $period }})")},
			{"description", withLookups("batch", rate+"{{ $labels.city }}{{ $labels.zone }}{{ $period }}三个一批{{ $rate }}为{{ $shr }},上一期公报为{{ $before }},下降{{ $points }}个百分点。")},
			{"indicator_name", withLookups("batch", rate+"三个一批{{ $rate }}")},
			{"period", withLookups("batch", "{{ $period }}")},
			{"value", withLookups("batch", "-{{ $points }}个百分点")},
			{"dashboard", c.overviewLink()},
		},
	}
}

// reportLate alerts on a city that has not reported the latest period
// another city of the province has, LateDays after that period's end. A
// city already overdue is told so by DevZoneReportOverdue instead.
func (c Config) reportLate() Rule {
	days := strconv.Itoa(c.LateDays)
	latest := "max by (job) (" + CityPeriodEnd + ")"
	return Rule{
		Alert: "DevZoneReportLate",
		Expr: CityPeriodEnd + " < on (job) group_left () " + latest + "\n" +
			"and on (job) (time() - " + latest + " > " + strconv.Itoa(c.LateDays*86400) + ")\n" +
			"unless on (job, city) ((time() - " + CityPeriodEnd + ") / 86400 > " + strconv.Itoa(c.OverdueDays) + ")",
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", withLookups("city", "{{ $labels.city }} 尚未报送{{ $expected }}数据(最新报告期{{ $period }})")},
			{"description", withLookups("city", "{{ $reported }}已报送{{ $expected }}数据,{{ $labels.city }}最新报告期仍为{{ $period }}"+
				"(该期结束已超过"+days+"天)。请督促报送,或检查公报是否已放入收件目录。")},
			{"period", withLookups("city", "{{ $period }}")},
			{"value", withLookups("city", "{{ $period }}")},
			{"dashboard", c.overviewLink()},
		},
	}
}

// reportOverdue alerts on a city whose latest period, over all its zones,
// joint figures and aggregates, ended more than OverdueDays ago.
func (c Config) reportOverdue() Rule {
	days := strconv.Itoa(c.OverdueDays)
	return Rule{
		Alert:         "DevZoneReportOverdue",
		Expr:          "(time() - " + CityPeriodEnd + ") / 86400 > " + days,
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", withLookups("city", "{{ $labels.city }} 超过"+days+"天未报送新数据(最新报告期{{ $period }})")},
			{"description", withLookups("city", "{{ $labels.city }}最新报告期为{{ $period }},期末至今已{{ $days }}天,"+
				"超过"+days+"天没有新一期数据。请督促报送,或检查公报是否已放入收件目录。")},
			{"period", withLookups("city", "{{ $period }}")},
			{"value", withLookups("city", "{{ $days }}天")},
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
		Expr:          Held(cityLevel, "report_findings") + `{kind!="unknown_zone_name"} > 0`,
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", "{{ $labels.city }} 最新一期公报有{{ $value }}处数字前后不一致,请复核"},
			{"description", "{{ $labels.city }}最新一期公报中有{{ $value }}处数字相互矛盾(类型 {{ $labels.kind }}),例如各批次之和与所报总数不符。" +
				"请向报送单位核实;具体句子和数字见 devzone_exporter 的 /api/v1/findings。"},
			{"dashboard", c.overviewLink()},
		},
	}
}

// bulletinUnreadable tells a city's officials that a bulletin of theirs
// could not be read (devzone_reports_failed): its figures are not in any
// alert or board. A bulletin whose city the exporter could not tell has
// city="" and so no city label: it goes to the operators.
func (c Config) bulletinUnreadable() Rule {
	files := `{{ $files := "" }}{{ range $i, $s := printf "` + Held(reportLevel, "report_failed_info") +
		`{city=%q}" $labels.city | query }}{{ if $i }}{{ $files = printf "%s;" $files }}{{ end }}{{ $files = printf "%s%s(%s)" $files $s.Labels.file $s.Labels.reason }}{{ end }}`
	return Rule{
		Alert:         "DevZoneBulletinUnreadable",
		Expr:          Held(cityLevel, "reports_failed") + " > 0",
		For:           model.Duration(c.FigureFor),
		KeepFiringFor: model.Duration(c.FigureKeepFiringFor),
		Labels:        orderedMap{{"severity", "warning"}},
		Annotations: orderedMap{
			{"summary", "{{ with $labels.city }}{{ . }} {{ end }}公报无法识别:{{ $value }}份"},
			{"description", files + "{{ with $labels.city }}{{ . }}{{ else }}城市不明的{{ end }}最新一期有{{ $value }}份公报无法识别,其中的数字不会进入告警和看板:{{ $files }}。" +
				"请核对文件(是否为公报正文、报告期是否写明),修正后重新放入收件目录;文件内容变化后会重新读取。"},
			{"dashboard", c.overviewLink()},
		},
	}
}

// heldAlert keeps an exporter alert firing while its instance is down:
// the instance's series are gone, and without this operators would be
// told "resolved" of a store or a job nobody can see. It reads the alert's
// own ALERTS series of the last evaluation.
func heldAlert(name, on, expr string) string {
	return "(" + expr + ")\nor on (" + on + ")\n(max without (alertname, alertstate, severity) (ALERTS{alertname=\"" + name +
		"\", alertstate=\"firing\"})\n  and on (instance, job) up == 0)"
}

func (c Config) exporterAlerts() []Rule {
	window := model.Duration(c.JobFailingWindow).String()
	link := c.GrafanaURL + "/d/" + ExporterUID
	return []Rule{
		{
			Alert:  "DevZoneExporterAbsent",
			Expr:   fmt.Sprintf("absent(up{job=%q} == 1 and on (instance, job) devzone_snapshot_timestamp_seconds > 0)", c.ExporterJob),
			For:    model.Duration(c.ExporterFor),
			Labels: orderedMap{{"severity", "critical"}, {"job", c.ExporterJob}},
			Annotations: orderedMap{
				{"summary", "开发区数据暂不可用:devzone_exporter 无法采集"},
				{"description", "Prometheus 已" + durationZh(c.ExporterFor) + "没有从 job=\"" + c.ExporterJob +
					"\" 采集到任何已加载数据的 devzone_exporter:开发区数据暂不可用,看板不再更新。各市的告警保持中断前的状态," +
					"不会向各市发送已恢复或新告警;采集恢复后照常更新。"},
				{"dashboard", link},
			},
		},
		{
			Alert: "DevZoneExporterDown",
			Expr: fmt.Sprintf("up{job=%q} == 0\nor on (instance, job)\n(devzone_snapshot_timestamp_seconds{job=%q} == 0)",
				c.ExporterJob, c.ExporterJob),
			For:    model.Duration(c.ExporterFor),
			Labels: orderedMap{{"severity", "warning"}},
			Annotations: orderedMap{
				{"summary", "devzone_exporter {{ $labels.instance }} 无法采集或未加载数据"},
				{"description", "{{ $labels.instance }} 已" + durationZh(c.ExporterFor) +
					"无法采集,或尚未从存储加载数据。其他副本仍在提供数据时开发区告警照常;没有副本提供数据时另有 DevZoneExporterAbsent。"},
				{"dashboard", link},
			},
		},
		{
			Alert: "DevZoneJobFailing",
			Expr: heldAlert("DevZoneJobFailing", "instance, job, task", "increase(devzone_job_failures_total["+window+"]) > 0\n"+
				"and on (instance, job, task)\n"+
				"time() - devzone_job_last_success_timestamp_seconds > "+strconv.Itoa(int(c.JobFailingWindow.Seconds()))),
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
			Expr:   heldAlert("DevZoneStoreUnreachable", "instance, job", "devzone_store_reachable == 0"),
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

// periodText turns the query q (a period's end) into $period.
func periodText(q string) string {
	return `{{ $period := "报告期未知" }}{{ with ` + q + ` | query }}` +
		`{{ with . | first | value | toTime }}{{ $period = printf "%d年1-%d月" .Year .Month }}{{ if eq .Month 1 }}{{ $period = printf "%d年1月" .Year }}{{ end }}{{ end }}{{ end }}`
}

// Scopes of the lookups that depend on what an alert is about, passed as
// its measure: a figure's measure, or one of these.
const (
	scopeZone  = ""
	scopeCity  = "city"
	scopeBatch = "batch"
)

// lookups are the variables of alert texts, in the order they are set.
// They read the held records, so that a text rendered during an exporter
// outage still names the indicator, period and amount.
var lookups = []lookup{
	// $name: the indicator's Chinese name from devzone_indicator_info, or
	// its key should the exporter not name it.
	{"$name", func(string) string {
		return `{{ $name := $labels.indicator }}{{ with printf "` + Held(indicatorLevel, "indicator_info") + `{indicator=%q}" $labels.indicator | query }}{{ $name = . | first | label "name" }}{{ end }}`
	}},
	// $period: the latest period as officials write it, 2023年1-6月 (year
	// to date) or 2023年1月: of the figure, of its zone, or of the city
	// (all its zones). The series carry no period;
	// devzone_period_end_timestamp_seconds holds the period's end,
	// midnight China time (+08:00) at the start of the next month. 8h less
	// one second later, in UTC, is the last second of the period's last
	// month.
	//
	// A figure older than its zone's latest period (one a later bulletin
	// did not restate) has its own period in
	// devzone_figure_period_end_timestamp_seconds, which wins.
	{"$period", func(measure string) string {
		zone := Held(zoneLevel, "period_end_timestamp_seconds")
		switch measure {
		case scopeZone, scopeBatch:
			return periodText(`printf "` + zone + `{city=%q,zone=%q} + 28799" $labels.city $labels.zone`)
		case scopeCity:
			return periodText(`printf "` + CityPeriodEnd + `{city=%q} + 28799" $labels.city`)
		}
		return periodText(`printf "` + Held(figureLevel, "figure_period_end_timestamp_seconds") + `{city=%q,zone=%q,indicator=%q,measure=%q} + 28799 or on (city, zone) ` +
			zone + `{city=%q,zone=%q} + 28799" $labels.city $labels.zone $labels.indicator "` + measure + `" $labels.city $labels.zone`)
	}},
	// $expected: the latest period any city of the province reported.
	{"$expected", func(string) string {
		return `{{ $expected := "最新一期" }}{{ with printf "max(` + CityPeriodEnd + `) + 28799" | query }}` +
			`{{ with . | first | value | toTime }}{{ $expected = printf "%d年1-%d月" .Year .Month }}{{ if eq .Month 1 }}{{ $expected = printf "%d年1月" .Year }}{{ end }}{{ end }}{{ end }}`
	}},
	// $reported: the cities that reported it, 太原市、忻州市.
	{"$reported", func(string) string {
		return `{{ $reported := "" }}{{ range $i, $s := printf "` + CityPeriodEnd + ` == on (job) group_left () max by (job) (` + CityPeriodEnd + `)" | query }}` +
			`{{ if $i }}{{ $reported = printf "%s、" $reported }}{{ end }}{{ $reported = printf "%s%s" $reported $s.Labels.city }}{{ end }}`
	}},
	// $approx: 约 when the bulletin stated the figure approximately (约,
	// 近, 超, 余, 左右), from devzone_figure_approximate.
	{"$approx", func(measure string) string {
		return `{{ $approx := "" }}{{ with printf "` + Held(figureLevel, "figure_approximate") + `{city=%q,zone=%q,indicator=%q,measure=%q} == 1" $labels.city $labels.zone $labels.indicator "` +
			measure + `" | query }}{{ $approx = "约" }}{{ end }}`
	}},
	// $amt: the stated amount, 21.05亿元 or 约54亿元, or nothing.
	{"$amt", func(string) string { return amountText("$amt", "%s亿元") }},
	// $amount: "完成21.05亿元," for descriptions, or nothing.
	{"$amount", func(string) string { return amountText("$amount", "完成%s亿元,") }},
	// $growth: the zone's own growth, "同比增速-5%,", or nothing.
	{"$growth", func(string) string {
		return `{{ $growth := "" }}{{ with printf "` + Held(figureLevel, "yoy_growth_ratio") + `{city=%q,zone=%q,indicator=%q}" $labels.city $labels.zone $labels.indicator | query }}` +
			`{{ $growth = . | first | value | humanizePercentage | printf "同比增速%s," }}{{ end }}`
	}},
	// $share: the zone's current city share, "17.21%,", or nothing.
	{"$share", func(string) string {
		return `{{ $share := "" }}{{ with printf "` + Held(figureLevel, "city_share_ratio") + `{city=%q,zone=%q,indicator=%q}" $labels.city $labels.zone $labels.indicator | query }}` +
			`{{ $share = . | first | value | humanizePercentage | printf "%s," }}{{ end }}`
	}},
	// $shr: the current share (17.21%), or of a 三个一批 rate, or nothing.
	{"$shr", func(measure string) string { return ratioText("$shr", heldOrPrior(measure, heldSuffix), measure) }},
	// $before: the share or rate before its last change.
	{"$before", func(measure string) string { return ratioText("$before", heldOrPrior(measure, priorSuffix), measure) }},
	// $pct: $value as a percent without its sign, after 下降: 14.85%.
	{"$pct", func(string) string { return `{{ $pct := $value | humanizePercentage | reReplaceAll "^-" "" }}` }},
	// $points: $value in percentage points without its sign: 1.19.
	{"$points", func(string) string { return `{{ $points := $value | humanizePercentage | reReplaceAll "^-|%$" "" }}` }},
	// $days: $value, a number of days, rounded.
	{"$days", func(string) string { return `{{ $days := $value | printf "%.0f" }}` }},
}

// amountText sets v to the figure's stated amount in 亿元 in format, 约
// before the number if stated approximately, or to nothing.
func amountText(v, format string) string {
	return `{{ ` + v + ` := "" }}{{ with printf "` + Held(figureLevel, "amount_yuan") + `{city=%q,zone=%q,indicator=%q} / 1e8" $labels.city $labels.zone $labels.indicator | query }}` +
		`{{ $a := . | first | value | printf "%.2f" | reReplaceAll "\\.?0+$" "" }}` +
		`{{ with printf "` + Held(figureLevel, "figure_approximate") + `{city=%q,zone=%q,indicator=%q,measure=%q} == 1" $labels.city $labels.zone $labels.indicator "value" | query }}{{ $a = printf "约%s" $a }}{{ end }}` +
		`{{ ` + v + ` = printf "` + format + `" $a }}{{ end }}`
}

// heldOrPrior names the record a share or rate is read from.
func heldOrPrior(measure, suffix string) string {
	if measure == scopeBatch {
		return batchLevel + ":" + recordPrefix + "batch_rate_ratio" + suffix
	}
	return figureLevel + ":" + recordPrefix + "city_share_ratio" + suffix
}

// ratioText sets v to the ratio record rec of the alert's figure as a
// percent, or to nothing.
func ratioText(v, rec, measure string) string {
	sel := `{city=%q,zone=%q,indicator=%q}" $labels.city $labels.zone $labels.indicator`
	if measure == scopeBatch {
		sel = `{city=%q,zone=%q,batch=%q,scope=%q}" $labels.city $labels.zone $labels.batch $labels.scope`
	}
	return `{{ ` + v + ` := "" }}{{ with printf "` + rec + sel + ` | query }}{{ ` + v + ` = . | first | value | humanizePercentage }}{{ end }}`
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
