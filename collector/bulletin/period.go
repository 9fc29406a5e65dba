package bulletin

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// periodPhrase is a way bulletins state the reporting period. Every phrase
// names a cumulative, year-to-date period and so the month it ends in; a
// phrase may carry its year ("2023年上半年").
type periodPhrase struct {
	re *regexp.Regexp
	// month returns the period's last month from the submatches, or 0.
	month func(m []string) int
}

// year returns the year a phrase states inside itself (截至2023年6月底).
func (ph periodPhrase) year(m []string) string {
	if len(m) > 2 {
		return m[1]
	}
	return ""
}

// yearBefore reads a year that ends right before a phrase: "2023年" in
// "2023年上半年". It is checked by hand because a regular expression with
// an optional prefix would be tried at every position of the text.
func yearBefore(s string) int {
	const nian = "年"
	s = strings.TrimSuffix(strings.TrimSuffix(s, "前"), "第")
	if !strings.HasSuffix(s, nian) || len(s) < 4+len(nian) {
		return 0
	}
	d := s[len(s)-len(nian)-4 : len(s)-len(nian)]
	y, err := strconv.Atoi(d)
	if err != nil || !plausibleYear(y) {
		return 0
	}
	return y
}

var chineseDigit = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

func atoiMonth(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 12 {
		return 0
	}
	return n
}

var periodPhrases = []periodPhrase{
	// 1-6月, 1至6月, 2023年1-6月份
	{regexp.MustCompile(`1\s*[-至~]\s*(\d{1,2})\s*月`), func(m []string) int { return atoiMonth(m[1]) }},
	// 一季度, 第一季度, 前三季度, 2023年二季度
	{regexp.MustCompile(`[一二三四1-4]季度`), func(m []string) int { return 3 * chineseDigit[strings.TrimSuffix(m[0], "季度")] }},
	// 上半年, 2023年上半年
	{regexp.MustCompile(`上半年`), func([]string) int { return 6 }},
	// 截至6月底, 截止2023年6月末
	{regexp.MustCompile(`截[至止](?:(\d{4})年)?(\d{1,2})月(?:底|末|份)`), func(m []string) int { return atoiMonth(m[2]) }},
}

var yearRe = regexp.MustCompile(`(\d{4})年`)

// detectPeriod finds the reporting period the text states. The month is
// the one most period phrases agree on (the latest on a tie); the year is
// the one the period phrases carry, else the one the document states most
// often, else fallbackYear. ok is false when the month or the year cannot
// be known.
func detectPeriod(text string, fallbackYear int) (p figure.Period, ok bool) {
	months := map[int]int{}
	years := map[int]int{}
	for _, ph := range periodPhrases {
		for _, idx := range ph.re.FindAllStringSubmatchIndex(text, -1) {
			m := make([]string, len(idx)/2)
			for i := range m {
				if idx[2*i] >= 0 {
					m[i] = text[idx[2*i]:idx[2*i+1]]
				}
			}
			mo := ph.month(m)
			if mo == 0 {
				continue
			}
			months[mo]++
			if y := yearBefore(text[:idx[0]]); y != 0 {
				years[y]++
			} else if y, err := strconv.Atoi(ph.year(m)); err == nil && plausibleYear(y) {
				years[y]++
			}
		}
	}
	month := argmax(months)
	if month == 0 {
		return p, false
	}
	year := argmax(years)
	if year == 0 {
		all := map[int]int{}
		for _, m := range yearRe.FindAllStringSubmatch(text, -1) {
			if y, _ := strconv.Atoi(m[1]); plausibleYear(y) {
				all[y]++
			}
		}
		year = argmax(all)
	}
	if year == 0 {
		year = fallbackYear
	}
	if year == 0 {
		return p, false
	}
	return figure.Period{Year: year, Month: time.Month(month)}, true
}

func plausibleYear(y int) bool { return y >= 1990 && y <= 2100 }

// argmax returns the key with the highest count, the largest key on a tie,
// and 0 for an empty map.
func argmax(counts map[int]int) int {
	best, bestN := 0, 0
	for k, n := range counts {
		if n > bestN || n == bestN && k > best {
			best, bestN = k, n
		}
	}
	return best
}
