package collector

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/devzone/devzone_exporter/collector/store"
)

// logBuffer collects an exporter's log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the log lines that contain every one of parts.
func (l *logBuffer) lines(parts ...string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for line := range strings.Lines(l.b.String()) {
		ok := true
		for _, p := range parts {
			ok = ok && strings.Contains(line, p)
		}
		if ok {
			out = append(out, line)
		}
	}
	return out
}

// sqliteOpener opens a real SQLite store in a temporary directory.
func sqliteOpener(tb testing.TB) func(context.Context) (*store.Store, error) {
	dir := tb.TempDir()
	return func(ctx context.Context) (*store.Store, error) { return store.Open(ctx, "", dir) }
}

// newExporter returns an exporter over open with inbox, logging into the
// returned buffer; it is closed when tb ends.
func newExporter(tb testing.TB, inbox string, open func(context.Context) (*store.Store, error)) (*Exporter, *logBuffer) {
	tb.Helper()
	logs := &logBuffer{}
	e, err := New(Config{
		Open:     open,
		InboxDir: inbox,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { e.Close() })
	return e, logs
}

// inboxWith returns a new inbox directory holding the named files.
func inboxWith(tb testing.TB, files map[string][]byte) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func TestExecute(t *testing.T) {
	tests := []struct {
		name                string
		run                 func(context.Context) error
		wantErr             string // "" for success
		failures, panics    float64
		wantSuccessRecorded bool
	}{
		{"success", func(context.Context) error { return nil }, "", 0, 0, true},
		{"error", func(context.Context) error { return errors.New("open store: connection refused") },
			"open store: connection refused", 1, 0, false},
		{"panic", func(context.Context) error { panic("index out of range") }, "panic: index out of range", 1, 1, false},
		{"timeout", func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); !ok {
				return errors.New("no deadline")
			}
			return nil
		}, "", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, logs := newExporter(t, "", sqliteOpener(t))
			err := e.execute(context.Background(), JobRefresh, tt.run)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr) {
				t.Errorf("execute = %v, want %q", err, tt.wantErr)
			}
			if got := testutil.ToFloat64(e.self.failures.WithLabelValues(JobRefresh)); got != tt.failures {
				t.Errorf("failures = %v, want %v", got, tt.failures)
			}
			if got := testutil.ToFloat64(e.self.panics.WithLabelValues(JobRefresh)); got != tt.panics {
				t.Errorf("panics = %v, want %v", got, tt.panics)
			}
			if got := testutil.ToFloat64(e.self.lastSuccess.WithLabelValues(JobRefresh)) > 0; got != tt.wantSuccessRecorded {
				t.Errorf("last success recorded = %v, want %v", got, tt.wantSuccessRecorded)
			}
			if got := testutil.ToFloat64(e.self.lastSuccess.WithLabelValues(JobIngest)); got != 0 {
				t.Errorf("the other job's last success = %v, want 0", got)
			}
			failed := logs.lines(`msg="job failed"`, "job=refresh")
			if want := int(tt.failures); len(failed) != want {
				t.Errorf("%d failure log lines, want %d:\n%s", len(failed), want, failed)
			}
			if tt.wantErr != "" && len(failed) == 1 && !strings.Contains(failed[0], tt.wantErr) {
				t.Errorf("failure log line %q lacks the error %q", failed[0], tt.wantErr)
			}
			// A panic is logged at Error with where it happened; it was
			// logged at Debug only, which production never shows.
			for _, line := range failed {
				hasStack := strings.Contains(line, "stack=") && strings.Contains(line, "exporter_test.go")
				if !strings.Contains(line, "level=ERROR") || hasStack != (tt.panics > 0) {
					t.Errorf("failure log line (panic %v), want level=ERROR and a stack only for a panic:\n%s", tt.panics > 0, line)
				}
			}
			st := e.Jobs()[1]
			if st.Job != JobRefresh || st.LastRun.IsZero() || st.LastError != tt.wantErr {
				t.Errorf("job status = %+v", st)
			}
		})
	}
}

