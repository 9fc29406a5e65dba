package collector

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

// namespace prefixes every metric the exporter exposes.
const namespace = "devzone"

// cachedHelp ends the HELP text of every figure family: the values are the
// refresh job's copy of the store, not read at scrape time.
const cachedHelp = " Latest reported period of each series; cached from the store by the refresh job."

// familyID names one figure family. The order is the order of the table
// below; exposition order is by name (see renderOrder).
type familyID int

const (
	famAmount familyID = iota
	famYoYGrowth
	famCityShare
	famCityShareChange
	famGrowthVsCity
	famBatchProjects
	famBatchStartedProjects
	famBatchProjectsWithOutput
	famBatchPlannedInvestment
	famBatchStartedPlannedInvestment
	famBatchCompletedInvestment
	famBatchExpectedOutput
	famBatchRate
	famItems
	famArea
	famOtherAmount
	famApproximate
	famPeriodEnd
	famIndicatorInfo
	famFigurePeriodEnd
	famDerivedCityTotal
	famDerivedCityGrowth
	famFindings
	famReportsFailed
	famReportFailedInfo
	famReportUnmatched
	famReportWarnings
	numFamilies
)

// Label names. Every family lists its labels sorted by name, the order in
// which the exposition prints them, so that a series' label values can be
// compared in one pass and the pre-rendered text is byte for byte what
// client_golang's Gather and expfmt would produce.
var (
	labelsZoneIndicator        = []string{"city", "indicator", "zone"}
	labelsZoneIndicatorMeasure = []string{"city", "indicator", "measure", "zone"}
	labelsBatch                = []string{"batch", "city", "scope", "zone"}
	labelsZone                 = []string{"city", "zone"}
	labelsIndicatorInfo        = []string{"indicator", "name"}
	labelsFindings             = []string{"city", "kind"}
	labelsCity                 = []string{"city"}
	labelsFailedReport         = []string{"city", "file", "reason"}
)

// family is one metric family of figures.
type family struct {
	name   string
	help   string
	labels []string
	desc   *prometheus.Desc
}

