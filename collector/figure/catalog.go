package figure

import "sort"

// Indicator keys. These names are an interface: alerts, dashboards and
// analysts' queries depend on them, so a key, once released, never changes.
const (
	IndustrialValueAdded        = "industrial_value_added"
	IndustrialOutput            = "industrial_output"
	IndustrialInvestment        = "industrial_investment"
	FixedAssetInvestment        = "fixed_asset_investment"
	IndustrialProjectInvestment = "industrial_project_investment"
	GDP                         = "gdp"
	OperatingRevenue            = "operating_revenue"
	TaxRevenue                  = "tax_revenue"
	BudgetRevenue               = "budget_revenue"
	ImportExport                = "import_export"
	IndustrialProfit            = "industrial_profit"
	RetailSales                 = "retail_sales"

	ProjectsSigned       = "projects_signed"
	ProjectsStarted      = "projects_started"
	ProjectsProducing    = "projects_producing"
	ThreeBatchesProjects = "three_batches_projects"
	ThreeBatchesRounds   = "three_batches_rounds"
	// CumulativeSuffix marks a 三个一批 key given for a second, longer scope
	// than the period's own (2023年前五次 beside 2023年上半年).
	CumulativeSuffix = "_cumulative"

	CommitmentSystemProjects = "commitment_system_projects"
	StandardLandTransfers    = "standard_land_transfers"
	AgencyServiceProjects    = "agency_service_projects"
	AgencyServiceCases       = "agency_service_cases"
	AgencyServiceStaff       = "agency_service_staff"
	FiledProjects            = "filed_projects"
	MarketEntities           = "market_entities"
	Enterprises              = "enterprises"
	FourAboveEnterprises     = "four_above_enterprises"
	SMEParks                 = "sme_parks"
	DevelopmentZones         = "development_zones"
	InvestmentProject        = "investment_project"
)

// Measure keys: what a figure says about its indicator.
const (
	MeasureValue                    = "value"
	MeasureYoYGrowth                = "yoy_growth"
	MeasureCityShare                = "city_share"
	MeasureCityShareChange          = "city_share_change"
	MeasureGrowthVsCity             = "growth_vs_city"
	MeasureCount                    = "count"
	MeasurePlannedInvestment        = "planned_investment"
	MeasureCompletedInvestment      = "completed_investment"
	MeasureExpectedOutput           = "expected_output"
	MeasureRate                     = "rate"
	MeasureStartedCount             = "started_count"
	MeasureStartedPlannedInvestment = "started_planned_investment"
	MeasureArea                     = "area"
	MeasureEligibleCount            = "eligible_count"
	MeasureInProgressCount          = "in_progress_count"
	MeasureCountWithOutput          = "count_with_output"
)

// Indicators maps every indicator key the parser can emit to the Chinese
// name officials read in alerts and dashboards.
var Indicators = map[string]string{
	IndustrialValueAdded:        "规模以上工业增加值",
	IndustrialOutput:            "规模以上工业总产值",
	IndustrialInvestment:        "工业投资",
	FixedAssetInvestment:        "固定资产投资",
	IndustrialProjectInvestment: "产业项目投资",
	GDP:                         "地区生产总值",
	OperatingRevenue:            "营业收入",
	TaxRevenue:                  "税收收入",
	BudgetRevenue:               "一般公共预算收入",
	ImportExport:                "进出口总额",
	IndustrialProfit:            "规上工业利润总额",
	RetailSales:                 "社会消费品零售总额",

	ProjectsSigned:       "三个一批·签约一批",
	ProjectsStarted:      "三个一批·开工一批",
	ProjectsProducing:    "三个一批·投产一批",
	ThreeBatchesProjects: "三个一批·合计",
	ThreeBatchesRounds:   "三个一批·活动次数",

	ProjectsSigned + CumulativeSuffix:       "三个一批·签约一批(累计)",
	ProjectsStarted + CumulativeSuffix:      "三个一批·开工一批(累计)",
	ProjectsProducing + CumulativeSuffix:    "三个一批·投产一批(累计)",
	ThreeBatchesProjects + CumulativeSuffix: "三个一批·合计(累计)",

	CommitmentSystemProjects: "承诺制项目",
	StandardLandTransfers:    "标准地出让",
	AgencyServiceProjects:    "领办代办项目",
	AgencyServiceCases:       "领办代办件数",
	AgencyServiceStaff:       "领办代办队伍人数",
	FiledProjects:            "备案项目",
	MarketEntities:           "市场主体",
	Enterprises:              "企业",
	FourAboveEnterprises:     "“四上”企业",
	SMEParks:                 "中小企业园",
	DevelopmentZones:         "开发区",
	InvestmentProject:        "招商项目",
}

