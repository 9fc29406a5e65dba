package bulletin

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// alias is a phrase that names an indicator.
type alias struct {
	phrase    string
	indicator string
}

// coreAliases name the economic indicators whose value, growth and city
// share are the exporter's main metrics. Longer phrases come first so that
// 规模以上工业增加值 wins over 工业增加值.
var coreAliases = sortAliases([]alias{
	{"规模以上工业增加值", figure.IndustrialValueAdded},
	{"规上工业增加值", figure.IndustrialValueAdded},
	{"工业增加值", figure.IndustrialValueAdded},
	{"规模以上工业总产值", figure.IndustrialOutput},
	{"规上工业总产值", figure.IndustrialOutput},
	{"工业总产值", figure.IndustrialOutput},
	{"固定资产投资", figure.FixedAssetInvestment},
	{"工业投资", figure.IndustrialInvestment},
	{"工业性投资", figure.IndustrialInvestment},
	{"产业项目完成投资", figure.IndustrialProjectInvestment},
	{"产业项目投资", figure.IndustrialProjectInvestment},
	{"地区生产总值", figure.GDP},
	{"GDP", figure.GDP},
	{"营业收入", figure.OperatingRevenue},
	{"税收收入", figure.TaxRevenue},
	{"一般公共预算收入", figure.BudgetRevenue},
	{"进出口总额", figure.ImportExport},
	{"外贸进出口", figure.ImportExport},
	{"利润总额", figure.IndustrialProfit},
	{"社会消费品零售总额", figure.RetailSales},
})

// countAliases name the things bulletins count: reform projects, land
// parcels, market entities. The classifier a count takes (宗, 件, 人, 户)
// must fit the indicator; see classifierFits.
var countAliases = sortAliases([]alias{
	{"承诺制项目", figure.CommitmentSystemProjects},
	{"承诺制", figure.CommitmentSystemProjects},
	{"“标准地”", figure.StandardLandTransfers},
	{"标准地", figure.StandardLandTransfers},
	{"领办代办件数", figure.AgencyServiceCases},
	{"代办件数", figure.AgencyServiceCases},
	{"领办代办队伍", figure.AgencyServiceStaff},
	{"代办队伍", figure.AgencyServiceStaff},
	{"领办代办项目", figure.AgencyServiceProjects},
	{"全代办项目", figure.AgencyServiceProjects},
	{"领办代办", figure.AgencyServiceProjects},
	{"备案项目", figure.FiledProjects},
	{"市场主体", figure.MarketEntities},
	{"“四上”企业", figure.FourAboveEnterprises},
	{"四上企业", figure.FourAboveEnterprises},
	{"中小企业园", figure.SMEParks},
	{"企业", figure.Enterprises},
})

// batchMarkers name the batches of the 三个一批 drive.
var batchMarkers = sortAliases([]alias{
	{"签约一批", figure.ProjectsSigned},
	{"开工一批", figure.ProjectsStarted},
	{"投产一批", figure.ProjectsProducing},
})

func sortAliases(as []alias) []alias {
	// Longest phrase first; a stable insertion sort keeps the table's order
	// among equals.
	for i := 1; i < len(as); i++ {
		for j := i; j > 0 && len(as[j].phrase) > len(as[j-1].phrase); j-- {
			as[j], as[j-1] = as[j-1], as[j]
		}
	}
	return as
}

// mention is an alias found in a clause, at byte offsets [start, end).
type mention struct {
	start, end int
	indicator  string
}

// aliasIndex groups aliases by their first rune, longest first, so that a
// clause is scanned once.
type aliasIndex map[rune][]alias

func indexAliases(as []alias) aliasIndex {
	idx := aliasIndex{}
	for _, a := range as {
		r, _ := utf8.DecodeRuneInString(a.phrase)
		idx[r] = append(idx[r], a)
	}
	return idx
}

var (
	coreIndex  = indexAliases(coreAliases)
	countIndex = indexAliases(countAliases)
	batchIndex = indexAliases(batchMarkers)
)

