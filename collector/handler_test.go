package collector

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// loadedExporter is an exporter that has ingested the sample into a real
// SQLite store and refreshed once.
func loadedExporter(t *testing.T) *Exporter {
	t.Helper()
	inbox := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
	e, _ := newExporter(t, inbox, sqliteOpener(t))
	if _, err := e.ingest(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	return e
}

// Accept headers real clients send.
const (
	acceptPrometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
	acceptPrometheus3 = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5," +
		"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3," +
		"text/plain;version=1.0.0;escaping=allow-utf-8;q=0.2,text/plain;version=0.0.4;q=0.1,*/*;q=0.05"
	acceptBrowser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
	acceptProto   = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
)

const growthLine = `devzone_yoy_growth_ratio{city="太原市",indicator="industrial_investment",zone="中北高新区、清徐开发区"} -0.1485`

func TestMetricsNegotiation(t *testing.T) {
	e := loadedExporter(t)
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}

	tests := []struct {
		name, accept, encoding string
		wantOpenMetrics        bool
		wantGzip               bool
	}{
		{"Prometheus 2", acceptPrometheus2, "gzip", true, true},
		{"Prometheus 3", acceptPrometheus3, "gzip", true, true},
		{"OpenMetrics without gzip", "application/openmetrics-text;version=1.0.0", "", true, false},
		{"curl", "*/*", "", false, false},
		{"curl --compressed", "*/*", "deflate, gzip, br, zstd", false, true},
		{"browser", acceptBrowser, "gzip, deflate, br", false, true},
		{"no Accept", "", "", false, false},
		{"protobuf only falls back to text", acceptProto, "gzip", false, true},
		{"gzip refused", "text/plain", "gzip;q=0, identity", false, false},
		{"any encoding", "text/plain", "*", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/metrics", nil)
			if tt.accept != "" {
				req.Header.Set("Accept", tt.accept)
			}
			if tt.encoding != "" {
				req.Header.Set("Accept-Encoding", tt.encoding)
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, raw)
			}
			if cl := resp.Header.Get("Content-Length"); cl != "" {
				if n, _ := strconv.Atoi(cl); n != len(raw) {
					t.Errorf("Content-Length %d, body %d bytes", n, len(raw))
				}
			}
			body := raw
			if gz := resp.Header.Get("Content-Encoding") == "gzip"; gz != tt.wantGzip {
				t.Fatalf("gzip = %v, want %v", gz, tt.wantGzip)
			} else if gz {
				zr, err := gzip.NewReader(bytes.NewReader(raw))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			format := expfmt.Format(resp.Header.Get("Content-Type"))
			if om := format.FormatType() == expfmt.TypeOpenMetrics; om != tt.wantOpenMetrics {
				t.Fatalf("Content-Type %q, want OpenMetrics %v", resp.Header.Get("Content-Type"), tt.wantOpenMetrics)
			}
			text := string(body)
			if tt.wantOpenMetrics {
				if !strings.HasSuffix(text, "\n# EOF\n") || strings.Count(text, "# EOF") != 1 {
					t.Error("OpenMetrics body does not end with one # EOF")
				}
				for _, want := range []string{growthLine, "# TYPE devzone_job_failures counter\n", "devzone_indicator_info{indicator=\"gdp\",name=\"地区生产总值\"} 1.0\n"} {
					if !strings.Contains(text, want) {
						t.Errorf("OpenMetrics body lacks %q", want)
					}
				}
				return
			}
			p := expfmt.NewTextParser(model.UTF8Validation)
			mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
			if err != nil {
				t.Fatalf("text body does not parse: %v", err)
			}
			for _, name := range []string{"devzone_yoy_growth_ratio", "devzone_store_reachable", "devzone_job_failures_total", "go_goroutines", "process_resident_memory_bytes", "devzone_exporter_build_info"} {
				if mfs[name] == nil {
					t.Errorf("text body lacks %s", name)
				}
			}
			if !strings.Contains(text, growthLine+"\n") {
				t.Errorf("text body lacks %q", growthLine)
			}
		})
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip;q=1.0, *;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.001", true},
		{"br, zstd", false},
		{"*", true},
		{"identity", false},
	}
	for _, tt := range tests {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestHealthAndReadiness(t *testing.T) {
	e, _ := newExporter(t, "", sqliteOpener(t))
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	get := func(path string) int {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get("/-/healthy"); got != http.StatusOK {
		t.Errorf("/-/healthy = %d before the first refresh, want 200", got)
	}
	if got := get("/-/ready"); got != http.StatusServiceUnavailable {
		t.Errorf("/-/ready = %d before the first refresh, want 503", got)
	}
	if got := get("/metrics"); got != http.StatusOK {
		t.Errorf("/metrics = %d before the first refresh, want 200", got)
	}
	if err := e.refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := get("/-/ready"); got != http.StatusOK {
		t.Errorf("/-/ready = %d after a refresh, want 200", got)
	}
	if got := get("/nonesuch"); got != http.StatusNotFound {
		t.Errorf("/nonesuch = %d, want 404", got)
	}
}
