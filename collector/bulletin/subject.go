package bulletin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A subject is who the figures of a clause are about, as the text states
// it. The parser never supplies one the text does not state.
type subject struct {
	zones []string
	// blocked is a subject the parser cannot credit figures to: the
	// province or the country (全省, 全国), a sub-category or a name it
	// cannot read. It still ends the scope of the subject before it.
	blocked bool
	// level is what the subject is: "zone" (a named zone or zones),
	// "aggregate" (the zones of a city, county or province as a whole),
	// "city" (全市), "county" (全县, 全区 of a district).
	level string
	// source says where the subject came from, for --explain.
	source string
}

func (s subject) known() bool { return len(s.zones) > 0 && !s.blocked }

// provinceNames are the provinces and autonomous regions, for 江西全省工业园区.
const provinceNames = `河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|内蒙古|广西|西藏|宁夏|新疆`

var provinceRe = regexp.MustCompile(`^(?:` + provinceNames + `)全省`)

// zoneKinds end the name of a development zone, longest first where one
// ends another.
const zoneKinds = `高新技术产业开发区|产业基地|经济技术开发区|高新技术开发区|经济开发区|产业转移工业园|台商投资区|综合保税区|产业集聚区|工业集聚区|工业集中区|产业园区|工业园区|工业新城|科技新城|农业科技园区|开发区|高新区|经开区|示范区|试验区|集中区|合作区|保税区|工业园|产业园|科技城|工业城|农高区|综改区|园区|新区|新城`

var (
	zoneKindRe = regexp.MustCompile(`(?:` + zoneKinds + `)`)
	// aggregateRe reads the zones of a city, prefecture, county or
	// province as a whole: 全市开发区, 全市9家省级以上开发区, 全盟6个旗县工业园区,
	// 全省国家级开发区, 全市开发区(园区), and levels listed: 全市国家级、省级开发区.
	aggregateRe = regexp.MustCompile(`^((全市|全州|全盟|全县|全旗|全区|全省|我市|本市|该市|我省|本省|我县|本县|我旗|我区|本区|(?:` + provinceNames + `)全省)(?:共有)?(?:[0-9]+(?:家|个))?(?:\p{Han}{1,3}级(?:[、和及]\p{Han}{1,3}级)+|\p{Han}{0,8}?)(?:` + zoneKinds + `))(\([^()]{1,24}\))?`)
	// declaredRe reads a declared short form inside a bracket.
	declaredRe = regexp.MustCompile(`^\((?:以下)?简称[“"]?([\p{Han}A-Za-z]{2,12}?)[”"]?\)$`)
)

