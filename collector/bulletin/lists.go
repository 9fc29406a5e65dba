package bulletin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// This file reads two kinds of list: zones that share one kind written
// once (灵石、平遥、太谷开发区), and periods listed against a 分别 list of
// values (在一季度、上半年和前三季度分别为a、b和c; 各季度累计增速分别为…).

// sharedKindRe reads the last item of a list with a shared kind: a bare
// place, an optional count (两个, 3家), the kind.
var sharedKindRe = regexp.MustCompile(`^(\p{Han}{2,4}?)((?:[两二三四五六七八九十]|[0-9]{1,2})(?:个|家))?(` + zoneKinds + `)$`)

// lastItemRe is the shape of a list's last item: two or more characters
// before a zone kind.
var lastItemRe = regexp.MustCompile(`^\p{Han}{2,}?(?:` + zoneKinds + `)$`)

// unsharedKinds are kinds that end proper names more often than they are
// shared (保定、雄安新区 is not 保定新区): a list ending in one is not read.
var unsharedKinds = map[string]bool{"新区": true, "新城": true}

// notPlaceWords are words of industries, levels and groups: an item
// holding one is not a place, and the list is not one of zones
// (化工、医药园区, 国家级、省级开发区, 东部、西部园区).
var notPlaceWords = []string{
	"化工", "医药", "汽车", "电子", "装备", "材料", "食品", "纺织", "服装", "冶金", "钢铁", "有色", "物流", "能源",
	"光伏", "机械", "制造", "信息", "生物", "软件", "文化", "旅游", "文旅", "农业", "科技", "高新", "经济", "工业",
	"商贸", "建材", "石化", "数字", "智能", "现代", "综合", "特色", "航空", "电商", "循环", "环保", "陶瓷", "煤",
	"家居", "家具", "鞋", "创新", "创业", "国家", "省", "重点", "主要", "其他", "其余", "新兴", "加工", "出口",
	"保税", "临空", "技术", "产品", "项目", "企业", "行业", "园", "开发", "示范", "集聚", "集中", "合作",
	"季度", "半年", "全年", "月", "年",
}

// notPlaceEnds are runes no bare place of such a list ends in: a county or
// city named with its level (平遥县) is no bare place, and 部, 级, 类, 型,
// 业 end groups and industries.
const notPlaceEnds = "县市区旗镇乡部级类型业品"

// barePlace reports whether s is a bare place that may share a list's
// kind: two to four Chinese characters, no word of an industry, a level
// or a group, no word no zone's name holds.
func barePlace(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 4 {
		return false
	}
	if !hanOnly(s) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(s)
	if strings.ContainsRune(notPlaceEnds, last) || notName(s) || notSubjectHeadRe.MatchString(s) || startsWithVerb(s) {
		return false
	}
	if hasAnyPrefix(s, "全", "我", "本", "该", "各", "其", "和", "及", "与") {
		return false
	}
	for _, w := range notPlaceWords {
		if strings.Contains(s, w) {
			return false
		}
	}
	for i := range s {
		if _, ok := phraseAt(s, i); ok {
			return false // an indicator's word
		}
	}
	return true
}

