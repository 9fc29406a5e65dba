package bulletin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	periodWordRe = regexp.MustCompile(`季度|月|年|上半|下半|全年`)
	districtRe   = regexp.MustCompile(`^(?:[0-9]{4}年)?(?:1-[0-9]{1,2}月份?|上半年|前三季度)?([\p{Han}]{2,3}区)`)
	regionRe     = regexp.MustCompile(`自治区|内蒙古|宁夏|广西|新疆|西藏|盟市`)
	cityNameRe   = regexp.MustCompile(`[\p{Han}]{1,4}市`)
	cityStripRe  = regexp.MustCompile(`^.*(?:季度|月份|月|年|省|看|的|全|前|上半|县|区)`)
)

// analyse reads what a bulletin says about itself: its title, the zone
// it is about, whether 全区 is a district or an autonomous region, the
// periods of its title and lead-ins, and a dateline's year.
func analyse(paras []paragraph) *document {
	doc := &document{}
	titleDone := false
	leadZoneDone := false
	for _, p := range paras {
		if p.table != nil {
			continue
		}
		first := p.lines[0].line
		if !titleDone {
			if noiseRe.MatchString(p.text) && !periodRe.MatchString(p.text) {
				if y := datelineYear(p.text); y != 0 && doc.datelineYear == 0 {
					doc.datelineYear = y
				}
				continue
			}
			titleDone = true
			if !titleLike(p.text) {
				// The text starts with its body: it has no title.
				if doc.zone == "" {
					doc.zone = leadZone(p.text)
				}
				leadZoneDone = true
				for _, sent := range split(span{0, p.text}, "。!?;") {
					doc.addPeriods(leadOf(sent.text), p.lineAt(sent.off), false)
					if len(doc.periodCandidates) > 0 {
						break
					}
				}
				continue
			}
			doc.title = p.text
			if y := datelineYear(p.text); y != 0 && doc.datelineYear == 0 {
				doc.datelineYear = y // a dateline joined to the title's lines
			}
			if titleReportRe.MatchString(p.text) {
				// 杭州湾上虞工业园区升格为国家级开发区 is news of the zone, not
				// its report: its 全区 and its unnamed figures are not the zone's.
				doc.zone = namedZone(p.text)
				doc.titleZone = doc.zone
			}
			if m := districtRe.FindStringSubmatch(p.text); m != nil && zoneKindRe.FindString(m[1]) == "" && m[1] != "全区" {
				doc.district = true
			}
			doc.addPeriods(p.text, first, true)
			continue
		}
		if doc.leadCandidates() > 0 && (doc.statedYear != 0 || doc.datelineYear != 0) {
			break // the title's and the first lead-in's periods and the year are known: reportPeriod reads no further
		}
		if y := datelineYear(p.text); y != 0 && doc.datelineYear == 0 {
			doc.datelineYear = y
		}
		if m := issueNumberRe.FindString(p.text); m != "" && doc.datelineYear == 0 {
			doc.datelineYear = atoiYear(strings.TrimSpace(m[:4]))
		}
		if !leadZoneDone && !p.isHeading && (!titleLike(p.text) || !datelineRe.MatchString(p.text)) {
			leadZoneDone = true
			if doc.zone == "" {
				doc.zone = leadZone(p.text)
			}
		}
		for _, sent := range split(span{0, p.text}, "。!?;") {
			doc.addPeriods(leadOf(sent.text), p.lineAt(sent.off), false)
			if doc.leadCandidates() > 0 && (doc.statedYear != 0 || doc.datelineYear != 0) {
				break // a year too: 一季度…。根据…结果,2021年一季度…
			}
		}
	}
	doc.region = regionRe.MatchString(doc.title) || anyRegion(paras)
	doc.paras = paras
	return doc
}

// yearsOf returns the years the text states anywhere with a year to date
// ending in month (2021年1~3季度 for 9), outside comparisons. It reads the
// whole text, so reportPeriod asks it only for a period without a year.
func (doc *document) yearsOf(month int) map[int]bool {
	if doc.years == nil {
		doc.years = map[int]map[int]bool{} // read once, on the first need
		for _, p := range doc.paras {
			if p.table != nil || !strings.Contains(p.text, "年") {
				continue
			}
			ps, _ := periodsIn(p.text)
			for _, sp := range ps {
				if sp.Year == 0 || sp.Scope != scopeCumulative || !plausibleYear(sp.Year) {
					continue
				}
				if doc.years[sp.Month] == nil {
					doc.years[sp.Month] = map[int]bool{}
				}
				doc.years[sp.Month][sp.Year] = true
			}
		}
	}
	return doc.years[month]
}

func anyRegion(paras []paragraph) bool {
	for _, p := range paras {
		if strings.Contains(p.text, "自治区") || strings.Contains(p.text, "盟市") || strings.Contains(p.text, "全区园区") {
			return true
		}
	}
	return false
}

