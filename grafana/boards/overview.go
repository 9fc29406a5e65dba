package boards

import (
	"fmt"
	"maps"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// Overview is 开发区总览: the latest figure of every zone from the
// exporter's Prometheus series, filtered by the city variable.
//
//nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
func Overview() (dashboard.Dashboard, error) {
	return dashboard.NewDashboardBuilder("开发区总览").
		Uid(OverviewUID).
		Description("各开发区最新一期主要指标、告警与数据时效(数据来自 devzone_exporter 的 Prometheus 指标,每个序列只保留最新报告期;各行报告期不同,见“报告期”列)。").
		Tags([]string{Tag}).
		Timezone(boardTimezone).
		Time("now-6h", "now").
		Refresh("5m").
		Link(boardLinks()).
		WithVariable(promVariable("city", "城市", "devzone_period_end_timestamp_seconds")).
		WithPanel(subjectsStat()).
		WithPanel(latestPeriodStat()).
		WithPanel(alertingZonesStat()).
		WithPanel(overdueCitiesStat()).
		WithRow(dashboard.NewRowBuilder("最新增速与占比")).
		WithPanel(latestGrowthTable()).
		WithPanel(citySharesTable()).
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

// latestBy is a figure family reduced to the given labels. max drops the
// instance and job labels Prometheus adds, so two exporters on one store
// show one row, not two.
func latestBy(labels, family string, matchers ...string) string {
	return fmt.Sprintf("max by (%s) (%s%s)", labels, family, zoneSelector(matchers...))
}

// rowsOf is one series of value 1 per distinct value of labels in a
// family: the rows a table shows, for joining other figures onto them.
func rowsOf(labels, family string, matchers ...string) string {
	return fmt.Sprintf("group by (%s) (%s%s)", labels, family, zoneSelector(matchers...))
}

// indicatorInfo is the indicator's Chinese name (label name), one series
// per indicator however many exporters serve it.
const indicatorInfo = "max by (indicator, name) (devzone_indicator_info)"

// withIndicatorName adds the indicator's Chinese name (label name) to a
// series with an indicator label.
func withIndicatorName(expr string) string {
	return "(" + expr + ") * on (indicator) group_left (name) " + indicatorInfo
}

// zonePeriodEnds is the end of the latest period of each zone label of
// the chosen cities.
func zonePeriodEnds() string {
	return latestBy("city, zone", "devzone_period_end_timestamp_seconds")
}

// figurePeriodEnds is the end of the period of each figure of a family
// and measure, per (city, zone, indicator): its own period where it is
// older than its zone's latest (devzone_figure_period_end_timestamp_seconds
// has a series only then), else its zone's latest period.
func figurePeriodEnds(family, measure string) string {
	return latestBy(figureLabels, "devzone_figure_period_end_timestamp_seconds", `measure="`+measure+`"`) +
		" or on (" + figureLabels + ") (" + rowsOf(figureLabels, family) +
		" * on (city, zone) group_left " + zonePeriodEnds() + ")"
}

// figureLabels are the labels a figure family's table rows are keyed by.
const figureLabels = "city, zone, indicator"

// zoneMembers is, per zone label of the chosen cities with data, how many
// zones it is about, from the zone registry's devzone_zone_group_info:
// 1 a zone of its own, 2 or more a joint figure (中北高新区、清徐开发区), 0
// an aggregate (全市开发区), which has no members.
func zoneMembers() string {
	return "count by (city, zone) (group by (city, zone, member) (devzone_zone_group_info" + zoneSelector() + "))" +
		" or on (city, zone) 0 * group by (city, zone) (devzone_period_end_timestamp_seconds" + zoneSelector() + ")"
}

// zoneKindMappings name zoneMembers' values: 开发区, 联合 (a figure about
// several zones together) and 汇总 (全市开发区 and the like).
func zoneKindMappings() []dashboard.ValueMapping {
	return []dashboard.ValueMapping{
		{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: map[string]dashboard.ValueMappingResult{
			"0": {Text: cog.ToPtr(zoneKindAggregate), Index: cog.ToPtr(int32(0))},
			"1": {Text: cog.ToPtr(zoneKindZone), Index: cog.ToPtr(int32(1))},
		}}},
		{RangeMap: &dashboard.RangeMap{Type: dashboard.MappingTypeRangeToText, Options: dashboard.DashboardRangeMapOptions{
			From: cog.ToPtr(2.0), Result: dashboard.ValueMappingResult{Text: cog.ToPtr(zoneKindJoint), Index: cog.ToPtr(int32(2))},
		}}},
	}
}

// The kinds of subject a figure is about.
const (
	zoneKindZone      = "开发区"
	zoneKindJoint     = "多区合计"
	zoneKindAggregate = "全市汇总"
)

// periodProps show a column of periodMonthMillis values as 报告期.
func periodProps() []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{displayNameProp(periodHeader), unitProp(unitPeriod)}
}

