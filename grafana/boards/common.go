package boards

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/devzone/devzone_exporter/grafana/postgres"
)

// Datasource uids. grafana/provisioning/datasources/devzone.yml defines
// datasources with exactly these uids; a Grafana that has its own must
// give them these uids (or edit the JSON) — see grafana/README.md.
const (
	PrometheusUID = "devzone-prometheus"
	PostgresUID   = "devzone-postgres"
)

// Dashboard uids. Alert annotations link to /d/<uid>, so they never change.
const (
	OverviewUID = "devzone-overview"
	TrendsUID   = "devzone-trends"
	ExporterUID = "devzone-exporter"
)

// Tag is on every board; the boards' link bar lists the boards with it.
const Tag = "devzone"

// Units. Ratios are stored as fractions (0.11 is 11%), so percentunit.
// Yuan amounts are divided by yuanPerYi in the query itself (PromQL and
// SQL alike) and shown with the custom unit "suffix:亿元": Grafana has no
// unit that scales by 10^8, and its "short" would print 9.2 Bil.
const (
	unitRatio = "percentunit"
	unitYi    = "suffix:亿元"
	unitDays  = "suffix:天"
	unitCount = "none"
	unitSecs  = "s"
	yuanPerYi = "1e8"
)

// A period is shown as its own month, on every board: 2023年1-6月 (period
// "2023-06", which ends 2023-07-01 00:00 Beijing time) is drawn and printed
// at the first instant of June in Beijing time, 2023-06-01 00:00 +08:00,
// which the axis labels June and the unit time:YYYY-MM prints as 2023-06.
// The instant a period ends belongs to the next month: a point there sits
// on July's tick. Elapsed time (期末至今, overdue) still counts from the
// period's end, when the data could first exist.
const boardTimezone = "Asia/Shanghai"

// periodMonthMillis turns a vector of period ends (Unix seconds, as
// devzone_period_end_timestamp_seconds holds them) into the first instant
// of each period's own month, in milliseconds for Grafana's time units. A
// Beijing month ends at 16:00 UTC on the month's last day, so a second
// before the end lies in that month in UTC too, and days_in_month of it
// is the length of the period's month.
func periodMonthMillis(ends string) string {
	return fmt.Sprintf("((%s) - 86400 * days_in_month((%s) - 1)) * 1000", ends, ends)
}

// overdueDays is how many days after the end of its latest reported period
// a city counts as overdue on the overview. Bulletins are monthly and come
// out two to four weeks after the month ends, so a city past two months
// has missed one.
const overdueDays = 62

// Colors Grafana knows by name.
const (
	green = "green"
	red   = "red"
)

// prometheusDatasource is the provisioned Prometheus.
func prometheusDatasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr("prometheus"), Uid: cog.ToPtr(PrometheusUID)}
}

// postgresDatasource is the provisioned PostgreSQL store.
func postgresDatasource() common.DataSourceRef {
	return common.DataSourceRef{Type: cog.ToPtr(postgres.DatasourceType), Uid: cog.ToPtr(PostgresUID)}
}

// selector renders label matchers as a PromQL selector body.
func selector(matchers ...string) string {
	return "{" + strings.Join(matchers, ", ") + "}"
}

// perYi converts a yuan-valued PromQL expression to 亿元.
func perYi(expr string) string { return expr + " / " + yuanPerYi }

// rangeQuery is a Prometheus range query for a time series panel.
func rangeQuery(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(prometheusDatasource()).
		RefId(refID).
		Expr(expr).
		Range().
		LegendFormat(legend)
}

// instantQuery is a Prometheus instant query for a stat or bar gauge:
// every figure family holds only the latest period, so history is never
// needed there.
func instantQuery(refID, expr, legend string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(prometheusDatasource()).
		RefId(refID).
		Expr(expr).
		Instant().
		LegendFormat(legend)
}

// tableQuery is a Prometheus instant query read as a table: one row per
// series, one column per label, the value in "Value" (one query) or
// "Value #<refId>" (several).
func tableQuery(refID, expr string) *prometheus.DataqueryBuilder {
	return prometheus.NewDataqueryBuilder().
		Datasource(prometheusDatasource()).
		RefId(refID).
		Expr(expr).
		Instant().
		Format(prometheus.PromQueryFormatTable)
}

// sqlQuery is a PostgreSQL query on the store.
func sqlQuery(refID, rawSQL string, format postgres.Format) *postgres.DataqueryBuilder {
	return postgres.NewDataqueryBuilder(strings.TrimSpace(rawSQL)).
		Datasource(postgresDatasource()).
		RefId(refID).
		Format(format)
}

// defaultTimeseries is a time series panel for sparse data: monthly
// figures are points joined by lines, never smoothed.
func defaultTimeseries(ds common.DataSourceRef) *timeseries.PanelBuilder {
	return timeseries.NewPanelBuilder().
		Datasource(ds).
		Height(9).
		Span(12).
		DrawStyle(common.GraphDrawStyleLine).
		LineWidth(2).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeAlways).
		PointSize(6).
		SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(true)}).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending))
}

// defaultTable is a table panel with filterable columns and no footer.
// The footer is spelled out: the SDK's default has a null reducer, which
// its own strict reader rejects.
func defaultTable(ds common.DataSourceRef) *table.PanelBuilder {
	return table.NewPanelBuilder().
		Datasource(ds).
		Height(10).
		Span(12).
		Filterable(true).
		CellHeight(common.TableCellHeightSm).
		Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}))
}