func TestIngestCountsReportsByResult(t *testing.T) {
	sample := readFile(t, samplePath)
	undated := []byte("太原市开发区\n\n中北高新区工业投资完成21.05亿元，同比下降14.85%。\n")
	inbox := inboxWith(t, map[string][]byte{"sample.txt": sample, "undated.txt": undated, "notes.md": []byte("not a bulletin")})
	e, logs := newExporter(t, inbox, sqliteOpener(t))
	ctx := context.Background()

	counts := func() (ingested, failed, errored float64) {
		return testutil.ToFloat64(e.self.reports.WithLabelValues("ingested")),
			testutil.ToFloat64(e.self.reports.WithLabelValues("failed")),
			testutil.ToFloat64(e.self.reports.WithLabelValues("error"))
	}
	steps := []struct {
		name                       string
		before                     func()
		wantChanged                bool
		ingested, failed, errored  float64
		failedLogLines, storeLines int
	}{
		{"first run stores the sample and keeps the undated bulletin failed", nil, true, 1, 1, 0, 1, 0},
		{"second run finds nothing new and retries nothing", nil, false, 1, 1, 0, 1, 0},
		{"a changed failed bulletin is tried again", func() {
			if err := os.WriteFile(filepath.Join(inbox, "undated.txt"), append(undated, "（2023年第2期）\n"...), 0o644); err != nil {
				t.Fatal(err)
			}
		}, false, 1, 2, 0, 2, 0},
	}
	for _, s := range steps {
		if s.before != nil {
			s.before()
		}
		changed, err := e.ingest(ctx)
		if err != nil {
			t.Fatalf("%s: ingest: %v", s.name, err)
		}
		if changed != s.wantChanged {
			t.Errorf("%s: changed = %v, want %v", s.name, changed, s.wantChanged)
		}
		if i, f, x := counts(); i != s.ingested || f != s.failed || x != s.errored {
			t.Errorf("%s: reports ingested, failed, error = %v, %v, %v; want %v, %v, %v", s.name, i, f, x, s.ingested, s.failed, s.errored)
		}
		if n := len(logs.lines("bulletin failed", "undated.txt")); n != s.failedLogLines {
			t.Errorf("%s: %d log lines about the failed bulletin, want %d", s.name, n, s.failedLogLines)
		}
	}
}

func TestIngestWithoutInbox(t *testing.T) {
	e, _ := newExporter(t, filepath.Join(t.TempDir(), "missing"), sqliteOpener(t))
	if _, err := e.ingest(context.Background()); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("ingest of a missing inbox = %v, want an error naming it", err)
	}
}

func TestRefresh(t *testing.T) {
	inbox := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
	e, logs := newExporter(t, inbox, sqliteOpener(t))
	ctx := context.Background()
	if e.Ready() || e.Snapshot().Figures != 0 {
		t.Fatal("ready, or figures, before the first refresh")
	}
	if _, err := e.ingest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	first := e.current.Load()
	if want := len(sampleFigures(t)); !e.Ready() || first.snap.Figures != want {
		t.Fatalf("after refresh: ready %v, %d figures; want ready, %d", e.Ready(), first.snap.Figures, want)
	}
	st, err := e.store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The store also counts the figures it derives (implied city totals).
	if n, err := st.CountFigures(ctx); err != nil || testutil.ToFloat64(e.self.storeFigures) != float64(n) || n < len(sampleFigures(t)) {
		t.Errorf("store figures = %v, want the store's count %d (%v), at least the sample's", testutil.ToFloat64(e.self.storeFigures), n, err)
	}
	if got := testutil.ToFloat64(e.self.storeReachable); got != 1 {
		t.Errorf("store reachable = %v, want 1", got)
	}
	if got := testutil.ToFloat64(e.self.snapshotSeries); got != float64(first.snap.Series) {
		t.Errorf("snapshot series = %v, want %d", got, first.snap.Series)
	}

	// The same figures again: the rendered exposition is kept, the load
	// time is not.
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	second := e.current.Load()
	if second.exp != first.exp {
		t.Error("a refresh of unchanged figures rendered the exposition again")
	}
	if !second.snap.Loaded.After(first.snap.Loaded) && !second.snap.Loaded.Equal(first.snap.Loaded) {
		t.Error("the kept snapshot's load time went back")
	}
	if n := len(logs.lines("snapshot loaded")); n != 1 {
		t.Errorf("%d 'snapshot loaded' lines, want 1 (the second refresh changed nothing)", n)
	}
}

