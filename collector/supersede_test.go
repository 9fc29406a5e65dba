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
