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
	if code, _, errs := run(t, "backfill", "--data.dir", data, "--out", om); code != 0 {
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
	q := url.Values{
		"query": {`devzone_yoy_growth_ratio{city="太原市",zone="中北高新区、清徐开发区",indicator="industrial_investment"}`},
		"time":  {"1688140800"},
	}
	var got string
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		got = queryValue(t, "http://"+addr+"/api/v1/query?"+q.Encode())
		if got != "" {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if got != "-0.1485" {
		t.Fatalf("queried %q, want -0.1485\nprometheus log:\n%s", got, logs.String())
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
