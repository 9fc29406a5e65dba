// Measured on the development machine (2 vCPU AMD EPYC, 24 GiB, Debian 12,
// Go 1.26.8, PostgreSQL 15 on the same host, other engineers' tests running
// beside), 150,000 figure series (2,500 zones x 12 indicators x 5
// measures, Chinese labels) plus 11,354 approximate-figure, period-end and
// indicator-info series: 20.6 MB of text exposition, 1.17 MB gzipped.
//
// BenchmarkScrape, -benchtime 100x, medians over loopback HTTP, the three
// handlers side by side in every iteration:
//
//	                        prerendered   bare      promhttp   pre/bare  promhttp/pre
//	Prometheus (OM + gzip)  1.33 ms       0.66 ms   211 ms     2.03      159
//	text, no gzip           7.46 ms       7.74 ms   181 ms     0.96      24
//
// The gzip scrape's difference from the bare handler is the live part:
// the Go and process collectors and the devzone_ self-metrics, gathered
// and encoded per scrape (about 0.6 ms; the process collector alone reads
// /proc for 0.23 ms, /proc/self/net/netstat half of it). Without the
// process collector the ratio measured 1.48. On the plain path the bare
// handler itself is 1/23 of promhttp: sending 20.6 MB is the floor.
//
// BenchmarkRefresh, -benchtime 10x, the refresh job's whole path when the
// store changed (version, latest figures, snapshot, render, swap):
//
//	postgres  997 ms/op  (latest 456 ms, snapshot 87 ms, render 75 ms once on their own)
//	sqlite    1.39 s/op  (latest 924 ms, snapshot 91 ms, render 100 ms)
//	live heap after a refresh 38.8 MiB (the benchmark process)
//
// A refresh that finds the store's version unchanged reads one state row
// and no figures (BenchmarkRefreshUnchanged, -benchtime 2000x): 53 µs on
// PostgreSQL, 7 µs on SQLite; before issue 17 it counted figures and read
// every report, 26 ms on PostgreSQL at one period, growing with history.
//
// BenchmarkExporterRSS, -benchtime 500x: the real binary on PostgreSQL,
// June's 150,000 figures loaded, 500 Prometheus scrapes, then July's
// 150,000 figures ingested and loaded while serving:
//
//	rss 64 MiB after July's load, peak 128 MiB (VmHWM), July's load 1.34 s
//
// Run:
//
//	DEVZONE_TEST_DATABASE_URL='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' \
//	    go test ./collector/ -run '^$' -bench 'Scrape' -benchtime 100x
//	(and -bench Refresh -benchtime 10x, -bench RefreshUnchanged -benchtime 2000x,
//	-bench ExporterRSS -benchtime 500x)

package collector

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// TestMain removes the exporter binary BenchmarkExporterRSS builds.
func TestMain(m *testing.M) { os.Exit(testexporter.Main(m)) }

// The benchmark country: 2,500 zones × 12 indicators × 5 measures =
// 150,000 figures and as many series, with Chinese label values.
var (
	benchCities     = []string{"太原市", "大同市", "朔州市", "忻州市", "阳泉市", "吕梁市", "晋中市", "长治市", "晋城市", "临汾市", "运城市"}
	benchIndicators = []string{
		figure.IndustrialValueAdded, figure.IndustrialOutput, figure.IndustrialInvestment, figure.FixedAssetInvestment,
		figure.IndustrialProjectInvestment, figure.GDP, figure.OperatingRevenue, figure.TaxRevenue,
		figure.BudgetRevenue, figure.ImportExport, figure.IndustrialProfit, figure.RetailSales,
	}
	benchMeasures = []string{figure.MeasureValue, figure.MeasureYoYGrowth, figure.MeasureCityShare,
		figure.MeasureCityShareChange, figure.MeasureGrowthVsCity}
)

const benchZones = 2500

// benchSeries is the number of figures (and figure series) benchFigures
// makes.
const benchSeries = benchZones * 12 * 5