// matchZoneName reads one zone's name at the start of s without
// backtracking: the shortest run of name characters followed by a zone
// kind (the longest kind at that place), then an optional bracket (an
// alias, a declared short form, a qualifier). It returns index pairs like
// regexp's: whole match, name, bracket (-1 when absent); nil for no name.
func matchZoneName(s string) []int {
	i, runes := 0, 0
	for i < len(s) && runes <= 14 {
		r, size := utf8.DecodeRuneInString(s[i:])
		for _, k := range kindsByRune[r] {
			if strings.HasPrefix(s[i:], k) {
				end := i + len(k)
				m := []int{0, end, 0, end, -1, -1}
				if strings.HasPrefix(s[end:], "(") {
					if j := strings.IndexAny(s[end+1:], "()"); j >= 0 && s[end+1+j] == ')' {
						if n := utf8.RuneCountInString(s[end+1 : end+1+j]); n >= 1 && n <= 24 {
							m[1], m[4], m[5] = end+j+2, end, end+j+2
						}
					}
				}
				return m
			}
		}
		if !unicode.Is(unicode.Han, r) && (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && r != '·' {
			return nil
		}
		i += size
		runes++
	}
	return nil
}

// placeName returns the county, district or city (阳城县, 达拉特旗, 思明区,
// 西宁市) s starts with when an indicator follows it right away or after
// a verb (西宁市完成工业增加值), with its level ("county" or "city"), or "".
func placeName(s string) (name, level string) {
	name = placeAt(s)
	if name == "" {
		return "", ""
	}
	rest := s[len(name):]
	rest = rest[len(placeVerbRe.FindString(rest)):]
	rest = rest[len(industryRe.FindString(rest)):]
	if p, ok := phraseAt(rest, 0); !ok || p.kind != kindCore {
		return "", ""
	}
	if strings.HasSuffix(name, "市") {
		return name, "city"
	}
	return name, "county"
}

// plausiblePlace reports whether name (ending in 县, 旗, 区 or 市) can be
// one place's name: not a period (二季度黄埔区), a group (岛外四区), a
// comparison or a word no name contains.
func plausiblePlace(name string) bool {
	return !strings.ContainsAny(name, "全我本该占的于比较为与和及各季月年") && !placeGroupRe.MatchString(name) && !notName(name)
}

// placeGroupRe ends a group of places: 岛外四区, 三县.
var placeGroupRe = regexp.MustCompile(`[一二三四五六七八九十两0-9](?:区|县|市|旗)$`)

// placeAt returns the place (as placeName reads it) s starts with,
// whatever follows it (三亚市紧随其后), or "".
func placeAt(s string) string {
	i := 0
	for n := 0; n < 6 && i < len(s); n++ {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.Is(unicode.Han, r) {
			return ""
		}
		i += size
		switch {
		case n >= 1 && (r == '县' || r == '旗'),
			n >= 2 && r == '区' && !zoneKindEndRe.MatchString(s[:i]) && !notDistrictRe.MatchString(s[:i]),
			n >= 2 && r == '市' && !notCityRe.MatchString(s[:i]):
			if next, _ := utf8.DecodeRuneInString(s[i:]); strings.ContainsRune("场域块级委政属直内外长民", next) {
				return "" // 提振市场, 县域, 区块, 市委, 县长: no place's name
			}
			if plausiblePlace(s[:i]) && !startsWithVerb(s) {
				return s[:i]
			}
			return ""
		}
	}
	return ""
}

// placeVerbRe is a verb between a place and its indicator: 西宁市完成工业增加值.
var placeVerbRe = regexp.MustCompile(`^(?:累计完成|累计实现|共完成|共实现|完成|实现)`)

// notDistrictRe ends words in 区 that name no district: 城区, 辖区, 片区.
var notDistrictRe = regexp.MustCompile(`(?:城区|市区|辖区|片区|景区|社区|贫困山区|偏远山区|老区|矿区|厂区|园区|新区|功能区|集聚区|自治区|地区|特区|开发区|示范区)$`)

// notCityRe ends words in 市 that name no city: 城市, 超市, 股市.
var notCityRe = regexp.MustCompile(`(?:城市|超市|股市|楼市|车市|集市|上市|都市|全市|我市|本市|该市)$`)

// bareKinds are the zone kinds, for isBareKind.
var bareKinds = func() map[string]bool {
	m := map[string]bool{}
	for _, k := range strings.Split(zoneKinds, "|") {
		m[k] = true
	}
	return m
}()

// isBareKind reports whether name is only a kind of zone (园区, 新区,
// 示范区), standing for a zone named before or after.
func isBareKind(name string) bool { return bareKinds[name] }

// verbStarts are verbs and prepositions a clause may start with: a name
// after one is an object, not the clause's subject (推进西山示范区举办…).
var verbStarts = []string{"力争", "确保", "争取", "预计", "计划", "推进", "推动", "指导", "督促", "支持", "加快", "引导", "组织", "协调", "围绕", "积极", "持续", "全力", "大力", "聚焦", "坚持", "按照", "根据", "对", "在", "由", "向", "将", "把", "从", "各", "以"}

// startsWithVerb reports whether s starts with one of verbStarts.
func startsWithVerb(s string) bool { return hasAnyPrefix(s, verbStarts...) }

// notNameWords are words no zone's name contains.
var notNameWords = []string{"的", "这些", "将为", "情况", "方面", "工作", "要求", "完成", "实现", "开展", "召开", "全省", "全国", "增长", "下降", "以上", "以下", "增速", "位居", "连续", "前列", "居", "推进", "建设", "打造", "成为", "获批", "列入", "批准", "设立", "占", "总量", "以来", "今年", "目前", "各", "等", "记者", "领跑", "获悉", "报道"}

// notName reports whether s holds a word no zone's name contains.
func notName(s string) bool {
	for _, w := range notNameWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// zoneSep splits a list of zones: 和, 、, 及, 与.
var zoneSepRe = regexp.MustCompile(`^(?:和|、|及|与|以及)`)

// readSubject reads the subject a clause starts with, after its lead-in.
// n is the number of bytes the subject takes. ok is false when the
// clause does not start with a subject.
func (x *proseExtractor) readSubject(s string) (subj subject, n int, ok bool) {
	s = head(s, maxSubjectBytes)
	if (strings.HasPrefix(s, "全") || strings.HasPrefix(s, "我") || strings.HasPrefix(s, "本") || strings.HasPrefix(s, "该市") || strings.Contains(head(s, 3*5), "全省") && provinceRe.MatchString(s)) && strings.ContainsAny(s, "区园城") {
		if m := aggregateRe.FindStringSubmatchIndex(s); m != nil {
			return x.aggregate(s, m)
		}
	}
	return x.namedSubject(s)
}

// maxSubjectBytes bounds how far into a clause a subject may reach: a list
// of zones with their brackets. The regular expressions see no more.
const maxSubjectBytes = 3 * 96

// head returns at most n bytes of s, cut at a rune boundary.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// aggregate reads an aggregate subject matched by aggregateRe.
func (x *proseExtractor) aggregate(s string, m []int) (subject, int, bool) {
	{
		name := s[m[2]:m[3]]
		scope := s[m[4]:m[5]]
		end := m[1]
		if strings.HasPrefix(name, "我市") || strings.HasPrefix(name, "本市") || strings.HasPrefix(name, "该市") {
			name = "全市" + name[len("我市"):]
		}
		if strings.HasPrefix(name, "我") || strings.HasPrefix(name, "本") {
			// 我县工业园区: the county's park, 全县工业园区.
			name = "全" + strings.TrimPrefix(strings.TrimPrefix(name, "我"), "本")
			scope = name[:len("全县")]
		}
		if i := strings.Index(scope, "全省"); i > 0 {
			name, scope = name[i:], "全省" // 江西全省工业园区: the province's
		}
		if sep := zoneSepRe.FindString(s[end:]); sep != "" && matchZoneName(s[end+len(sep):]) != nil {
			// 全市工业园区和高新区完成…: the two together, which the parser
			// does not add up; neither alone.
			return subject{blocked: true, source: "an aggregate joined with another subject: " + firstWords(s)}, end, true
		}
		switch {
		case scope == "全省":
			return subject{zones: []string{name}, level: "province", source: "aggregate"}, end, true
		case scope == "全区" && x.doc.region:
			return subject{zones: []string{name}, level: "province", source: "aggregate of the autonomous region"}, end, true
		}
		return subject{zones: []string{name}, level: "aggregate", source: "aggregate"}, end, true
	}
}

// namedSubject reads 全市, 全县, a pronoun or a list of named zones.
func (x *proseExtractor) namedSubject(s string) (subj subject, n int, ok bool) {
	for _, w := range []struct{ word, zone, level string }{
		{"全市", "全市", "city"}, {"我市", "全市", "city"}, {"本市", "全市", "city"},
		{"全州", "全州", "city"}, {"全盟", "全盟", "city"},
		{"全县", "全县", "county"}, {"全旗", "全旗", "county"}, {"我县", "全县", "county"}, {"本县", "全县", "county"},
	} {
		if strings.HasPrefix(s, w.word) {
			return subject{zones: []string{w.zone}, level: w.level, source: w.word}, len(w.word), true
		}
	}
	for _, w := range []string{"全区", "我区", "本区", "该区"} {
		if strings.HasPrefix(s, w) {
			return x.districtWord(w), len(w), true
		}
	}
	for _, w := range []string{"全省", "全国", "全自治区", "我省", "本省"} {
		if strings.HasPrefix(s, w) {
			return subject{blocked: true, source: w + ": out of scope"}, len(w), true
		}
	}
	if startsWithVerb(s) {
		return subject{}, 0, false
	}
	if strings.HasPrefix(s, "该") {
		if m := matchZoneName(s); m != nil && isBareKind(s[len("该"):m[3]]) {
			// 该园区, 该开发区: the zone named before, where one zone was.
			if x.subj.level == "zone" && len(x.subj.zones) == 1 && !x.subj.blocked {
				return subject{zones: x.subj.zones, level: "zone", source: s[:m[3]] + " (the zone named before)"}, m[1], true
			}
			return subject{blocked: true, source: s[:m[3]] + " with no one zone named before"}, m[1], true
		}
	}
	if c, level := placeName(s); c != "" {
		// 阳城县规上工业增加值…, 西宁市完成工业增加值: a county, district or
		// city named as a whole, kept as written.
		return subject{zones: []string{c}, level: level, source: "a place named"}, len(c), true
	}
	if !strings.ContainsAny(head(s, 3*40), "区园城地") {
		return subject{}, 0, false
	}
	var zones []string
	n = 0
	rest := s
	for {
		m := matchZoneName(rest)
		if m == nil {
			// 城陵矶新港区、华容县工业集中区…分别: a district or county in a
			// list of zones.
			p := placeAt(rest)
			if p == "" || len(zones) == 0 && !zoneSepRe.MatchString(rest[len(p):]) {
				break
			}
			m = []int{0, len(p), 0, len(p), -1, -1}
		}
		name := rest[m[2]:m[3]]
		if len(zones) == 0 && joinedPlaces(name) {
			if subj, k, ok := x.sharedKindList(s); ok && !subj.blocked {
				return subj, k, true // 清徐和阳曲开发区; else one name (商株和工业园区)
			}
		}
		if utf8.RuneCountInString(name) < 2 || notName(name) {
			break
		}
		bracket := ""
		if m[4] >= 0 {
			bracket = rest[m[4]:m[5]]
		}
		zones = append(zones, x.resolveZone(name, bracket))
		n += m[1]
		rest = rest[m[1]:]
		sep := zoneSepRe.FindString(rest)
		if sep == "" || matchZoneName(rest[len(sep):]) == nil && placeAt(rest[len(sep):]) == "" {
			break
		}
		n += len(sep)
		rest = rest[len(sep):]
	}
	if len(zones) == 0 {
		return x.sharedKindList(s) // 灵石、平遥、太谷开发区
	}
	if hasAnyPrefix(rest, "建设", "规划", "项目", "一期", "二期") {
		// 科技创新城建设取得突破性成效: a project of the zone whose report
		// it is, not a subject of its own.
		return subject{}, 0, false
	}
	if t := strings.TrimLeft(rest, " "); strings.HasPrefix(t, "、") || strings.HasPrefix(t, "等") {
		// 苏州工业园区、厦门海沧投资区…等5个区域: a group the parser reads
		// only in part is not its first member.
		return subject{blocked: true, source: "a list of zones read only in part: " + firstWords(s)}, n, true
	}
	return subject{zones: zones, level: "zone", source: "named"}, n, true
}

// districtWord resolves 全区, 我区, 本区 and 该区. In a zone's own report
// they are that zone; in a district's report, or where no zone is named,
// 全区 is kept; in a bulletin of an autonomous region 全区 is the region,
// which is out of scope.
func (x *proseExtractor) districtWord(w string) subject {
	if w == "全区" && x.doc.region {
		return subject{blocked: true, source: "全区 of an autonomous region: out of scope"}
	}
	if w == "该区" && x.lastZone != "" {
		// 该区 points back: to the zone named last, whoever's report it is.
		return subject{zones: []string{x.lastZone}, level: "zone", source: "该区 = the zone named before"}
	}
	if x.doc.zone != "" && !x.doc.district {
		return subject{zones: []string{x.doc.zone}, level: "zone", source: w + " = the zone the passage names"}
	}
	if x.doc.region && (w == "我区" || w == "本区") {
		// 记者从自治区工业和信息化厅获悉…我区工业投资增长13.2%: the region.
		return subject{blocked: true, source: w + " of an autonomous region: out of scope"}
	}
	return subject{zones: []string{"全区"}, level: "county", source: w}
}

// resolveZone notes a zone as written: a declared short form or an alias
// in brackets is remembered, and a full name is the zone that 该区 names
// next.
func (x *proseExtractor) resolveZone(name, bracket string) string {
	if bracket != "" {
		if m := declaredRe.FindStringSubmatch(bracket); m != nil {
			x.aliases[m[1]] = name
		} else if inner := bracket[1 : len(bracket)-1]; zoneKindRe.MatchString(inner) && !strings.HasPrefix(inner, "不含") && !strings.HasPrefix(inner, "未含") && !strings.HasPrefix(inner, "含") {
			x.aliases[inner] = name
		}
	}
	// Zones stay as written: which registered zone a short form names is
	// the zone registry's to say, not the parser's.
	if !isBareKind(name) {
		x.lastZone = name
	}
	return name
}
