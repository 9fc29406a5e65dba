package bulletin

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// document is what the parser knows about a bulletin as a whole before it
// reads its sentences: the zone its title or lead names (for 该区, 我区,
// 全区 of a zone's report), whether it is a district's or an autonomous
// region's (全区 then means the district or the region), and the periods
// its title and lead-ins state.
type document struct {
	title            string
	titleZone        string // the zone the title names
	zone             string // the zone the title or the lead names
	region, district bool
	periodCandidates []periodCandidate
	statedYear       int
	statedYearLine   int
	datelineYear     int
	// paras are the paragraphs the document was read from, and years the
	// years they state with each month's year to date (yearsOf).
	paras []paragraph
	years map[int]map[int]bool
}

// proseExtractor reads the core figures of the sentences of one city
// section: value, growth, city share, share change and growth against
// the city, each credited to the subject the text states.
type proseExtractor struct {
	doc       *document
	city      string
	period    figure.Period // the report's period
	subj      subject
	aliases   map[string]string
	lastZone  string
	lastInd   indicatorPhrase // the indicator the last sentence ended with
	out       *[]Statement
	skipped   *[]Skipped
	unmatched *[]Sentence
	line      func(off int) int
	text      string // the paragraph being read
	// figuresOf is the subject the last figure was given to.
	figuresOf string
	// afterHeading is set while the paragraph after a heading is read: the
	// heading's zone (一、中北高新区) is the subject of what follows.
	afterHeading bool
}

// subject is the subject a document's title states for the whole of it:
// the zone of a zone's own report (临沂经济技术开发区2022年统计公报), or none.
func (doc *document) subject() subject {
	if doc.titleZone == "" || doc.district {
		return subject{}
	}
	return subject{zones: []string{doc.titleZone}, level: "zone", source: "the zone the title names"}
}

// Statement is one figure as the text states it, with why the parser read
// it so: the rule that matched and where its subject came from.
type Statement struct {
	figure.Figure
	// Rule names the phrasing that produced the figure.
	Rule string `json:"rule,omitempty"`
	// SubjectSource says how the subject was read: named, aggregate,
	// 全区 = the zone the passage names, table row, ….
	SubjectSource string `json:"subject_source,omitempty"`
	// Scope is "" for a figure of the report's period, else month (a
	// one-month figure beside the year to date), forecast, or other (a
	// figure of another period the text states).
	Scope string `json:"scope,omitempty"`
}

// Skipped is a number with a unit the parser saw and did not read as a
// core figure, with the reason.
type Skipped struct {
	Line   int    `json:"line"`
	Number string `json:"number"`
	Reason string `json:"reason"`
	Text   string `json:"text"`
}

// sentenceState carries from clause to clause within one sentence.
type sentenceState struct {
	ind         indicatorPhrase // indicator last named (kind 0: none)
	lastMeasure string
	lastDir     int // +1 高于, -1 低于: carried along a 、 list of comparisons
	growthVeto  string
	period      statedPeriod // a period the sentence states for itself
	valueInds   []string     // indicators given values in this sentence, in order
	// target is set once the sentence states a target (力争, 确保): every
	// number after it is the target's.
	target string
	// stock is set when the sentence counts since a date (截至…): its
	// 累计 amounts are totals since the zone began.
	stock bool
	// sawAmount is set once a clause of the sentence holds an amount.
	sawAmount bool
	// span is set when the sentence speaks of a span of years.
	span bool
	// bracketPre is the words before an amount that opened a bracket.
	bracketPre string
	// outStart is where this sentence's statements start in the output.
	outStart int
	// whole is the indicator a clause opened by 其中 divides: the same
	// indicator named after 其中 (工业总产值…,其中规上工业产值…) is a part
	// of the subject's figure, not the figure.
	whole indicatorPhrase
	// lastSub is the sub-category a ; ended: a bare 增加值 or 产值 right
	// after it (高新技术产业增加值占…;增加值同比增长8.5%) is still its.
	lastSub indicatorPhrase
	// qizhong is set from a clause opened by 其中 to the next ;.
	qizhong bool
	// scaled is set from a clause opened by 其中规模以上工业 to the next ;:
	// its indicators are the enterprises above the size's part of those
	// stated before it, but for value added, whose 规上 figure is the one
	// kept (all industry's gives way).
	scaled bool
	// placeInList is set once a 其中 clause made a place its subject
	// (其中当涂县完成…): the subject before holds again after the sentence.
	placeInList bool
	// sizeClass is set by a clause about the projects or enterprises of a
	// size (5千万以上的67个): the subject before holds again after the next ;.
	sizeClass bool
	// outer is the subject a 其中 clause divided when a name the parser
	// cannot read followed it (其中,规上企业增长11.3%): the name is a part
	// of the subject, which holds again after the sentence.
	outer *subject
	// periods is a list of periods the sentence states (一季度、上半年和前三季度)
	// until it states another period: only a 分别 list of as many values
	// gives figures (lists.go). periodsText is the list as written when it
	// stands before the values rather than in a lead.
	periods     []statedPeriod
	periodsText string
}

var (
	// leadRe is what may stand before a clause's subject: list markers,
	// connectives, a period phrase.
	leadRe = regexp.MustCompile(`^(?:\s+|【|[一二三四五六七八九十百千零〇]+[、.]|\([一二三四五六七八九十百千零〇0-9]+\)|截至|截止|其中|另外|此外|同时|目前|同期|(?:据|经)?初步(?:统计|核算|测算)|根据[\p{Han}]{0,16}?(?:核算|统计)结果|经(?:统计|核算)|据[\p{Han}]{0,12}(?:统计|测算|核算)(?:显示)?|[\p{Han}]{0,10}?(?:统计)?数据显示|统计显示|分区域看|分区看|分园区看|从[\p{Han}]{1,6}?看|今年以来|年初以来|今年|去年|总体来看|总的来看)`)
	// industryWords may stand between a subject and its indicator: the
	// subject's own industry (全区规上工业企业累计完成总产值).
	industryRe = regexp.MustCompile(`^(?:规模以上工业企业|规上工业企业|规模工业企业|规模以上企业|规上企业|上规模企业|工业企业|企业)`)
	// ownIndustryRe is industryRe with the bare industry (规上工业累计完成产值):
	// at a clause's start it names the subject's industry, not a subject.
	ownIndustryRe = regexp.MustCompile(`^(?:规模以上工业企业|规上工业企业|规模工业企业|规模以上工业|规上工业|规模工业|工业企业|企业)`)
	// fillerTail is what may stand between a keyword and its number.
	fillerTail = []string{"为", "了", "达到", "达", "约", "近", "超过", "超", "逾", "是", ":", "(", "实现", "在", "到", " ", "分别"}
)

func trimFillers(s string) string {
	for {
		t := s
		for _, f := range fillerTail {
			t = strings.TrimSuffix(t, f)
		}
		if t == s {
			return s
		}
		s = t
	}
}

// growth keywords with their sign, longest first.
var growthWords = []struct {
	w    string
	sign int
}{
	{"同比下降", -1}, {"同比减少", -1}, {"比上年下降", -1}, {"比去年同期下降", -1}, {"比上年同期下降", -1}, {"较上年同期下降", -1},
	{"负增长", -1}, {"降幅", -1},
	{"下降", -1}, {"减少", -1}, {"比减", -1}, {"下滑", -1},
	{"累计增速实现", 1}, {"累计增速", 1}, {"可比价增长", 1}, {"可比增长", 1}, {"同比增长", 1}, {"同比增加", 1}, {"同比增速", 1}, {"同比增幅", 1}, {"同比增", 1},
	{"增长率", 1}, {"增长", 1}, {"增加", 1}, {"增速", 1}, {"增幅", 1}, {"比增", 1},
}

// growthAtEnd reports the sign of a growth keyword that ends pre.
func growthAtEnd(pre string) (int, string, bool) {
	p := trimFillers(pre)
	for _, g := range growthWords {
		if strings.HasSuffix(p, g.w) {
			return g.sign, g.w, true
		}
	}
	return 0, "", false
}

// targetWords state a target: the numbers after them, to the end of the
// sentence, are the target's, not figures.
var targetWords = []string{"力争", "确保", "争取", "目标任务", "奋斗目标"}

// vetoWords make the number after them something other than a core figure
// of the subject, whatever measure words follow.
var vetoWords = []struct{ w, reason string }{
	{"环比", "month on month (环比)"},
	{"两年平均", "two-year average"}, {"年均", "annual average"},
	{"拉动", "contribution (拉动)"}, {"贡献率", "contribution rate"},
	{"目标", "target completion"}, {"时序进度", "schedule comparison"},
	{"位次", "ranking"}, {"排名", "ranking"}, {"居全", "ranking"}, {"位列", "ranking"}, {"位居", "ranking"},
	{"预算", "budget completion"}, {"计划", "plan"}, {"总投资", "project investment"}, {"协议投资", "project investment"},
	{"突破", "milestone (突破)"}, {"过半", "not a figure"}, {"新增", "an increment (新增), not a level"},
	{"占比", "share of an unnamed total"},
	{"比2019年", "growth against another year"}, {"比2020年", "growth against another year"}, {"比2021年", "growth against another year"},
	{"平均增速为", "an average growth over years"}, {"平均增速达", "an average growth over years"},
	{"上年同期为", "last year's figure"}, {"去年同期为", "last year's figure"}, {"(上年", "last year's figure"}, {"(去年", "last year's figure"},
}