// alertSelector selects the firing alerts of our rules in the chosen
// cities, plus matchers. ALERTS is Prometheus's own series; the rules in
// alerts/ are all named DevZone….
func alertSelector(matchers ...string) string {
	return "ALERTS" + zoneSelector(append([]string{`alertname=~"DevZone.*"`, `alertstate="firing"`}, matchers...)...)
}

// labelHeaders are the column headers of label columns, for organize to
// rename them to.
var labelHeaders = map[string]string{
	"city": "城市", "zone": "开发区", "name": "指标", "indicator": "指标",
	"alertname": "告警", "severity": "级别", "batch": "批次", "scope": "口径",
}

// Headers of value columns.
const (
	growthHeader = "同比增速"
	shareHeader  = "占全市比重"
	periodHeader = "报告期"
	kindHeader   = "类别"
	valueHeader  = "数值"
)

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

// subjectsStat counts what the chosen cities report on, each kind apart:
// zones (a zone reported only inside a joint figure counts once, as a
// member), joint figures and aggregates. A zone label is not a zone.
func subjectsStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("报告主体").
		Description("有数据的开发区个数(只在多区合计数字中出现的开发区也计入,每区计一次),以及多区合计数字(如“中北高新区、清徐开发区”)与全市汇总(如“全市开发区”)的个数,三者分开计。").
		Unit(unitCount).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A",
			"count(group by (city, member) (devzone_zone_group_info"+zoneSelector()+"))", zoneKindZone)).
		WithTarget(instantQuery("B",
			"count(count by (city, zone) (group by (city, zone, member) (devzone_zone_group_info"+zoneSelector()+")) > 1) or vector(0)", zoneKindJoint)).
		WithTarget(instantQuery("C",
			"count(group by (city, zone) (devzone_period_end_timestamp_seconds"+zoneSelector()+") unless on (city, zone) devzone_zone_group_info) or vector(0)", zoneKindAggregate))
}

func latestPeriodStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("最新报告期").
		Description("所选城市中最近的报告期。").
		Unit(unitPeriod).
		Thresholds(thresholds("blue")).
		WithTarget(instantQuery("A", periodMonthMillis("max(devzone_period_end_timestamp_seconds"+zoneSelector()+")"), ""))
}

func alertingZonesStat() *stat.PanelBuilder {
	return defaultStat(prometheusDatasource()).
		Title("告警中的开发区").
		Description("有 DevZone 告警正在触发的开发区(或多区合计、全市汇总)个数。").
		Unit(unitCount).
		Thresholds(thresholds(green, from(1, red))).
		WithTarget(instantQuery("A", "count(max by (city, zone) ("+alertSelector(`zone!=""`)+")) or vector(0)", ""))
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

// figureTable is the latest figure of a family and measure for every zone
// label and indicator of the chosen cities, with what a reader needs to
// compare rows of different cities: 类别 (开发区, 多区合计, 全市汇总) and
// 报告期, the period of that very figure (太原 may be at 2023-07 while 晋中
// is at 2023-06). The zone links to the trends board. All three queries
// carry the same labels, so merge puts them on one row.
func figureTable(title, description, family, measure, header string) *table.PanelBuilder {
	rename := headers("city", "zone", "name")
	order := []string{"city", "zone", "Value #C", "name", "indicator", "Value #A", "Value #B"}
	return defaultTable(prometheusDatasource()).
		Title(title).
		Description(description).
		Height(12).
		WithTarget(tableQuery("A", withIndicatorName(latestBy(figureLabels, family)))).
		WithTarget(tableQuery("B", withIndicatorName(periodMonthMillis(figurePeriodEnds(family, measure))))).
		WithTarget(tableQuery("C", withIndicatorName(rowsOf(figureLabels, family)+" * on (city, zone) group_left () ("+zoneMembers()+")"))).
		WithTransformation(merge()).
		WithTransformation(organize([]string{"Time"}, rename, order)).
		OverrideByName("Value #A", []dashboard.DynamicConfigValue{displayNameProp(header), unitProp(unitRatio), decimalsProp(1)}).
		OverrideByName("Value #B", periodProps()).
		OverrideByName("Value #C", []dashboard.DynamicConfigValue{displayNameProp(kindHeader), {Id: "mappings", Value: zoneKindMappings()}}).
		// Overrides match the name a column is shown under.
		OverrideByName(labelHeaders["zone"], []dashboard.DynamicConfigValue{trendsLink()}).
		// indicator stays in the data for the link, out of sight.
		OverrideByName("indicator", []dashboard.DynamicConfigValue{{Id: "custom.hidden", Value: true}})
}

func latestGrowthTable() *table.PanelBuilder {
	return figureTable("各开发区最新同比增速",
		"每个开发区(或多区合计、全市汇总)每项指标最新一期的同比增速:负增长红色,正增长绿色。各行的报告期可能不同,见“报告期”列。点击开发区查看历年趋势。",
		"devzone_yoy_growth_ratio", figure.MeasureYoYGrowth, growthHeader).
		OverrideByName(growthHeader, append(thresholdsProp(signColors()), cellProp(common.TableCellDisplayModeColorText))).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName(growthHeader).Desc(false),
		})
}

