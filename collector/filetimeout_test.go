package collector

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// storeOpeners returns openers of the stores a test runs on: SQLite always,
// PostgreSQL (a fresh schema) when its test URL is set.
func storeOpeners(t *testing.T) map[string]func(context.Context) (*store.Store, error) {
	out := map[string]func(context.Context) (*store.Store, error){"sqlite": sqliteOpener(t)}
	if os.Getenv(pgtest.EnvURL) != "" {
		url := pgtest.Fresh(t)
		out["postgres"] = func(ctx context.Context) (*store.Store, error) { return store.Open(ctx, url, "") }
	}
	return out
}

// TestSlowFileDoesNotStopIngestion pins issue 13: a file of many short
// lines (paragraph assembly grew with the square of its lines) made every
// ingest run hit the job timeout, and the good bulletin after it was never
// read. With a per-file limit, the run fails that file alone, names it,
// and stores the next one.
func TestSlowFileDoesNotStopIngestion(t *testing.T) {
	// 30,000 lines took the quadratic parser about 4 s here, twice the
	// job timeout below; a linear one fails the file at once as having no
	// figures. Either way the sample after it must be stored.
	slow := "太原市开发区\n\n" + strings.Repeat("工业投资\n", 30000)
	inbox := inboxWith(t, map[string][]byte{"1-short-lines.txt": []byte(slow), "2-sample.txt": readFile(t, samplePath)})
	for name, open := range storeOpeners(t) {
		t.Run(name, func(t *testing.T) {
			logs := &logBuffer{}
			e, err := New(Config{
				Open:        open,
				InboxDir:    inbox,
				Logger:      slog.New(slog.NewTextHandler(logs, nil)),
				JobTimeout:  2 * time.Second,
				FileTimeout: 100 * time.Millisecond,
			})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Close() })
			err = e.execute(context.Background(), JobIngest, func(ctx context.Context) error {
				_, err := e.ingest(ctx)
				return err
			})
			if err != nil {
				t.Errorf("ingest run failed: %v", err)
			}
			if got := testutil.ToFloat64(e.self.reports.WithLabelValues("ingested")); got != 1 {
				t.Errorf("%v bulletins ingested, want 1 (the sample after the slow file)", got)
			}
			if got := testutil.ToFloat64(e.self.reports.WithLabelValues("failed")); got != 1 {
				t.Errorf("%v bulletins failed, want 1", got)
			}
			if l := logs.lines("bulletin failed", "1-short-lines.txt"); len(l) != 1 {
				t.Errorf("want one log line naming the failed file, got %q", l)
			}
		})
	}
}