var (
	// changeRe is a change against another period: 较上月增加, 比上年同期提高,
	// 比1-5月回落, 较一季度加快, 降幅收窄.
	changeRe      = regexp.MustCompile(`(?:较|比)(?:上月|上期|上年同期|去年同期|上年|去年|上半年|一季度|二季度|三季度|前三季度|年初|[0-9]{1,2}月(?:当月|份)?|1-[0-9]{1,2}月(?:份)?)(?:末)?(?:份)?(?:增加|提高|提升|上升|加快|回升|高|增长|下降|降低|回落|放缓|减少|收窄|扩大|低|下滑)?\s*$`)
	changeUpWords = []string{"增加", "提高", "提升", "上升", "加快", "回升", "高", "增长"}
	// shareOfRe is a share: 占全市比重, 占全市的, 约占全市, 占全州比重,
	// 占全市(盟)比重, 占所在市, 占全市产值的.
	shareOfRe = regexp.MustCompile(`占(全市\(盟\)|全市|全州|全盟|所在市|全县|全旗|全区|全省|全国|全部|全自治区|[\p{Han}]{2,4}市)?([\p{Han}A-Za-z()]{0,16}?)(?:的)?(?:比重)?(?:的)?$`)
	// targetRe finds what a growth is compared with: 全市, 全国, 全省, ….
	targetRe = regexp.MustCompile(`全市\(盟\)|全市|全州|全盟|全县|全旗|全区|全省|全国|所在市|去年同期|上年同期|上年|去年`)
)

// comparison directions: the words that say above or below.
var dirWords = []struct {
	w   string
	dir int
}{
	{"降幅高于", -1}, {"降幅大于", -1}, {"降幅低于", 1}, {"降幅小于", 1},
	{"高于", 1}, {"快于", 1}, {"高出", 1}, {"超过", 1}, {"超全市", 1}, {"低于", -1}, {"慢于", -1},
}

// clauses splits a sentence at , ; : and at spaces between Chinese
// characters (the clauses of a headline).
func clauses(s string) []span {
	var out []span
	start := 0
	prev := rune(0)
	for i, r := range s {
		cut := false
		switch r {
		case ',', ';', ':':
			cut = true
		case ' ', '\t':
			if unicode.Is(unicode.Han, prev) || prev == '%' {
				if nr, _ := utf8.DecodeRuneInString(s[i+1:]); unicode.Is(unicode.Han, nr) {
					cut = true
				}
			}
		}
		if cut {
			out = append(out, span{start, s[start : i+utf8.RuneLen(r)]})
			start = i + utf8.RuneLen(r)
		}
		prev = r
	}
	if start < len(s) {
		out = append(out, span{start, s[start:]})
	}
	return out
}

// paragraph reads the core figures of one paragraph.
func (x *proseExtractor) paragraph(p *paragraph) error {
	x.text = p.text
	x.line = p.lineAt
	if p.isHeading {
		// A heading starts a new topic: the subject before it ends, and the
		// document's own (the zone its title names) holds again. A city's
		// heading (太原市开发区) names a section, not a figure's subject.
		x.subj = x.doc.subject()
		if p.heading != "" {
			return nil
		}
	} else if !x.afterHeading && x.subj.source == "named" && strings.Join(x.subj.zones, "、") != x.figuresOf &&
		strings.Join(x.subj.zones, "、") != x.doc.zone {
		// 杭州湾上虞工业园区升格为国家级开发区。⏎这一结论…工业增加值增速…:
		// a zone named in passing, with no figure of its own, is not the
		// subject of the next paragraph.
		x.subj = x.doc.subject()
	}
	x.afterHeading = p.isHeading
	for _, sent := range split(span{0, p.text}, "。!?") {
		if err := x.sentence(sent); err != nil {
			return err
		}
	}
	return nil
}

func (x *proseExtractor) sentence(sent span) error {
	var st sentenceState
	text := sent.text
	if !strings.ContainsAny(text, "0123456789") && !strings.Contains(text, "持平") {
		// No number: only the subject it may name matters to what follows.
		for _, c := range clauses(text) {
			t := strings.TrimRight(c.text, ",;:")
			pos := x.stripLead(t, &st)
			if s, n, ok := x.readSubject(t[pos:]); ok {
				x.subj = s
				pos += n
			} else if x.unreadableSubject(t[pos:]) == unreadableName {
				x.subj = subject{blocked: true, source: "a subject the parser cannot read: " + firstWords(t[pos:])}
			}
			if industryTopicClauseRe.MatchString(head(t[pos:], 3*24)) {
				// 园区农机产业飞速发展。1—8月份实现产值80亿元: the sentences
				// after speak of the industry, not of the subject.
				x.subj = subject{blocked: true, source: "an industry is the topic: " + firstWords(t[pos:])}
			}
		}
		return nil
	}
	if aboutBatches(text) {
		return nil // the 三个一批 drive: extractor.go reads it
	}
	before := len(*x.out)
	st.outStart = before
	defer func() {
		if len(*x.out) == before && st.sawAmount {
			*x.unmatched = append(*x.unmatched, Sentence{Line: x.line(sent.off), Text: strings.TrimSpace(text)})
		}
	}()
	st.stock = stockRe.MatchString(text)
	st.span = spanRe.MatchString(text)
	if strings.HasPrefix(strings.TrimLeft(text, " "), "其中") && x.lastInd.kind == kindCore {
		// 其中 continues the sentence before: its indicator holds.
		st.ind = x.lastInd
	}
	defer func() {
		x.lastInd = st.ind
		if st.outer != nil && (x.subj.blocked || st.placeInList) {
			x.subj = *st.outer
		}
	}()
	prevSemicolon := false
	for _, c := range clauses(text) {
		if prevSemicolon {
			if st.ind.kind == kindSub {
				st.lastSub = st.ind
				st.ind = indicatorPhrase{} // ; ends a sub-category's item
			}
			st.qizhong, st.scaled, st.whole = false, false, indicatorPhrase{} // and a 其中's
			if st.sizeClass && st.outer != nil {
				x.subj, st.outer, st.sizeClass = *st.outer, nil, false // and a size class's
			}
		}
		prevSemicolon = strings.HasSuffix(c.text, ";")
		if err := x.clause(sent, c, &st); err != nil {
			return err
		}
	}
	return nil
}

// periodFirst holds every rune a match of periodRe can start with.
const periodFirst = "0123456789一二三四前第上首全截"

// leadFirst holds every rune a match of leadRe can start with.
const leadFirst = " \t【一二三四五六七八九十百千零〇(其另此同目初经据分从今年去总截"

// listNumber returns the length of a list marker "1." or "2、" that starts
// s, or 0; "1.5亿元" is a number, not a marker.
func listNumber(s string) int {
	i := 0
	for i < len(s) && i < 2 && isDigit(s[i]) {
		i++
	}
	if i == 0 || i == len(s) {
		return 0
	}
	switch {
	case s[i] == '.' && (i+1 == len(s) || !isDigit(s[i+1])):
		return i + 1
	case strings.HasPrefix(s[i:], "、"):
		return i + len("、")
	}
	return 0
}

// periodStartRe is periodRe at the start of a string.
var periodStartRe = regexp.MustCompile(`^` + periodRe.String())

// countedZonesRe is a clause that opens with a number of zones and no
// scope (16家开发区, 6个园区).
var countedZonesRe = regexp.MustCompile(`^(?:[0-9]+\s*(?:家|个)[\p{Han}]{0,8}?(?:` + zoneKinds + `)|[0-9]+\s*个(?:区|县|区县|县区|县\(市\)|县\(市、区\)|乡镇|镇|街道)[^\p{Han}]?)`)

// bareMonthRe is a clause that is a month and nothing else (今年9月,
// 其中,9月,): the figures after it are that month's alone.
var bareMonthRe = regexp.MustCompile(`^([0-9]{1,2})\s*月(?:$|[增同下比实完])`)

// stockRe marks a sentence that counts since a date long past: 截至2005年底,
// 建区以来, 累计…以来. Its 累计 amounts are totals since then, not the
// period's (a trap of real bulletins: 截至9月底,园区累计完成基础设施投资). 截止二季度
// is the year to date.
var stockRe = regexp.MustCompile(`(?:截至|截止)[^,;。]{0,10}(?:底|末)|(?:建区|开园|设立|成立|建园|开发)以来|历年`)