// families is the table of DESIGN.md's "Metric families", indexed by
// familyID. Names are an interface (alerts and dashboards use them): never
// rename one.
var families = [numFamilies]family{
	famAmount: {name: "amount_yuan", labels: labelsZoneIndicator,
		help: "Stated amount (完成值) of an indicator of a development zone, in yuan."},
	famYoYGrowth: {name: "yoy_growth_ratio", labels: labelsZoneIndicator,
		help: "Year-on-year growth (同比增速) of an indicator of a development zone, as a ratio (-0.1485 is -14.85%)."},
	famCityShare: {name: "city_share_ratio", labels: labelsZoneIndicator,
		help: "Share of the whole city's figure (占全市比重) that an indicator of a development zone makes, as a ratio."},
	famCityShareChange: {name: "city_share_change_ratio", labels: labelsZoneIndicator,
		help: "Change of the city share since the previous month (较上月), as a ratio (-0.0119 is 1.19 percentage points down)."},
	famGrowthVsCity: {name: "growth_vs_city_ratio", labels: labelsZoneIndicator,
		help: "Growth of an indicator of a development zone minus the whole city's growth (高于全市增速), as a ratio."},
	famBatchProjects: {name: "batch_projects", labels: labelsBatch,
		help: "Projects in a batch of the 三个一批 drive (signed, started, producing, or all)."},
	famBatchStartedProjects: {name: "batch_started_projects", labels: labelsBatch,
		help: "Projects of a 三个一批 batch that have started construction (已开工)."},
	famBatchProjectsWithOutput: {name: "batch_projects_with_output", labels: labelsBatch,
		help: "Projects of a 三个一批 batch that report an output value (涉及产值)."},
	famBatchPlannedInvestment: {name: "batch_planned_investment_yuan", labels: labelsBatch,
		help: "Planned total investment (计划总投资) of the projects of a 三个一批 batch, in yuan."},
	famBatchStartedPlannedInvestment: {name: "batch_started_planned_investment_yuan", labels: labelsBatch,
		help: "Planned total investment of the started projects of a 三个一批 batch, in yuan."},
	famBatchCompletedInvestment: {name: "batch_completed_investment_yuan", labels: labelsBatch,
		help: "Investment completed (已完成投资) by the projects of a 三个一批 batch, in yuan."},
	famBatchExpectedOutput: {name: "batch_expected_output_yuan", labels: labelsBatch,
		help: "Expected annual output (预计年产值) of the projects of a 三个一批 batch, in yuan."},
	famBatchRate: {name: "batch_rate_ratio", labels: labelsBatch,
		help: "Rate of a 三个一批 batch as a ratio: 开工率 of signed, 投产率 of started, 达产率 of producing projects."},
	famItems: {name: "items", labels: labelsZoneIndicatorMeasure,
		help: "Counted items of an indicator (projects, enterprises, parcels, cases, people); measure says which count."},
	famArea: {name: "area_square_meters", labels: labelsZoneIndicator,
		help: "Area of an indicator (亩 and 平方公里 converted), in square meters."},
	famOtherAmount: {name: "other_amount_yuan", labels: labelsZoneIndicatorMeasure,
		help: "Other amounts of an indicator in yuan (planned investment of a landed project, annual funds); measure says which."},
	famApproximate: {name: "figure_approximate", labels: labelsZoneIndicatorMeasure,
		help: "1 for each figure the bulletin states approximately (约, 近, 超, 余, 左右); exact figures have no series."},
	famPeriodEnd: {name: "period_end_timestamp_seconds", labels: labelsZone,
		help: "End of the latest period a development zone reported, as a Unix time (2023年1-6月 ends 2023-07-01T00:00:00+08:00)."},
	famFigurePeriodEnd: {name: "figure_period_end_timestamp_seconds", labels: labelsZoneIndicatorMeasure,
		help: "End of the period of a figure older than its zone's latest period (one the zone's latest bulletin did not restate), as a Unix time; figures of the latest period have no series, so alert text can name the right period."},
	famDerivedCityTotal: {name: "derived_city_total_yuan", labels: labelsZoneIndicator,
		help: "DERIVED, not stated: the city total a zone's amount and city share imply (amount / share), in yuan; zone is the zone whose statements imply it. Exposed with --metrics.derived."},
	famDerivedCityGrowth: {name: "derived_city_growth_ratio", labels: labelsZoneIndicator,
		help: "DERIVED, not stated: the city's year-on-year growth a zone's growth and its growth against the city imply (growth - growth_vs_city), as a ratio. Exposed with --metrics.derived."},
	famFindings: {name: "report_findings", labels: labelsFindings,
		help: "Consistency findings in the bulletins of a city's latest period (two statements implying different city totals, batches not adding up to their total, a share above 100%, a growth contradicting last year's value); see /api/v1/findings for the sentences."},
	famReportsFailed: {name: "reports_failed", labels: labelsCity,
		help: "Bulletins of a city's latest period (or of an unknown period) the ingest job could not read and that no later file of the same name replaced; city is read from the file name, \"\" when it names none."},
	famReportFailedInfo: {name: "report_failed_info", labels: labelsFailedReport,
		help: "One series, always 1, for each bulletin counted in devzone_reports_failed: its file name and why it could not be read."},
	famReportUnmatched: {name: "report_unmatched_sentences", labels: labelsCity,
		help: "Sentences with a number and a unit that yielded no figure (未能识别的句子) in the current bulletins of a city's latest period (not superseded, not withdrawn); see /api/v1/reports."},
	famReportWarnings: {name: "report_warnings", labels: labelsCity,
		help: "Parser warnings (a passage with no city, conflicting statements of one figure) about the current bulletins of a city's latest period; see /api/v1/reports."},
	famIndicatorInfo: {name: "indicator_info", labels: labelsIndicatorInfo,
		help: "Chinese name of each indicator key, always 1; join on indicator for dashboards and alert text."},
}

// batchFamilies maps a 三个一批 measure to its family.
var batchFamilies = map[string]familyID{
	figure.MeasureCount:                    famBatchProjects,
	figure.MeasureStartedCount:             famBatchStartedProjects,
	figure.MeasureCountWithOutput:          famBatchProjectsWithOutput,
	figure.MeasurePlannedInvestment:        famBatchPlannedInvestment,
	figure.MeasureStartedPlannedInvestment: famBatchStartedPlannedInvestment,
	figure.MeasureCompletedInvestment:      famBatchCompletedInvestment,
	figure.MeasureExpectedOutput:           famBatchExpectedOutput,
	figure.MeasureRate:                     famBatchRate,
}

