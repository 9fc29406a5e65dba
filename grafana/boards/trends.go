package boards

import (
	"fmt"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/grafana/postgres"
)

// Trends is 趋势: the history of one zone's indicator, of the zones of one
// city and of the city's 三个一批 drive, read from the store's figures
// table (Prometheus keeps only the latest period of each series). Points
// sit at their period's own month (periodMonth: 2023年1-6月 at 2023-06-01
// 00:00 Beijing time), as on the overview.
//
//nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
func Trends() (dashboard.Dashboard, error) {
	return dashboard.NewDashboardBuilder("趋势").
		Uid(TrendsUID).
		Description("开发区指标按报告期的历年走势:完成值、同比增速、占全市比重,以及同城开发区对比(数据来自 PostgreSQL 存储的 figures 表)。").
		Tags([]string{Tag}).
		Timezone(boardTimezone).
		Time("now-10y", "now").
		Link(boardLinks()).
		WithVariable(cityVariable()).
		WithVariable(zoneVariable()).
		WithVariable(indicatorVariable()).
		WithRow(dashboard.NewRowBuilder("${zone} · ${indicator:text}")).
		WithPanel(zoneValueTimeseries()).
		WithPanel(zoneGrowthShareTimeseries()).
		WithPanel(zoneHistoryTable()).
		WithRow(dashboard.NewRowBuilder("${city} 各开发区对比 · ${indicator:text}")).
		WithPanel(cityGrowthTimeseries()).
		WithPanel(cityValueTimeseries()).
		WithPanel(cityShareTimeseries()).
		WithRow(dashboard.NewRowBuilder("${city} 三个一批")).
		WithPanel(batchCountTimeseries()).
		WithPanel(batchInvestmentTimeseries()).
		WithPanel(batchRateTimeseries()).
		Build()
}

// Conditions on figures, from the template variables. ${v:sqlstring}
// quotes and escapes the value ('太原市'), so IN works for one value and
// would for several.
const (
	cityIs      = "city IN (${city:sqlstring})"
	zoneIs      = "zone IN (${zone:sqlstring})"
	indicatorIs = "indicator IN (${indicator:sqlstring})"
	isYuan      = "unit = 'yuan'"
)

// periodMonth is the instant a figure is drawn at: the first instant of
// its period's own month in Beijing time (see boardTimezone), from the
// period ("2023-06") rather than period_end (2023-07-01 00:00 +08:00, on
// July's tick). Grafana's $__time macro cannot take it (its argument may
// hold no parenthesis), so queries name the column "time" themselves.
const periodMonth = "(period || '-01')::timestamp AT TIME ZONE '" + boardTimezone + "'"

// Time column and filter of every trends query: the period's month, in
// the dashboard's time range.
const (
	timeColumn = periodMonth + ` AS "time"`
	inRange    = periodMonth + " BETWEEN $__timeFrom() AND $__timeTo()"
)

// drawnMeasures are the measures the zone and city panels draw: a
// variable offers only zones and indicators that have one of them.
var drawnMeasures = measureIs(figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare)

// aggregatePrefix starts the name of an aggregate of zones (全市开发区),
// which names no zone; the zone registry tells them apart the same way.
const aggregatePrefix = "全"

// zoneText names a zone label in a variable's choices so that a joint
// figure and an aggregate are not taken for a zone.
var zoneText = "zone || CASE WHEN zone LIKE " + sqlString(aggregatePrefix+"%") + " THEN " + sqlString("("+zoneKindAggregate+")") +
	" WHEN zone LIKE " + sqlString("%"+figure.ZoneSep+"%") + " THEN " + sqlString("("+zoneKindJoint+")") + " ELSE '' END"

// where renders the WHERE clause of every trends query: stated figures
// only (derived ones, the consistency checks' implied city totals, carry
// measures of their own and are not what the bulletins said), and conds.
// Every trends query takes its filter from here.
func where(conds ...string) string {
	return "WHERE NOT derived\n  AND " + strings.Join(conds, "\n  AND ")
}

// measureIs selects measures.
func measureIs(measures ...string) string {
	quoted := quoteAll(measures)
	if len(quoted) == 1 {
		return "measure = " + quoted[0]
	}
	return "measure IN (" + strings.Join(quoted, ", ") + ")"
}

// sqlString quotes s as an SQL string literal.
func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// pick is the value of one measure in a query grouped by period (there is
// one figure per measure and period, so max picks it).
func pick(measure string, extra ...string) string {
	cond := slices.Concat([]string{measureIs(measure)}, extra)
	return "max(value) FILTER (WHERE " + strings.Join(cond, " AND ") + ")"
}

// as names a column.
func as(expr, column string) string { return expr + ` AS "` + column + `"` }

// Measures the trends board draws.
var trendMeasures = []string{
	figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureGrowthVsCity,
	figure.MeasureCityShare, figure.MeasureCityShareChange,
}