func atoiYear(s string) int {
	y := 0
	for _, r := range s {
		y = 10*y + int(r-'0')
	}
	if !plausibleYear(y) {
		return 0
	}
	return y
}

// leadOf returns the lead-in of a sentence: the text before its first
// comma, where bulletins state the period of the figures that follow.
// sourceLeadRe is a source before the period: 记者从稀土高新区统计局获悉,
// 据介绍, 按照市统计局统计.
var sourceLeadRe = regexp.MustCompile(`^(?:(?:本报|日前|近日)?(?:记者|笔者)?(?:\p{Han}{0,6}?)从[^,。;]{2,30}?(?:获悉|了解到|得知)|据(?:介绍|了解|悉|报道)|(?:按照|根据|依据)[^,。;]{0,14}统计|记者(?:了解到|获悉)|经[^,。;]{0,12}(?:审定|核定|核算))`)

func leadOf(s string) string {
	s = strings.TrimSpace(s)
	for {
		if k := listNumber(s); k > 0 {
			s = s[k:]
			continue
		}
		m := leadRe.FindString(s)
		if m == "" {
			m = sourceLeadRe.FindString(head(s, 3*48)) // 记者从…获悉,
		}
		if m == "今年以来" || m == "年初以来" {
			// 今年以来,1-10月份,…: the period follows the phrase.
			if rest, ok := strings.CutPrefix(s[len(m):], ","); ok {
				s = rest
				continue
			}
		}
		if m == "" || strings.HasPrefix(m, "今年") || strings.HasPrefix(m, "去年") || strings.HasPrefix(m, "截") {
			break
		}
		// 据统计,1-10月份,…: a source phrase and its comma come before
		// the period.
		rest, comma := strings.CutPrefix(s[len(m):], ",")
		if comma && yearOnlyRe.MatchString(rest) && !periodRe.MatchString(head(rest, 3*12)) {
			// 据统计,2022年,…: after the source, a year alone is as likely
			// last year's recap as the report's period: no lead period.
			return ""
		}
		s = rest
	}
	if i := strings.IndexAny(s, ","); i >= 0 {
		return s[:i]
	}
	if utf8.RuneCountInString(s) > 40 {
		return string([]rune(s)[:40])
	}
	return s
}

// addPeriods notes the periods a title or a sentence's lead-in states.
func (doc *document) addPeriods(s string, line int, title bool) {
	ps, offs := periodsIn(s)
	for i, p := range ps {
		if !title && offs[i] > 0 && !leadingSubjectOnly(s[:offs[i]]) {
			continue
		}
		if ps, _ := periodListAt(s[offs[i]:]); ps != nil {
			continue // 1-2月、一季度…分别为: periods of a list, not the report's
		}
		if p.Year == 0 {
			if m := yearInRe.FindStringSubmatch(s[:offs[i]]); m != nil {
				p.Year = atoiYear(m[1]) // 2023年截止二季度
			}
		}
		if p.Year != 0 && doc.statedYear == 0 {
			doc.statedYear, doc.statedYearLine = p.Year, line
		}
		lastYear := title && strings.HasSuffix(strings.TrimSpace(s[:offs[i]]), "去年")
		doc.periodCandidates = append(doc.periodCandidates, periodCandidate{p: p, line: line, title: title, lastYear: lastYear})
	}
	if m := yearOnlyRe.FindStringSubmatch(strings.TrimSpace(s)); m != nil && len(ps) == 0 && !issueNumberRe.MatchString(strings.TrimSpace(s)) {
		y := atoiYear(m[1])
		if y != 0 {
			if doc.statedYear == 0 {
				doc.statedYear, doc.statedYearLine = y, line
			}
			doc.periodCandidates = append(doc.periodCandidates, periodCandidate{p: statedPeriod{Year: y, Month: 12, Scope: scopeCumulative}, line: line, title: title, yearOnly: true})
		}
	} else if m := yearInRe.FindStringSubmatch(s); m != nil && doc.statedYear == 0 && title {
		doc.statedYear, doc.statedYearLine = atoiYear(m[1]), line
	}
}

var yearInRe = regexp.MustCompile(`((?:19|20)[0-9]{2})\s*年`)

// issueNumberRe is a bulletin's issue line (2023年第7期), whose year is
// the year of the bulletin but no period of its figures.
var issueNumberRe = regexp.MustCompile(`^[0-9]{4}\s*年\s*第`)

// leadingSubjectOnly reports whether what stands before a lead's period
// is only a subject or a year (江北新区2023年前三季度, 今年): the period is
// still the lead's.
func leadingSubjectOnly(s string) bool {
	s = strings.TrimSpace(s)
	if m := yearInRe.FindStringIndex(s); m != nil && m[0] == 0 {
		s = s[m[1]:] // 2023年截止二季度
	}
	for _, w := range []string{"截至", "截止", "今年"} {
		s = strings.TrimSuffix(s, w)
	}
	if s == "" || s == "今年" || s == "今年以来" {
		return true
	}
	if utf8.RuneCountInString(s) > 16 {
		return false
	}
	for _, r := range s {
		if !unicode.Is(unicode.Han, r) && !unicode.IsDigit(r) {
			return false
		}
	}
	return zoneKindRe.MatchString(s) || strings.HasPrefix(s, "全")
}