// batchUnits is the unit each 三个一批 family needs.
var batchUnits = map[familyID]figure.Unit{
	famBatchProjects:                 figure.UnitCount,
	famBatchStartedProjects:          figure.UnitCount,
	famBatchProjectsWithOutput:       figure.UnitCount,
	famBatchPlannedInvestment:        figure.UnitYuan,
	famBatchStartedPlannedInvestment: figure.UnitYuan,
	famBatchCompletedInvestment:      figure.UnitYuan,
	famBatchExpectedOutput:           figure.UnitYuan,
	famBatchRate:                     figure.UnitRatio,
}

// ratioFamilies maps the measures compared against the city to their family.
var ratioFamilies = map[string]familyID{
	figure.MeasureYoYGrowth:       famYoYGrowth,
	figure.MeasureCityShare:       famCityShare,
	figure.MeasureCityShareChange: famCityShareChange,
	figure.MeasureGrowthVsCity:    famGrowthVsCity,
}

// Scopes of a 三个一批 figure: the period's own rounds, or the longer scope
// a bulletin gives beside it (the *_cumulative indicator keys).
const (
	scopePeriod     = "period"
	scopeCumulative = "cumulative"
)

// renderOrder lists the families sorted by full name, the order in which
// Gather returns them.
var renderOrder []familyID

func init() {
	for id := range families {
		f := &families[id]
		f.name = prometheus.BuildFQName(namespace, "", f.name)
		f.help += cachedHelp
		f.desc = prometheus.NewDesc(f.name, f.help, f.labels, nil)
		renderOrder = append(renderOrder, familyID(id))
	}
	slices.SortFunc(renderOrder, func(a, b familyID) int {
		switch {
		case families[a].name < families[b].name:
			return -1
		case families[a].name > families[b].name:
			return 1
		}
		return 0
	})
}

// classify says which family a figure belongs to, its label values in the
// family's label order, and its value in the family's unit. ok is false for
// a figure no family takes (a measure in an unexpected unit); the refresh
// job counts those and logs them.
func classify(f *figure.Figure, zone string) (id familyID, labels [4]string, value float64, ok bool) {
	value = f.Value
	if f.Derived {
		switch {
		case f.Measure == consistency.MeasureImpliedCityTotal && f.Unit == figure.UnitYuan:
			return famDerivedCityTotal, [4]string{f.City, f.Indicator, zone}, value, true
		case f.Measure == consistency.MeasureImpliedCityGrowth && f.Unit == figure.UnitRatio:
			return famDerivedCityGrowth, [4]string{f.City, f.Indicator, zone}, value, true
		}
		return 0, labels, 0, false
	}
	if batch, cumulative, isBatch := figure.Batch(f.Indicator); isBatch {
		if id, ok := batchFamilies[f.Measure]; ok && batchUnits[id] == f.Unit {
			scope := scopePeriod
			if cumulative {
				scope = scopeCumulative
			}
			return id, [4]string{batch, f.City, scope, zone}, value, true
		}
	}
	if id, isRatio := ratioFamilies[f.Measure]; isRatio {
		if f.Unit != figure.UnitRatio {
			return 0, labels, 0, false
		}
		return id, [4]string{f.City, f.Indicator, zone}, value, true
	}
	switch {
	case f.Measure == figure.MeasureValue && f.Unit == figure.UnitYuan:
		return famAmount, [4]string{f.City, f.Indicator, zone}, value, true
	case f.Measure == figure.MeasureArea:
		m2, isArea := f.Unit.SquareMeters(f.Value)
		if !isArea {
			return 0, labels, 0, false
		}
		return famArea, [4]string{f.City, f.Indicator, zone}, m2, true
	case f.Unit == figure.UnitCount:
		return famItems, [4]string{f.City, f.Indicator, f.Measure, zone}, value, true
	case f.Unit == figure.UnitYuan:
		return famOtherAmount, [4]string{f.City, f.Indicator, f.Measure, zone}, value, true
	}
	return 0, labels, 0, false
}