// Economic lists the indicators whose value, growth and city share are the
// exporter's main metrics, in the order boards and bulletins list them.
var Economic = []string{
	IndustrialValueAdded, IndustrialOutput, IndustrialInvestment, FixedAssetInvestment,
	IndustrialProjectInvestment, GDP, OperatingRevenue, TaxRevenue, BudgetRevenue,
	ImportExport, IndustrialProfit, RetailSales,
}

// Measures maps every measure key to its Chinese name.
var Measures = map[string]string{
	MeasureValue:                    "完成值",
	MeasureYoYGrowth:                "同比增速",
	MeasureCityShare:                "占全市比重",
	MeasureCityShareChange:          "占比较上月变化",
	MeasureGrowthVsCity:             "高于全市增速",
	MeasureCount:                    "数量",
	MeasurePlannedInvestment:        "计划总投资",
	MeasureCompletedInvestment:      "已完成投资",
	MeasureExpectedOutput:           "预计年产值",
	MeasureRate:                     "比率",
	MeasureStartedCount:             "已开工项目数",
	MeasureStartedPlannedInvestment: "已开工项目总投资",
	MeasureArea:                     "面积",
	MeasureEligibleCount:            "符合条件数",
	MeasureInProgressCount:          "正在推进数",
	MeasureCountWithOutput:          "涉及产值项目数",
}

// Batches maps the 三个一批 indicator keys to the value of the batch label:
// signed, started, producing, or all for the three together. Cumulative
// keys map to the same batch; see IsCumulative.
var Batches = map[string]string{
	ProjectsSigned:       "signed",
	ProjectsStarted:      "started",
	ProjectsProducing:    "producing",
	ThreeBatchesProjects: "all",
}

// Batch returns the 三个一批 batch an indicator is about and whether it is a
// cumulative (longer scope) key. ok is false for any other indicator.
func Batch(indicator string) (batch string, cumulative, ok bool) {
	key := indicator
	if n := len(indicator) - len(CumulativeSuffix); n > 0 && indicator[n:] == CumulativeSuffix {
		key, cumulative = indicator[:n], true
	}
	batch, ok = Batches[key]
	return batch, cumulative, ok
}

// IndicatorKeys returns the indicator keys in a stable order.
func IndicatorKeys() []string {
	keys := make([]string, 0, len(Indicators))
	for k := range Indicators {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// LookupIndicator returns the key of an indicator given by its key or by
// its Chinese name as the catalog writes it (工业投资 is
// industrial_investment), so that analysts can ask in the words they read.
func LookupIndicator(s string) (key string, ok bool) { return lookup(Indicators, s) }

// LookupMeasure is LookupIndicator for measures (同比增速 is yoy_growth).
func LookupMeasure(s string) (key string, ok bool) { return lookup(Measures, s) }

// lookup finds s in a catalog of keys and Chinese names, as a key or a name.
func lookup(catalog map[string]string, s string) (string, bool) {
	if _, ok := catalog[s]; ok {
		return s, true
	}
	for k, name := range catalog {
		if name == s {
			return k, true
		}
	}
	return "", false
}