// benchFigures returns the benchmark country's figures for a period;
// shift changes every value, as a new month's bulletins would.
func benchFigures(period string, shift float64) []figure.Figure {
	p := figure.MustPeriod(period)
	figs := make([]figure.Figure, 0, benchSeries)
	for z := range benchZones {
		city := benchCities[z%len(benchCities)]
		zone := fmt.Sprintf("%s第%04d号经济技术开发区", strings.TrimSuffix(city, "市"), z)
		for i, ind := range benchIndicators {
			for m, meas := range benchMeasures {
				v, u := (float64(z*12+i)+shift)*1.37e6, figure.UnitYuan
				if meas != figure.MeasureValue {
					v, u = float64((z*7+i*3+m)%4000-1500)/10000+shift/1000, figure.UnitRatio
				}
				figs = append(figs, figure.Figure{
					City: city, Zones: []string{zone}, Indicator: ind, Measure: meas, Value: v, Unit: u,
					Approx: (z+i+m)%17 == 0, Period: p, Line: len(figs) + 1,
					Text: fmt.Sprintf("%s，%s%s完成%.2f亿元，同比增长%.1f%%，占全市比重%.2f%%。", p.Label(), zone, figure.Indicators[ind], v/1e8, v*100, v*10),
				})
			}
		}
	}
	return figs
}

// benchExporter is an exporter serving a snapshot of figs, with no store.
func benchExporter(b *testing.B, figs []figure.Figure) (*Exporter, *Snapshot) {
	b.Helper()
	e, err := New(Config{Open: func(context.Context) (*store.Store, error) {
		return nil, fmt.Errorf("no store in this benchmark")
	}})
	if err != nil {
		b.Fatal(err)
	}
	snap := NewSnapshot(figs, time.Now())
	exp, err := render(snap, DefaultGzipLevel, 0)
	if err != nil {
		b.Fatal(err)
	}
	e.current.Store(&published{snap: snap, exp: exp})
	e.ready.Store(true)
	return e, snap
}

// bareHandler writes the pre-rendered bytes of x, and nothing else: the
// floor any handler serving them pays.
func bareHandler(b *testing.B, x *exposition) http.Handler {
	var omEnd, textEnd bytes.Buffer
	if err := appendGzipTail(&omEnd, x.openMetricsGzip, []byte("# EOF\n")); err != nil {
		b.Fatal(err)
	}
	if err := appendGzipTail(&textEnd, x.textGzip, nil); err != nil {
		b.Fatal(err)
	}
	end := omEnd.Bytes()
	openMetrics, err := io.ReadAll(x.openMetricsGzip.inflate())
	if err != nil {
		b.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		om := strings.Contains(r.Header.Get("Accept"), "openmetrics")
		gz := acceptsGzip(r.Header.Get("Accept-Encoding"))
		h := w.Header()
		var parts [][]byte
		switch {
		case om && gz:
			parts = [][]byte{gzipHeader, x.openMetricsGzip.body, end}
		case om:
			parts = [][]byte{openMetrics, []byte("# EOF\n")}
		case gz:
			parts = [][]byte{gzipHeader, x.textGzip.body, textEnd.Bytes()}
		default:
			parts = [][]byte{x.text}
		}
		if gz {
			h.Set("Content-Encoding", "gzip")
		}
		n := 0
		for _, p := range parts {
			n += len(p)
		}
		h.Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		h.Set("Content-Length", strconv.Itoa(n))
		for _, p := range parts {
			w.Write(p)
		}
	})
}