func citySharesTable() *table.PanelBuilder {
	return figureTable("各开发区占全市比重",
		"每个开发区(或多区合计)各项指标最新一期占全市的比重。各行的报告期可能不同,见“报告期”列。",
		"devzone_city_share_ratio", figure.MeasureCityShare, shareHeader).
		OverrideByName(shareHeader, []dashboard.DynamicConfigValue{
			{Id: "min", Value: 0}, {Id: "max", Value: 1},
			{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "blue"}},
			{Id: "custom.cellOptions", Value: map[string]any{"type": "gauge", "mode": "basic"}},
		}).
		SortBy([]cog.Builder[common.TableSortByFieldState]{
			common.NewTableSortByFieldStateBuilder().DisplayName(shareHeader).Desc(true),
		})
}

// alertLabels are the labels an alert row is keyed by: the figure alerts'
// (indicator and measure, or batch and scope for 三个一批) and the city
// alerts' (city only).
const alertLabels = "alertname, severity, city, zone, indicator, measure, batch, scope"

// alertRows is one series per firing alert of the chosen cities, plus
// matchers, whatever its labels; two Prometheus replicas' copies are one.
func alertRows(matchers ...string) string {
	return "max by (" + alertLabels + ") (" + alertSelector(matchers...) + ")"
}

// alertNamed adds the indicator's Chinese name to alert rows that have an
// indicator and keeps the others as they are, so that every query of the
// alert table has the same labels and rows.
func alertNamed(expr string) string {
	return "(" + withIndicatorName(expr) + ") or on (" + alertLabels + ") (" + expr + ")"
}

// alertFigures are the figures a figure alert is about, by its measure
// label: the family holding the figure's latest value and the labels it
// is joined on.
var alertFigures = []struct{ measure, family, on string }{
	{figure.MeasureYoYGrowth, "devzone_yoy_growth_ratio", figureLabels},
	{figure.MeasureGrowthVsCity, "devzone_growth_vs_city_ratio", figureLabels},
	{figure.MeasureCityShareChange, "devzone_city_share_change_ratio", figureLabels},
	{figure.MeasureCityShare, "devzone_city_share_ratio", figureLabels},
	{figure.MeasureRate, "devzone_batch_rate_ratio", "city, zone, batch, scope"},
}

// alertValues is the latest value of the figure each figure alert is
// about (a growth, share, change of share or 三个一批 rate, all ratios).
func alertValues() string {
	parts := make([]string, 0, len(alertFigures))
	for _, f := range alertFigures {
		parts = append(parts, fmt.Sprintf("(%s * on (%s) group_left %s)",
			alertRows(`measure="`+f.measure+`"`), f.on, latestBy(f.on, f.family)))
	}
	return strings.Join(parts, " or ")
}

// alertPeriodEnds is the end of the period each alert is about: its zone's
// latest period, or for an alert about a city (late, overdue, unreadable)
// the city's latest.
func alertPeriodEnds() string {
	return "(" + alertRows() + " * on (city, zone) group_left " + zonePeriodEnds() + ")" +
		" or on (" + alertLabels + ") (" + alertRows() + " * on (city) group_left " +
		latestBy("city", "devzone_period_end_timestamp_seconds") + ")"
}

