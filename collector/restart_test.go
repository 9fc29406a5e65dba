package collector

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
)

// TestRestartServesTheStoreBeforeIngesting pins issue 13: after a restart
// /metrics answered 200 with no figure series until the start-up ingest
// finished (six minutes behind a slow file), so that Prometheus saw every
// series vanish. The snapshot is loaded from the store first; /-/ready
// says it waits for the ingest meanwhile.
func TestRestartServesTheStoreBeforeIngesting(t *testing.T) {
	for name, open := range storeOpeners(t) {
		t.Run(name, func(t *testing.T) {
			// Before the restart: the sample is in the store.
			st, err := open(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			sample := inboxWith(t, map[string][]byte{"sample.txt": readFile(t, samplePath)})
			if _, err := (&inbox.Ingester{Store: st}).Dir(context.Background(), sample); err != nil {
				t.Fatal(err)
			}
			st.Close()

			// After it: an inbox whose first file takes its time.
			inboxDir := inboxWith(t, map[string][]byte{"slow.txt": []byte("太原市开发区\n")})
			e, _ := newExporter(t, inboxDir, open)
			release := make(chan struct{})
			e.parse = func(ctx context.Context, name string, b []byte, opt bulletin.Options) (*bulletin.Result, error) {
				select {
				case <-release:
				case <-ctx.Done():
				}
				return nil, errors.New("not a bulletin")
			}
			srv := httptest.NewServer(e.Handler())
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- e.Run(ctx, Schedule{Ingest: "@yearly", Refresh: "@yearly", Location: time.UTC}) }()
			defer func() { cancel(); <-done }()

			deadline := time.Now().Add(20 * time.Second)
			for e.Snapshot().Figures == 0 {
				if time.Now().After(deadline) {
					close(release)
					t.Fatal("no figures served 20 s after the restart while the start-up ingest runs")
				}
				time.Sleep(10 * time.Millisecond)
			}
			if body := httpGet(t, srv.URL+"/metrics", http.StatusOK); !strings.Contains(body, growthLine) {
				t.Errorf("/metrics during the start-up ingest lacks %s", growthLine)
			}
			if body := httpGet(t, srv.URL+"/-/ready", http.StatusServiceUnavailable); !strings.Contains(body, "start-up ingest") {
				t.Errorf("/-/ready does not say what it waits for: %q", body)
			}
			close(release)
			for !e.Ready() {
				if time.Now().After(deadline) {
					t.Fatal("not ready after the start-up ingest")
				}
				time.Sleep(10 * time.Millisecond)
			}
			httpGet(t, srv.URL+"/-/ready", http.StatusOK)
		})
	}
}

// TestReadySaysWhatItWaitsFor checks the reason /-/ready gives while the
// store cannot be reached.
func TestReadySaysWhatItWaitsFor(t *testing.T) {
	e, _ := newExporter(t, "", func(context.Context) (*store.Store, error) { return nil, errors.New("open store: connection refused") })
	srv := httptest.NewServer(e.Handler())
	defer srv.Close()
	if body := httpGet(t, srv.URL+"/-/ready", http.StatusServiceUnavailable); !strings.Contains(body, "loading the first snapshot") {
		t.Errorf("before any run: %q", body)
	}
	e.execute(context.Background(), JobRefresh, e.refresh)
	if body := httpGet(t, srv.URL+"/-/ready", http.StatusServiceUnavailable); !strings.Contains(body, "waiting for the store to answer") || !strings.Contains(body, "connection refused") {
		t.Errorf("store down: %q", body)
	}
}

func httpGet(t *testing.T, url string, want int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Errorf("GET %s = %d, want %d: %s", url, resp.StatusCode, want, b)
	}
	return string(b)
}
