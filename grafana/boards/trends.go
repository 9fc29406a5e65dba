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

// Trends is 趋势: the history of one zone's indicator and of the zones of
// one city, read from the store's figures table (Prometheus keeps only the
// latest period of each series). Points sit at period_end, the instant a
// reporting period ends (2023年1-6月 at 2023-07-01 00:00 Beijing time).
//
//nolint:staticcheck // SA1019: the classic model on purpose, see the package comment
func Trends() (dashboard.Dashboard, error) {
	return dashboard.NewDashboardBuilder("趋势").
		Uid(TrendsUID).
		Description("开发区指标按报告期的历年走势:完成值、同比增速、占全市比重,以及同城开发区对比(数据来自 PostgreSQL 存储的 figures 表)。").
		Tags([]string{Tag}).
		Timezone("Asia/Shanghai").
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
		Build()
}

// Conditions on figures, from the template variables. ${v:sqlstring}
// quotes and escapes the value ('太原市'), so IN works for one value and
// would for several.
const (
	cityIs      = "city IN (${city:sqlstring})"
	zoneIs      = "zone IN (${zone:sqlstring})"
	indicatorIs = "indicator IN (${indicator:sqlstring})"
	inRange     = "$__timeFilter(period_end)"
	isYuan      = "unit = 'yuan'"
)

// where renders the WHERE clause of every trends query: stated figures
// only (derived ones, the consistency checks' implied city totals, carry
// measures of their own and are not what the bulletins said), and conds.
// Every trends query takes its filter from here.
func where(conds ...string) string {
	return "WHERE NOT derived\n  AND " + strings.Join(conds, "\n  AND ")
}

// measureIs selects measures.
func measureIs(measures ...string) string {
	quoted := make([]string, len(measures))
	for i, m := range measures {
		quoted[i] = sqlString(m)
	}
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

func cityVariable() *dashboard.QueryVariableBuilder {
	return sqlVariable("city", "城市", `
SELECT DISTINCT city
FROM figures
WHERE NOT derived
ORDER BY city`)
}

func zoneVariable() *dashboard.QueryVariableBuilder {
	return sqlVariable("zone", "开发区", `
SELECT DISTINCT zone
FROM figures
`+where(cityIs, "zone <> ''")+`
ORDER BY zone`)
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
  SELECT DISTINCT indicator
  FROM figures
  `+strings.ReplaceAll(where(cityIs, zoneIs, measureIs(figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare)), "\n", "\n  ")+`
) AS f
LEFT JOIN (VALUES
  `+strings.Join(rows, ",\n  ")+`
) AS n (indicator, name) ON n.indicator = f.indicator
ORDER BY f.indicator`)
}

func zoneValueTimeseries() *timeseries.PanelBuilder {
	return defaultTimeseries(postgresDatasource()).
		Title("完成值(亿元)").
		Description("所选开发区所选指标各报告期的完成值(累计值,亿元)。").
		DrawStyle(common.GraphDrawStyleBars).
		FillOpacity(60).
		BarAlignment(common.BarAlignmentBefore).
		Unit(unitYi).
		Decimals(2).
		WithTarget(sqlQuery("A", `
SELECT $__time(period_end), value / `+yuanPerYi+` AS "`+colValue+`"
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
SELECT $__time(period_end),
  `+as(pick(figure.MeasureYoYGrowth), colGrowth)+`,
  `+as(pick(figure.MeasureCityShare), colShare)+`
FROM figures
`+where(cityIs, zoneIs, indicatorIs, measureIs(figure.MeasureYoYGrowth, figure.MeasureCityShare), inRange)+`
GROUP BY period_end
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
SELECT $__time(period_end), zone AS metric, `+valueExpr+` AS value
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