// findAliases returns the non-overlapping mentions of aliases in s, in
// order; at each position the longest alias wins.
func findAliases(s string, idx aliasIndex) []mention {
	var out []mention
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		matched := false
		for _, a := range idx[r] {
			if strings.HasPrefix(s[i:], a.phrase) {
				out = append(out, mention{i, i + len(a.phrase), a.indicator})
				i += len(a.phrase)
				matched = true
				break
			}
		}
		if !matched {
			i += size
		}
	}
	return out
}

// lastBefore returns the last mention that ends at or before off.
func lastBefore(ms []mention, off int) (mention, bool) {
	var best mention
	found := false
	for _, m := range ms {
		if m.end <= off {
			best, found = m, true
		}
	}
	return best, found
}

// classifierFits reports whether a count written with classifier c can be
// a count of indicator: 件 counts cases, 人 counts people, 宗 counts land
// parcels, 户 counts entities.
func classifierFits(indicator, c string) bool {
	switch c {
	case "件":
		return indicator == figure.AgencyServiceCases
	case "人", "名":
		return indicator == figure.AgencyServiceStaff
	case "宗":
		return indicator == figure.StandardLandTransfers
	case "户":
		return indicator == figure.MarketEntities || indicator == figure.Enterprises || indicator == figure.FourAboveEnterprises
	case "家":
		return indicator == figure.Enterprises || indicator == figure.FourAboveEnterprises || indicator == figure.MarketEntities
	}
	switch indicator {
	case figure.AgencyServiceCases, figure.AgencyServiceStaff:
		return false
	}
	return true
}

// Keyword patterns. Each must end right before the number, allowing only
// the filler words bulletins put between a keyword and its number, so a
// keyword far back in a clause does not claim a number it does not govern.
const filler = `(?:约|近|超过|超|逾|大约|为|了|达到|达|是|:|共计|共|合计|累计|总计|总数|数|项目|仅)*$`

func kw(pattern string) *regexp.Regexp { return regexp.MustCompile(`(?:` + pattern + `)` + filler) }

var (
	growthDownRe = kw(`同比下降|同比减少|同比回落|同比下滑|比下降|比降|下降|减少|回落|下滑`)
	growthUpRe   = kw(`同比增长|同比增速|同比增幅|同比增|比增|增长率|增长|增速|增幅`)
	shareRe      = kw(`占全市(?:的)?比重|占全市的|占全市|占比`)
	rateRe       = kw(`(?:开工|投产|达产|履约|落地|签约|资金到位)率`)
	vsCityUpRe   = kw(`(?:高于|快于)全市(?:平均)?(?:增速|增幅|水平)?`)
	vsCityDownRe = kw(`(?:低于|慢于)全市(?:平均)?(?:增速|增幅|水平)?`)
	changeUpRe   = kw(`(?:较上月|比上月|较上期|较上月末)(?:增加|提高|上升|提升|增长)`)
	changeDownRe = kw(`(?:较上月|比上月|较上期|较上月末)(?:下降|减少|回落|降低|下滑)`)
	// Amounts of the 三个一批 drive, in the order they must be tried.
	startedInvRe   = kw(`已开工项目总投资`)
	plannedInvRe   = kw(`计划总投资|总投资|计划投资`)
	completedInvRe = kw(`已完成投资|累计完成投资|完成投资`)
	expectedOutRe  = kw(`预计年产值|预计产值|年产值`)
	startedCountRe = kw(`已开工项目|已开工`)
	withOutputRe   = kw(`涉及产值项目|涉及产值`)
	// valueRe joins a core indicator to its amount: 完成92.46亿元,
	// 合计完成, 实现, or nothing at all.
	valueRe    = regexp.MustCompile(`^(?:合计|累计|共)?(?:完成|实现|达到|达)?(?:了)?(?:约|近|超过|超|逾)?$`)
	inProgress = regexp.MustCompile(`正在(?:积极)?(?:推进|办理|开展)`)
	eligible   = regexp.MustCompile(`符合`)
)