// Column headers, shared by queries and overrides.
const (
	colValue       = "完成值"
	colGrowth      = "同比增速"
	colVsCity      = "高于全市增速"
	colShare       = "占全市比重"
	colShareChange = "占比较上月变化"
)

// The variables are chained, city → zone → indicator, each listing only
// what has data under the one before, ordered so that the first choice,
// which Grafana selects when the board opens, draws every panel: the city
// with the latest period (then the one with the most kinds of figure), its
// zone with the most indicator and measure pairs, the zone's indicator
// with the most of value, growth and share.

func cityVariable() *dashboard.QueryVariableBuilder {
	return sqlVariable("city", "城市", `
SELECT city
FROM figures
`+where("zone <> ''", drawnMeasures)+`
GROUP BY city
ORDER BY max(period) DESC, count(DISTINCT measure) DESC, count(*) DESC, city`)
}

func zoneVariable() *dashboard.QueryVariableBuilder {
	return sqlVariable("zone", "开发区", `
SELECT zone AS __value, `+zoneText+` AS __text
FROM figures
`+where(cityIs, "zone <> ''", drawnMeasures)+`
GROUP BY zone
ORDER BY count(DISTINCT indicator || '/' || measure) DESC, max(period) DESC, zone`)
}

// indicatorVariable lists the indicators of the zone that have a value,
// growth or share, named in Chinese (__text) from the catalog, keyed by
// their key (__value).
func indicatorVariable() *dashboard.QueryVariableBuilder {
	rows := make([]string, 0, len(figure.Indicators))
	for _, k := range figure.IndicatorKeys() {
		rows = append(rows, fmt.Sprintf("(%s, %s)", sqlString(k), sqlString(figure.Indicators[k])))
	}
	return sqlVariable("indicator", "指标", `
SELECT f.indicator AS __value, COALESCE(n.name, f.indicator) AS __text
FROM (
  SELECT indicator, count(DISTINCT measure) AS measures, count(DISTINCT period) AS periods
  FROM figures
  `+strings.ReplaceAll(where(cityIs, zoneIs, drawnMeasures), "\n", "\n  ")+`
  GROUP BY indicator
) AS f
LEFT JOIN (VALUES
  `+strings.Join(rows, ",\n  ")+`
) AS n (indicator, name) ON n.indicator = f.indicator
ORDER BY f.measures DESC, f.periods DESC, f.indicator`)
}

func zoneValueTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(postgresDatasource()).
		Title("完成值(亿元)").
		Description("所选开发区所选指标各报告期的完成值(累计值,亿元)。").
		DrawStyle(common.GraphDrawStyleBars).
		FillOpacity(60).
		BarAlignment(common.BarAlignmentCenter).
		Unit(unitYi).
		Decimals(2).
		WithTarget(sqlQuery("A", `
SELECT `+timeColumn+`, value / `+yuanPerYi+` AS "`+colValue+`"
FROM figures
`+where(cityIs, zoneIs, indicatorIs, measureIs(figure.MeasureValue), isYuan, inRange)+`
ORDER BY 1`, postgres.FormatTimeSeries))
}

func zoneGrowthShareTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(postgresDatasource()).
		Title("同比增速与占全市比重").
		Description("同比增速在左轴,占全市比重在右轴。").
		Unit(unitRatio).
		Decimals(1).
		OverrideByName(colGrowth, axisProps(common.AxisPlacementLeft, colGrowth)).
		OverrideByName(colShare, axisProps(common.AxisPlacementRight, colShare)).
		WithTarget(sqlQuery("A", `
SELECT `+timeColumn+`,
  `+as(pick(figure.MeasureYoYGrowth), colGrowth)+`,
  `+as(pick(figure.MeasureCityShare), colShare)+`
FROM figures
`+where(cityIs, zoneIs, indicatorIs, measureIs(figure.MeasureYoYGrowth, figure.MeasureCityShare), inRange)+`
GROUP BY period
ORDER BY 1`, postgres.FormatTimeSeries))
}

func zoneHistoryTable() *table.PanelBuilder {
	// signed colors a growth or change: red below zero, green above.
	signed := func() []dashboard.DynamicConfigValue {
		return append(thresholdsProp(signColors()), unitProp(unitRatio), decimalsProp(2),
			cellProp(common.TableCellDisplayModeColorText))
	}
	return defaultTable(postgresDatasource()).
		Title("历年数据").
		Description("所选开发区所选指标每个报告期的数字;“约”表示通报中有约、近、超等字样。").
		Span(24).
		Height(8).
		OverrideByName(colValue, []dashboard.DynamicConfigValue{unitProp(unitYi), decimalsProp(2)}).
		OverrideByName(colGrowth, signed()).
		OverrideByName(colVsCity, signed()).
		OverrideByName(colShare, []dashboard.DynamicConfigValue{unitProp(unitRatio), decimalsProp(2)}).
		OverrideByName(colShareChange, signed()).
		WithTarget(sqlQuery("A", `
SELECT period AS "报告期",
  `+as(pick(figure.MeasureValue, isYuan)+" / "+yuanPerYi, colValue)+`,
  `+as(pick(figure.MeasureYoYGrowth), colGrowth)+`,
  `+as(pick(figure.MeasureGrowthVsCity), colVsCity)+`,
  `+as(pick(figure.MeasureCityShare), colShare)+`,
  `+as(pick(figure.MeasureCityShareChange), colShareChange)+`,
  CASE WHEN bool_or(approx) THEN '约' ELSE '' END AS "约"
FROM figures
`+where(cityIs, zoneIs, indicatorIs, measureIs(trendMeasures...), inRange)+`
GROUP BY period
ORDER BY period DESC`, postgres.FormatTable))
}