// titleReportRe holds the words of a title that reports a zone's figures
// (运行情况, 主要经济指标, 发展态势, 增长, 一季度…), so that the zone it names
// is the report's.
var titleReportRe = regexp.MustCompile(`运行|经济|指标|情况|简报|通报|快报|月报|统计|发展|增长|下降|完成|实现|分析|动态|工作|回顾|数据|态势|亿元|[0-9]+%|季度|上半年|全年|年度|[0-9一二三四五六七八九十]+月`)

// namedZone returns the first zone a title names in full, or "". A city's
// heading (太原市开发区) names the city's zones, not a zone. A title that
// names one zone by its kind alone (高新区发展态势良好, 上半年经开区工业经济…)
// is that zone's report: the kind is its name in the passage.
func namedZone(s string) string {
	bare, bares := "", 0
	for i := 0; i < len(s); {
		m := matchZoneName(s[i:])
		if m == nil {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
			continue
		}
		name := s[i+m[2] : i+m[3]]
		if loc := periodWordRe.FindAllStringIndex(name, -1); loc != nil {
			name = name[loc[len(loc)-1][1]:] // 年临沂经济技术开发区: 临沂经济技术开发区
		}
		if isBareKind(name) {
			if genericKind(name) {
				bares++ // parks in general (园区拉动效应明显): no zone's name
			}
			bare, bares = name, bares+1
			i += m[1]
			continue
		}
		if name == "" || notName(name) ||
			strings.HasPrefix(name, "全") || strings.HasPrefix(name, "我") || strings.HasPrefix(name, "本") || strings.HasPrefix(name, "该") ||
			startsWithVerb(name) || strings.Contains(name, "省") || strings.Contains(name, "统计") ||
			cityHeadingRe.MatchString(name) || strings.HasSuffix(name, "市开发区") {
			i += m[1] // not a name: nor is any part of it
			continue
		}
		return name
	}
	if bares == 1 {
		return bare
	}
	return ""
}

// genericKind reports whether a kind alone speaks of parks in general
// (园区, 集中区), never of the one zone a passage is about.
func genericKind(name string) bool { return name == "园区" || name == "集中区" }

// leadZone returns the zone the first sentence of the body names as its
// subject, or "": the zone whose report a passage without a title is.
func leadZone(s string) string {
	if i := strings.IndexAny(s, "。!?"); i >= 0 {
		s = s[:i] // the first sentence: a zone named later is one of many
	}
	for _, c := range clauses(s) {
		t := strings.TrimSpace(c.text)
		for {
			m := leadRe.FindString(t)
			if m == "" {
				break
			}
			t = t[len(m):]
		}
		if m := periodRe.FindStringIndex(t); m != nil && m[0] == 0 {
			t = t[m[1]:]
		}
		if i := strings.Index(head(t, 3*12), "从"); i == 0 || i > 0 && strings.Contains(t[:i], "记者") {
			t = t[i+len("从"):] // 记者从稀土高新区统计局获悉: the zone is the source
		}
		if m := matchZoneName(t); m != nil {
			name := t[m[2]:m[3]]
			if !notName(name) && !strings.HasPrefix(name, "全") && !startsWithVerb(name) && !genericKind(name) {
				return name // a kind alone too: 今年以来,高新区锚定…
			}
		}
		if hasAnyPrefix(t, "全", "我", "本") {
			return "" // 全区规上工业…: the lead's subject is no zone's name
		}
	}
	return ""
}

// leadCandidates counts the years to date lead-ins state (not the
// title's): a month alone (5月份,…) before the year to date (1-5月份,…) is
// no report period, and the reading goes on.
func (doc *document) leadCandidates() int {
	n := 0
	for _, c := range doc.periodCandidates {
		if !c.title && c.p.Scope == scopeCumulative {
			n++
		}
	}
	return n
}

// titleLike reports whether a paragraph can be a title: a short line that
// ends no sentence.
func titleLike(s string) bool {
	return utf8.RuneCountInString(s) <= 48 && !strings.ContainsAny(s, "。,;")
}

// titleCity returns the city a title names (前三季度南通市开发区…: 南通市).
func titleCity(title string) string {
	for _, m := range cityNameRe.FindAllString(title, -1) {
		c := cityStripRe.ReplaceAllString(strings.TrimSuffix(m, "市"), "") + "市"
		if utf8.RuneCountInString(c) >= 3 && !strings.HasSuffix(c, "城市") && !strings.HasPrefix(c, "全") && !strings.HasPrefix(c, "我") && !strings.HasPrefix(c, "本") {
			return c
		}
	}
	return ""
}
