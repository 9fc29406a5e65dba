package collector

import (
	"io"
	"net/http"
	"net/http/httptest"
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
}