// scrapes are the requests the scrape benchmark makes.
var scrapes = []struct {
	name, accept string
	gzip         bool
}{
	{"prometheus", "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true},
	{"text", "text/plain", false},
}

// scrape fetches url as req does and returns the bytes on the wire.
func scrape(b *testing.B, client *http.Client, url, accept string, gzip bool) int64 {
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Accept", accept)
	if gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		b.Fatalf("scrape: %d, %v", resp.StatusCode, err)
	}
	return n
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkScrape serves 150,000 series three ways, side by side in every
// iteration, over loopback HTTP: the exporter's handler (pre-rendered
// bytes plus the live self-metrics), a bare handler writing the same
// pre-rendered bytes, and promhttp encoding the Collector on every scrape.
// It reports the median of each and their ratios.
func BenchmarkScrape(b *testing.B) {
	e, snap := benchExporter(b, benchFigures("2023-06", 0))
	reg := prometheus.NewRegistry()
	reg.MustRegister(NewCollector(snap), collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	handlers := []struct {
		name string
		h    http.Handler
	}{
		{"prerendered", e.MetricsHandler()},
		{"bare", bareHandler(b, e.current.Load().exp)},
		{"promhttp", promhttp.HandlerFor(reg, promhttp.HandlerOpts{EnableOpenMetrics: true})},
	}
	urls := make([]string, len(handlers))
	for i, h := range handlers {
		srv := httptest.NewServer(h.h)
		b.Cleanup(srv.Close)
		urls[i] = srv.URL
	}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for _, s := range scrapes {
		b.Run(s.name, func(b *testing.B) {
			times := make([][]time.Duration, len(handlers))
			var bytes int64
			for b.Loop() {
				for i := range handlers {
					// Each scrape starts with no garbage of another's
					// (promhttp leaves hundreds of megabytes) to collect.
					b.StopTimer()
					runtime.GC()
					b.StartTimer()
					t0 := time.Now()
					n := scrape(b, client, urls[i], s.accept, s.gzip)
					times[i] = append(times[i], time.Since(t0))
					if i == 0 {
						bytes = n
					}
				}
			}
			for i, h := range handlers {
				b.ReportMetric(ms(median(times[i])), h.name+"-ms")
			}
			b.ReportMetric(float64(median(times[0]))/float64(median(times[1])), "prerendered/bare")
			b.ReportMetric(float64(median(times[2]))/float64(median(times[0])), "promhttp/prerendered")
			b.ReportMetric(float64(bytes)/1e6, "MB-on-wire")
			b.ReportMetric(0, "ns/op") // the op is three scrapes; the medians say more
		})
	}
}

// BenchmarkRefresh reloads 150,000 figures from the store the way the
// refresh job does when the store changed (ping, version, latest figures,
// snapshot, text and OpenMetrics rendered and deflated, swap), and then
// times the three heavy steps once on their own. PostgreSQL when
// DEVZONE_TEST_DATABASE_URL is set, and SQLite.
func BenchmarkRefresh(b *testing.B) {
	eachBenchStore(b, func(b *testing.B, ctx context.Context, st *store.Store, e *Exporter) {
		for b.Loop() {
			if err := e.reload(ctx, true); err != nil {
				b.Fatal(err)
			}
		}
		if got := e.Snapshot().Figures; got != benchSeries {
			b.Fatalf("%d figures, want %d", got, benchSeries)
		}
		// Where the time goes, once, outside the measured loop.
		b.StopTimer()
		t0 := time.Now()
		figs, err := st.Latest(ctx)
		if err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		snap := NewSnapshot(figs, t1)
		t2 := time.Now()
		if _, err := render(snap, DefaultGzipLevel, len(e.current.Load().exp.text)); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(ms(t1.Sub(t0)), "latest-ms")
		b.ReportMetric(ms(t2.Sub(t1)), "snapshot-ms")
		b.ReportMetric(ms(time.Since(t2)), "render-ms")
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		x := e.current.Load().exp
		b.ReportMetric(float64(len(x.text))/1e6, "text-MB")
		b.ReportMetric(float64(len(x.textGzip.body))/1e6, "gzip-MB")
		b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "live-heap-MiB")
	})
}

// BenchmarkRefreshUnchanged is the refresh job finding nothing new, every
// minute of an exporter's life: one read of the store's state row (issue
// 17: it was count(*) over figures and every report row).
func BenchmarkRefreshUnchanged(b *testing.B) {
	eachBenchStore(b, func(b *testing.B, ctx context.Context, st *store.Store, e *Exporter) {
		if err := e.refresh(ctx); err != nil {
			b.Fatal(err)
		}
		loaded := e.Snapshot()
		for b.Loop() {
			if err := e.refresh(ctx); err != nil {
				b.Fatal(err)
			}
		}
		if e.Snapshot().Figures != loaded.Figures || e.current.Load().exp.text == nil {
			b.Fatal("an unchanged refresh reloaded")
		}
	})
}

// procStatus returns a field of /proc/PID/status in MiB ("VmRSS", "VmHWM").
func procStatus(b *testing.B, pid int, field string) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for line := range strings.Lines(string(raw)) {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			if err != nil {
				b.Fatal(err)
			}
			return kb / 1024
		}
	}
	b.Fatalf("no %s in /proc/%d/status", field, pid)
	return 0
}

