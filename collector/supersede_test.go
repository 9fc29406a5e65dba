package collector

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// metricsBody returns the exporter's /metrics body.
func metricsBody(t *testing.T, e *Exporter) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	b, err := io.ReadAll(rec.Result().Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCorrectedBulletinWithdrawsSeries pins issue 11: a figure a corrected
// bulletin no longer stated stayed on /metrics for ever. The corrected
// bulletin of the same city and period supersedes the first: the figure
// it drops is withdrawn and its series is gone after the next refresh.
func TestCorrectedBulletinWithdrawsSeries(t *testing.T) {
	const (
		first     = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,清徐开发区固定资产投资完成3亿元。\n"
		corrected = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.5亿元。\n"
	)
	for name, open := range storeOpeners(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			inbox := inboxWith(t, map[string][]byte{"a.txt": []byte(first)})
			e, _ := newExporter(t, inbox, open)
			if _, err := e.ingest(ctx); err != nil {
				t.Fatal(err)
			}
			if err := e.refresh(ctx); err != nil {
				t.Fatal(err)
			}
			before := metricsBody(t, e)
			if !strings.Contains(before, `zone="清徐开发区"`) || !strings.Contains(before, `zone="中北高新区"`) {
				t.Fatalf("first bulletin's series missing from /metrics:\n%s", before)
			}
			// Another file, received later: the sender's corrected bulletin.
			p := filepath.Join(inbox, "b.txt")
			if err := os.WriteFile(p, []byte(corrected), 0o644); err != nil {
				t.Fatal(err)
			}
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(p, later, later); err != nil {
				t.Fatal(err)
			}
			if _, err := e.ingest(ctx); err != nil {
				t.Fatal(err)
			}
			if err := e.refresh(ctx); err != nil {
				t.Fatal(err)
			}
			after := metricsBody(t, e)
			if strings.Contains(after, `zone="清徐开发区"`) {
				t.Errorf("the withdrawn figure's series is still on /metrics:\n%s", grepLines(after, "清徐开发区"))
			}
			if !strings.Contains(after, `zone="中北高新区"`) || !strings.Contains(after, "2.15e+09") {
				t.Errorf("the corrected figure is not on /metrics:\n%s", grepLines(after, "中北高新区"))
			}
		})
	}
}

func grepLines(s, sub string) string {
	var out []string
	for line := range strings.Lines(s) {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "")
}

// landingRow returns the row of the landing page's report-notes table
// about file, "" when there is none.
func landingRow(page, file string) string {
	start := strings.Index(page, `<table id="report-notes">`)
	if start < 0 {
		return ""
	}
	table := page[start:]
	table = table[:strings.Index(table, "</table>")]
	for line := range strings.Lines(table) {
		if strings.Contains(line, "<td>"+file+"</td>") {
			return strings.TrimSpace(line)
		}
	}
	return ""
}

// TestWithdrawnCorrectionRestoresSeries follows a city's June through a
// correction, its withdrawal and a pin, on both stores, as officials see
// it: the landing page says which bulletin was corrected (已更正),
// withdrawn (已撤回), pinned (已锁定) or not taken (未采用), and the series
// the correction had withdrawn comes back on /metrics when the correction
// is withdrawn (issue 11).
func TestWithdrawnCorrectionRestoresSeries(t *testing.T) {
	const (
		first     = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元,清徐开发区固定资产投资完成3亿元。\n"
		corrected = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.5亿元。\n"
		third     = "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成22亿元。\n"
	)
	for name, open := range storeOpeners(t) {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			inbox := inboxWith(t, map[string][]byte{"a.txt": []byte(first)})
			e, _ := newExporter(t, inbox, open)
			st, err := open(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			step := func(file, text string) {
				t.Helper()
				if file != "" {
					p := filepath.Join(inbox, file)
					if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				if _, err := e.ingest(ctx); err != nil {
					t.Fatal(err)
				}
				if err := e.refresh(ctx); err != nil {
					t.Fatal(err)
				}
			}
			step("", "")
			if row := landingRow(landingPage(t, e), "a.txt"); row != "" {
				t.Errorf("a current bulletin has a note: %s", row)
			}

			step("b.txt", corrected)
			page := landingPage(t, e)
			if row := landingRow(page, "a.txt"); !strings.Contains(row, "<td>太原市</td><td>2023年1-6月</td><td>a.txt</td><td>已更正</td><td>已被同期公报 b.txt（第2号）更正，本公报中的数字不再计入指标和告警</td>") {
				t.Errorf("landing row of the corrected bulletin: %q", row)
			}
			if strings.Contains(metricsBody(t, e), `zone="清徐开发区"`) {
				t.Fatal("the figure the correction withdrew is still on /metrics")
			}

			if _, err := st.WithdrawReport(ctx, "b.txt"); err != nil {
				t.Fatal(err)
			}
			step("", "")
			metrics := metricsBody(t, e)
			if !strings.Contains(metrics, `devzone_amount_yuan{city="太原市",indicator="fixed_asset_investment",zone="清徐开发区"} 3e+08`) ||
				!strings.Contains(metrics, `devzone_amount_yuan{city="太原市",indicator="industrial_investment",zone="中北高新区"} 2.105e+09`) {
				t.Errorf("after the correction's withdrawal, /metrics lacks the first bulletin's figures:\n%s", grepLines(metrics, "devzone_amount_yuan"))
			}
			page = landingPage(t, e)
			if row := landingRow(page, "b.txt"); !strings.Contains(row, "<td>b.txt</td><td>已撤回</td>") || !strings.Contains(row, "撤回，本公报中的数字已移出指标和告警") {
				t.Errorf("landing row of the withdrawn bulletin: %q", row)
			}
			if row := landingRow(page, "a.txt"); row != "" {
				t.Errorf("the bulletin current again still has a note: %q", row)
			}

			if _, err := st.PinReport(ctx, "a.txt"); err != nil {
				t.Fatal(err)
			}
			step("c.txt", third)
			page = landingPage(t, e)
			if row := landingRow(page, "a.txt"); !strings.Contains(row, "<td>a.txt</td><td>已锁定</td>") || !strings.Contains(row, "锁定为本期有效公报，之后收到的同期公报暂不采用") {
				t.Errorf("landing row of the pinned bulletin: %q", row)
			}
			if row := landingRow(page, "c.txt"); !strings.Contains(row, "<td>c.txt</td><td>未采用</td><td>收到时同期公报 a.txt（第1号）已锁定，本公报中的数字未采用</td>") {
				t.Errorf("landing row of the held bulletin: %q", row)
			}
			if !strings.Contains(metricsBody(t, e), `zone="中北高新区"} 2.105e+09`) {
				t.Error("the held bulletin's figure reached /metrics")
			}
		})
	}
}