// sharedKindList reads a list of places that share the kind written after
// the last (灵石、平遥、太谷开发区; 清徐、阳曲两个开发区; 清徐和阳曲开发区) as the
// zones it names, each with the kind. Every item must be a bare place, the
// items distinct, and a count, when written, the number of items. A list
// of that shape that fails (化工、医药园区, 国家级、省级开发区) is a subject the
// parser cannot read: it ends the subject before it and gives no figure.
func (x *proseExtractor) sharedKindList(s string) (subject, int, bool) {
	var items []string
	n := 0
	for {
		rest := s[n:]
		// The item runs to the next 、, or to a 和, 及 or 与 after two
		// characters (和平 and 呼和浩特 are places). Past five characters no
		// bare place runs: the last item is next.
		end, runes := -1, 0
		for i, r := range rest {
			if r == '、' || (runes >= 2 && (r == '和' || r == '及' || r == '与')) {
				end = i
				break
			}
			if runes++; runes > 5 || !unicode.Is(unicode.Han, r) {
				break
			}
		}
		if end <= 0 {
			break
		}
		items = append(items, rest[:end])
		_, size := utf8.DecodeRuneInString(rest[end:])
		n += end + size
	}
	if len(items) == 0 {
		return subject{}, 0, false
	}
	m := matchZoneName(s[n:])
	if m == nil || m[4] >= 0 || !lastItemRe.MatchString(s[n:n+m[3]]) {
		return subject{}, 0, false // no place and kind, or a bracket: not this shape
	}
	unread := subject{blocked: true, source: "a list the parser cannot read: " + firstWords(s[:n+m[3]])}
	k := sharedKindRe.FindStringSubmatch(s[n : n+m[3]])
	if k == nil || unsharedKinds[k[3]] {
		return unread, n + m[1], true
	}
	items = append(items, k[1])
	seen := map[string]bool{}
	for _, it := range items {
		if !barePlace(it) || seen[it] {
			return unread, n + m[1], true
		}
		seen[it] = true
	}
	if k[2] != "" && countWord(k[2]) != len(items) {
		return unread, n + m[1], true // 清徐、阳曲三个开发区: the count does not fit
	}
	zones := make([]string, len(items))
	for i, p := range items {
		zones[i] = x.resolveZone(p+k[3], "")
	}
	return subject{zones: zones, level: "zone", source: "list with a shared kind (" + k[3] + ")"}, n + m[1], true
}

// joinedPlaces reports whether a zone's name as matched holds a 和, 及 or
// 与 after two characters (清徐和阳曲开发区): perhaps places sharing its kind.
// Only a list read in full is taken; else the name is one zone's
// (商株和工业园区).
func joinedPlaces(name string) bool {
	runes := 0
	for _, r := range name {
		if runes >= 2 && (r == '和' || r == '及' || r == '与') {
			return true
		}
		runes++
	}
	return false
}

// countWord reads a count: 两个, 3家.
func countWord(s string) int {
	s = strings.TrimRight(s, "个家")
	if v := monthNumber(s); v > 0 {
		return v
	}
	return cnNum[s]
}

// listSepRe separates the items of a list of periods.
var listSepRe = regexp.MustCompile(`^\s*(?:、|和|及|与|以及)\s*`)

// periodListAt reads a list of two or more periods at the start of s
// (1-2月、一季度; 一季度、上半年和前三季度), returning them and the bytes they
// take, or nil when s does not start with one.
func periodListAt(s string) ([]statedPeriod, int) {
	var out []statedPeriod
	n := 0
	for {
		rest := s[n:]
		if r, _ := utf8.DecodeRuneInString(rest); !strings.ContainsRune(periodFirst, r) {
			break
		}
		m := periodStartRe.FindStringSubmatchIndex(head(rest, 3*20))
		if m == nil || m[1] == 0 {
			break
		}
		p, ok := statedPeriodOf(rest, m)
		if !ok || comparisonAfter(rest[m[1]:]) {
			return nil, 0
		}
		out = append(out, p)
		n += m[1]
		sep := listSepRe.FindString(s[n:])
		if sep == "" || !periodStartRe.MatchString(head(s[n+len(sep):], 3*20)) {
			break
		}
		n += len(sep)
	}
	if len(out) < 2 {
		return nil, 0
	}
	for i := range out {
		if out[i].Year == 0 {
			out[i].Year = out[0].Year // 2022年1-2月、一季度: the year holds for the list
		}
	}
	return out, n
}

// periodListIn finds a list of periods the words before a number state
// for their own figures (规上工业增加值累计增速在一季度、上半年和前三季度分别为),
// not the periods of a comparison (较一季度、上半年分别提高), with its text.
func periodListIn(pre string) ([]statedPeriod, string) {
	if !strings.Contains(pre, "、") && !strings.Contains(pre, "和") && !strings.Contains(pre, "及") && !strings.Contains(pre, "与") {
		return nil, ""
	}
	for _, m := range periodRe.FindAllStringIndex(pre, -1) {
		if comparisonBefore(pre[:m[0]]) {
			continue
		}
		if ps, n := periodListAt(pre[m[0]:]); ps != nil {
			return ps, pre[m[0] : m[0]+n]
		}
	}
	return nil, ""
}

