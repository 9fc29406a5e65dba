// Package synth makes a synthetic country of development zones,
// reproducibly from a seed: cities, zones, and for every zone, indicator
// and month the five figures of a bulletin (value, growth, city share, its
// change, growth against the city). It renders them as bulletins in the
// genre of the real ones, so that the parser is exercised at volume and
// the benchmarks run at national scale.
package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// Config sizes the country.
type Config struct {
	Cities  int
	Zones   int // in all, spread over the cities
	Periods int // months, ending at End
	End     figure.Period
	Seed    uint64
}

// National is the size of the country: about 2,500 zones in 300 cities,
// monthly for a decade.
var National = Config{Cities: 300, Zones: 2500, Periods: 120, End: figure.Period{Year: 2024, Month: 12}, Seed: 1}

// City is a city and its zones.
type City struct {
	Name  string
	Zones []string
}

// Country is a generated country.
type Country struct {
	cfg    Config
	Cities []City
}

// Measures are the five measures each zone states per indicator.
var Measures = []string{
	figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare,
	figure.MeasureCityShareChange, figure.MeasureGrowthVsCity,
}

var (
	stems    = []rune("安宝昌长成城川大丹德东恩丰福阜高广桂海汉和河鹤衡红华淮黄吉济嘉建江金锦晋京泾九开康兰乐黎丽辽临柳龙隆鲁洛茂梅蒙绵明南宁平莆齐庆衢泉饶荣瑞三沙山汕商韶邵深沈石寿双顺朔松苏宿遂台泰唐天铁通同铜万威潍渭温文乌武西咸湘襄孝新信兴徐许宣延盐扬阳宜义益银营永榆玉元岳云运枣湛漳昭肇镇郑中舟珠株淄自遵州州州")
	suffixes = []string{"经开区", "高新区", "开发区", "示范区", "农高区", "综改区", "产业园区", "工业园区"}
)

// New generates a country.
func New(cfg Config) *Country {
	c := &Country{cfg: cfg}
	used := map[string]bool{}
	for i := 0; i < cfg.Cities; i++ {
		name := ""
		for k := 0; name == "" || used[name]; k++ {
			name = string(stems[hash(cfg.Seed, "city-a", i, k)%uint64(len(stems))]) +
				string(stems[hash(cfg.Seed, "city-b", i, k)%uint64(len(stems))]) + "市"
		}
		used[name] = true
		c.Cities = append(c.Cities, City{Name: name})
	}
	for z := 0; z < cfg.Zones; z++ {
		ci := z % cfg.Cities
		city := &c.Cities[ci]
		stem := strings.TrimSuffix(city.Name, "市")
		name := ""
		for k := 0; name == "" || used[name]; k++ {
			// One character between stem and suffix gives a city some
			// thousand names; when they run short (many zones in one
			// city), a second character gives a million more, so that
			// every zone is named in a few tries.
			mid := string(stems[hash(cfg.Seed, "zone", z, k)%uint64(len(stems))])
			if k >= 4 {
				mid += string(stems[hash(cfg.Seed, "zone2", z, k)%uint64(len(stems))])
			}
			name = stem + mid + suffixes[hash(cfg.Seed, "suffix", z, k)%uint64(len(suffixes))]
		}
		used[name] = true
		city.Zones = append(city.Zones, name)
	}
	return c
}

// Periods returns the country's periods, oldest first.
func (c *Country) Periods() []figure.Period {
	out := make([]figure.Period, c.cfg.Periods)
	p := c.cfg.End
	for i := c.cfg.Periods - 1; i >= 0; i-- {
		out[i] = p
		if p.Month == time.January {
			p = figure.Period{Year: p.Year - 1, Month: time.December}
		} else {
			p.Month--
		}
	}
	return out
}

// stated is a figure with the decimal text a bulletin writes for it.
type stated struct {
	figure.Figure
	digits string // e.g. "92.46", "-14.85", unsigned for points with a direction word
}

// Figures returns the figures of one city for one period, in bulletin order.
func (c *Country) Figures(city int, p figure.Period) []figure.Figure {
	st := c.stated(city, p)
	out := make([]figure.Figure, len(st))
	for i, s := range st {
		out[i] = s.Figure
	}
	return out
}

