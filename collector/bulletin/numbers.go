package bulletin

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

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

// amountUnits are the units a core figure is written in, longest first.
var amountUnits = []string{"万亿元", "亿美元", "万美元", "个百分点", "亿元", "万元", "美元", "百分点", "元", "亿", "%", "倍"}

// findAmounts lists the amounts of a clause (a numeral, spaces, 余/多, a unit, 左右/以上), read by
// hand because it runs on every clause. A malformed numeral ("12..5亿元")
// is an error: the bulletin must be fixed, not guessed at.
func findAmounts(clause string) ([]amount, error) {
	if !strings.ContainsAny(clause, "0123456789") {
		return nil, nil
	}
	var out []amount
	for i := 0; i < len(clause); {
		if !isDigit(clause[i]) {
			i++
			continue
		}
		start := i
		j := i
		for j < len(clause) && (isDigit(clause[j]) || clause[j] == '.') {
			j++
		}
		digits := clause[start:j]
		k := skipSpaces(clause, j)
		post := false
		if hasAnyPrefix(clause[k:], "余", "多") {
			post = true
			k = skipSpaces(clause, k+len("余"))
		}
		unit := ""
		for _, u := range amountUnits {
			if strings.HasPrefix(clause[k:], u) {
				unit = u
				break
			}
		}
		if unit == "亿" {
			if r, _ := utf8.DecodeRuneInString(clause[k+len(unit):]); unicode.Is(unicode.Han, r) {
				unit = "" // 6.42亿度: not money
			}
		}
		if unit == "" {
			i = j
			continue
		}
		a := amount{start: start, end: k + len(unit), digits: digits, unit: unit}
		if start > 0 && (clause[start-1] == '.' || isDigit(clause[start-1])) {
			i = a.end
			continue // the tail of a longer numeral
		}
		// A minus right before the numeral (spaces between allowed), but
		// not the dash of a range (1-6月).
		if m := strings.TrimRight(clause[:start], " \t"); strings.HasSuffix(m, "-") {
			if b := m[:len(m)-1]; b == "" || !isDigit(b[len(b)-1]) {
				a.negative, a.start = true, len(m)-1
			}
		}
		if !malformedRe.MatchString(a.digits) {
			return nil, errMalformed{clause[a.start:a.end]}
		}
		if rest := clause[a.end:]; hasAnyPrefix(rest, "左右", "以上") {
			post = true
			a.end += len("左右")
		} else if strings.HasPrefix(rest, "多") {
			post = true
			a.end += len("多")
		}
		a.approx = post || approxBefore(strings.TrimRight(clause[:a.start], " \t"))
		out = append(out, listedBefore(clause, a)...)
		out = append(out, a)
		i = a.end
	}
	return out, nil
}

func skipSpaces(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
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
	return decimal(a.digits, a.negative != neg, a.unit)
}

// decimal reads digits written in unit as a value in the base unit, as a
// decimal, so that "92.46" 亿元 is the float64 nearest 9246000000: the
// scale goes into the exponent, never into a multiplication.
func decimal(digits string, negative bool, unit string) (float64, figure.Unit) {
	exp, u := 0, figure.UnitCount
	switch unit {
	case "万亿元":
		exp, u = 12, figure.UnitYuan
	case "亿元", "亿":
		exp, u = 8, figure.UnitYuan
	case "万元":
		exp, u = 4, figure.UnitYuan
	case "元":
		u = figure.UnitYuan
	case "%", "个百分点", "百分点":
		exp, u = -2, figure.UnitRatio
	case "倍":
		u = figure.UnitRatio
	case "亩":
		u = figure.UnitMu
	case "平方公里":
		u = figure.UnitKm2
	}
	s := digits + "e" + strconv.Itoa(exp)
	if negative {
		s = "-" + s
	}
	v, _ := strconv.ParseFloat(s, 64) // digits are checked by malformedRe
	return v, u
}
