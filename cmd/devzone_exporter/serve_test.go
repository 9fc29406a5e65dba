package main

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
	"golang.org/x/crypto/bcrypt"

	"github.com/devzone/devzone_exporter/internal/pgtest"
	"github.com/devzone/devzone_exporter/internal/testexporter"
)

func TestMain(m *testing.M) { os.Exit(testexporter.Main(m)) }

// The example the README's first command serves, and the sample bulletin:
// the real one when the shared corpus is beside the checkout, otherwise the
// example, which carries its 太原/晋中 figures in our own sentences.
const exampleBulletin = "../../examples/inbox/taiyuan-jinzhong-2023h1.txt"

var sampleBulletin, sampleGolden = func() (string, string) {
	const shared = "../../../shared/corpus/shanxi-devzones-2023h1.txt"
	if _, err := os.Stat(shared); err == nil {
		return shared, "serve-sample.prom"
	}
	return exampleBulletin, "serve-example.prom"
}()

// The two lines issue 3 names: 中北高新区 and 清徐开发区 together, industrial
// investment, 2023年1-6月.
const (
	growthLine = `devzone_yoy_growth_ratio{city="太原市",indicator="industrial_investment",zone="中北高新区、清徐开发区"} -0.1485`
	shareLine  = `devzone_city_share_ratio{city="太原市",indicator="industrial_investment",zone="中北高新区、清徐开发区"} 0.1721`
)

// inboxOf returns a new inbox directory holding copies of the given files.
func inboxOf(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range files {
		dropInto(t, dir, f)
	}
	return dir
}

// dropInto copies a bulletin into an inbox the way an operator should:
// written under a hidden name, then renamed, so that the exporter never
// reads half a file.
func dropInto(t *testing.T, inbox, file string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(inbox, "."+filepath.Base(file)+".part")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(inbox, filepath.Base(file))); err != nil {
		t.Fatal(err)
	}
}

// varyingFamilies are left out of the golden exposition: they hold times,
// durations, the Go runtime's and the process's state, and the build.
var varyingFamilies = []string{
	"devzone_job_last_success_timestamp_seconds",
	"devzone_job_duration_seconds",
	"devzone_snapshot_timestamp_seconds",
	"devzone_exporter_build_info",
}

// varying reports whether an exposition line belongs to a varying family.
func varying(line string) bool {
	name := line
	if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
		name = rest
	} else if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
		name = rest
	}
	if i := strings.IndexAny(name, "{ "); i >= 0 {
		name = name[:i]
	}
	if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") {
		return true
	}
	return slices.Contains(varyingFamilies, name)
}

// stable returns an exposition without its varying families.
func stable(exposition string) string {
	var b strings.Builder
	for line := range strings.Lines(exposition) {
		if !varying(strings.TrimSuffix(line, "\n")) {
			b.WriteString(line)
		}
	}
	return b.String()
}

// lint runs promlint over an exposition and fails on any problem.
func lint(t *testing.T, exposition string) {
	t.Helper()
	problems, err := promlint.New(strings.NewReader(exposition)).Lint()
	if err != nil {
		t.Fatalf("promlint: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}

// TestServeSample starts the real binary on the sample bulletin, on SQLite
// and on PostgreSQL, and compares /metrics with one golden exposition.
func TestServeSample(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			var dbURL string
			if dialect == "postgres" {
				dbURL = testexporter.PostgresDatabase(t)
			}
			e := testexporter.Start(t, testexporter.Options{InboxDir: inboxOf(t, sampleBulletin), DBURL: dbURL})
			got := e.Scrape(t)
			for _, want := range []string{growthLine, shareLine} {
				if !strings.Contains(got, "\n"+want+"\n") {
					t.Errorf("/metrics lacks %s", want)
				}
			}
			lint(t, got)
			golden(t, sampleGolden, stable(got))

			// The analysts' API reads the same store.
			q := url.Values{"zone": {"中北高新区、清徐开发区"}, "indicator": {"industrial_investment"}, "measure": {"yoy_growth"}}
			code, body := e.Get(t, "/api/v1/series?"+q.Encode())
			if code != http.StatusOK || !strings.Contains(string(body), `"value": -0.1485`) {
				t.Errorf("/api/v1/series = %d:\n%s", code, body)
			}
			if code, body := e.Get(t, "/api/v1/series?indicator=nope"); code != http.StatusBadRequest {
				t.Errorf("/api/v1/series?indicator=nope = %d: %s", code, body)
			}
		})
	}
}

