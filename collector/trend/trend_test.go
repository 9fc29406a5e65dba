package trend

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

var update = flag.Bool("update", false, "update golden files")

// stores returns the stores the tests run on: SQLite always, PostgreSQL
// when its test URL is set; each holds our three Datong bulletins.
func stores(t *testing.T) map[string]*store.Store {
	t.Helper()
	targets := map[string][2]string{"sqlite": {"", t.TempDir()}}
	if os.Getenv(pgtest.EnvURL) != "" {
		targets["postgres"] = [2]string{pgtest.Fresh(t), ""}
	}
	out := map[string]*store.Store{}
	for name, tg := range targets {
		st, err := store.Open(context.Background(), tg[0], tg[1])
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		res, err := (&inbox.Ingester{Store: st}).Dir(context.Background(), "testdata")
		if err != nil || len(res) != 3 {
			t.Fatalf("ingest testdata: %v (%d files)", err, len(res))
		}
		out[name] = st
	}
	return out
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestAPI(t *testing.T) {
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			mux := http.NewServeMux()
			(&API{Store: func() *store.Store { return st }, Logger: slog.New(slog.DiscardHandler)}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()

			tests := []struct {
				name, path string
				code       int
				contains   string
			}{
				{"a zone's series", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&measure=city_share", 200, `"value": 0.1302`},
				{"default measure is the value", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added", 200, `"value": 9575000000`},
				{"from and to", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&from=2023-06&to=2023-06", 200, `"period": "2023-06"`},
				{"approx and source sentence", "/api/v1/series?zone=大同高新区&indicator=industrial_value_added", 200, `"approx": true`},
				{"unknown zone is empty, not an error", "/api/v1/series?zone=不存在区&indicator=industrial_value_added", 200, `"series": []`},
				{"csv", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&format=csv", 200, "\uFEFFcity,zone,indicator"},
				{"no indicator, city or zone", "/api/v1/series?measure=value", 400, "indicator is required"},
				{"a city's every indicator", "/api/v1/series?city=大同市&format=csv", 200, "大同市,大同高新区,industrial_value_added"},
				{"a zone's every indicator", "/api/v1/series?zone=大同经开区&measure=yoy_growth", 200, `"measure": "yoy_growth"`},
				{"unknown indicator", "/api/v1/series?indicator=gdpp", 400, `unknown indicator \"gdpp\"`},
				{"unknown measure", "/api/v1/series?indicator=gdp&measure=x", 400, "unknown measure"},
				{"bad period", "/api/v1/series?indicator=gdp&from=2023-13", 400, "from:"},
				{"from after to", "/api/v1/series?indicator=gdp&from=2023-06&to=2023-01", 400, "after"},
				{"range too long", "/api/v1/series?indicator=gdp&from=1990-01&to=2030-01", 400, "longer than"},
				{"unknown parameter", "/api/v1/series?indicator=gdp&zome=x", 400, `unknown parameter \"zome\"`},
				{"bad format", "/api/v1/series?indicator=gdp&format=xml", 400, "format"},
				{"zones", "/api/v1/zones", 200, `"latest_period": "2023-09"`},
				{"indicators", "/api/v1/indicators", 200, `"name": "工业投资"`},
				{"findings", "/api/v1/findings", 200, `"findings": [`},
				{"findings take no other parameters", "/api/v1/findings?x=1", 400, "takes limit and cursor"},
				{"derived measure", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&measure=implied_city_total&to=2023-03", 200, `"derived": true`},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					u, _ := url.Parse(srv.URL + tt.path)
					u.RawQuery = u.Query().Encode()
					resp, err := http.Get(u.String())
					if err != nil {
						t.Fatal(err)
					}
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != tt.code {
						t.Errorf("status %d, want %d: %s", resp.StatusCode, tt.code, body)
					}
					if !strings.Contains(string(body), tt.contains) {
						t.Errorf("body does not contain %q:\n%s", tt.contains, body)
					}
					if tt.code == 400 && bytes.Count(bytes.TrimSpace(body), []byte("\n")) > 0 {
						t.Errorf("error is not one line: %s", body)
					}
				})
			}
		})
	}
}

// TestStoreDown answers 503 while there is no store.
func TestStoreDown(t *testing.T) {
	mux := http.NewServeMux()
	(&API{Store: func() *store.Store { return nil }, Logger: slog.New(slog.DiscardHandler)}).Register(mux)
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/series?indicator=gdp", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("status %d", rec.Code)
	}
}

func TestFormats(t *testing.T) {
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			q := Query{Zone: "大同经开区", Indicator: "industrial_value_added"}
			for _, m := range []string{"value", "city_share"} {
				q.Measure = m
				series, err := Run(context.Background(), st, q)
				if err != nil {
					t.Fatal(err)
				}
				var csvOut, table, js bytes.Buffer
				if err := WriteCSV(&csvOut, series); err != nil {
					t.Fatal(err)
				}
				if err := WriteTable(&table, series); err != nil {
					t.Fatal(err)
				}
				if err := WriteJSON(&js, series); err != nil {
					t.Fatal(err)
				}
				var back struct{ Series []Series }
				if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Series) != 1 || len(back.Series[0].Points) != 3 {
					t.Errorf("json round trip: %v %+v", err, back)
				}
				golden(t, m+".csv", csvOut.Bytes())
				golden(t, m+".table", table.Bytes())
			}
		})
	}
}

func TestSparkline(t *testing.T) {
	tests := []struct {
		in   []float64
		want string
	}{
		{nil, ""},
		{[]float64{1}, "▅"},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8}, "▁▂▃▄▅▆▇█"},
		{[]float64{-1, 1, -1}, "▁█▁"},
	}
	for _, tt := range tests {
		if got := Sparkline(tt.in); got != tt.want {
			t.Errorf("Sparkline(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
