package bulletin

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// periodScope says what a stated period is.
type periodScope uint8

const (
	// scopeCumulative: year to date (1-6月, 上半年, 前三季度, 全年).
	scopeCumulative periodScope = iota + 1
	// scopeMonth: one month (6月当月, 6月份 beside 1-6月).
	scopeMonth
	// scopeForecast: a forecast (预计全年).
	scopeForecast
	// scopeQuarter: one quarter alone (二季度, 三季度).
	scopeQuarter
)

// statedPeriod is a period a phrase states; Year is 0 when the phrase
// carries none.
type statedPeriod struct {
	Year  int
	Month int
	Scope periodScope
}

var cnNum = map[string]int{"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12}

func monthNumber(s string) int {
	if n, err := strconv.Atoi(s); err == nil {
		if n >= 1 && n <= 12 {
			return n
		}
		return 0
	}
	return cnNum[s]
}

// periodRe matches the ways bulletins state a period. Its groups: 1 a
// year, then one group per form (see statedPeriodOf).
var periodRe = regexp.MustCompile(`(?:([0-9]{4})\s*(?:年\s*(?:度)?)?)?(?:` +
	`(?:1|一)\s*(?:-|~|至|月至|月份至|月-)\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*月份?` + // 2: 1-6月, 1月至6月, 一至四月
	`|前\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*个?月` + // 3: 前7个月, 前九月
	`|(?:第)?([一二三四1-4])\s*季度` + // 4: 一季度, 第一季度
	`|前([三两二])季度|1\s*[-~至]\s*3\s*季度` + // 5: 前三季度, 1-3季度
	`|(上半年|首季|全年)` + // 6
	`|([0-9]{1,2})\s*月(?:份)?当月|([0-9]{1,2})\s*月份` + // 7: 6月当月, 8: 3月份
	`|截[至止]\s*(?:([0-9]{4})\s*年)?\s*([0-9]{1,2})\s*月(?:底|末)` + // 9, 10: 截至2024年1月底
	`)`)

// yearOnlyRe is a year standing alone as the period of a yearbook entry
// or annual report: 2022年, 2022年度, at the start of a title or lead.
var yearOnlyRe = regexp.MustCompile(`^([0-9]{4})\s*年(?:度)?(?:,|全年|$|[\p{Han}])`)

// statedPeriodOf reads the period match m of s.
func statedPeriodOf(s string, m []int) (statedPeriod, bool) {
	g := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	var p statedPeriod
	if y, err := strconv.Atoi(g(1)); err == nil && plausibleYear(y) {
		p.Year = y
	}
	p.Scope = scopeCumulative
	switch {
	case g(2) != "":
		p.Month = monthNumber(g(2))
	case g(3) != "":
		p.Month = monthNumber(g(3))
	case g(4) != "":
		p.Month = 3 * monthNumber(g(4))
		if p.Month == 0 {
			p.Month = 3 * map[string]int{"1": 1, "2": 2, "3": 3, "4": 4}[g(4)]
		}
		if p.Month > 3 && !hasAnySuffix(strings.TrimRight(s[:m[0]], " "), "截至", "截止", "截至到", "截止到", "到") {
			p.Scope = scopeQuarter // 二季度: that quarter alone; 截止二季度 is the year to date
		}
	case g(5) != "" || strings.Contains(s[m[0]:m[1]], "3季度"):
		p.Month = 9
		if g(5) == "两" || g(5) == "二" {
			p.Month = 6
		}
	case g(6) == "上半年":
		p.Month = 6
	case g(6) == "首季":
		p.Month = 3
	case g(6) == "全年":
		p.Month = 12
	case g(7) != "":
		p.Month, p.Scope = monthNumber(g(7)), scopeMonth
	case g(10) != "":
		p.Month = monthNumber(g(10))
		if y, err := strconv.Atoi(g(9)); err == nil && plausibleYear(y) {
			p.Year = y
		}
	case g(8) != "":
		p.Month, p.Scope = monthNumber(g(8)), scopeMonth
		if strings.HasPrefix(s[m[1]:], "累计") {
			p.Scope = scopeCumulative // 到11月份累计增速
		}
	}
	return p, p.Month >= 1 && p.Month <= 12
}

// comparisonBefore reports whether the words right before a period phrase
// make it the period of a comparison (比1-5月, 较上半年, 与一季度相比), not
// the one the figures are of.
func comparisonBefore(pre string) bool {
	pre = strings.TrimRight(pre, " ")
	for _, w := range []string{"比", "较", "与", "同", "高于", "低于", "快于", "慢于", "和", "及", "、"} {
		if strings.HasSuffix(pre, w) {
			return true
		}
	}
	return false
}

// comparisonAfter reports whether the words after a period phrase make it
// a comparison or a span (1-5月以来, 一季度相比).
func comparisonAfter(post string) bool {
	for _, w := range []string{"以来", "相比", "比较", "提高", "回落", "收窄", "扩大", "加快"} {
		if strings.HasPrefix(post, w) {
			return true
		}
	}
	return false
}

// periodsIn lists the periods s states for its own figures, in order,
// with their byte offsets; periods of comparisons are left out.
func periodsIn(s string) (out []statedPeriod, offs []int) {
	if !strings.ContainsAny(s, "月季年") {
		return nil, nil
	}
	for _, m := range periodRe.FindAllStringSubmatchIndex(s, -1) {
		if comparisonBefore(s[:m[0]]) || comparisonAfter(s[m[1]:]) {
			continue
		}
		p, ok := statedPeriodOf(s, m)
		if !ok {
			continue
		}
		if strings.HasSuffix(strings.TrimRight(s[:m[0]], " "), "预计") {
			p.Scope = scopeForecast
		}
		out = append(out, p)
		offs = append(offs, m[0])
	}
	return out, offs
}

// datelineRe finds a dateline or publication date: 2023-10-27,
// 2023/10/27, 2023.10.27, 2023年4月12日, and the day first: 26.10.2017.
var datelineRe = regexp.MustCompile(`((?:19|20)[0-9]{2})(?:-[0-9]{1,2}-[0-9]{1,2}|/[0-9]{1,2}/[0-9]{1,2}|\.[0-9]{1,2}\.[0-9]{1,2}(?:[^0-9.]|$)|年[0-9]{1,2}月[0-9]{1,2}日)|(?:^|[^0-9.])[0-9]{1,2}\.[0-9]{1,2}\.((?:19|20)[0-9]{2})(?:[^0-9.%]|$)`)

// datelineYear returns the year of the first dateline in s, or 0.
func datelineYear(s string) int {
	m := datelineRe.FindStringSubmatch(s)
	switch {
	case m == nil:
		return 0
	case m[1] != "":
		return atoiYear(m[1])
	default:
		return atoiYear(m[2])
	}
}

// reportPeriod decides the period a report is about, by the role of each
// statement, never by a vote: the title's period, else the period of the
// first lead-in that states one. The year is the one stated with that
// period, else the title's or lead's year, else the dateline's, else
// fallbackYear. It returns the line the period was read from.
// titleMonthRe is a title's month with its year: 2020年10月全区经济运行情况.
var titleMonthRe = regexp.MustCompile(`([0-9]{4})\s*年\s*([0-9]{1,2})\s*月`)

func reportPeriod(doc *document, fallbackYear int) (figure.Period, int, error) {
	var chosen statedPeriod
	chosenLastYear := false
	line := 0
	year := 0
	fromTitle := false
	for _, c := range doc.periodCandidates {
		if c.p.Scope != scopeCumulative {
			continue
		}
		if chosen.Month == 0 {
			chosen, line, fromTitle, chosenLastYear = c.p, c.line, c.title, c.lastYear
			if c.p.Year != 0 {
				year = c.p.Year
			}
			continue
		}
		if c.title || c.yearOnly || !fromTitle {
			continue
		}
		// The first lead-in under a dated title: they must agree.
		if c.p.Month != chosen.Month || c.p.Year != 0 && chosen.Year != 0 && c.p.Year != chosen.Year {
			return figure.Period{}, c.line, fmt.Errorf("the title states %s (line %d) and the first lead-in %s: which period the report is about is not clear; pass --period YYYY-MM",
				chosen, line, c.p)
		}
		break
	}
	if chosen.Month == 0 {
		return figure.Period{}, 0, ErrNoPeriod
	}
	if m := titleMonthRe.FindStringSubmatch(doc.title); m != nil && !fromTitle && !periodRe.MatchString(doc.title) {
		// 2020年10月全区经济运行情况 over a text whose only year to date is
		// 1-8月: the report is October's, month or year to date, not August's.
		if mo := atoiMonth(m[2]); mo != 0 && mo != chosen.Month {
			return figure.Period{}, line, fmt.Errorf("the title states %s年%s月 and the text %s (line %d): which period the report is about is not clear; pass --period YYYY-MM",
				m[1], m[2], chosen, line)
		}
	}
	if year == 0 {
		// 今年一季度… (title) then 2021年一季度… (lead): the year stated with
		// the same period.
		for _, c := range doc.periodCandidates {
			if !c.title && !c.yearOnly && c.p.Year != 0 && c.p.Month == chosen.Month && c.p.Scope == chosen.Scope {
				year = c.p.Year
				break
			}
		}
	}
	if year == 0 {
		// 今年1~9月 and, elsewhere, 2021年1~3季度: the one year the text
		// gives the period; a dateline of another year leaves it in doubt
		// (last year's recap): the dateline's year.
		if ys := doc.yearsOf(chosen.Month); len(ys) == 1 && (doc.datelineYear == 0 || ys[doc.datelineYear]) {
			for y := range ys {
				year = y
			}
		}
	}
	if year == 0 {
		year = doc.statedYear
	}
	if year == 0 {
		year = doc.datelineYear
	}
	if year == 0 {
		year = fallbackYear
	}
	if year != 0 && chosen.Year == 0 && chosenLastYear {
		year-- // 去年前11个月, in a bulletin of 2015: 2014
	}
	if year == 0 {
		return figure.Period{}, line, ErrNoPeriod
	}
	return figure.Period{Year: year, Month: time.Month(chosen.Month)}, line, nil
}

// periodCandidate is a period stated in the title or a lead-in.
type periodCandidate struct {
	p     statedPeriod
	line  int
	title bool
	// lastYear is a title's period after 去年 (去年前11个月): of the year
	// before the bulletin's.
	lastYear bool
	// yearOnly is a year standing alone (2022年,…): in a lead-in, often
	// last year's level beside this year's growth, so no rival period.
	yearOnly bool
}

// String renders a stated period for an error: 2023年1-6月, 1-6月.
func (p statedPeriod) String() string {
	y := ""
	if p.Year != 0 {
		y = strconv.Itoa(p.Year) + "年"
	}
	if p.Month == 1 {
		return y + "1月"
	}
	return y + "1-" + strconv.Itoa(p.Month) + "月"
}

func hasAnySuffix(s string, ws ...string) bool {
	for _, w := range ws {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}