// cityComparison is one measure of the chosen indicator for every zone of
// the chosen city, one series per zone (the metric column).
func cityComparison(title, measure, valueExpr, unit string, extra ...string) *timeseries.PanelBuilder {
	conds := slices.Concat([]string{cityIs, indicatorIs, measureIs(measure)}, extra, []string{inRange})
	return defaultTimeseries(postgresDatasource()).
		Title(title).
		Span(8).
		Unit(unit).
		Decimals(float64(decimalsFor(unit))).
		WithTarget(sqlQuery("A", `
SELECT `+timeColumn+`, `+zoneText+` AS metric, `+valueExpr+` AS value
FROM figures
`+where(conds...)+`
ORDER BY 1, 2`, postgres.FormatTimeSeries))
}

func cityGrowthTimeseries() *timeseries.PanelBuilder {
	return cityComparison("各开发区同比增速", figure.MeasureYoYGrowth, "value", unitRatio).
		Description("所选城市各开发区所选指标的同比增速。")
}

func cityValueTimeseries() *timeseries.PanelBuilder {
	return cityComparison("各开发区完成值(亿元)", figure.MeasureValue, "value / "+yuanPerYi, unitYi, isYuan).
		Description("所选城市各开发区所选指标的完成值(亿元)。")
}

func cityShareTimeseries() *timeseries.PanelBuilder {
	return cityComparison("各开发区占全市比重", figure.MeasureCityShare, "value", unitRatio).
		Description("所选城市各开发区所选指标占全市的比重。")
}

// batches are the 三个一批 drive's batches as the store keys them (the
// period's own rounds; the *_cumulative keys are a longer scope the
// overview shows), with their Chinese names.
var batches = []struct{ indicator, name string }{
	{figure.ProjectsSigned, "签约一批"},
	{figure.ProjectsStarted, "开工一批"},
	{figure.ProjectsProducing, "投产一批"},
	{figure.ThreeBatchesProjects, "合计"},
}

// batchHistory is one measure of the 三个一批 drive in the chosen city
// over the periods, one series per zone (全市开发区, mostly) and batch.
// withTotal includes the total over the batches (合计), which has no rate.
func batchHistory(title, measure, valueExpr, unit string, withTotal bool, extra ...string) *timeseries.PanelBuilder {
	keys := make([]string, 0, len(batches))
	names := "CASE indicator"
	for _, b := range batches {
		if b.indicator == figure.ThreeBatchesProjects && !withTotal {
			continue
		}
		keys = append(keys, b.indicator)
		names += " WHEN " + sqlString(b.indicator) + " THEN " + sqlString(b.name)
	}
	names += " END"
	conds := slices.Concat([]string{cityIs, "indicator IN (" + strings.Join(quoteAll(keys), ", ") + ")", measureIs(measure)}, extra, []string{inRange})
	return defaultTimeseries(postgresDatasource()).
		Title(title).
		Span(8).
		Unit(unit).
		Decimals(float64(decimalsFor(unit))).
		WithTarget(sqlQuery("A", `
SELECT `+timeColumn+`, `+zoneText+` || ' ' || `+names+` AS metric, `+valueExpr+` AS value
FROM figures
`+where(conds...)+`
ORDER BY 1, 2`, postgres.FormatTimeSeries))
}

// quoteAll quotes each string as an SQL literal.
func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = sqlString(s)
	}
	return out
}

func batchCountTimeseries() *timeseries.PanelBuilder {
	return batchHistory("三个一批项目数", figure.MeasureCount, "value", unitCount, true).
		Description("所选城市“三个一批”活动各报告期签约、开工、投产各批的项目数(本期口径)。")
}

func batchInvestmentTimeseries() *timeseries.PanelBuilder {
	return batchHistory("三个一批计划总投资(亿元)", figure.MeasurePlannedInvestment, "value / "+yuanPerYi, unitYi, true, isYuan).
		Description("所选城市“三个一批”活动各报告期各批项目的计划总投资(亿元,本期口径)。")
}

func batchRateTimeseries() *timeseries.PanelBuilder {
	return batchHistory("开工率/投产率/达产率", figure.MeasureRate, "value", unitRatio, false).
		Description("所选城市“三个一批”活动各报告期的比率:签约一批的开工率、开工一批的投产率、投产一批的达产率。")
}