// parseAsPrometheus parses a scrape with Prometheus's own scrape parser,
// chosen by Content-Type as Prometheus chooses it, and returns the value
// of each series of the devzone_ families that hold figures.
func parseAsPrometheus(t *testing.T, body []byte, contentType string) map[string]float64 {
	t.Helper()
	p, err := textparse.New(body, contentType, labels.NewSymbolTable(), textparse.ParserOptions{})
	if err != nil {
		t.Fatalf("textparse for %q: %v", contentType, err)
	}
	out := map[string]float64{}
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatalf("Prometheus cannot parse the %q scrape: %v", contentType, err)
		}
		if entry != textparse.EntrySeries {
			continue
		}
		_, ts, v := p.Series()
		if ts != nil {
			t.Errorf("a sample carries a timestamp")
		}
		var l labels.Labels
		p.Labels(&l)
		name := l.Get(model.MetricNameLabel)
		if strings.HasPrefix(name, "devzone_") && !strings.HasPrefix(name, "devzone_job_") && !strings.HasPrefix(name, "devzone_exporter_") &&
			!strings.HasPrefix(name, "devzone_snapshot_") && !strings.HasPrefix(name, "devzone_store_") && !strings.HasPrefix(name, "devzone_reports_") {
			out[l.String()] = v
		}
	}
}

