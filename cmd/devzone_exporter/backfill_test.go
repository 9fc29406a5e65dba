package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// TestBackfillIntoPrometheus writes the store's history as OpenMetrics,
// turns it into TSDB blocks with the real promtool, starts a real
// Prometheus on them and reads a 2023 value back through its HTTP API.
func TestBackfillIntoPrometheus(t *testing.T) {
	for _, bin := range []string{"promtool", "prometheus"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (Debian package prometheus; .ci/run installs it): %v", bin, err)
		}
	}
	sample := sampleBulletin
	dir := t.TempDir()
	data, om, blocks := filepath.Join(dir, "data"), filepath.Join(dir, "history.om"), filepath.Join(dir, "tsdb")
	if code, _, errs := run(t, "ingest", "--data.dir", data, sample); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	if code, _, errs := run(t, "backfill", "--data.dir", data, "--out", om, "--instance", "exporter.test:9866"); code != 0 {
		t.Fatalf("backfill: %s", errs)
	}
	if out, err := exec.Command("promtool", "tsdb", "create-blocks-from", "openmetrics", om, blocks).CombinedOutput(); err != nil {
		t.Fatalf("promtool: %v\n%s", err, out)
	}

	addr := testexporter.FreeAddr(t)
	cfg := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfg, []byte("global: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, "prometheus", "--config.file="+cfg, "--storage.tsdb.path="+blocks,
		"--storage.tsdb.retention.time=15y", "--web.listen-address="+addr)
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); cmd.Wait() })

	// 2023年1-6月 ends 2023-07-01T00:00:00+08:00.
	const end, dayAfter = "1688140800", "1688227200"
	query := func(expr, at string) string {
		return queryValue(t, "http://"+addr+"/api/v1/query?"+url.Values{"query": {expr}, "time": {at}}.Encode())
	}
	growth := `devzone_yoy_growth_ratio{city="太原市",zone="中北高新区、清徐开发区",indicator="industrial_investment"}`
	var got string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if got = query(growth, end); got != "" {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if got != "-0.1485" {
		t.Fatalf("queried %q, want -0.1485\nprometheus log:\n%s", got, logs.String())
	}

	// What the rules and boards select, and the query the README gives
	// for times between two periods' ends.
	tests := []struct {
		name, expr, at, want string
	}{
		{"the target labels of a scrape", `devzone_yoy_growth_ratio{job="devzone",instance="exporter.test:9866",city="太原市",zone="中北高新区、清徐开发区",indicator="industrial_investment"}`, end, "-0.1485"},
		{"indicator names", `devzone_indicator_info{indicator="industrial_investment",name="工业投资"}`, end, "1"},
		{"the zone's period", `devzone_period_end_timestamp_seconds{city="太原市",zone="中北高新区、清徐开发区"}`, end, "1688140800"},
		{"approximate figures", `devzone_figure_approximate{city="太原市",zone="中北高新区、清徐开发区",indicator="industrial_value_added",measure="yoy_growth"}`, end, "1"},
		{"findings", `devzone_report_findings{city="晋中市",kind="parts_do_not_add_up"}`, end, "2"},
		{"members of a joint label", `devzone_zone_group_info{city="太原市",zone="中北高新区、清徐开发区",member="清徐开发区"}`, end, "1"},
		{"the zone registry", `devzone_zone_info{city="太原市",zone="中北高新区",receiver="zhongbei"}`, end, "1"},
		{"the rules' grouping by job", `max by (job, city) (devzone_period_end_timestamp_seconds{city="太原市"})`, end, "1688140800"},
		{"a plain selector a day later finds nothing", growth, dayAfter, ""},
		{"last_over_time finds the period's figure a day later", "last_over_time(" + growth + "[31d])", dayAfter, "-0.1485"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := query(tt.expr, tt.at); got != tt.want {
				t.Errorf("%s at %s = %q, want %q", tt.expr, tt.at, got, tt.want)
			}
		})
	}
}

// TestBackfillHasTheServedFamilies: at its latest period the backfill
// holds every series /metrics serves for the same store, with the same
// value (self-metrics aside, and the families of failed bulletins and
// parser diagnostics, which are not history), and no family the exporter
// does not serve. Issue 16: it had no info, period, approx or findings
// family, and boards and alert texts came up empty on backfilled data.
func TestBackfillHasTheServedFamilies(t *testing.T) {
	dir := t.TempDir()
	data, om := filepath.Join(dir, "data"), filepath.Join(dir, "history.om")
	if code, _, errs := run(t, "ingest", "--data.dir", data, sampleBulletin); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	if code, _, errs := run(t, "backfill", "--data.dir", data, "--out", om, "--job", ""); code != 0 {
		t.Fatalf("backfill: %s", errs)
	}
	b, err := os.ReadFile(om)
	if err != nil {
		t.Fatal(err)
	}
	backfilled := map[string]bool{} // series and value, timestamp cut
	families := map[string]bool{}
	for line := range strings.Lines(string(b)) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if line[i+1:] != "1688140800" {
			t.Fatalf("sample not at the end of 2023-06: %s", line)
		}
		backfilled[line[:i]] = true
		families[line[:strings.IndexAny(line, "{ ")]] = true
	}
	want, err := os.ReadFile(filepath.Join("testdata", sampleGolden))
	if err != nil {
		t.Fatal(err)
	}
	notHistory := []string{"devzone_ingest_leader", "devzone_job_", "devzone_reports_ingested_total", "devzone_snapshot_",
		"devzone_store_", "devzone_reports_failed", "devzone_report_failed_info", "devzone_report_unmatched_sentences", "devzone_report_warnings"}
	served := map[string]bool{"devzone_zone_info": true, "devzone_zone_group_info": true}
	n := 0
	for line := range strings.Lines(string(want)) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		name := line[:strings.IndexAny(line, "{ ")]
		if slices.ContainsFunc(notHistory, func(p string) bool { return strings.HasPrefix(name, p) }) {
			continue
		}
		served[name] = true
		n++
		if !backfilled[line] {
			t.Errorf("/metrics serves %s; the backfill lacks it", line)
		}
	}
	for name := range families {
		if !served[name] {
			t.Errorf("the backfill writes %s, which /metrics does not serve", name)
		}
	}
	if n < 50 {
		t.Fatalf("compared %d served series; the golden exposition has more", n)
	}
}

// queryValue returns the value of the one sample of an instant query, or
// "" while Prometheus is not ready or has no such sample.
func queryValue(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &r) != nil || len(r.Data.Result) != 1 {
		return ""
	}
	return fmt.Sprint(r.Data.Result[0].Value[1])
}