// spanRe is a span of years (2002—2011年): what a sentence states of it is
// a total or a change over those years, not the period's.
var spanRe = regexp.MustCompile(`(?:19|20)[0-9]{2}\s*年?\s*(?:-|―|—|~|至|到)+\s*(?:19|20)[0-9]{2}\s*年`)

// aboutBatches reports whether a sentence is about the 三个一批 drive's
// projects.
func aboutBatches(s string) bool {
	for _, w := range []string{"一批", "铺排", "“签约", "“开工", "“投产"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// stripLead removes lead-ins from the start of s, noting a period the
// lead states for the sentence.
func (x *proseExtractor) stripLead(s string, st *sentenceState) int {
	n := 0
	for {
		rest := s[n:]
		if k := listNumber(rest); k > 0 {
			n += k
			continue
		}
		if ps, k := periodListAt(rest); k > 0 {
			st.periods, st.periodsText = ps, "" // 1-2月、一季度全市…
			n += k
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); !strings.ContainsRune(periodFirst, r) {
			// no period starts here
		} else if m := periodStartRe.FindStringSubmatchIndex(head(rest, 3*20)); m != nil && m[1] > 0 {
			if p, ok := statedPeriodOf(rest, m); ok {
				if st.period.Scope == scopeForecast {
					p.Scope = scopeForecast // 预计全年
				}
				if p.Year == 0 && st.period.Year != 0 {
					p.Year = st.period.Year // 2003年…,全年GDP增长: that year's
				}
				if p.Scope == scopeQuarter && hasAnySuffix(s[:n], "截至", "截止") {
					p.Scope = scopeCumulative // 截止二季度: the year to date
				}
				st.period, st.periods = p, nil
			}
			n += m[1]
			continue
		}
		if r, _ := utf8.DecodeRuneInString(rest); strings.ContainsRune(leadFirst, r) {
			if m := leadRe.FindString(head(rest, 3*20)); m != "" {
				n += len(m)
				continue
			}
		}
		if rest == "" || !isDigit(rest[0]) {
			// no year starts here
		} else if m := yearOnlyRe.FindStringSubmatchIndex(rest); m != nil && !issueNumberRe.MatchString(rest) {
			if y := atoiYear(rest[m[2]:m[3]]); y != 0 && !periodRe.MatchString(head(rest[m[3]:], 3*12)) {
				st.period = statedPeriod{Year: y, Month: 12, Scope: scopeCumulative}
			}
			n += m[3] - m[0] + len("年")
			if strings.HasPrefix(s[n:], "度") {
				n += len("度")
			}
			continue
		}
		if m := bareMonthRe.FindStringSubmatch(rest); m != nil && !hasAnySuffix(s[:n], "截至", "截止", "到", "至") {
			// 今年9月,全市…增长8.9%; 其中,7月增长13.1%: the month alone,
			// beside the year to date.
			if mo := monthNumber(m[1]); mo >= 1 && mo <= 12 {
				st.period = statedPeriod{Month: mo, Scope: scopeMonth}
			}
			return n + strings.Index(rest, "月") + len("月")
		}
		if hasAnyPrefix(rest, "当月", "本月") && st.period.Month == 0 {
			// 当月全县规模以上工业实现增加值2.90亿元: the report's month alone.
			st.period = statedPeriod{Month: int(x.period.Month), Scope: scopeMonth}
			n += len("当月")
			continue
		}
		if strings.HasPrefix(rest, "预计") {
			// 1-6月预计完成: an estimate of the period stated; 预计全年: a
			// forecast of the year; 预计 alone: of a period the text does
			// not state (the period's estimate or the year's forecast).
			if st.period.Month == 0 {
				st.period = statedPeriod{Year: st.period.Year, Scope: scopeForecast}
			}
			n += len("预计")
			continue
		}
		return n
	}
}

// clause reads the figures of one clause.
func (x *proseExtractor) clause(sent, c span, st *sentenceState) error {
	text := strings.TrimRight(c.text, ",;:")
	pos := x.stripLead(text, st)
	if strings.Contains(text[:pos], "其中") {
		st.qizhong = true
		st.scaled = scaledRe.MatchString(head(text[pos:], 3*12))
		st.whole = indicatorPhrase{}
		if st.ind.kind == kindCore || st.ind.kind == kindOther {
			st.whole = st.ind
		}
	}
	if st.qizhong {
		if k := len(scaledGrowthRe.FindString(head(text[pos:], 3*16))); k > 0 && st.ind.kind == kindCore &&
			st.ind.key == figure.IndustrialValueAdded && bareValueAdded(st.ind.phrase) && x.statedInSentence(st, st.ind.key) {
			// 全县完成工业增加值31.4亿元,同比增长11.1%,其中,规上企业增长11.3%:
			// value added is the 规上 figure; all industry's gives way.
			x.dropSentence(st, figure.IndustrialValueAdded)
			st.ind = indicatorPhrase{phrase: "规上工业增加值", key: figure.IndustrialValueAdded, kind: kindCore}
			st.whole = indicatorPhrase{}
			pos += strings.Index(text[pos:pos+k], "企业") + len("企业") // the growth words stay
		}
	}
	if sizeClassRe.MatchString(head(text[pos:], 3*12)) {
		// 其中5千万以上的67个,完成投资同比增长23.0%; 5千万以下固定资产投资
		// 增速: the projects or enterprises of a size, not the subject.
		st.ind = indicatorPhrase{phrase: firstWords(text[pos:]), kind: kindSub}
		if st.outer == nil && !x.subj.blocked {
			outer := x.subj // holds again after the sentence
			st.outer = &outer
		}
		x.subj = subject{blocked: true, source: "a size class: " + firstWords(text[pos:])}
		st.sizeClass = true
	}
	for _, w := range targetWords {
		if strings.Contains(text[:pos], w) || strings.HasPrefix(text[pos:], w) {
			st.target = "target (" + w + ")"
		}
	}
	if countedZonesRe.MatchString(head(text[pos:], 3*24)) {
		// 16家开发区创造了全市42.3%的…: so many zones, which the parser
		// does not name; the subject before them is not theirs.
		x.subj = subject{blocked: true, source: "a number of zones the text does not name: " + firstWords(text[pos:])}
	} else if s, n, ok := x.readSubject(text[pos:]); ok {
		x.subj = s
		st.whole = indicatorPhrase{} // 其中中北高新区…: a subject of its own
		if st.ind.kind == kindSub {
			st.ind = indicatorPhrase{}
		}
		pos += n
		pos += x.stripLead(text[pos:], st)
		if q := qualifier(text[pos:]); q != "" {
			// 中北高新区光伏产品产值: the figures are the products', not the zone's.
			st.ind = indicatorPhrase{phrase: q, kind: kindSub}
		}
	} else if p := placeAt(text[pos:]); p != "" && (st.qizhong || st.placeInList) && st.ind.kind == kindCore && hasAnyPrefix(text[pos+len(p):], "完成", "实现", "累计", "增长", "下降", "同比") {
		// 工业投资增长20%,其中当涂县完成98.23亿元…;花山区完成3.72亿元: the
		// places of the subject, each with the indicator named before;
		// the subject holds again after the sentence.
		if st.outer == nil {
			outer := x.subj
			st.outer = &outer
		}
		st.placeInList = true
		x.subj = subject{zones: []string{p}, level: "county", source: "a place in a 其中 list"}
		pos += len(p)
	} else if k := x.unreadableSubject(text[pos:]); k == unreadableName || quotedName(text[pos:]) || p != "" {
		if st.outer == nil && !x.subj.blocked && st.qizhong {
			outer := x.subj
			st.outer = &outer
		}
		x.subj = subject{blocked: true, source: "a subject the parser cannot read: " + firstWords(text[pos:])}
	} else if k == unknownIndicator {
		st.ind = indicatorPhrase{phrase: firstWords(text[pos:]), kind: kindSub}
	} else if q := qualifier(text[pos:]); q != "" {
		// 石化工业增加值64.5亿元, 高新技术产值: a part's figures, not the
		// subject's, as after a subject (中北高新区光伏产品产值).
		st.ind = indicatorPhrase{phrase: q, kind: kindSub}
	}
	amounts, err := findAmounts(text)
	if err != nil {
		return err
	}
	if len(amounts) == 0 && industryTopicClauseRe.MatchString(head(text[pos:], 3*24)) {
		// 全市重点产业运行稳健,“3+3”重点产业产值…: as in a sentence with no
		// number (sentence), the industry is the topic.
		x.subj = subject{blocked: true, source: "an industry is the topic: " + firstWords(text[pos:])}
	}
	st.sawAmount = st.sawAmount || len(amounts) > 0
	masked := append(zoneSpans(text), [2]int{0, pos})
	mentions := findPhrases(text, masked)
	if strings.Contains(text, "持平") && len(amounts) == 0 {
		x.flat(sent, c, text, mentions, st)
	}
	prevEnd := pos
	for i := 0; i < len(amounts); i++ {
		a := amounts[i]
		if a.start < prevEnd {
			continue
		}
		x.noteMentions(text, prevEnd, a.start, mentions, st)
		x.notePeriod(text[prevEnd:a.start], st)
		pre := text[prevEnd:a.start]
		if strings.TrimSpace(pre) == ")" && st.bracketPre != "" {
			// 高于全市平均水平(9.8%)2.2个百分点: the words before the
			// bracket speak of the number after it.
			pre = st.bracketPre + ")"
		}
		st.bracketPre = ""
		if strings.HasSuffix(pre, "(") {
			st.bracketPre = pre
		}
		if list := listRun(text, amounts, i); len(list) > 1 && strings.Contains(text[:a.start], "分别") {
			x.list(sent, c, text, pre, list, st)
			i += len(list) - 1
			prevEnd = list[len(list)-1].end
			continue
		}
		x.classify(sent, c, text, pre, a, st)
		prevEnd = a.end
	}
	x.noteMentions(text, prevEnd, len(text), mentions, st)
	return nil
}

// quotedName reports whether a clause opens with a name in quotes that a
// verb or an indicator follows (“一区八园”完成规模工业产值): a subject of its
// own, which the parser cannot read.
func quotedName(s string) bool {
	if !strings.HasPrefix(s, "“") {
		return false
	}
	end := strings.Index(s, "”")
	if end < 0 || utf8.RuneCountInString(s[:end]) > 13 {
		return false
	}
	rest := s[end+len("”"):]
	if p, ok := phraseAt(rest, 0); ok {
		return p.kind == kindCore
	}
	return hasAnyPrefix(rest, "完成", "实现", "累计", "合计", "共计", "共", "达到")
}

// firstWords returns the first few characters of s, for a reason.
func firstWords(s string) string {
	r := []rune(s)
	if len(r) > 8 {
		r = r[:8]
	}
	return string(r)
}

// unreadableSubject reports whether a clause starts with a name the parser
// cannot read in front of an indicator or measure (新能源产业完成产值,
// 制造业增长): the figures after it are that name's, not the subject's.
func (x *proseExtractor) unreadableSubject(s string) unreadable {
	s = head(s, 3*24)
	if !strings.ContainsAny(s, "业县市区园镇乡团司块地城资值入额量") {
		return readable // no name or indicator can end in it
	}
	if strings.HasPrefix(s, "规") || strings.HasPrefix(s, "工") || strings.HasPrefix(s, "企") {
		s = s[len(ownIndustryRe.FindString(s)):]
	}
	end := len(s)
	byAnchor := false
	for i, r := range s {
		if _, ok := phrasesByRune[r]; ok {
			if _, ok := phraseAt(s, i); ok {
				end = i
				break
			}
		}
		if strings.ContainsRune(anchorFirst, r) && hasAnyPrefix(s[i:], anchorWords...) {
			end = i
			byAnchor = true
			break
		}
	}
	head := bracketRe.ReplaceAllString(s[:end], "") // 沿海板块(渤海新区、黄骅)实现
	if end == len(s) {
		// No indicator or measure in the clause: a clause that opens with an
		// industry or a company (船舶修造业“马力全开”) starts a topic of its own.
		if w := leadingHan(s); utf8.RuneCountInString(w) >= 3 && industryNameRe.MatchString(w) && !notSubjectHeadRe.MatchString(w) {
			return unreadableName
		}
		return readable
	}
	if utf8.RuneCountInString(head) < 2 || notSubjectHeadRe.MatchString(head) {
		return readable
	}
	if !hanOnly(head) {
		return readable
	}
	switch {
	case indicatorEndRe.MatchString(head):
		return unknownIndicator
	case nameEndRe.MatchString(head):
		return unreadableName
	}
	if byAnchor && industryTopicRe.MatchString(head) {
		// 光电子信息产业进一步加快增长速度。1-6月预计完成产值113亿元: the
		// industry is the topic, of this sentence and the next.
		return unreadableName
	}
	if byAnchor && !readableHeadRe.MatchString(head) {
		// 工业开票销售增长9.8%, 精制食用植物油产量增长28%: a thing of its own
		// grows, not the indicator named before it.
		return unknownIndicator
	}
	return readable
}

// industryTopicRe is a clause's head that opens with an industry's name
// and goes on with what the industry does: 光电子信息产业进一步加快.
var industryTopicRe = regexp.MustCompile(`^\p{Han}{2,10}?(?:产业|行业|制造业)(?:进一步|继续|持续|保持|稳步|加快|快速|较快|不断|实现|呈现|运行|发展|生产)`)

// industryTopicClauseRe is a clause with no number that makes an industry
// its topic: 农机产业飞速发展, 主导产业增势强劲.
var industryTopicClauseRe = regexp.MustCompile(`^[“"]?\p{Han}{1,10}?[”"]?(?:产业|行业|制造业|产业链|产业集群|板块)(?:群)?(?:进一步|继续|持续|保持|稳步|加快|快速|较快|飞速|迅猛|蓬勃|不断|增势|势头|发展|运行|生产|支撑)`)

// bracketRe is a bracket inside a name: an alias, a list of members.
var bracketRe = regexp.MustCompile(`\([^()]{1,24}\)`)

// readableHeadRe holds the words that may stand before a growth or an
// amount and still speak of the indicator named before or after: 总量占全区…,
// 主要指标增长, 分别增长, 上报完成固定资产投资.
var readableHeadRe = regexp.MustCompile(`^(?:上报|实际|已|共|合计|总计|总量|总额|规模|分别|均|总体|整体|全年|当月|同期|增速|增幅|降幅|比重|占比|[\p{Han}]*指标|[\p{Han}]*(?:保持|稳定|平稳|持续|继续|较快|快速)[\p{Han}]*)$`)

// qualifierGapRe holds what may stand between a subject and its
// indicator without narrowing it: the subject's industry, verbs, fillers.
var qualifierGapRe = regexp.MustCompile(`^(?:全社会|规模以上工业企业|规上工业企业|规模工业企业|规模以上企业|规上企业|上规模企业|工业企业|企业|完成|实现|累计|合计|共计|共|总计|全年|今年|去年|当年|同期|的|主要|经济|指标|中|在|已|了|\s)*`)

// qualifier returns the words that narrow a subject's indicator (光伏产品 in
// 中北高新区光伏产品产值增长), or "" when the indicator is the subject's own.
func qualifier(s string) string {
	for i := range s {
		if _, ok := phraseAt(s, i); ok {
			head := s[:i]
			head = head[len(qualifierGapRe.FindString(head)):]
			if k := qualifierVerbRe.FindStringIndex(head); k != nil && k[0] > 0 {
				head = head[:k[0]] // 十大产业集群实现工业增加值: the clusters'
				if ownIndustryRe.FindString(head) == head || readableHeadRe.MatchString(head) || zoneKindEndRe.MatchString(head) {
					return "" // 规上工业累计完成产值, 上报完成, …乐都工业园完成: the subject's own
				}
			}
			// A part's name may hold quotes, dashes, a list and a count:
			// “十强”产业, 建材—家居产业链群, 信息技术、高端装备等6个产业.
			name := partPunctRe.ReplaceAllString(head, "")
			if utf8.RuneCountInString(name) < 2 || ownIndustryRe.FindString(name) == name || readableHeadRe.MatchString(name) {
				return "" // 484家规上工业企业增加值: all the subject's enterprises
			}
			if !hanOnly(name) {
				return ""
			}
			if notSubjectHeadRe.MatchString(head) || periodRe.MatchString(head) || strings.ContainsAny(head, "各季月年") {
				return "" // 各季度地区生产总值累计增速: periods, not a part
			}
			return head
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); strings.ContainsRune(",;:。(", r) {
			return ""
		}
	}
	return ""
}

// partPunctRe holds what a part's name may hold besides its characters.
var partPunctRe = regexp.MustCompile(`[“”"《》〈〉—－\-、·]|[0-9]+(?:家|个|大)`)

// zoneKindEndRe is a name that ends in a zone's kind: a part of the
// subject's name (海东工业园区乐都工业园), not a qualifier.
var zoneKindEndRe = regexp.MustCompile(`(?:` + zoneKinds + `)$`)

// qualifierVerbRe is a verb between a qualifier and its indicator.
var qualifierVerbRe = regexp.MustCompile(`完成|实现|累计|合计|共计|达到`)

// industryNameRe ends the name of an industry or a company.
var industryNameRe = regexp.MustCompile(`(?:业|公司|集团)$`)

// hanOnly reports whether s is Chinese characters and nothing else.
func hanOnly(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return false
		}
	}
	return s != ""
}