// defaultStat is a single number with no sparkline.
func defaultStat(ds common.DataSourceRef) *stat.PanelBuilder {
	return stat.NewPanelBuilder().
		Datasource(ds).
		Height(4).
		Span(6).
		GraphMode(common.BigValueGraphModeNone).
		ColorMode(common.BigValueColorModeValue).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
}

// defaultBarGauge is horizontal bars, one per series.
func defaultBarGauge(ds common.DataSourceRef) *bargauge.PanelBuilder {
	return bargauge.NewPanelBuilder().
		Datasource(ds).
		Height(10).
		Span(12).
		Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeGradient).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}))
}

// thresholds builds absolute thresholds: base below the first step, then
// each step's color from its value up.
func thresholds(base string, above ...dashboard.Threshold) *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps(append([]dashboard.Threshold{{Color: base}}, above...))
}

// from is a threshold step: color from v up.
func from(v float64, color string) dashboard.Threshold {
	return dashboard.Threshold{Value: &v, Color: color}
}

// signColors is red below zero and green from zero up: growth and share
// changes.
func signColors() *dashboard.ThresholdsConfigBuilder { return thresholds(red, from(0, green)) }

// overdueColors is green until overdueDays, red from then on.
func overdueColors() *dashboard.ThresholdsConfigBuilder {
	return thresholds(green, from(overdueDays, red))
}

// Override properties: what a field override sets, by Grafana's ids.

// unitProp sets a field's unit.
func unitProp(unit string) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "unit", Value: unit}
}

// decimalsProp sets how many decimals a field shows.
func decimalsProp(n int) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "decimals", Value: n}
}

// displayNameProp names a field, for value columns Grafana names
// "Value #<refId>".
func displayNameProp(name string) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "displayName", Value: name}
}

// thresholdsProp colors a field by thresholds.
func thresholdsProp(t *dashboard.ThresholdsConfigBuilder) []dashboard.DynamicConfigValue {
	built, err := t.Build()
	if err != nil {
		panic(err) // thresholds built here from constants
	}
	return []dashboard.DynamicConfigValue{
		{Id: "thresholds", Value: built},
		{Id: "color", Value: map[string]any{"mode": "thresholds"}},
	}
}

// cellProp sets how a table cell shows its color: "color-text" or
// "color-background".
func cellProp(mode common.TableCellDisplayMode) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "custom.cellOptions", Value: map[string]any{"type": string(mode)}}
}

// axisProps puts a time series field on an axis of its own.
func axisProps(placement common.AxisPlacement, label string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{
		{Id: "custom.axisPlacement", Value: string(placement)},
		{Id: "custom.axisLabel", Value: label},
	}
}

// organize hides columns and renames the others, for tables built from
// Prometheus labels.
func organize(exclude []string, rename map[string]string, order []string) dashboard.DataTransformerConfig {
	ex := map[string]bool{}
	for _, c := range exclude {
		ex[c] = true
	}
	idx := map[string]int{}
	for i, c := range order {
		idx[c] = i
	}
	return dashboard.DataTransformerConfig{
		Id: "organize",
		Options: map[string]any{
			"excludeByName": ex,
			"renameByName":  rename,
			"indexByName":   idx,
		},
	}
}

// merge joins the tables of several instant queries on their common label
// columns, one row per series with a "Value #<refId>" column per query.
func merge() dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: "merge", Options: map[string]any{}}
}

// textMappings maps label values to the Chinese words officials use.
func textMappings(m map[string]string) []dashboard.ValueMapping {
	opts := map[string]dashboard.ValueMappingResult{}
	i := int32(0)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		opts[k] = dashboard.ValueMappingResult{Text: cog.ToPtr(m[k]), Index: cog.ToPtr(i)}
		i++
	}
	return []dashboard.ValueMapping{{ValueMap: &dashboard.ValueMap{Type: dashboard.MappingTypeValueToText, Options: opts}}}
}

// boardLinks links every board to the others (by tag) in a dropdown.
func boardLinks() *dashboard.DashboardLinkBuilder {
	return dashboard.NewDashboardLinkBuilder("开发区看板").
		Type(dashboard.DashboardLinkTypeDashboards).
		Tags([]string{Tag}).
		AsDropdown(true).
		IncludeVars(true).
		KeepTime(true)
}

// promVariable is a Prometheus label_values variable, several values and
// All allowed; All matches everything (".*"), including series without the
// label.
func promVariable(name, label, metric string) *dashboard.QueryVariableBuilder {
	q := fmt.Sprintf("label_values(%s, %s)", metric, name)
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(prometheusDatasource()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		Sort(dashboard.VariableSortAlphabeticalAsc).
		Multi(true).
		IncludeAll(true).
		AllValue(".*").
		Current(dashboard.VariableOption{
			Selected: cog.ToPtr(true),
			Text:     dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value:    dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		})
}

// sqlVariable is a single-valued PostgreSQL variable. Panels use it as
// ${name:sqlstring}, which quotes and escapes the value.
func sqlVariable(name, label, rawSQL string) *dashboard.QueryVariableBuilder {
	q := strings.TrimSpace(rawSQL)
	return dashboard.NewQueryVariableBuilder(name).
		Label(label).
		Datasource(postgresDatasource()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(q)}).
		Definition(q).
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		Sort(dashboard.VariableSortDisabled). // the query orders
		Multi(false).
		IncludeAll(false)
}
