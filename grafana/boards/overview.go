package boards

import (
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
)

// Overview is 开发区总览: the latest figure of every zone from the
// exporter's Prometheus series, filtered by the city variable.
//
//nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
func Overview() (dashboard.Dashboard, error) {
	return dashboard.NewDashboardBuilder("开发区总览").
		Uid(OverviewUID).
		Description("各开发区最新一期主要指标、告警与数据时效(数据来自 devzone_exporter 的 Prometheus 指标,每个序列只保留最新报告期)。").
		Tags([]string{Tag}).
		Timezone("Asia/Shanghai").
		Time("now-6h", "now").
		Refresh("5m").
		Link(boardLinks()).
		WithVariable(promVariable("city", "城市", "devzone_period_end_timestamp_seconds")).
		WithPanel(zonesStat()).
		WithPanel(latestPeriodStat()).
		WithPanel(alertingZonesStat()).
		WithPanel(overdueCitiesStat()).
		WithRow(dashboard.NewRowBuilder("最新增速与占比")).
		WithPanel(latestGrowthTable()).
		WithPanel(citySharesBarGauge()).
		WithRow(dashboard.NewRowBuilder("告警与数据时效")).
		WithPanel(firingAlertsTable()).
		WithPanel(freshnessTable()).
		WithRow(dashboard.NewRowBuilder("三个一批")).
		WithPanel(threeBatchesTable()).
		Build()
}

// zoneSelector selects the series of the chosen cities, plus matchers.
// Every overview query takes its selector from here.
func zoneSelector(matchers ...string) string {
	return selector(append([]string{`city=~"$city"`}, matchers...)...)
}

// alertSelector selects the firing alerts of our rules in the chosen
// cities. ALERTS is Prometheus's own series; the rules in alerts/ are all
// named DevZone….
func alertSelector() string {
	return "ALERTS" + zoneSelector(`alertname=~"DevZone.*"`, `alertstate="firing"`)
}

// latestBy is a figure family reduced to the given labels. max drops the
// instance and job labels Prometheus adds, so two exporters on one store
// show one row, not two.
func latestBy(labels, family string, matchers ...string) string {
	return fmt.Sprintf("max by (%s) (%s%s)", labels, family, zoneSelector(matchers...))
}

// withIndicatorName adds the indicator's Chinese name (label name) to a
// series with an indicator label.
func withIndicatorName(expr string) string {
	return expr + " * on (indicator) group_left (name) max by (indicator, name) (devzone_indicator_info)"
}

// periodEndMillis renders the end of the latest period of a vector of
// devzone_period_end_timestamp_seconds as milliseconds less one, the last
// instant of the period's month in Beijing time (and every time zone west
// of it), which the unit "time:YYYY-MM" prints as the period: 2023-06, not
// 2023-07.
func periodEndMillis(expr string) string { return expr + " * 1000 - 1" }

// labelHeaders are the column headers of label columns, for organize to
// rename them to.
var labelHeaders = map[string]string{
	"city": "城市", "zone": "开发区", "name": "指标", "indicator": "指标",
	"alertname": "告警", "severity": "级别", "batch": "批次", "scope": "口径",
}

// growthHeader heads the growth column of the latest growth table.
const growthHeader = "同比增速"

// headers picks the renames of the given columns from labelHeaders.
func headers(columns ...string) map[string]string {
	out := map[string]string{}
	for _, c := range columns {
		out[c] = labelHeaders[c]
	}
	return out
}

// unitPeriod prints a millisecond timestamp as its month.
const unitPeriod = "time:YYYY-MM"

// trendsLink makes a table column a link to the trends board on its
// row's city, zone and indicator. A field link is {title, url}; the SDK's
// DataLinks would write a dashboard link's fields too.
func trendsLink() dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "links", Value: []map[string]any{{
		"title": "查看历年趋势",
		"url":   "/d/" + TrendsUID + "?var-city=${__data.fields.city}&var-zone=${__data.fields.zone}&var-indicator=${__data.fields.indicator}",
	}}}
}

func zonesStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("报告主体数").
		Description("有数据的开发区(或开发区组合、全市开发区汇总)个数。").
		Unit(unitCount).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A", "count(max by (city, zone) (devzone_period_end_timestamp_seconds"+zoneSelector()+"))", ""))
}

func latestPeriodStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("最新报告期").
		Description("所选城市中最近的报告期。").
		Unit(unitPeriod).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A", periodEndMillis("max(devzone_period_end_timestamp_seconds"+zoneSelector()+")"), ""))
}

func alertingZonesStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("告警中的开发区").
		Description("有 DevZone 告警正在触发的开发区个数。").
		Unit(unitCount).
		Thresholds(thresholds(green, from(1, red))).
		WithTarget(instantQuery("A", "count(max by (city, zone) ("+alertSelector()+")) or vector(0)", ""))
}

func overdueCitiesStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("数据逾期的城市").
		Description(fmt.Sprintf("最新报告期结束已超过 %d 天的城市个数。", overdueDays)).
		Unit(unitCount).
		Thresholds(thresholds(green, from(1, red))).
		WithTarget(instantQuery("A", fmt.Sprintf(
			"count(time() - max by (city) (devzone_period_end_timestamp_seconds%s) > %d * 86400) or vector(0)",
			zoneSelector(), overdueDays), ""))
}