// BenchmarkExporterRSS runs the real binary on PostgreSQL holding 150,000
// figures: it loads them, serves Prometheus scrapes (the op), then a new
// month's 150,000 figures arrive and it renders them while serving. It
// reports the process's resident memory at the end and at its peak, and
// the refresh job's duration for the new month.
func BenchmarkExporterRSS(b *testing.B) {
	dbURL := testexporter.PostgresDatabase(b)
	ctx := context.Background()
	st, err := store.Open(ctx, dbURL, "")
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Ingest(ctx, store.Report{Name: "june.txt", Checksum: "june"}, benchFigures("2023-06", 0)); err != nil {
		b.Fatal(err)
	}
	e := testexporter.Start(b, testexporter.Options{DBURL: dbURL, RefreshSchedule: "@every 2s"})
	client := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	for b.Loop() {
		scrape(b, client, e.URL+"/metrics", scrapes[0].accept, true)
	}
	b.StopTimer()
	if _, err := st.Ingest(ctx, store.Report{Name: "july.txt", Checksum: "july"}, benchFigures("2023-07", 1)); err != nil {
		b.Fatal(err)
	}
	july := fmt.Sprintf(`devzone_amount_yuan{city="太原市",indicator="industrial_value_added",zone="太原第0000号经济技术开发区"} %v`, 1.37e6)
	m := e.WaitForMetrics(b, "July's figures", func(m string) bool { return strings.Contains(m, july+"\n") })
	for range 5 {
		scrape(b, client, e.URL+"/metrics", scrapes[0].accept, true)
	}
	b.ReportMetric(procStatus(b, e.Pid(), "VmRSS"), "rss-MiB")
	b.ReportMetric(procStatus(b, e.Pid(), "VmHWM"), "peak-rss-MiB")
	// The load's duration, from its log line: the cheap refreshes that
	// follow overwrite devzone_job_duration_seconds.
	var loads []string
	for line := range strings.Lines(e.Logs()) {
		if _, d, ok := strings.Cut(line, `msg="snapshot loaded"`); ok {
			if _, d, ok = strings.Cut(d, "duration="); ok {
				loads = append(loads, strings.Fields(d)[0])
			}
		}
	}
	if len(loads) < 2 {
		b.Fatalf("%d loads logged, want June's and July's:\n%s", len(loads), e.Logs())
	}
	if d, err := time.ParseDuration(loads[len(loads)-1]); err == nil {
		b.ReportMetric(d.Seconds(), "july-load-s")
	}
	if n, ok := testexporter.MetricValue(m, "devzone_snapshot_series"); !ok || n < benchSeries {
		b.Errorf("snapshot series = %v, want at least %d", n, benchSeries)
	}
}

// eachBenchStore runs f on SQLite, and on PostgreSQL when
// DEVZONE_TEST_DATABASE_URL is set, with a store holding the benchmark's
// figures of 2023-06 and an exporter over it.
func eachBenchStore(b *testing.B, f func(b *testing.B, ctx context.Context, st *store.Store, e *Exporter)) {
	dialects := []string{"sqlite"}
	if os.Getenv(pgtest.EnvURL) != "" {
		dialects = append(dialects, "postgres")
	}
	for _, dialect := range dialects {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			url, dir := "", b.TempDir()
			if dialect == "postgres" {
				url = pgtest.Fresh(b)
			}
			st, err := store.Open(ctx, url, dir)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.Close() })
			if _, err := st.Ingest(ctx, store.Report{Name: "bench.txt", Checksum: "bench"}, benchFigures("2023-06", 0)); err != nil {
				b.Fatal(err)
			}
			e, err := New(Config{Open: func(context.Context) (*store.Store, error) { return st, nil }})
			if err != nil {
				b.Fatal(err)
			}
			f(b, ctx, st, e)
		})
	}
}
