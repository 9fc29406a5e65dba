package bulletin

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// number is a numeral with its unit, found in a clause at [start, end).
type number struct {
	start, end int
	digits     string // as written, sign excluded: "92.46"
	negative   bool
	unit       string // 亿元, %, 个百分点, 亩, 个, …
	approxPost bool   // 余, 多 or 左右 after the number
}

// numberRe finds a numeral, an optional 余/多 and a unit. Units are tried
// longest first. A numeral followed by no unit is not a figure (dates,
// ordinals, list markers, document numbers) and is not matched here.
var numberRe = regexp.MustCompile(`(-?)([0-9][0-9.]*)(余|多)?(亿元|万元|元|亿|%|个百分点|百分点|平方公里|亩|个|户|宗|件|人|名|家|项)(左右)?`)

// malformedRe matches a numeral that cannot be read as a decimal.
var malformedRe = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?$`)

// errMalformed carries a numeral that is not a number.
type errMalformed struct{ numeral string }

func (e errMalformed) Error() string { return "malformed number " + strconv.Quote(e.numeral) }

func findNumbers(clause string) ([]number, error) {
	if !strings.ContainsAny(clause, "0123456789") {
		return nil, nil
	}
	var out []number
	for _, m := range numberRe.FindAllStringSubmatchIndex(clause, -1) {
		n := number{start: m[0], end: m[1], digits: clause[m[4]:m[5]], unit: clause[m[8]:m[9]]}
		n.negative = m[3] > m[2]
		if n.negative && m[2] > 0 {
			// "1-6月" is a range, not minus six.
			if c := clause[m[2]-1]; c >= '0' && c <= '9' {
				n.negative = false
				n.start = m[4]
			}
		}
		n.approxPost = m[7] > m[6] || m[11] > m[10]
		pre := clause[:n.start]
		if strings.HasSuffix(pre, "第") {
			continue // 第3个: an ordinal
		}
		if n.unit == "个" && strings.HasPrefix(clause[m[9]:], "月") {
			continue // 5个月: a duration
		}
		if !malformedRe.MatchString(n.digits) {
			return nil, errMalformed{clause[n.start:n.end]}
		}
		out = append(out, n)
	}
	return out, nil
}

// value converts a numeral to the base unit (see decimal).
func (n number) value() (v float64, unit figure.Unit) {
	return decimal(n.digits, n.negative, n.unit)
}

func (n number) class() string {
	switch n.unit {
	case "亿元", "亿", "万元", "元":
		return "money"
	case "%":
		return "percent"
	case "个百分点", "百分点":
		return "points"
	case "亩", "平方公里":
		return "area"
	}
	return "count"
}

// Subjects.

// zoneSuffix ends the name of a development zone.
const zoneSuffix = `(?:高新技术产业开发区|经济技术开发区|高新区|经开区|开发区|示范区|农高区|综改区|产业园区|工业园区|产业园|工业园|园区|新区|保税区|合作区)`

var (
	zoneName = `[\p{Han}A-Za-z·]{1,16}?` + zoneSuffix
	// zoneListRe reads one or more zone names at the start of a clause,
	// joined by 和, 、, 及 or 与.
	zoneListRe = regexp.MustCompile(`^(` + zoneName + `)((?:(?:和|、|及|与)` + zoneName + `)*)`)
	zoneSplit  = regexp.MustCompile(`和|、|及|与`)
	// cityWideRe reads a city-wide aggregate: 全市开发区, 全市9家工业类开发区.
	cityWideRe = regexp.MustCompile(`^全市(?:共有)?(?:(\d+)家)?([\p{Han}]{0,6}?类)?开发区`)
	// leadInRe is what may stand before a subject at a clause's start.
	// A period phrase may stand there too, when a page break or a missing
	// comma joined it to the sentence ("2023年1-7月中北高新区…").
	leadInRe = regexp.MustCompile(`^(?:[一二三四五六七八九十百千零〇]+、|\([一二三四五六七八九十百千零〇]+\)|[一二三四五六七八九十百千零〇]+是|其中|另外|此外|同时|目前|全年|今年以来|\d{4}年|1-\d{1,2}月份?|截[至止]\d{1,2}月[底末]|上半年|前?[一二三四]季度|\s)+`)
	// leadInFirst holds every rune a match of leadInRe can start with, so
	// that most clauses skip it.
	leadInFirst = "一二三四五六七八九十百千零〇(其另此同目全今0123456789截上前 \t"
	// verbLeadRe is a verb that a zone-like match may have swallowed
	// ("推进西山示范区"): it is cut off.
	verbLeadRe = regexp.MustCompile(`^(?:推进|推动|指导|督促|支持|加快|引导|组织|协调|围绕|实现|积极|持续|全力|大力|聚焦|坚持|按照|根据|对|在|与|由|向|将|把|为|从|经|各|以)+`)
	otherScope = regexp.MustCompile(`^(?:全省|全国)`)
	// notZoneRe matches words no zone name contains: a zone-like match
	// with them is a phrase ending in a zone, not a name.
	notZoneRe = regexp.MustCompile(`的|情况|方面|工作|要求|按|根据|推动|推进|加快|计划|完成|实现|开展|组织|召开|指导|全省|全国`)
)

// zoneSoon reports whether a zone suffix (all end in 区 or 园) occurs
// within the length of a zone name: a cheap test before the expensive one.
func zoneSoon(s string) bool {
	for i, r := range s {
		if i > 20*3 {
			return false
		}
		if r == '区' || r == '园' {
			return true
		}
	}
	return false
}

// subject is who a figure is about.
type batchSubject struct {
	zones      []string
	outOfScope bool // 全省, 全国: not this city's zones
	zoneCount  *number
}

// findSubject reads the subject a clause starts with, if any.
func findSubject(clause string) (batchSubject, bool) {
	s := clause
	if r, _ := utf8.DecodeRuneInString(s); strings.ContainsRune(leadInFirst, r) {
		s = s[len(leadInRe.FindString(s)):]
	}
	// cityWideRe and otherScope both start with 全: test that first.
	if strings.HasPrefix(s, "全") {
		if m := cityWideRe.FindStringSubmatchIndex(s); m != nil {
			class := ""
			if m[4] >= 0 {
				class = s[m[4]:m[5]]
			}
			sub := batchSubject{zones: []string{"全市" + class + "开发区"}}
			if m[2] >= 0 {
				sub.zoneCount = &number{start: m[2], end: m[3], digits: s[m[2]:m[3]], unit: "家"}
			}
			return sub, true
		}
		if otherScope.MatchString(s) {
			return batchSubject{outOfScope: true}, true
		}
	}
	if !zoneSoon(s) {
		return batchSubject{}, false
	}
	if m := zoneListRe.FindString(s); m != "" {
		if i := strings.Index(m, "全市"); i > 0 {
			// 按照上报情况全市开发区…: the subject is the city-wide one.
			return findSubject(m[i:])
		}
		if notZoneRe.MatchString(m) {
			return batchSubject{}, false
		}
		var zones []string
		for _, z := range splitZones(m) {
			z = z[len(verbLeadRe.FindString(z)):]
			if utf8.RuneCountInString(z) < 3 {
				return batchSubject{}, false
			}
			zones = append(zones, z)
		}
		return batchSubject{zones: zones}, true
	}
	return batchSubject{}, false
}

// splitZones splits a list of zones at 和, 、, 及 and 与, but only where
// the part before ends a zone's name: 元乐和示范区 is one zone, 中北高新区和
// 清徐开发区 two.
func splitZones(list string) []string {
	var out []string
	start := 0
	for _, loc := range zoneSplit.FindAllStringIndex(list, -1) {
		if zoneEndRe.MatchString(list[start:loc[0]]) {
			out = append(out, list[start:loc[0]])
			start = loc[1]
		}
	}
	return append(out, list[start:])
}

var zoneEndRe = regexp.MustCompile(zoneSuffix + `$`)

// Batches of the 三个一批 drive.

var (
	threeBatchesRe = regexp.MustCompile(`三个一批`)
	// scopeRe marks a passage that gives the drive over a longer scope than
	// the period's own: 前五次, 累计, 以来.
	scopeRe = regexp.MustCompile(`前[0-9一二三四五六七八九十]+次|累计|以来|历次`)
)
