package trend

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// get serves one request and returns its status and body.
func get(t *testing.T, h http.Handler, target string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec.Code, rec.Body.String()
}

func apiOver(st func() *store.Store, logs io.Writer) http.Handler {
	mux := http.NewServeMux()
	(&API{Store: st, Logger: slog.New(slog.NewTextHandler(logs, nil))}).Register(mux)
	return mux
}

// storeEndpoints are the endpoints that ask the store.
var storeEndpoints = []string{
	"/api/v1/series?indicator=industrial_value_added&zone=大同经开区",
	"/api/v1/zones",
	"/api/v1/findings",
	"/api/v1/reports",
}

// TestStoreCannotAnswer pins issue 13: while PostgreSQL was down the API
// answered 500 "internal error" and logged an ERROR line per request. It
// answers 503 with a one-line reason, on both stores, and logs no error.
func TestStoreCannotAnswer(t *testing.T) {
	type target struct {
		st  *store.Store
		cut func()
	}
	targets := map[string]target{}
	{
		st, err := store.Open(context.Background(), "", t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		// A closed SQLite store: the exporter closing, or the file gone.
		targets["sqlite"] = target{st, func() { st.Close() }}
	}
	if os.Getenv(pgtest.EnvURL) != "" {
		proxy, dsn := pgtest.ThroughProxy(t, pgtest.Fresh(t))
		st, err := store.Open(context.Background(), dsn+"&connect_timeout=2", "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		// The database host gone: connections cut, new ones refused.
		targets["postgres"] = target{st, proxy.Cut}
	}
	for name, tg := range targets {
		t.Run(name, func(t *testing.T) {
			if _, err := (&inbox.Ingester{Store: tg.st}).Dir(context.Background(), "testdata"); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			h := apiOver(func() *store.Store { return tg.st }, &logs)
			for _, path := range storeEndpoints {
				if code, body := get(t, h, path); code != 200 {
					t.Fatalf("%s before the outage: %d %s", path, code, body)
				}
			}
			tg.cut()
			for _, path := range storeEndpoints {
				code, body := get(t, h, path)
				if code != http.StatusServiceUnavailable || !strings.Contains(body, "store unreachable") {
					t.Errorf("%s: %d %s, want 503 store unreachable", path, code, body)
				}
				if strings.Count(strings.TrimSpace(body), "\n") > 0 {
					t.Errorf("%s: reason not one line: %s", path, body)
				}
			}
			if strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("error lines logged for an outage:\n%s", logs.String())
			}
		})
	}
}

// TestParamsNotText pins issue 13: a NUL byte or invalid UTF-8 in zone
// gave 500 on PostgreSQL (200 on SQLite); an unknown 1 MB parameter name
// was echoed back in full. Both stores answer 400, and no error repeats
// more than a few dozen bytes of what it was sent.
func TestParamsNotText(t *testing.T) {
	huge := strings.Repeat("区", 350000) // about 1 MB
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			h := apiOver(func() *store.Store { return st }, io.Discard)
			tests := []struct{ name, target, want string }{
				{"NUL in zone", "/api/v1/series?indicator=gdp&zone=%E5%A4%A7%00", "not UTF-8 text or holds a NUL byte"},
				{"invalid UTF-8 in zone", "/api/v1/series?indicator=gdp&zone=%FF%FE", "not UTF-8 text or holds a NUL byte"},
				{"invalid UTF-8 in city", "/api/v1/series?indicator=gdp&city=%C3", "not UTF-8 text"},
				{"NUL in a name", "/api/v1/zones?%00=1", "parameter name"},
				{"invalid UTF-8 on findings", "/api/v1/findings?x=%FF", "not UTF-8"},
				{"unknown 1 MB parameter name", "/api/v1/series?indicator=gdp&" + huge + "=1", "unknown parameter"},
				{"unknown 1 MB indicator", "/api/v1/series?indicator=" + huge, "unknown indicator"},
				{"1 MB period", "/api/v1/series?indicator=gdp&from=2023-06" + huge, "from:"},
				{"1 MB format", "/api/v1/series?indicator=gdp&format=" + huge, "format"},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					code, body := get(t, h, tt.target)
					if code != http.StatusBadRequest || !strings.Contains(body, tt.want) {
						t.Errorf("%d %.300s, want 400 saying %q", code, body, tt.want)
					}
					if len(body) > 512 {
						t.Errorf("error body is %d bytes; it echoes the request", len(body))
					}
				})
			}
		})
	}
}

// TestRequestsInFlightAreCapped holds the only allowed request in the
// store: the next is refused at once with 503 and Retry-After rather than
// queued behind it, and served again once the first is done.
func TestRequestsInFlightAreCapped(t *testing.T) {
	st := stores(t)["sqlite"]
	entered, release := make(chan struct{}), make(chan struct{})
	first := true
	mux := http.NewServeMux()
	(&API{Logger: slog.New(slog.DiscardHandler), MaxInFlight: 1, Store: func() *store.Store {
		if first {
			first = false
			close(entered)
			<-release
		}
		return st
	}}).Register(mux)
	done := make(chan int)
	go func() {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/zones", nil))
		done <- rec.Code
	}()
	<-entered
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/zones", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "too many") {
		t.Errorf("second request: %d %q %s, want 503 with Retry-After", rec.Code, rec.Header().Get("Retry-After"), rec.Body.String())
	}
	close(release)
	if code := <-done; code != 200 {
		t.Errorf("first request: %d", code)
	}
	if code, body := get(t, mux, "/api/v1/zones"); code != 200 {
		t.Errorf("after the first: %d %s", code, body)
	}
}