// TestRefreshCallsOnLoadAroundEachLoad: the hook the program tunes its
// garbage collector in is called once per load of the figures, its done
// after the load, and not for a refresh that finds the store unchanged.
func TestRefreshCallsOnLoadAroundEachLoad(t *testing.T) {
	inbox := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
	var loads, dones int
	var publishedDuringLoad bool
	var e *Exporter
	e, err := New(Config{
		Open:     sqliteOpener(t),
		InboxDir: inbox,
		OnLoad: func() func() {
			loads++
			return func() {
				dones++
				publishedDuringLoad = e.Snapshot().Figures > 0
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { e.Close() })
	ctx := context.Background()
	if _, err := e.ingest(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := e.refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 1 || dones != 1 {
		t.Errorf("OnLoad called %d times, its done %d, over one load and one unchanged refresh; want 1 and 1", loads, dones)
	}
	if !publishedDuringLoad {
		t.Error("done was called before the loaded snapshot was published")
	}
}

// TestRefreshOpensTheStoreLate pins that a store that cannot be opened at
// start keeps the exporter serving an empty snapshot, unready and with the
// store unreachable, until a later run opens it.
func TestRefreshOpensTheStoreLate(t *testing.T) {
	var up atomic.Bool
	dir := t.TempDir()
	open := func(ctx context.Context) (*store.Store, error) {
		if !up.Load() {
			// A real PostgreSQL URL where nothing listens.
			return store.Open(ctx, "postgres://devzone:secret@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=1", "")
		}
		return store.Open(ctx, "", dir)
	}
	e, logs := newExporter(t, "", open)
	ctx := context.Background()
	err := e.execute(ctx, JobRefresh, e.refresh)
	if err == nil {
		t.Fatal("refresh with the store down succeeded")
	}
	if strings.Contains(err.Error(), "secret") || strings.Contains(strings.Join(logs.lines("job failed"), ""), "secret") {
		t.Errorf("the password shows in the error or log: %v", err)
	}
	if e.Ready() || testutil.ToFloat64(e.self.storeReachable) != 0 || testutil.ToFloat64(e.self.failures.WithLabelValues(JobRefresh)) != 1 {
		t.Errorf("store down: ready %v, reachable %v, failures %v; want false, 0, 1", e.Ready(),
			testutil.ToFloat64(e.self.storeReachable), testutil.ToFloat64(e.self.failures.WithLabelValues(JobRefresh)))
	}
	up.Store(true)
	if err := e.execute(ctx, JobRefresh, e.refresh); err != nil {
		t.Fatalf("refresh with the store up: %v", err)
	}
	if !e.Ready() || testutil.ToFloat64(e.self.storeReachable) != 1 {
		t.Error("store up: not ready, or not reachable")
	}
}

func TestRunStartsWithIngestAndRefreshAndStops(t *testing.T) {
	inbox := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
	e, _ := newExporter(t, inbox, sqliteOpener(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	// Yearly: only the start-up runs happen during the test.
	go func() { done <- e.Run(ctx, Schedule{Ingest: "@yearly", Refresh: "@yearly", Location: time.UTC}) }()
	deadline := time.Now().Add(30 * time.Second)
	for !e.Ready() {
		if time.Now().After(deadline) {
			t.Fatal("not ready 30 s after Run")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if want := len(sampleFigures(t)); e.Snapshot().Figures != want {
		t.Errorf("first snapshot has %d figures, want the inbox's %d", e.Snapshot().Figures, want)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v", err)
	}
}

func TestScheduleValidate(t *testing.T) {
	tests := []struct {
		name    string
		s       Schedule
		wantErr string
	}{
		{"default", DefaultSchedule, ""},
		{"descriptors", Schedule{Ingest: "@every 1s", Refresh: "@hourly"}, ""},
		{"five fields", Schedule{Ingest: "*/5 8-18 * * 1-5", Refresh: "0 * * * *"}, ""},
		{"six fields", Schedule{Ingest: "0 * * * * *", Refresh: "* * * * *"}, `ingest schedule "0 * * * * *"`},
		{"nonsense", Schedule{Ingest: "* * * * *", Refresh: "every minute"}, `refresh schedule "every minute"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Errorf("Validate = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestRefreshFollowsTheStore pins that a refresh reloads when a bulletin
// is stored and when figures leave the store (their series vanish), and
// reads nothing when the store did not change.
func TestRefreshFollowsTheStore(t *testing.T) {
	inbox := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
	e, logs := newExporter(t, inbox, sqliteOpener(t))
	ctx := context.Background()
	mustRefresh := func() {
		t.Helper()
		if err := e.refresh(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := e.ingest(ctx); err != nil {
		t.Fatal(err)
	}
	mustRefresh()
	mustRefresh()
	if n := len(logs.lines("snapshot loaded")); n != 1 {
		t.Fatalf("%d loads for an unchanged store, want 1", n)
	}

	// A new bulletin of another city: its two figures join.
	other := []byte("运城市开发区\n\n2023年1-6月，运城经济技术开发区规模以上工业增加值完成30.5亿元，同比增长6.2%。\n")
	if err := os.WriteFile(filepath.Join(inbox, "yuncheng.txt"), other, 0o644); err != nil {
		t.Fatal(err)
	}
	if changed, err := e.ingest(ctx); err != nil || !changed {
		t.Fatalf("ingest = %v, %v; want a stored bulletin", changed, err)
	}
	mustRefresh()
	if got, want := e.Snapshot().Figures, len(sampleFigures(t))+2; got != want {
		t.Errorf("after a new bulletin: %d figures, want %d", got, want)
	}

	// Figures leave the store (an operator deletes a city): their series go.
	st, err := e.store(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.DB().ExecContext(ctx, `DELETE FROM figures WHERE city = '晋中市'`); err != nil {
		t.Fatal(err)
	}
	mustRefresh()
	text := scrapeText(t, e)
	if strings.Contains(text, `city="晋中市"`) {
		t.Error("晋中市's series remain after its figures left the store")
	}
	if !strings.Contains(text, growthLine) {
		t.Error("太原市's series went with 晋中市's")
	}
}

// scrapeText returns /metrics as a plain client gets it.
func scrapeText(t *testing.T, e *Exporter) string {
	t.Helper()
	rec := httptest.NewRecorder()
	e.MetricsHandler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics = %d", rec.Code)
	}
	return rec.Body.String()
}

// TestLightSnapshotServesTheSame pins that while a refresh loads (the
// light copy in service, without plain text or series) a plain scrape
// gets the same figures, inflated from the gzip copy.
func TestLightSnapshotServesTheSame(t *testing.T) {
	e := loadedExporter(t)
	full := scrapeText(t, e)
	e.current.Store(e.current.Load().light())
	light := scrapeText(t, e)
	cut := func(s string) string { // the figures, before the self-metrics
		i := strings.Index(s, "# HELP devzone_exporter_build_info")
		if i < 0 {
			t.Fatal("no self-metrics in the scrape")
		}
		return s[:i]
	}
	if cut(full) != cut(light) || !strings.Contains(light, growthLine) {
		t.Error("the light copy serves other figures than the full one")
	}
	if e.Snapshot().Cities == nil || e.Snapshot().Series == 0 {
		t.Error("the light copy lost what the landing page shows")
	}
}
