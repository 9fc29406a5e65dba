package bulletin

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// amount is a numeral with a unit of money, percent, points or 倍, as the
// core figures are written: 92.46亿元, 22.15 亿元, -6.3%, 0.72个百分点, 2.1倍.
type amount struct {
	start, end int // byte range in the clause, unit included
	digits     string
	negative   bool
	unit       string
	approx     bool // 约/近/超 before, 余/多/左右/以上 after
	// forecastEnd is set for 预计…: the number is a forecast.
}

// amountRe finds a numeral and its unit; spaces may stand between them,
// as where a PDF or a web page put them.
var amountRe = regexp.MustCompile(`(-?)\s*([0-9][0-9.]*)\s*(余|多)?\s*(万亿元|亿美元|万美元|亿元|万元|美元|元|亿|%|个百分点|百分点|倍)(左右|以上|多)?`)

// findAmounts lists the amounts of a clause. A malformed numeral
// ("12..5亿元") is an error: the bulletin must be fixed, not guessed at.
func findAmounts(clause string) ([]amount, error) {
	if !strings.ContainsAny(clause, "0123456789") {
		return nil, nil
	}
	var out []amount
	for _, m := range amountRe.FindAllStringSubmatchIndex(clause, -1) {
		a := amount{start: m[0], end: m[1], digits: clause[m[4]:m[5]], unit: clause[m[8]:m[9]]}
		if m[3] > m[2] {
			a.negative = true
			if m[2] > 0 && isDigit(clause[m[2]-1]) {
				a.negative = false // 1-6月: a range
				a.start = m[4]
			}
		} else {
			a.start = m[4]
		}
		if !malformedRe.MatchString(a.digits) {
			return nil, errMalformed{clause[a.start:a.end]}
		}
		if a.start > 0 && (isDigit(clause[a.start-1]) || clause[a.start-1] == '.') {
			continue // the tail of a longer numeral
		}
		a.approx = m[7] > m[6] || m[11] > m[10] || approxBefore(strings.TrimRight(clause[:a.start], " \t"))
		out = append(out, listedBefore(clause, a)...)
		out = append(out, a)
	}
	return out, nil
}

// listedBefore returns the bare numerals that a list puts before a, which
// share its unit: 6.3、4.8、4.3个百分点, 13.6、7.2和-3.5%.
func listedBefore(clause string, a amount) []amount {
	var out []amount
	j := a.start
	for {
		k := strings.TrimRight(clause[:j], " ")
		sep := ""
		for _, w := range []string{"、", "和", "及"} {
			if strings.HasSuffix(k, w) {
				sep = w
			}
		}
		if sep == "" {
			break
		}
		k = strings.TrimRight(k[:len(k)-len(sep)], " ")
		e := len(k)
		b := e
		for b > 0 && (isDigit(k[b-1]) || k[b-1] == '.') {
			b--
		}
		if b == e || !isDigit(k[b]) || !malformedRe.MatchString(k[b:e]) {
			break
		}
		n := amount{start: b, end: e, digits: k[b:e], unit: a.unit}
		if b > 0 && k[b-1] == '-' && (b < 2 || !isDigit(k[b-2])) {
			n.negative, n.start = true, b-1
		}
		out = append([]amount{n}, out...)
		j = n.start
	}
	return out
}

// class is what the unit makes of a number.
func (a amount) class() string {
	switch a.unit {
	case "万亿元", "亿元", "万元", "元", "亿":
		return "money"
	case "亿美元", "万美元", "美元":
		return "usd"
	case "%":
		return "percent"
	case "个百分点", "百分点":
		return "points"
	case "倍":
		return "times"
	}
	return ""
}

// value is the number in its base unit, read as a decimal so that 92.46
// 亿元 is the float64 nearest 9246000000. neg flips the sign the text
// gives in words (下降, 低于).
func (a amount) value(neg bool) (float64, figure.Unit) {
	exp := 0
	unit := figure.UnitRatio
	switch a.unit {
	case "万亿元":
		exp, unit = 12, figure.UnitYuan
	case "亿元", "亿":
		exp, unit = 8, figure.UnitYuan
	case "万元":
		exp, unit = 4, figure.UnitYuan
	case "元":
		unit = figure.UnitYuan
	case "%", "个百分点", "百分点":
		exp = -2
	}
	s := a.digits + "e" + strconv.Itoa(exp)
	if a.negative != neg {
		s = "-" + s
	}
	v, _ := strconv.ParseFloat(s, 64)
	return v, unit
}
