package bulletin

import (
	"regexp"
	"strconv"
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

const yearPart = `(?:(\d{4})年)?`

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
	{regexp.MustCompile(yearPart + `1\s*[-至~]\s*(\d{1,2})\s*月`), func(m []string) int { return atoiMonth(m[2]) }},
	// 一季度, 第一季度, 前三季度, 2023年二季度
	{regexp.MustCompile(yearPart + `(?:第|前)?([一二三四1-4])季度`), func(m []string) int { return 3 * chineseDigit[m[2]] }},
	// 上半年, 2023年上半年
	{regexp.MustCompile(yearPart + `上半年`), func([]string) int { return 6 }},
	// 截至6月底, 截止2023年6月末
	{regexp.MustCompile(`截[至止]` + yearPart + `(\d{1,2})月(?:底|末|份)`), func(m []string) int { return atoiMonth(m[2]) }},
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
		for _, m := range ph.re.FindAllStringSubmatch(text, -1) {
			mo := ph.month(m)
			if mo == 0 {
				continue
			}
			months[mo]++
			if y, err := strconv.Atoi(m[1]); err == nil && plausibleYear(y) {
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
