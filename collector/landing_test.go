package collector

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

func TestFormatPercent(t *testing.T) {
	tests := []struct {
		ratio float64
		want  string
	}{
		{-0.1485, "-14.85%"},
		{-0.4, "-40%"},
		{-0.023, "-2.3%"},
		{1.466, "146.6%"},
		{0.11, "11%"},
		{-0.00001, "0%"},
		{0, "0%"},
	}
	for _, tt := range tests {
		if got := formatPercent(tt.ratio); got != tt.want {
			t.Errorf("formatPercent(%v) = %q, want %q", tt.ratio, got, tt.want)
		}
	}
}

func TestFormatYuan(t *testing.T) {
	tests := []struct {
		yuan float64
		want string
	}{
		{2.105e9, "21.05亿元"},
		{1.5149e10, "151.49亿元"},
		{6e7, "6000万元"},
		{2.8e7, "2800万元"},
		{1e8, "1亿元"},
	}
	for _, tt := range tests {
		if got := formatYuan(tt.yuan); got != tt.want {
			t.Errorf("formatYuan(%v) = %q, want %q", tt.yuan, got, tt.want)
		}
	}
}

func TestFormatMillis(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{581683 * time.Nanosecond, "0.6"},
		{3 * time.Millisecond, "3"},
		{9940 * time.Microsecond, "9.9"},
		{898400 * time.Microsecond, "898"},
		{1500 * time.Millisecond, "1500"},
		{0, "0"},
	}
	for _, tt := range tests {
		if got := formatMillis(tt.d); got != tt.want {
			t.Errorf("formatMillis(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func landingPage(t *testing.T, e *Exporter) string {
	t.Helper()
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET / = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

func TestLandingPage(t *testing.T) {
	e := loadedExporter(t)
	page := landingPage(t, e)
	for _, want := range []string{
		"<td>太原市</td><td>2023年1-6月</td>",
		"<td>晋中市</td><td>2023年1-6月</td>",
		"<td>太原市</td><td>中北高新区、清徐开发区</td><td>工业投资</td><td class=\"num neg\">-14.85%</td><td class=\"num\">21.05亿元</td>",
		"<td>晋中市</td><td>全市工业类开发区</td><td>工业投资</td><td class=\"num neg\">-40%</td>",
		`href="metrics"`, `href="-/healthy"`, `href="-/ready"`,
		"可以连接",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"pprof", "西山生态文化旅游示范区</td><td>固定资产投资"} {
		if strings.Contains(page, unwanted) {
			t.Errorf("landing page has %q", unwanted)
		}
	}
}

// TestLandingPageFindings lists, in Chinese, the cities whose latest
// bulletins contradict themselves.
func TestLandingPageFindings(t *testing.T) {
	e := loadedExporter(t)
	findings := []figure.Finding{
		{Kind: consistency.KindPartsExceedTotal, City: "晋中市", Period: "2023-06"},
		{Kind: consistency.KindPartsExceedTotal, City: "晋中市", Period: "2023-06"},
	}
	cur := e.current.Load()
	e.current.Store(&published{snap: NewSnapshotWithFindings(sampleFigures(t), findings, time.Now()), exp: cur.exp})
	page := landingPage(t, e)
	if want := "<td>晋中市</td><td>分项之和与所报总数不符</td><td class=\"num\">2</td>"; !strings.Contains(page, want) {
		t.Errorf("landing page lacks %q", want)
	}
	if !strings.Contains(page, `href="api/v1/findings"`) {
		t.Error("landing page does not link the findings")
	}
	e.current.Store(cur)
	if page := landingPage(t, e); strings.Contains(page, "需要复核") && len(cur.snap.Findings) == 0 {
		t.Error("a page with no findings has the findings section")
	}
}

func TestLandingPageBeforeTheFirstRefresh(t *testing.T) {
	e, _ := newExporter(t, "", sqliteOpener(t))
	page := landingPage(t, e)
	if !strings.Contains(page, "尚未从数据库载入数据") || strings.Contains(page, `id="declines"`) {
		t.Error("landing page before the first refresh does not say that no data is loaded")
	}
	// Times that never happened say so; they were empty cells.
	for _, want := range []string{
		"<tr><th>数据载入时间</th><td>从未载入</td></tr>",
		"<tr><td>读取简报（ingest）</td><td>从未运行</td><td>从未运行</td><td class=\"num\">—</td>",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("landing page before the first refresh lacks %q", want)
		}
	}
}

// TestLandingPageJobsInMilliseconds: the jobs' durations are in the
// milliseconds their column names; a job that ran and failed has never
// succeeded.
func TestLandingPageJobsInMilliseconds(t *testing.T) {
	e, _ := newExporter(t, t.TempDir()+"/no-such-inbox", sqliteOpener(t))
	if err := e.execute(t.Context(), JobRefresh, e.refresh); err != nil {
		t.Fatal(err)
	}
	e.execute(t.Context(), JobIngest, func(context.Context) error { _, err := e.ingest(t.Context()); return err })
	page := landingPage(t, e)
	if !strings.Contains(page, "<th>耗时（毫秒）</th>") {
		t.Error("the jobs table does not name its unit")
	}
	row := regexp.MustCompile(`<tr><td>刷新缓存（refresh）</td><td>[0-9-]+ [0-9:]+</td><td>[0-9-]+ [0-9:]+</td><td class="num">([0-9.]+)</td>`)
	if !row.MatchString(page) {
		t.Errorf("refresh row with a time, a success and a duration in ms not found:\n%s", page)
	}
	if !regexp.MustCompile(`<tr><td>读取简报（ingest）</td><td>[0-9-]+ [0-9:]+</td><td>从未成功</td>`).MatchString(page) {
		t.Error("a failed ingest does not say it never succeeded")
	}
}

// TestLandingPageOrder: the declines come before the table of cities,
// which at national scale is 300 rows long; both list cities in pinyin
// order (大同 da, 晋中 jin, 太原 tai, 运城 yun), not by code point (太 U+592A
// before 晋 U+664B); each city links the CSV of its figures.
func TestLandingPageOrder(t *testing.T) {
	e := loadedExporter(t)
	var figs []figure.Figure
	for _, city := range []string{"运城市", "太原市", "晋中市", "大同市"} {
		figs = append(figs, figure.Figure{City: city, Zones: []string{city[:len(city)-len("市")] + "经开区"},
			Indicator: "industrial_investment", Measure: figure.MeasureYoYGrowth, Value: -0.05, Unit: figure.UnitRatio,
			Period: figure.Period{Year: 2023, Month: 6}})
	}
	cur := e.current.Load()
	e.current.Store(&published{snap: NewSnapshotWithFindings(figs, nil, time.Now()), exp: cur.exp})
	page := landingPage(t, e)

	if d, c := strings.Index(page, `id="declines"`), strings.Index(page, `id="cities"`); d < 0 || c < 0 || d > c {
		t.Errorf("declines at %d, cities at %d: want the declines first", d, c)
	}
	want := []string{"大同市", "晋中市", "太原市", "运城市"}
	for _, table := range []string{"declines", "cities"} {
		body := page[strings.Index(page, `id="`+table+`"`):]
		body = body[:strings.Index(body, "</table>")]
		var got []string
		for _, m := range regexp.MustCompile(`<tr><td>([^<]+)</td>`).FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s table lists %q, want %q", table, got, want)
		}
	}

	// Each city links its values and growth (CSV), every measure (Excel)
	// and its zones' ranking by value added's growth (Excel), in order.
	type link struct{ path, measure, format string }
	perCity := []link{{"api/v1/series", "", "csv"}, {"api/v1/series", "yoy_growth", "csv"},
		{"api/v1/series", "all", "excel"}, {"api/v1/ranking", "yoy_growth", "excel"}}
	var links []*url.URL
	for _, m := range regexp.MustCompile(`<a class="csv" href="([^"]+)">`).FindAllStringSubmatch(page, -1) {
		u, err := url.Parse(html.UnescapeString(m[1]))
		if err != nil {
			t.Errorf("CSV link %q (%v)", m[1], err)
			continue
		}
		links = append(links, u)
	}
	if len(links) != len(perCity)*len(want) {
		t.Fatalf("%d CSV links, want %d per city: %v", len(links), len(perCity), links)
	}
	for i, u := range links {
		q, l := u.Query(), perCity[i%len(perCity)]
		if u.Path != l.path || q.Get("city") != want[i/len(perCity)] || q.Get("format") != l.format || q.Get("measure") != l.measure {
			t.Errorf("CSV link %d: %s, want %s of city %s, measure %q, format %s", i, u, l.path, want[i/len(perCity)], l.measure, l.format)
		}
	}
}