func (c *Country) stated(ci int, p figure.Period) []stated {
	city := c.Cities[ci]
	var out []stated
	t := p.Year*12 + int(p.Month)
	for _, zone := range city.Zones {
		for ii, ind := range figure.Economic {
			seed := func(what string) uint64 { return hash(c.cfg.Seed, zone+"/"+ind+"/"+what, t, ii) }
			base := 1 + float64(hash(c.cfg.Seed, zone+"/"+ind, 0, 0)%50000)/100 // 1 to 500 亿元 a year
			month := float64(p.Month)
			amount := base * month / 12 * (1 + 0.1*math.Sin(float64(t)/7))
			growth := float64(int64(seed("g")%8000)-3000) / 100 // -30.00% to 49.99%
			share := 1 + float64(seed("s")%3999)/100            // 1.00% to 40.98%
			change := float64(int64(seed("c")%400)-200) / 100   // -2.00 to 1.99 points
			vsCity := float64(int64(seed("v")%2000)-1000) / 100 // -10.00 to 9.99 points
			mk := func(measure string, digits string, exp int, unit figure.Unit) stated {
				v, err := strconv.ParseFloat(digits+"e"+strconv.Itoa(exp), 64)
				if err != nil {
					panic(err)
				}
				return stated{Figure: figure.Figure{City: city.Name, Zones: []string{zone}, Indicator: ind, Measure: measure,
					Value: v, Unit: unit, Period: p}, digits: digits}
			}
			out = append(out,
				mk(figure.MeasureValue, strconv.FormatFloat(amount, 'f', 2, 64), 8, figure.UnitYuan),
				mk(figure.MeasureYoYGrowth, strconv.FormatFloat(growth, 'f', 2, 64), -2, figure.UnitRatio),
				mk(figure.MeasureGrowthVsCity, strconv.FormatFloat(vsCity, 'f', 2, 64), -2, figure.UnitRatio),
				mk(figure.MeasureCityShare, strconv.FormatFloat(share, 'f', 2, 64), -2, figure.UnitRatio),
				mk(figure.MeasureCityShareChange, strconv.FormatFloat(change, 'f', 2, 64), -2, figure.UnitRatio),
			)
		}
	}
	return out
}

// Bulletin renders a city's figures for a period as a bulletin: a heading,
// one paragraph per zone in the phrasing of real bulletins (下降 for a fall,
// 低于 for growth under the city's, 较上月下降 for a falling share), and a
// trailer naming the city.
func (c *Country) Bulletin(ci int, p figure.Period) []byte {
	st := c.stated(ci, p)
	var b strings.Builder
	city := c.Cities[ci].Name
	fmt.Fprintf(&b, "%s开发区\n\n【%d年1-%d月主要经济指标完成情况】\n\n", city, p.Year, int(p.Month))
	if p.Month == time.January {
		b.Reset()
		fmt.Fprintf(&b, "%s开发区\n\n【截至%d年1月底主要经济指标完成情况】\n\n", city, p.Year)
	}
	n := len(figure.Economic) * len(Measures)
	for z := 0; z*n < len(st); z++ {
		zs := st[z*n : (z+1)*n]
		fmt.Fprintf(&b, "(%s)", chineseOrdinal(z+1))
		for i := 0; i < len(zs); i += len(Measures) {
			v, g, vs, sh, ch := zs[i], zs[i+1], zs[i+2], zs[i+3], zs[i+4]
			subject := ""
			if i == 0 {
				subject = v.Zone()
			}
			fmt.Fprintf(&b, "%s%s完成%s亿元,%s,%s,占全市比重%s%%,%s。", subject, figure.Indicators[v.Indicator], v.digits,
				growthPhrase(g.digits), vsCityPhrase(vs.digits), sh.digits, changePhrase(ch.digits))
		}
		b.WriteString("\n\n")
	}
	fmt.Fprintf(&b, "(供稿:%s开发区)\n", city)
	return []byte(b.String())
}

func growthPhrase(d string) string {
	if strings.HasPrefix(d, "-") {
		return "同比下降" + d[1:] + "%"
	}
	return "同比增长" + d + "%"
}

func vsCityPhrase(d string) string {
	if strings.HasPrefix(d, "-") {
		return "低于全市增速" + d[1:] + "个百分点"
	}
	return "高于全市增速" + d + "个百分点"
}

func changePhrase(d string) string {
	if strings.HasPrefix(d, "-") {
		return "较上月下降" + d[1:] + "个百分点"
	}
	return "较上月增加" + d + "个百分点"
}

// chineseOrdinal writes n ≥ 1 in Chinese numerals as bulletins number
// their items: 一, 十一, 二十, 一百零一, 一千二百, 一万零五, ….
func chineseOrdinal(n int) string {
	if n >= 10000 {
		s := chineseOrdinal(n/10000) + "万"
		if low := n % 10000; low > 0 {
			if low < 1000 {
				s += "零"
			}
			s += belowTenThousand(low, false)
		}
		return s
	}
	return belowTenThousand(n, true)
}

// belowTenThousand writes 1 ≤ n < 10000; top says n stands alone, where
// 10 to 19 drop their leading 一 (十一, not 一十一).
func belowTenThousand(n int, top bool) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	units := []string{"千", "百", "十", ""}
	if top && n >= 10 && n < 20 {
		if n == 10 {
			return "十"
		}
		return "十" + digits[n-10]
	}
	var b strings.Builder
	zero := false
	for i, div := range []int{1000, 100, 10, 1} {
		d := n / div % 10
		if d == 0 {
			zero = b.Len() > 0
			continue
		}
		if zero {
			b.WriteString("零")
			zero = false
		}
		b.WriteString(digits[d])
		b.WriteString(units[i])
	}
	return b.String()
}

// hash is a deterministic pseudo-random number for a seed and a name.
func hash(seed uint64, name string, a, b int) uint64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d|%s|%d|%d", seed, name, a, b)
	return h.Sum64()
}
