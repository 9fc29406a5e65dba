package boards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/statetimeline"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Exporter is 采集器: whether devzone_exporter's scheduled jobs run and
// succeed, what became of the bulletins it read, and whether its store
// answers, from its self-metrics.
//
//nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
func Exporter() (dashboard.Dashboard, error) {
	return dashboard.NewDashboardBuilder("采集器").
		Uid(ExporterUID).
		Description("devzone_exporter 自身的运行状况:定时任务、通报入库、快照与存储。").
		Tags([]string{Tag}).
		Time("now-24h", "now").
		Refresh("1m").
		Link(boardLinks()).
		WithVariable(promVariable("instance", "实例", "devzone_store_reachable")).
		WithPanel(storeReachableStat()).
		WithPanel(snapshotAgeStat()).
		WithPanel(snapshotSeriesStat()).
		WithPanel(storeFiguresStat()).
		WithRow(dashboard.NewRowBuilder("定时任务")).
		WithPanel(jobSinceSuccessBarGauge()).
		WithPanel(jobDurationTimeseries()).
		WithPanel(jobFailuresTimeseries()).
		WithRow(dashboard.NewRowBuilder("通报入库与存储")).
		WithPanel(reportsInRangeStat()).
		WithPanel(reportsTimeseries()).
		WithPanel(storeReachableTimeline()).
		WithPanel(snapshotSeriesTimeseries()).
		Build()
}

// jobLabel is the label that names a scheduled job (ingest, refresh). It is
// task, not job, so that it does not collide with Prometheus's target label.
const jobLabel = "task"

// staleJobSeconds is how long since a job's last success the board shows
// it red; both jobs run every minute by default.
const staleJobSeconds = 900

// exporterSelector selects the chosen exporters' series, plus matchers.
// Every query on this board takes its selector from here.
func exporterSelector(matchers ...string) string {
	return selector(append([]string{`instance=~"$instance"`}, matchers...)...)
}

// reportResults are the result label's values, in Chinese, with a color.
var reportResults = []struct{ value, name, color string }{
	{"ingested", "入库", green},
	{"failed", "解析失败", red},
	{"error", "存储出错", "orange"},
}

// reachableMappings shows devzone_store_reachable as words.
func reachableMappings() []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr("不可达"), Color: cog.ToPtr(red), Index: cog.ToPtr(int32(0))},
			"1": {Text: cog.ToPtr("可达"), Color: cog.ToPtr(green), Index: cog.ToPtr(int32(1))},
		},
	}}}
}

// never is what the board shows for a timestamp the exporter reports as 0:
// a job that has not succeeded, or a snapshot not loaded, since the
// exporter started. An age is never negative, so the value cannot be
// mistaken; a value mapping prints it as words, in red.
const never = -1

// sinceOrNever is, per instance (and the other labels of by), the seconds
// since a timestamp family's value, or never where it is 0. time() − 0
// would read as 57 years, and max over instances would hide the instance
// that never succeeded behind the one that did.
func sinceOrNever(family, by string) string {
	sel := family + exporterSelector()
	return fmt.Sprintf("(time() - max by (%s) (%s > 0)) or (max by (%s) (%s == 0) %+d)", by, sel, by, sel, never)
}

// neverMappings print never as text, in red.
func neverMappings(text string) []dashboard.ValueMapping {
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{
		Type: dashboard.MappingTypeValueToText,
		Options: map[string]dashboard.ValueMappingResult{
			fmt.Sprint(never): {Text: cog.ToPtr(text), Color: cog.ToPtr(red), Index: cog.ToPtr(int32(0))},
		},
	}}}
}

// perInstance is a family's value on each chosen exporter.
func perInstance(family string) string {
	return "max by (instance) (" + family + exporterSelector() + ")"
}

func storeReachableStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("存储可达").
		Description("每个实例上次刷新时存储是否应答。").
		Mappings(reachableMappings()).
		Thresholds(thresholds(red, from(1, green))).
		WithTarget(instantQuery("A", perInstance("devzone_store_reachable"), "{{instance}}"))
}

func snapshotAgeStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("快照距今").
		Description(fmt.Sprintf("每个实例正在提供的快照上次从存储读取至今的时间;超过 %d 秒标红;启动以来从未从存储读到数据的实例显示“从未加载”。", staleJobSeconds)).
		Unit(unitSecs).
		Mappings(neverMappings("从未加载")).
		Thresholds(thresholds(green, from(staleJobSeconds, red))).
		WithTarget(instantQuery("A", sinceOrNever("devzone_snapshot_timestamp_seconds", "instance"), "{{instance}}"))
}

func snapshotSeriesStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("快照序列数").
		Description("每个实例快照中数字序列的个数。").
		Unit(unitCount).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A", perInstance("devzone_snapshot_series"), "{{instance}}"))
}

func storeFiguresStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("存储数字数").
		Description("每个实例上次成功刷新时存储中的数字(所有报告期)个数。").
		Unit(unitCount).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A", perInstance("devzone_store_figures"), "{{instance}}"))
}

// jobBy are the labels of a job panel's series: each job of each exporter.
const jobBy = "instance, " + jobLabel

func jobSinceSuccessBarGauge() *bargauge.PanelBuilder {
	return defaultBarGauge(prometheusDatasource()).
		Title("距上次成功").
		Description(fmt.Sprintf("每个实例每个定时任务上次成功至今的时间;超过 %d 秒标红;启动以来从未成功的任务显示“从未成功”。", staleJobSeconds)).
		Span(8).
		Height(8).
		Unit(unitSecs).
		Mappings(neverMappings("从未成功")).
		Thresholds(thresholds(green, from(staleJobSeconds, red))).
		WithTarget(instantQuery("A", sinceOrNever("devzone_job_last_success_timestamp_seconds", jobBy),
			"{{instance}} {{"+jobLabel+"}}"))
}

func jobDurationTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(prometheusDatasource()).
		Title("任务耗时").
		Description("每个实例每个定时任务最近一次运行的耗时。").
		Span(8).
		Height(8).
		Unit(unitSecs).
		WithTarget(rangeQuery("A", fmt.Sprintf("max by (%s) (devzone_job_duration_seconds%s)",
			jobBy, exporterSelector()), "{{instance}} {{"+jobLabel+"}}"))
}

func jobFailuresTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(prometheusDatasource()).
		Title("任务失败与崩溃").
		Description("每个实例每个定时任务失败(含崩溃)与崩溃的次数。").
		Span(8).
		Height(8).
		Unit(unitCount).
		Decimals(0).
		DrawStyle(common.GraphDrawStyleBars).
		FillOpacity(60).
		WithTarget(rangeQuery("A", fmt.Sprintf("sum by (%s) (increase(devzone_job_failures_total%s[$__rate_interval]))",
			jobBy, exporterSelector()), "失败 {{instance}} {{"+jobLabel+"}}")).
		WithTarget(rangeQuery("B", fmt.Sprintf("sum by (%s) (increase(devzone_job_panics_total%s[$__rate_interval]))",
			jobBy, exporterSelector()), "崩溃 {{instance}} {{"+jobLabel+"}}"))
}

// withResultNames names and colors the series of each report result.
func withResultNames[T interface {
	OverrideByName(string, []dashboard.DynamicConfigValue) T
}](p T) T {
	for _, r := range reportResults {
		p = p.OverrideByName(r.value, []dashboard.DynamicConfigValue{
			displayNameProp(r.name),
			{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": r.color}},
		})
	}
	return p
}

func reportsInRangeStat() *stat.PanelBuilder {
	return withResultNames(defaultStat(prometheusDatasource()).
		Title("所选时段的通报").
		Description("所选时段内入库、解析失败与存储出错的通报文件数。").
		Span(6).
		Height(8).
		Unit(unitCount).
		Decimals(0).
		WithTarget(instantQuery("A",
			"sum by (result) (increase(devzone_reports_ingested_total"+exporterSelector()+"[$__range]))", "{{result}}")))
}

func reportsTimeseries() *timeseries.PanelBuilder {
	return withResultNames(defaultTimeseries(prometheusDatasource()).
		Title("通报入库").
		Description("每个时间段入库、解析失败与存储出错的通报文件数。").
		Span(6).
		Height(8).
		Unit(unitCount).
		Decimals(0).
		DrawStyle(common.GraphDrawStyleBars).
		FillOpacity(60).
		WithTarget(rangeQuery("A",
			"sum by (result) (increase(devzone_reports_ingested_total"+exporterSelector()+"[$__rate_interval]))", "{{result}}")))
}

func storeReachableTimeline() *statetimeline.PanelBuilder {
	return statetimeline.NewPanelBuilder().
		Datasource(prometheusDatasource()).
		Title("存储可达性").
		Description("每个实例的存储在各时刻是否应答。").
		Span(6).
		Height(8).
		Mappings(reachableMappings()).
		Thresholds(thresholds(red, from(1, green))).
		WithTarget(rangeQuery("A", "min by (instance) (devzone_store_reachable"+exporterSelector()+")", "{{instance}}"))
}

func snapshotSeriesTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(prometheusDatasource()).
		Title("快照序列与存储数字").
		Description("每个实例快照中的序列数(左轴)与存储中的数字数(右轴)。").
		Span(6).
		Height(8).
		Unit(unitCount).
		OverrideByRegexp("^存储数字", axisProps(common.AxisPlacementRight, "存储数字")).
		WithTarget(rangeQuery("A", perInstance("devzone_snapshot_series"), "快照序列 {{instance}}")).
		WithTarget(rangeQuery("B", perInstance("devzone_store_figures"), "存储数字 {{instance}}"))
}