// quarterList gives the quarters that n values of 各季度…累计 stand for in a
// report of period rep: all the quarters the report's period holds, or all
// but its own (the report's figure given apart, as a full-year report
// gives its year). Any other count gives nil: which quarters the values
// are cannot be told.
func quarterList(n int, rep figure.Period) []statedPeriod {
	k := int(rep.Month) / 3
	fits := n == k || n == k-1 && rep.Month%3 == 0
	if n < 2 || !fits {
		return nil
	}
	out := make([]statedPeriod, n)
	for i := range out {
		out[i] = statedPeriod{Month: 3 * (i + 1), Scope: scopeCumulative}
	}
	return out
}

// listByPeriods reads a 分别 list of values against a list of periods:
// each value a figure of its own period. It reports whether the list was
// one of periods (read, or skipped with the reason).
func (x *proseExtractor) listByPeriods(sent, c span, text, pre string, run []amount, st *sentenceState) bool {
	periods, mpre := st.periods, pre
	if st.periodsText != "" {
		mpre = strings.Replace(mpre, st.periodsText, "", 1)
	}
	skipAll := func(reason string) bool {
		for _, a := range run {
			x.skip(sent, c, a, text, reason)
		}
		return true
	}
	switch {
	case len(periods) > 0:
	case strings.Contains(pre, "各季度"):
		if !strings.Contains(pre, "累计") {
			return skipAll("各季度 values that are not said to be cumulative")
		}
		if st.period.Year != 0 && st.period.Year != x.period.Year {
			return skipAll("各季度 values of a year other than the report's")
		}
		if periods = quarterList(len(run), x.period); periods == nil {
			return skipAll("各季度 values whose count does not fit the quarters of the report's period")
		}
		mpre = strings.Replace(mpre, "各季度", "", 1)
	case strings.Contains(pre, "各月"):
		return skipAll("各月 values: which months they are is not stated")
	default:
		return false
	}
	if st.period.Scope == scopeForecast || strings.Contains(text[:run[0].start], "预计") {
		return skipAll("a forecast's periods")
	}
	if len(periods) != len(run) {
		return skipAll("a 分别 list whose periods do not match its values")
	}
	for i, p := range periods {
		if p.Scope != scopeCumulative {
			return skipAll("a 分别 list of periods that are not years to date")
		}
		y := p.Year
		if y == 0 {
			y = st.period.Year // 2022年,…在一季度、上半年: the sentence's year
		}
		if y == 0 {
			y = x.period.Year
		}
		if y != x.period.Year || p.Month > int(x.period.Month) || (i > 0 && p.Month <= periods[i-1].Month) {
			return skipAll("a 分别 list of periods out of the report's year to date")
		}
	}
	if len(x.subj.zones) > 1 {
		return skipAll("a 分别 list of periods with several subjects")
	}
	if listedIndicators(text[:run[0].start]) != nil {
		return skipAll("a 分别 list of periods with several indicators")
	}
	mpre = strings.Replace(mpre, "分别", "", 1) // 分别完成: a verb's adverb, no amount's name
	measure, sign, rule, reason := x.measureOf(mpre, run[0], st, 0)
	if reason != "" {
		return skipAll(reason)
	}
	switch measure {
	case figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare:
	default:
		return skipAll("a 分别 list of periods of a comparison")
	}
	if r := x.check(st.ind, measure); r != "" {
		return skipAll(r)
	}
	saved := st.period
	for i, a := range run {
		st.period = periods[i]
		x.emit(sent, c, a, x.subj.zones, st.ind.key, measure, sign, rule+", period "+itoa(i+1)+" of a 分别 list", st)
	}
	st.period = saved
	return true
}