// alertNames are the alerts of alerts/devzone.rules.yml in the words
// officials use; a test keeps the list complete.
var alertNames = map[string]string{
	"DevZoneGrowthNegative":          "同比负增长",
	"DevZoneGrowthSharplyNegative":   "同比大幅下降",
	"DevZoneGrowthBelowCity":         "增速低于全市",
	"DevZoneCityShareFalling":        "占全市比重下降",
	"DevZoneCityShareFallingDerived": "占全市比重下降(两期比较)",
	"DevZoneBatchRateFalling":        "三个一批比率下降",
	"DevZoneReportLate":              "晚于其他城市报送",
	"DevZoneReportOverdue":           "数据逾期",
	"DevZoneBulletinInconsistent":    "公报数字前后不一致",
	"DevZoneBulletinUnreadable":      "公报无法识别",
	"DevZoneExporterAbsent":          "开发区数据暂不可用",
	"DevZoneExporterDown":            "采集器实例不可用",
	"DevZoneJobFailing":              "采集任务持续失败",
	"DevZoneStoreUnreachable":        "采集器无法连接存储",
}

// batchWords are the 三个一批 batch and scope label values in Chinese.
var batchWords = map[string]string{
	"signed": "签约一批", "started": "开工一批", "producing": "投产一批", "all": "合计",
	"period": "本期", "cumulative": "累计",
}

// firingAlertsTable lists the firing alerts in Chinese: what fired, where,
// about which indicator, the figure's latest value and its period.
func firingAlertsTable() *table.PanelBuilder {
	words := maps.Clone(alertNames)
	maps.Copy(words, batchWords)
	maps.Copy(words, map[string]string{"critical": "严重", "warning": "警告", "info": "提示"})
	return defaultTable(prometheusDatasource()).
		Title("正在触发的告警").
		Description("正在触发的 DevZone 告警,每个告警、开发区、指标一行:数值为告警所涉数字的最新值(同比增速、高于全市增速、占全市比重或其变化、三个一批比率),报告期为该开发区(城市类告警为该市)的最新报告期。").
		WithTarget(tableQuery("A", alertNamed(alertRows()))).
		WithTarget(tableQuery("B", alertNamed(alertValues()))).
		WithTarget(tableQuery("C", alertNamed(periodMonthMillis(alertPeriodEnds())))).
		WithTransformation(merge()).
		WithTransformation(organize(
			[]string{"Time", "Value #A", "indicator", "measure"},
			headers("alertname", "severity", "city", "zone", "name", "batch", "scope"),
			[]string{"city", "zone", "alertname", "severity", "name", "batch", "scope", "Value #B", "Value #C"})).
		OverrideByName("Value #B", []dashboard.DynamicConfigValue{displayNameProp(valueHeader), unitProp(unitRatio), decimalsProp(2)}).
		OverrideByName("Value #C", periodProps()).
		Mappings(textMappings(words))
}

func freshnessTable() *table.PanelBuilder {
	latest := latestBy("city", "devzone_period_end_timestamp_seconds")
	return defaultTable(prometheusDatasource()).
		Title("各市数据时效").
		Description(fmt.Sprintf("每个城市最新报告期,以及该期结束至今的天数;超过 %d 天标红。", overdueDays)).
		WithTarget(tableQuery("A", periodMonthMillis(latest))).
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

// batchLabels are the labels a 三个一批 row is keyed by.
const batchLabels = "city, zone, batch, scope"

func threeBatchesTable() *table.PanelBuilder {
	p := defaultTable(prometheusDatasource()).
		Title("各市三个一批").
		Description("各市“三个一批”活动最新一期:签约、开工、投产各批的项目数、投资与比率;口径“本期”为本期活动,“累计”为通报同时给出的更长口径。报告期为该行所属开发区(或全市汇总)的最新报告期,各市可能不同。").
		Span(24).
		Height(10).
		Mappings(textMappings(batchWords))
	order := []string{"city", "zone", "batch", "scope"}
	var rows []string
	for _, c := range batchColumns {
		expr := latestBy(batchLabels, c.family)
		if c.yuan {
			expr = perYi(expr)
		}
		value := "Value #" + c.refID
		p.WithTarget(tableQuery(c.refID, expr)).
			OverrideByName(value, []dashboard.DynamicConfigValue{displayNameProp(c.header), unitProp(c.unit), decimalsProp(decimalsFor(c.unit))})
		order = append(order, value)
		rows = append(rows, rowsOf(batchLabels, c.family))
	}
	// The period of every row, whichever of the families it has.
	period := "(group by (" + batchLabels + ") (" + strings.Join(rows, " or ") + ")) * on (city, zone) group_left " + zonePeriodEnds()
	p.WithTarget(tableQuery("G", periodMonthMillis(period))).
		OverrideByName("Value #G", periodProps())
	order = append(order, "Value #G")
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