// TestServeAsPrometheusScrapes scrapes as Prometheus 2 does (OpenMetrics,
// gzip) and as a plain client does, parses both with Prometheus's own
// parser, and expects the same figures.
func TestServeAsPrometheusScrapes(t *testing.T) {
	e := testexporter.Start(t, testexporter.Options{InboxDir: inboxOf(t, sampleBulletin)})
	scrape := func(accept string, gzipped bool) ([]byte, string) {
		req, _ := http.NewRequest(http.MethodGet, e.URL+"/metrics", nil)
		req.Header.Set("Accept", accept)
		if gzipped {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		resp, err := (&http.Client{Transport: &http.Transport{DisableCompression: true}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			r = zr
		} else if gzipped {
			t.Error("asked for gzip, got none")
		}
		b, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		return b, resp.Header.Get("Content-Type")
	}
	om, omType := scrape("application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", true)
	if !strings.HasPrefix(omType, "application/openmetrics-text") || !bytes.HasSuffix(om, []byte("# EOF\n")) {
		t.Fatalf("Prometheus's scrape got %q, ending %q", omType, om[max(0, len(om)-20):])
	}
	text, textType := scrape("text/plain", false)
	fromOM, fromText := parseAsPrometheus(t, om, omType), parseAsPrometheus(t, text, textType)
	if len(fromText) < 80 || !maps.Equal(fromOM, fromText) {
		t.Errorf("OpenMetrics and text scrapes differ or are short: %d and %d series", len(fromOM), len(fromText))
	}
	key := `{__name__="devzone_yoy_growth_ratio", city="太原市", indicator="industrial_investment", zone="中北高新区、清徐开发区"}`
	if v, ok := fromOM[key]; !ok || v != -0.1485 {
		t.Errorf("Prometheus reads %s = %v (%v), want -0.1485", key, v, ok)
	}
}

// TestServePicksUpNewBulletin drops a bulletin into the inbox of a running
// exporter and waits for its figures in /metrics: no restart.
func TestServePicksUpNewBulletin(t *testing.T) {
	e := testexporter.Start(t, testexporter.Options{})
	if got := e.Scrape(t); strings.Contains(got, growthLine) {
		t.Fatal("figures before any bulletin")
	}
	dropInto(t, e.InboxDir, exampleBulletin)
	got := e.WaitForMetrics(t, "the example bulletin's figures", func(m string) bool { return strings.Contains(m, growthLine) })
	for _, want := range []string{shareLine, `devzone_reports_ingested_total{result="ingested"} 1`} {
		if !strings.Contains(got, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// TestServeStoreOutage runs the exporter against PostgreSQL through a TCP
// proxy that the test cuts and restores: the exporter starts with the
// database down, serves, reports the store unreachable and the failed
// runs (one log line each), loads the figures when the database comes
// back, keeps serving them through a second outage, and recovers again.
func TestServeStoreOutage(t *testing.T) {
	proxy, viaProxy := pgtest.ThroughProxy(t, testexporter.PostgresDatabase(t))
	proxy.Cut() // the database is down when the exporter starts
	u, err := url.Parse(viaProxy)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()

	e := testexporter.Start(t, testexporter.Options{
		InboxDir:    inboxOf(t, sampleBulletin),
		DBURL:       u.String(),
		NoWaitReady: true,
	})
	const (
		reachable      = "devzone_store_reachable"
		refreshFailed  = `devzone_job_failures_total{task="refresh"}`
		ingestFailed   = `devzone_job_failures_total{task="ingest"}`
		failedRunsLogs = `msg="job failed"`
	)
	is := func(series string, want float64) func(string) bool {
		return func(m string) bool { v, ok := testexporter.MetricValue(m, series); return ok && v == want }
	}
	atLeast := func(series string, want float64) func(string) bool {
		return func(m string) bool { v, ok := testexporter.MetricValue(m, series); return ok && v >= want }
	}

	// Down at start: serving, unready, unreachable, failures counted.
	m := e.WaitForMetrics(t, "a failed refresh with the database down", func(m string) bool {
		return is(reachable, 0)(m) && atLeast(refreshFailed, 1)(m)
	})
	if strings.Contains(m, growthLine) {
		t.Error("figures with the database down since start")
	}
	if code, _ := e.Get(t, "/-/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("/-/ready = %d with no snapshot loaded, want 503", code)
	}
	if code, _ := e.Get(t, "/"); code != http.StatusOK {
		t.Errorf("landing page = %d with the database down, want 200", code)
	}

	// Back: the exporter opens the store, ingests the inbox, loads.
	proxy.Restore()
	m = e.WaitForMetrics(t, "the figures once the database is back", func(m string) bool {
		return strings.Contains(m, growthLine) && is(reachable, 1)(m)
	})
	if code, _ := e.Get(t, "/-/ready"); code != http.StatusOK {
		t.Errorf("/-/ready = %d after loading, want 200", code)
	}
	before, _ := testexporter.MetricValue(m, refreshFailed)

	// Down again: the last good snapshot stays in service.
	proxy.Cut()
	m = e.WaitForMetrics(t, "the store reported unreachable again", func(m string) bool {
		return is(reachable, 0)(m) && atLeast(refreshFailed, before+1)(m)
	})
	if !strings.Contains(m, growthLine) || !strings.Contains(m, shareLine) {
		t.Error("the last good snapshot left service when the database went down")
	}

	// One log line per failed run: the lines logged lie between the
	// failures counted before and after reading the log.
	first := e.Scrape(t)
	logs := e.Logs()
	second := e.Scrape(t)
	for _, job := range []struct{ series, attr string }{{refreshFailed, "job=refresh"}, {ingestFailed, "job=ingest"}} {
		lo, _ := testexporter.MetricValue(first, job.series)
		hi, _ := testexporter.MetricValue(second, job.series)
		n := 0
		for line := range strings.Lines(logs) {
			if strings.Contains(line, failedRunsLogs) && strings.Contains(line, job.attr) {
				n++
			}
		}
		if float64(n) < lo || float64(n) > hi {
			t.Errorf("%d log lines for failed %s runs; the counter went from %v to %v meanwhile", n, job.attr, lo, hi)
		}
	}

	proxy.Restore()
	e.WaitForMetrics(t, "the store reachable again", is(reachable, 1))
}

// TestServeWebConfig checks that --web.config.file reaches the toolkit:
// basic auth guards every page.
func TestServeWebConfig(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(t.TempDir(), "web.yml")
	if err := os.WriteFile(cfg, []byte("basic_auth_users:\n  prometheus: "+string(hash)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := testexporter.Start(t, testexporter.Options{
		Args: []string{"--web.config.file=" + cfg},
		User: url.UserPassword("prometheus", "s3cret"),
	})
	for _, path := range []string{"/metrics", "/", "/-/ready", "/-/healthy", "/api/v1/indicators"} {
		if code, _ := e.Get(t, path); code != http.StatusOK {
			t.Errorf("%s with the password = %d, want 200", path, code)
		}
		for _, user := range []*url.Userinfo{nil, url.UserPassword("prometheus", "wrong")} {
			u, _ := url.Parse(e.URL + path)
			u.User = user
			code, _, err := testexporter.Get(u.String(), nil)
			if err != nil || code != http.StatusUnauthorized {
				t.Errorf("%s as %v = %d (%v), want 401", path, user, code, err)
			}
		}
	}
}

// TestServeFlagErrors checks that a bad flag stops serve at once with one
// line naming it.
func TestServeFlagErrors(t *testing.T) {
	tests := []struct {
		name, flag, want string
	}{
		{"cron spec", "--schedule.ingest=every minute", `ingest schedule "every minute"`},
		{"six-field cron spec", "--schedule.refresh=0 * * * * *", `refresh schedule "0 * * * * *"`},
		{"time zone", "--schedule.timezone=Mars/Olympus", "--schedule.timezone"},
		{"password file", "--db.password-file=/nonexistent/pw", "--db.password-file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := []string{tt.flag, "--data.dir=" + t.TempDir(), "--web.listen-address=127.0.0.1:0"}
			if tt.name == "password file" {
				args = append(args, "--db.url=postgres://devzone@127.0.0.1:1/devzone")
			}
			code, _, stderr := run(t, args...)
			if code != 2 || !strings.Contains(stderr, tt.want) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want 2 and one line with %q", code, stderr, tt.want)
			}
		})
	}
}

// TestHelpAndVersionDoNotServe pins a bug: with serve the default command,
// --help and --version printed their text and then ran serve with no flag
// defaults applied (exit 2, "ingest schedule \"\"").
func TestHelpAndVersionDoNotServe(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"--version"}, {"serve", "--help"}, {"parse", "--help"}} {
		code, stdout, stderr := run(t, args...)
		if code != 0 || stderr != "" || stdout == "" {
			t.Errorf("%q: exit %d, stderr %q, %d bytes of stdout; want 0, none, some", args, code, stderr, len(stdout))
		}
	}
}