// leadingHan returns the Chinese characters s starts with.
func leadingHan(s string) string {
	for i, r := range s {
		if !unicode.Is(unicode.Han, r) {
			return s[:i]
		}
	}
	return s
}

// anchorWords are the measure words that end a clause's head: what
// stands before them is the subject, or a name the parser cannot read.
// anchorFirst holds their first runes, the cheap test before them.
var anchorWords = []string{"完成", "实现", "增长", "下降", "同比", "占", "比增", "比减", "累计", "合计", "共实现", "增速", "增幅", "减少", "达到"}

const anchorFirst = "完实增下同占比累合共减达"

// unreadable is what unreadableSubject finds at a clause's start.
type unreadable uint8

const (
	readable         unreadable = iota
	unreadableName              // a name: 新能源产业, 某县
	unknownIndicator            // an indicator the lexicon lacks: 交通投资
)

// indicatorEndRe ends an indicator's name the lexicon does not hold.
var indicatorEndRe = regexp.MustCompile(`(?:投资|产值|收入|总额|增加值|销售额|营收|用电量)$`)

func hasAnyPrefix(s string, ps ...string) bool {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// nameEndRe ends a name that may stand as a subject: an industry, a
// county, a place, a company.
var nameEndRe = regexp.MustCompile(`(?:业|企业|产业|县|市|区|园|镇|乡|集团|公司|板块|基地|城|本级|项目)$`)

// notSubjectHeadRe holds words a clause's subject never contains: the
// clause starts with a comparison or a verb, not a name.
var notSubjectHeadRe = regexp.MustCompile(`高于|低于|较|比|占|快于|慢于|高出|确保|力争|争取|预计|完成|实现|达到|全年|累计|其中`)

// zoneSpans lists the byte ranges of zone kinds in s, so that 高新技术产业
// inside 南通高新技术产业开发区 is not read as a sub-category.
func zoneSpans(s string) [][2]int {
	if !strings.ContainsAny(s, "区园城地") {
		return nil
	}
	var out [][2]int
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		matched := false
		for _, k := range kindsByRune[r] {
			if strings.HasPrefix(s[i:], k) {
				out = append(out, [2]int{i, i + len(k)})
				i += len(k)
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

// kindsByRune indexes the zone kinds by their first rune, longest first.
var kindsByRune = func() map[rune][]string {
	idx := map[rune][]string{}
	for _, k := range strings.Split(zoneKinds, "|") {
		r, _ := utf8.DecodeRuneInString(k)
		idx[r] = append(idx[r], k)
	}
	for r := range idx {
		ks := idx[r]
		sort.SliceStable(ks, func(i, j int) bool { return len(ks[i]) > len(ks[j]) })
	}
	return idx
}()

// noteMentions updates the sentence's indicator from the phrases in
// text[from:to]. A phrase that is the object of a comparison or a share
// (高于全市规上工业增加值增速, 占全市产值的) names the other side, not the
// subject's indicator; a core phrase after a sub-category in the same
// clause is that sub-category's (新能源产业完成产值).
func (x *proseExtractor) noteMentions(text string, from, to int, ms []phraseMention, st *sentenceState) {
	subSeen := false
	for _, m := range ms {
		if m.start < from || m.end > to {
			if m.end <= from && m.kind == kindSub {
				subSeen = true
			}
			continue
		}
		gap := text[from:m.start]
		if strings.Contains(gap, "占") || strings.Contains(gap, "于") || strings.Contains(gap, "比全") || strings.Contains(gap, "较全") || strings.Contains(gap, "高出") {
			continue
		}
		if st.scaled && m.kind == kindCore && x.statedInSentence(st, m.key) {
			if m.key == figure.IndustrialValueAdded {
				// 全县…增加值16.03亿元;其中规模以上工业…增加值6.93亿元: value
				// added is the 规上 figure; all industry's gives way.
				x.dropSentence(st, m.key)
				st.ind, st.whole = indicatorPhrase{phrase: m.phrase, key: m.key, kind: kindCore}, indicatorPhrase{}
				continue
			}
			// 工业总产值60.54亿元,…其中规模以上工业实现产值22.09亿元: a part.
			st.ind = indicatorPhrase{phrase: "其中" + m.phrase, key: m.key, kind: kindSub}
			subSeen = true
			continue
		}
		if m.kind == kindCore && (subSeen || st.ind.kind == kindSub) {
			continue // a sub-category's indicator, for the rest of the sentence
		}
		if st.lastSub.kind == kindSub && m.kind == kindCore && (m.phrase == "增加值" || m.phrase == "产值" || m.phrase == "总产值") {
			st.ind = st.lastSub
			continue
		}
		st.lastSub = indicatorPhrase{}
		if m.kind == kindCore && m.key == figure.IndustrialValueAdded && !bareValueAdded(m.phrase) && st.ind.kind == kindCore &&
			st.ind.key == m.key && bareValueAdded(st.ind.phrase) && x.statedInSentence(st, m.key) {
			// 全区工业增加值300.41亿元,增长9.6%;规模以上工业增加值增长10.1%: the
			// bare figure is all industry's, which gives way to the 规上 one.
			x.dropSentence(st, m.key)
			st.ind, st.whole = m.indicatorPhrase, indicatorPhrase{}
			continue
		}
		if st.whole.kind == kindCore && m.kind == kindCore && m.key == figure.IndustrialValueAdded && st.whole.key == m.key &&
			bareValueAdded(st.whole.phrase) && !bareValueAdded(m.phrase) {
			// 全县工业增加值增长6.0%,其中规模以上工业增加值增长7.2%: value
			// added is the 规上 figure; all industry's gives way.
			x.dropSentence(st, m.key)
			st.ind, st.whole = m.indicatorPhrase, indicatorPhrase{}
			continue
		}
		if st.whole.kind != 0 && m.kind == st.whole.kind && m.key == st.whole.key {
			// 工业总产值483.1亿元,其中规上工业产值406.5亿元: a part of the whole.
			st.ind = indicatorPhrase{phrase: "其中" + m.phrase, key: m.key, kind: kindSub}
			subSeen = true
			continue
		}
		st.ind = m.indicatorPhrase
		if m.kind == kindSub {
			subSeen = true
		}
	}
}

// notePeriod notes a period stated inside a clause for the figures after
// it: 6月当月, 3月份, 预计全年.
func (x *proseExtractor) notePeriod(pre string, st *sentenceState) {
	if ps, t := periodListIn(pre); ps != nil {
		st.periods, st.periodsText = ps, t // 在一季度、上半年和前三季度分别为
		return
	}
	ps, _ := periodsIn(pre)
	if len(ps) > 0 {
		st.period, st.periods = ps[len(ps)-1], nil
	}
	if strings.Contains(pre, "当月") && st.period.Scope != scopeMonth {
		st.period = statedPeriod{Month: int(x.period.Month), Scope: scopeMonth}
	}
}

// listRun returns the amounts from i on that a 分别 list joins: numbers of
// one unit class separated only by 、, 和, 及 or 与.
func listRun(text string, as []amount, i int) []amount {
	run := []amount{as[i]}
	for j := i + 1; j < len(as); j++ {
		gap := strings.TrimSpace(text[as[j-1].end:as[j].start])
		if gap != "、" && gap != "和" && gap != "及" && gap != "与" {
			break
		}
		if as[j].class() != as[i].class() {
			break
		}
		run = append(run, as[j])
	}
	return run
}

// measureOf decides what a number states, from the words before it. It
// returns the measure, the sign the words give, a rule name, and a reason
// when the number is not a core figure.
func (x *proseExtractor) measureOf(pre string, a amount, st *sentenceState, listIndex int) (measure string, sign int, rule, reason string) {
	vpre := stripPhrases(pre) // 一般公共预算收入 is no 预算
	for _, w := range targetWords {
		if strings.Contains(vpre, w) {
			st.target = "target (" + w + ")"
		}
	}
	if st.target != "" {
		return "", 0, "", st.target
	}
	if st.span {
		return "", 0, "", "a span of years (2002—2011年), not the period"
	}
	if t := strings.TrimSpace(vpre); strings.HasSuffix(t, "由") || strings.HasSuffix(t, "从") {
		return "", 0, "", "an earlier level (由…增加到…)"
	}
	if st.stock && strings.Contains(vpre, "累计") {
		return "", 0, "", "a total since a date (截至…累计)"
	}
	for _, v := range vetoWords {
		if strings.Contains(vpre, v.w) {
			if v.w == "两年平均" || v.w == "年均" || v.w == "环比" {
				st.growthVeto = v.reason
			}
			return "", 0, "", v.reason
		}
	}
	if strings.Contains(pre, "占") {
		return x.shareMeasure(pre, a, st)
	}
	cls := a.class()
	if cls == "usd" {
		return "", 0, "", "US dollars: not a yuan amount"
	}
	var m []string
	if strings.ContainsAny(pre, "较比") {
		m = changeRe.FindStringSubmatch(trimFillers(pre))
	}
	if m != nil || strings.Contains(pre, "收窄") || strings.Contains(pre, "扩大") {
		if m != nil && st.lastMeasure == figure.MeasureCityShare && (cls == "points" || cls == "percent") {
			sign := -1
			for _, w := range changeUpWords {
				if strings.HasSuffix(strings.TrimSpace(trimFillers(pre)), w) {
					sign = 1
				}
			}
			return figure.MeasureCityShareChange, sign, "share change after a city share", ""
		}
		if cls == "points" || !growthLike(pre) {
			return "", 0, "", "a change of a growth rate, not a growth"
		}
	}
	switch cls {
	case "points", "percent":
		if dir, target, ok := x.comparison(pre, st, listIndex); ok {
			if cls == "percent" && !strings.Contains(pre, "百分点") {
				// 高于全市5% is not said of growth rates: read no figure.
				if target != "" {
					return "", 0, "", "comparison written in percent"
				}
			}
			if st.growthVeto != "" {
				return "", 0, "", "comparison of a " + st.growthVeto
			}
			if p, ok := otherIndicator(afterLast(pre, target), st.ind); ok {
				// 工业投资增长20%,高于全市固定资产投资增速5个百分点: two
				// indicators compared, no growth against the city's own.
				return "", 0, "", "comparison with another indicator (" + p.phrase + ")"
			}
			switch target {
			case "全市", "全州", "全盟", "全市(盟)", "所在市":
				if x.subj.level == "city" {
					return "", 0, "", "the city compared with itself"
				}
				return figure.MeasureGrowthVsCity, dir, "growth against the city (" + target + ")", ""
			case "全县", "全旗":
				if x.subj.level == "county" {
					return "", 0, "", "the county compared with itself"
				}
				return "growth_vs_county", dir, "growth against the county", ""
			case "全区":
				if x.doc.district && x.subj.level == "zone" {
					return "growth_vs_county", dir, "growth against the district", ""
				}
				return "", 0, "", "comparison with 全区"
			case "":
				return "", 0, "", "comparison with no stated counterpart"
			}
			return "", 0, "", "comparison with " + target + ": out of scope"
		}
		if cls == "points" {
			return "", 0, "", "percentage points without a comparison the parser reads"
		}
		if sign, w, ok := growthAtEnd(pre); ok {
			st.growthVeto = ""
			return figure.MeasureYoYGrowth, sign, "growth (" + w + ")", ""
		}
		return "", 0, "", "a percent with no growth or share keyword"
	case "times":
		if sign, w, ok := growthAtEnd(pre); ok && sign > 0 {
			return figure.MeasureYoYGrowth, 1, "growth in 倍 (" + w + ")", ""
		}
		return "", 0, "", "倍 without a growth keyword"
	case "money":
		gap := afterPhrases(pre)
		if strings.Contains(gap, "增") || strings.Contains(gap, "下降") || strings.Contains(gap, "减少") || strings.Contains(gap, "投资额") {
			return "", 0, "", "an amount of change, not a level"
		}
		if rest := valueVerbsRe.ReplaceAllString(gap, ""); hanRunes(rest) >= 2 {
			// 累计完成全社会固投205.2亿元: an amount of a thing the lexicon
			// does not name; nor is what follows it the indicator before.
			st.ind = indicatorPhrase{phrase: rest, kind: kindSub}
			return "", 0, "", "an amount of " + rest + ", which the lexicon does not name"
		}
		return figure.MeasureValue, 1, "amount", ""
	}
	return "", 0, "", "unit the core figures do not use"
}

// stripPhrases returns s with its lexicon phrases blanked out, so that a
// word inside an indicator's name (预算 in 一般公共预算收入) is not read as
// a qualifier.
func stripPhrases(s string) string {
	ms := findPhrases(s, zoneSpans(s))
	if len(ms) == 0 {
		return s
	}
	var b strings.Builder
	last := 0
	for _, m := range ms {
		b.WriteString(s[last:m.start])
		b.WriteString("〇")
		last = m.end
	}
	b.WriteString(s[last:])
	return b.String()
}

// afterPhrases returns what follows the last lexicon phrase in s: the
// words between an indicator and its number.
func afterPhrases(s string) string {
	ms := findPhrases(s, zoneSpans(s))
	if len(ms) == 0 {
		return s
	}
	return s[ms[len(ms)-1].end:]
}

// bracketCityGrowthRe is the city's growth given in brackets inside a
// comparison: 高于全市规上工业增加值增速(.
// bracketCityLevelRe is the same with no indicator: 高于全市平均水平(9.8%).
var bracketCityLevelRe = regexp.MustCompile(`(?:高于|低于|快于|慢于)全市(?:平均水平|平均增速|平均|增速|水平)?\($`)

var bracketCityGrowthRe = regexp.MustCompile(`(?:高于|低于|快于|慢于)全市([\p{Han}]{2,12}?)(?:增速|增幅)\($`)

// threshold reports whether the words after an amount make it a size
// class: 产值超10亿元企业, 10亿元以上项目, 突破百亿元大关.
func threshold(after string) bool {
	return hasAnyPrefix(strings.TrimSpace(after), "企业", "项目", "的企业", "的项目", "以上企业", "以上项目", "以上的", "大关", "级",
		"的园区", "的开发区", "以上园区", "以上开发区") // GDP超过1000亿元的园区共有48个
}

// valueVerbsRe is what may stand between an indicator and its amount.
var valueVerbsRe = regexp.MustCompile(`合计|累计|共计|总计|共|完成|实现|达到|达|为|是|了|约|近|超过|超|逾|全年|今年|当年|的|\s|\(|\)|:|、|和|及`)

// hanRunes counts the Chinese characters of s.
func hanRunes(s string) int {
	n := 0
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			n++
		}
	}
	return n
}

// growthLike reports whether pre ends in a growth keyword.
func growthLike(pre string) bool {
	_, _, ok := growthAtEnd(pre)
	return ok
}

// comparison reads 高于全市增速1.9个百分点, 低于全市平均降幅, 比全市高出,
// the 全市 item of 高于全国X、全省Y、全市Z and of 较全国、全省、全市分别高.
func (x *proseExtractor) comparison(pre string, st *sentenceState, listIndex int) (dir int, target string, ok bool) {
	p := strings.TrimSpace(pre)
	dirAt, dirEnd := -1, -1
	for _, d := range dirWords {
		if i := strings.LastIndex(p, d.w); i >= 0 && i+len(d.w) > dirEnd {
			dirAt, dirEnd, dir = i, i+len(d.w), d.dir
		}
	}
	// 比全市高出, 比全市高, 较全市低.
	if i := strings.LastIndex(p, "比"); i >= 0 && i > dirAt {
		rest := p[i:]
		if m := targetRe.FindStringIndex(rest); m != nil {
			after := rest[m[1]:]
			for _, w := range []string{"平均增速", "平均水平", "平均", "增速", "增幅"} {
				after = strings.TrimPrefix(after, w) // 比全市增速高0.5个百分点
			}
			switch {
			case strings.HasPrefix(after, "高") || strings.Contains(after, "高出") || strings.Contains(after, "分别高"):
				dirAt, dir = i, 1
			case strings.HasPrefix(after, "低") || strings.Contains(after, "分别低"):
				dirAt, dir = i, -1
			}
		}
	}
	if i := strings.LastIndex(p, "较"); i >= 0 && i > dirAt {
		rest := p[i:]
		if targetRe.MatchString(rest) && (strings.Contains(rest, "高") || strings.Contains(rest, "低")) {
			dirAt, dir = i, 1
			if strings.Contains(rest, "低") {
				dir = -1
			}
		}
	}
	if dirAt < 0 {
		if strings.HasPrefix(p, "、") && st.lastDir != 0 {
			t := targetRe.FindString(p)
			return st.lastDir, t, true
		}
		return 0, "", false
	}
	st.lastDir = dir
	rest := p[dirAt:]
	if i := strings.LastIndexAny(p[:dirAt], "比较"); i >= 0 && targetRe.MatchString(p[i:dirAt]) {
		rest = p[i:] // 增速比全市高出: the counterpart stands before the direction
	}
	targets := targetRe.FindAllString(rest, -1)
	if strings.Contains(rest, "降幅") && strings.Contains(rest, "平均降幅") {
		dir = -dir // 低于全市平均降幅: a smaller fall
	}
	if len(targets) == 0 {
		return dir, "", true
	}
	if len(targets) > 1 && listIndex >= 0 {
		if listIndex < len(targets) {
			return dir, targets[listIndex], true
		}
		return dir, "?", true
	}
	if len(targets) > 1 {
		return dir, "?", true
	}
	return dir, targets[0], true
}

// bareValueAdded reports whether an indicator phrase is value added of all
// industry (工业增加值, 增加值), not of the enterprises above the size
// threshold (规上工业增加值) the exporter's indicator is.
func bareValueAdded(phrase string) bool { return phrase == "工业增加值" || phrase == "增加值" }

// dropSentence takes back the statements of indicator key this sentence
// gave the current subject.
// sizeClassRe opens a clause about the projects or enterprises of a size:
// 5千万以上的67个, 5千万以下项目, 亿元以上项目.
var sizeClassRe = regexp.MustCompile(`^(?:[0-9.]+\s*(?:千万|百万|亿|万)元?|亿元|千万元|5000万元)(?:以上|以下|及以上)`)

// scaledGrowthRe opens a 其中 clause that gives the growth of the
// enterprises above the size and names no indicator: 其中,规上企业增长11.3%.
var scaledGrowthRe = regexp.MustCompile(`^(?:规模以上|规上|规模)(?:工业)?企业(?:同比)?(?:增长|下降)`)

// scaledRe opens a 其中 clause about the enterprises above the size.
var scaledRe = regexp.MustCompile(`^(?:规模以上|规上|规模)工业(?:企业)?(?:实现|完成|累计)`)

// statedInSentence reports whether the sentence gave the subject a
// figure of key before.
func (x *proseExtractor) statedInSentence(st *sentenceState, key string) bool {
	for _, s := range (*x.out)[st.outStart:] {
		if s.Indicator == key && slices.Equal(s.Zones, x.subj.zones) {
			return true
		}
	}
	return false
}

func (x *proseExtractor) dropSentence(st *sentenceState, key string) {
	out := (*x.out)[:st.outStart]
	for _, s := range (*x.out)[st.outStart:] {
		if s.Indicator == key && slices.Equal(s.Zones, x.subj.zones) {
			continue
		}
		out = append(out, s)
	}
	*x.out = out
}

// afterLast returns what follows the last target in s, or s.
func afterLast(s, target string) string {
	if target == "" || target == "?" {
		return s
	}
	if i := strings.LastIndex(s, target); i >= 0 {
		return s[i+len(target):]
	}
	return s
}

// otherIndicator returns a core indicator named in s that is not ind's,
// reading each phrase once at its longest (工业固定资产投资 holds no
// 固定资产投资 of its own).
func otherIndicator(s string, ind indicatorPhrase) (indicatorPhrase, bool) {
	if ind.kind != kindCore {
		return indicatorPhrase{}, false
	}
	for i := 0; i < len(s); {
		if p, ok := phraseAt(s, i); ok {
			if p.kind == kindCore && p.key != ind.key {
				return p, true
			}
			i += len(p.phrase)
			continue
		}
		_, n := utf8.DecodeRuneInString(s[i:])
		i += n
	}
	return indicatorPhrase{}, false
}

// shareMeasure reads a share: of the city (city_share), of the county or
// district (county_share), or of something else (no figure).
func (x *proseExtractor) shareMeasure(pre string, a amount, st *sentenceState) (string, int, string, string) {
	i := strings.LastIndex(pre, "占")
	m := shareOfRe.FindStringSubmatch(trimFillers(pre[i:]))
	if m == nil {
		return "", 0, "", "share of a total the parser cannot read"
	}
	if a.class() != "percent" {
		return "", 0, "", "share not in percent"
	}
	scope, what := m[1], m[2]
	if strings.Contains(what, "开发区") || strings.Contains(what, "园区") {
		return "", 0, "", "share of all zones' total"
	}
	valueAddedShort := bareIndustry(what) && st.ind.kind == kindCore && st.ind.key == figure.IndustrialValueAdded
	if what != "" && !valueAddedShort {
		// 规模工业增加值…占全市规模工业的81.2%: 规模工业 is the value added.
		if p, ok := phraseAt(what, 0); !ok || p.kind != kindCore || len(p.phrase) != len(what) {
			return "", 0, "", "share of another total (" + what + ")"
		}
	}
	if namedCity(scope) {
		scope = "所在市" // 占西宁市固定资产投资比重: the city named
	}
	switch scope {
	case "全市", "全州", "全盟", "全市(盟)", "所在市":
		if x.subj.level == "city" {
			return "", 0, "", "the city's share of itself"
		}
		st.lastMeasure = figure.MeasureCityShare
		return figure.MeasureCityShare, 1, "share of the city (" + scope + ")", ""
	case "全县", "全旗":
		st.lastMeasure = "county_share"
		return "county_share", 1, "share of the county", ""
	case "全区":
		if x.doc.district {
			st.lastMeasure = "county_share"
			return "county_share", 1, "share of the district", ""
		}
	}
	st.lastMeasure = "other_share"
	return "", 0, "", "share of " + scope + ": not a city share"
}

// bareIndustry reports whether s is the industry alone (规模工业, 规上工业,
// 规模以上工业), which bulletins write for its value added.
func bareIndustry(s string) bool {
	switch s {
	case "规模工业", "规上工业", "规模以上工业":
		return true
	}
	return false
}

// namedCity reports whether a share's scope is a city by its name
// (西宁市), not 全市 or a word ending in 市 that is none (城市, 县市).
func namedCity(scope string) bool {
	return strings.HasSuffix(scope, "市") && !strings.HasPrefix(scope, "全") && scope != "所在市" &&
		!strings.HasSuffix(scope, "城市") && !strings.HasSuffix(scope, "县市") && !strings.HasSuffix(scope, "本市")
}

// shareIndicator returns the core indicator a share phrase names (占全市产
// 值的: industrial_output), if any.
func shareIndicator(pre string) (indicatorPhrase, bool) {
	i := strings.LastIndex(pre, "占")
	if i < 0 {
		return indicatorPhrase{}, false
	}
	m := shareOfRe.FindStringSubmatch(trimFillers(pre[i:]))
	if m == nil || m[2] == "" {
		return indicatorPhrase{}, false
	}
	p, ok := phraseAt(m[2], 0)
	return p, ok && p.kind == kindCore
}

// classify reads one number.
func (x *proseExtractor) classify(sent, c span, text, pre string, a amount, st *sentenceState) {
	if m := bracketCityGrowthRe.FindStringSubmatch(pre); m != nil && a.class() == "percent" && st.target == "" {
		// 高于全市规上工业增加值增速(6.1%): the city's own growth, in brackets.
		if p, ok := phraseAt(m[1], 0); ok && p.kind == kindCore && len(p.phrase) == len(m[1]) {
			saved := x.subj
			x.subj = subject{zones: []string{"全市"}, level: "city", source: "全市 in brackets"}
			x.emit(sent, c, a, x.subj.zones, p.key, figure.MeasureYoYGrowth, 1, "the city's growth in brackets", st)
			x.subj = saved
			return
		}
	}
	if strings.HasSuffix(pre, "(全市") && a.class() == "percent" && st.target == "" && st.ind.kind == kindCore && st.lastMeasure == figure.MeasureYoYGrowth && st.growthVeto == "" && x.subj.level != "city" {
		// 全县规模以上工业增加值同比增长7.5%(全市11.1%): the city's growth.
		saved := x.subj
		x.subj = subject{zones: []string{"全市"}, level: "city", source: "全市 in brackets"}
		x.emit(sent, c, a, x.subj.zones, st.ind.key, figure.MeasureYoYGrowth, 1, "the city's growth in brackets", st)
		x.subj = saved
		return
	}
	if bracketCityLevelRe.MatchString(pre) && a.class() == "percent" && st.target == "" && st.ind.kind == kindCore && st.growthVeto == "" {
		// 增长12%,高于全市平均水平(9.8%): the city's growth of the same
		// indicator, in brackets.
		saved := x.subj
		x.subj = subject{zones: []string{"全市"}, level: "city", source: "全市 in brackets"}
		x.emit(sent, c, a, x.subj.zones, st.ind.key, figure.MeasureYoYGrowth, 1, "the city's growth in brackets", st)
		x.subj = saved
		return
	}
	if strings.HasSuffix(strings.TrimSpace(pre), "全市") && strings.HasPrefix(text[a.end:], "的") && a.class() == "percent" && st.target == "" {
		// 创造了全市15.6%的经济总量: a share written around its number.
		if p, ok := phraseAt(text[a.end+len("的"):], 0); ok && p.kind == kindCore && x.check(p, figure.MeasureCityShare) == "" && x.subj.level != "city" {
			x.emit(sent, c, a, x.subj.zones, p.key, figure.MeasureCityShare, 1, "share of the city (全市X%的…)", st)
			return
		}
	}
	if len(st.periods) > 0 {
		x.skip(sent, c, a, text, "one number against a list of periods")
		return
	}
	measure, sign, rule, reason := x.measureOf(pre, a, st, -1)
	if reason != "" {
		x.skip(sent, c, a, text, reason)
		return
	}
	ind := st.ind
	if measure == figure.MeasureCityShare || measure == "county_share" {
		if p, ok := shareIndicator(pre); ok && ind.kind != kindSub && ind.kind != kindOther {
			if ind.kind == kindCore && p.key != ind.key {
				// 完成工业投资20亿元,占全市固定资产投资比重12%: a part of another
				// total, neither the zone's share of the city's industrial
				// investment nor of its fixed-asset investment.
				x.skip(sent, c, a, text, "share of another total ("+p.phrase+")")
				return
			}
			ind = p
		}
		if strings.Contains(pre, "约占") {
			a.approx = true
		}
	}
	if threshold(text[a.end:]) {
		x.skip(sent, c, a, text, "a size threshold (超10亿元企业), not a figure")
		return
	}
	if p := strings.TrimSpace(pre); hasAnySuffix(p, "均超过", "均超", "都超过", "均突破", "均达到", "均在") || strings.HasSuffix(p, "过") && !strings.HasSuffix(p, "超过") {
		x.skip(sent, c, a, text, "a threshold each passed (地区生产总值过100亿元, 均超过), not a figure")
		return
	}
	reason = x.check(ind, measure)
	if measure == figure.MeasureValue {
		// A part's value keeps its place, as "", so that a 分别 list of
		// growths after the values lines up with them.
		key := ind.key
		if reason != "" {
			key = ""
		}
		st.valueInds = append(st.valueInds, key)
	}
	if reason != "" {
		x.skip(sent, c, a, text, reason)
		return
	}
	if measure != figure.MeasureCityShareChange && measure != figure.MeasureCityShare && measure != "county_share" {
		st.lastMeasure = measure
	}
	x.emit(sent, c, a, x.subj.zones, ind.key, measure, sign, rule, st)
}

// check says why a figure of indicator ind and measure cannot be credited
// to the current subject, or "".
func (x *proseExtractor) check(ind indicatorPhrase, measure string) string {
	switch {
	case x.subj.blocked:
		return "subject: " + x.subj.source
	case !x.subj.known():
		return "no subject stated"
	case ind.kind == 0:
		return "no indicator stated"
	case ind.kind == kindOther && figure.Indicators[ind.key] == "":
		return "indicator " + ind.phrase + " is not one the exporter keeps"
	case ind.kind == kindSub:
		return "a sub-category (" + ind.phrase + "), not the subject's total"
	}
	if x.subj.level == "province" && measure != figure.MeasureValue && measure != figure.MeasureYoYGrowth {
		return "a province aggregate's share or comparison"
	}
	return ""
}

// list reads a 分别 list: one figure per zone of the subject, or one per
// indicator the sentence gave values for, in order; counts that differ
// give no figure.
func (x *proseExtractor) list(sent, c span, text, pre string, run []amount, st *sentenceState) {
	if x.listByPeriods(sent, c, text, pre, run, st) {
		return
	}
	measure, sign, rule, reason := x.measureOf(pre, run[0], st, 0)
	if _, _, ok := x.comparison(pre, st, -1); ok && len(targetRe.FindAllString(pre[max(0, strings.LastIndexAny(pre, "比较")):], -1)) > 1 {
		measure, sign, rule, reason = figure.MeasureGrowthVsCity, 0, "growth against the city", ""
		if d, _, _ := x.comparison(pre, st, 0); d != 0 {
			sign = d
		}
	}
	if reason == "" && measure == figure.MeasureGrowthVsCity {
		// 较全国、全省、全市分别高a、b、c: the city's item only.
		for i, a := range run {
			_, target, _ := x.comparison(pre, st, i)
			if target == "全市" || target == "全州" || target == "全盟" {
				if r := x.check(st.ind, measure); r != "" {
					x.skip(sent, c, a, text, r)
					continue
				}
				x.emit(sent, c, a, x.subj.zones, st.ind.key, measure, sign, rule+", item of a 分别 list", st)
			} else {
				x.skip(sent, c, a, text, "comparison with "+target+": out of scope")
			}
		}
		return
	}
	if reason != "" {
		for _, a := range run {
			x.skip(sent, c, a, text, reason)
		}
		return
	}
	zones := x.subj.zones
	switch {
	case len(zones) == len(run) && len(zones) > 1:
		if r := x.check(st.ind, measure); r != "" {
			for _, a := range run {
				x.skip(sent, c, a, text, r)
			}
			return
		}
		for i, a := range run {
			x.emit(sent, c, a, []string{zones[i]}, st.ind.key, measure, sign, rule+", zone "+itoa(i+1)+" of a 分别 list", st)
		}
	case len(listedIndicators(text[:run[0].start])) == len(run) || len(st.valueInds) >= len(run):
		inds := listedIndicators(text[:run[0].start])
		if len(inds) != len(run) {
			inds = st.valueInds[len(st.valueInds)-len(run):]
		}
		if x.subj.blocked || !x.subj.known() {
			for _, a := range run {
				x.skip(sent, c, a, text, "no subject stated")
			}
			return
		}
		for i, a := range run {
			if inds[i] == "" {
				x.skip(sent, c, a, text, "a part's figure in a 分别 list (其中…)")
				continue
			}
			x.emit(sent, c, a, zones, inds[i], measure, sign, rule+", indicator "+itoa(i+1)+" of a 分别 list", st)
		}
	default:
		for _, a := range run {
			x.skip(sent, c, a, text, "a 分别 list whose items do not match its subjects or indicators")
		}
	}
}

// listedIndicators returns the core indicators a clause lists before its
// 分别 (规上工业增加值、规上工业总产值、固定资产投资3项指标增速分别增长…), in
// order, or nil when the clause names anything else among them.
func listedIndicators(s string) []string {
	i := strings.Index(s, "分别")
	if i < 0 {
		return nil
	}
	var out []string
	for _, m := range findPhrases(s[:i], zoneSpans(s[:i])) {
		if m.kind != kindCore {
			return nil
		}
		out = append(out, m.key)
	}
	if len(out) < 2 {
		return nil
	}
	return out
}

// flat reads 同比持平: a growth of zero.
func (x *proseExtractor) flat(sent, c span, text string, ms []phraseMention, st *sentenceState) {
	i := strings.Index(text, "持平")
	x.noteMentions(text, 0, i, ms, st)
	if !strings.Contains(text[:i], "同比") && !strings.HasSuffix(text[:i], "增长") && !strings.HasSuffix(text[:i], "增速") {
		return
	}
	if x.check(st.ind, figure.MeasureYoYGrowth) != "" {
		return
	}
	a := amount{start: i, end: i + len("持平"), digits: "0", unit: "%"}
	x.emit(sent, c, a, x.subj.zones, st.ind.key, figure.MeasureYoYGrowth, 1, "growth (同比持平)", st)
}

func itoa(i int) string { return strconv.Itoa(i) }

func (x *proseExtractor) skip(sent, c span, a amount, text, reason string) {
	*x.skipped = append(*x.skipped, Skipped{
		Line:   x.line(sent.off + c.off + a.start),
		Number: strings.TrimSpace(text[a.start:a.end]),
		Reason: reason,
		Text:   strings.TrimSpace(sent.text),
	})
}

func (x *proseExtractor) emit(sent, c span, a amount, zones []string, ind, measure string, sign int, rule string, st *sentenceState) {
	v, unit := a.value(sign < 0)
	if measure == figure.MeasureYoYGrowth && a.class() == "times" {
		unit = figure.UnitRatio
	}
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return
	}
	if sign < 0 && a.negative {
		x.skip(sent, c, a, x.text, "a double negative (下降-X%)")
		return
	}
	per, scope := x.period, ""
	if st.period.Scope == scopeForecast && st.period.Month == 0 {
		x.skip(sent, c, a, x.text, "a forecast (预计) of a period the text does not state")
		return
	}
	if st.period.Month != 0 {
		y := st.period.Year
		if y == 0 {
			y = x.period.Year
		}
		p := figure.Period{Year: y, Month: timeMonth(st.period.Month)}
		switch st.period.Scope {
		case scopeMonth:
			scope = "month"
		case scopeQuarter:
			scope = "quarter"
		case scopeForecast:
			scope = "forecast"
		}
		if p != x.period && scope == "" {
			scope = "other"
		}
		per = p
	}
	x.figuresOf = strings.Join(zones, "、")
	city := x.city
	if x.subj.level == "province" {
		city = "" // the zones of a province as a whole belong to no city
	}
	*x.out = append(*x.out, Statement{
		Figure: figure.Figure{
			City:      city,
			Zones:     append([]string(nil), zones...),
			Indicator: ind,
			Measure:   measure,
			Value:     v,
			Unit:      unit,
			Approx:    a.approx,
			Period:    per,
			Text:      strings.TrimSpace(sent.text),
			Line:      x.line(sent.off + c.off + a.start),
		},
		Rule:          rule,
		SubjectSource: x.subj.source,
		Scope:         scope,
	})
}

func timeMonth(m int) time.Month { return time.Month(m) }