func latestGrowthTable() *table.PanelBuilder {
	// One query: its value column is "Value" or "Value #A" by Grafana
	// version.
	rename := headers("city", "zone", "name")
	rename["Value"], rename["Value #A"] = growthHeader, growthHeader
	return defaultTable(prometheusDatasource()).
		Title("各开发区最新同比增速").
		Description("每个开发区每项指标最新一期的同比增速:负增长红色,正增长绿色。点击开发区查看历年趋势。").
		Span(14).
		Height(12).
		WithTarget(tableQuery("A", withIndicatorName(latestBy("city, zone, indicator", "devzone_yoy_growth_ratio")))).
		WithTransformation(organize(
			[]string{"Time"},
			rename,
			[]string{"city", "zone", "name", "indicator", "Value", "Value #A"})).
		Unit(unitRatio).
		Decimals(1).
		Thresholds(signColors()).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
		OverrideByFieldType("number", []dashboard.DynamicConfigValue{cellProp(common.TableCellDisplayModeColorText)}).
		// Overrides match the name a column is shown under.
		OverrideByName(labelHeaders["zone"], []dashboard.DynamicConfigValue{trendsLink()}).
		// indicator stays in the data for the link, out of sight.
		OverrideByName("indicator", []dashboard.DynamicConfigValue{{Id: "custom.hidden", Value: true}}).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName(growthHeader).Desc(false),
		})
}

func citySharesBarGauge() *bargauge.PanelBuilder {
	return defaultBarGauge(prometheusDatasource()).
		Title("占全市比重").
		Description("各开发区各项指标最新一期占全市的比重。").
		Span(10).
		Height(12).
		Unit(unitRatio).
		Decimals(1).
		Min(0).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A",
			withIndicatorName(latestBy("city, zone, indicator", "devzone_city_share_ratio")),
			"{{city}} {{zone}} {{name}}"))
}

func firingAlertsTable() *table.PanelBuilder {
	return defaultTable(prometheusDatasource()).
		Title("正在触发的告警").
		Description("正在触发的 DevZone 告警,每个告警、开发区、指标一行。").
		WithTarget(tableQuery("A", "max by (alertname, severity, city, zone, indicator) ("+alertSelector()+")")).
		WithTransformation(organize(
			[]string{"Time", "Value", "Value #A"},
			headers("alertname", "severity", "city", "zone", "indicator"),
			[]string{"city", "zone", "alertname", "severity", "indicator"})).
		Mappings(textMappings(map[string]string{"critical": "严重", "warning": "警告", "info": "提示"}))
}

func freshnessTable() *table.PanelBuilder {
	latest := "max by (city) (devzone_period_end_timestamp_seconds" + zoneSelector() + ")"
	return defaultTable(prometheusDatasource()).
		Title("各市数据时效").
		Description(fmt.Sprintf("每个城市最新报告期,以及其结束至今的天数;超过 %d 天标红。", overdueDays)).
		WithTarget(tableQuery("A", periodEndMillis(latest))).
		WithTarget(tableQuery("B", "(time() - "+latest+") / 86400")).
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time"}, headers("city"), []string{"city", "Value #A", "Value #B"})).
		OverrideByName("Value #A", []dashboard.DynamicConfigValue{displayNameProp("最新报告期"), unitProp(unitPeriod)}).
		OverrideByName("Value #B", append(thresholdsProp(overdueColors()),
			displayNameProp("期末至今"), unitProp(unitDays), decimalsProp(0),
			cellProp(common.TableCellDisplayModeColorBackground))).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName("期末至今").Desc(true),
		})
}

// batchColumns are the 三个一批 table's value columns: query, family,
// header, unit.
var batchColumns = []struct {
	refID, family, header, unit string
	yuan                        bool
}{
	{"A", "devzone_batch_projects", "项目数", unitCount, false},
	{"B", "devzone_batch_started_projects", "已开工项目数", unitCount, false},
	{"C", "devzone_batch_planned_investment_yuan", "计划总投资", unitYi, true},
	{"D", "devzone_batch_completed_investment_yuan", "已完成投资", unitYi, true},
	{"E", "devzone_batch_expected_output_yuan", "预计年产值", unitYi, true},
	{"F", "devzone_batch_rate_ratio", "开工率/投产率/达产率", unitRatio, false},
}

func threeBatchesTable() *table.PanelBuilder {
	p := defaultTable(prometheusDatasource()).
		Title("各市三个一批").
		Description("各市“三个一批”活动最新一期:签约、开工、投产各批的项目数、投资与比率;口径“本期”为本期活动,“累计”为通报同时给出的更长口径。").
		Span(24).
		Height(10).
		Mappings(textMappings(map[string]string{
			"signed": "签约一批", "started": "开工一批", "producing": "投产一批", "all": "合计",
			"period": "本期", "cumulative": "累计",
		}))
	order := []string{"city", "zone", "batch", "scope"}
	for _, c := range batchColumns {
		expr := latestBy("city, zone, batch, scope", c.family)
		if c.yuan {
			expr = perYi(expr)
		}
		value := "Value #" + c.refID
		p.WithTarget(tableQuery(c.refID, expr)).
			OverrideByName(value, []dashboard.DynamicConfigValue{displayNameProp(c.header), unitProp(c.unit), decimalsProp(decimalsFor(c.unit))})
		order = append(order, value)
	}
	return p.
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time"},
			headers("city", "zone", "batch", "scope"), order))
}

// decimalsFor is how many decimals a unit is shown with.
func decimalsFor(unit string) int {
	switch unit {
	case unitYi:
		return 2
	case unitRatio:
		return 1
	}
	return 0
}
