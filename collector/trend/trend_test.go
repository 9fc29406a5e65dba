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

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

var update = flag.Bool("update", false, "update golden files")

// stores returns the stores the tests run on: SQLite always, PostgreSQL
// when its test URL is set; each holds our four Datong bulletins (2023年1-3, 1-6, 1-9 and 1-10月).
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
		if err != nil || len(res) != 4 {
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
				{"csv for Excel", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&format=excel", 200, "大同市,大同经开区,规模以上工业增加值,完成值,2023年1-10月,106.3,亿元,,,10.55,,,datong-2023-10.txt,"},
				{"no indicator, city or zone", "/api/v1/series?measure=value", 400, "indicator is required"},
				{"a city's every indicator", "/api/v1/series?city=大同市&format=csv", 200, "大同市,大同高新区,industrial_value_added"},
				{"a zone's every indicator", "/api/v1/series?zone=大同经开区&measure=yoy_growth", 200, `"measure": "yoy_growth"`},
				{"unknown indicator names the closest", "/api/v1/series?indicator=工业投入", 400, `such as industrial_investment (工业投资), `},
				{"unknown indicator", "/api/v1/series?indicator=gdpp", 400, `unknown indicator \"gdpp\"; a key or a Chinese name, such as gdp (地区生产总值), `},
				{"indicator by its Chinese name", "/api/v1/series?zone=大同经开区&indicator=规模以上工业增加值", 200, `"indicator": "industrial_value_added"`},
				{"measure by its Chinese name", "/api/v1/series?zone=大同经开区&indicator=规模以上工业增加值&measure=占全市比重", 200, `"value": 0.1302`},
				{"every measure", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&measure=all", 200, `"measure": "city_share_change"`},
				{"unknown measure lists the choices", "/api/v1/series?indicator=gdp&measure=增速", 400, `such as growth_vs_city (高于全市增速), yoy_growth (同比增速), `},
				{"a rate's change in points", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&measure=city_share&from=2023-09", 200, `"change": 0.0011,`},
				{"the month's own amount, derived", "/api/v1/series?zone=大同经开区&indicator=industrial_value_added&from=2023-09", 200, `"derived_month_value": 1055000000`},
				{"unknown measure", "/api/v1/series?indicator=gdp&measure=x", 400, "unknown measure"},
				{"bad period", "/api/v1/series?indicator=gdp&from=2023-13", 400, "from:"},
				{"from after to", "/api/v1/series?indicator=gdp&from=2023-06&to=2023-01", 400, "after"},
				{"range too long", "/api/v1/series?indicator=gdp&from=1990-01&to=2030-01", 400, "longer than"},
				{"unknown parameter", "/api/v1/series?indicator=gdp&zome=x", 400, `unknown parameter \"zome\"`},
				{"bad format", "/api/v1/series?indicator=gdp&format=xml", 400, "format"},
				{"ranking of the latest period", "/api/v1/ranking?indicator=industrial_value_added&measure=yoy_growth", 200, `"period_is_latest": true`},
				{"ranking by Chinese names", "/api/v1/ranking?indicator=规模以上工业增加值&measure=同比增速&period=2023-06", 200, `"rank": 2,`},
				{"ranking as csv for Excel", "/api/v1/ranking?indicator=industrial_value_added&measure=yoy_growth&period=2023-06&format=excel", 200, "1,开发区,大同市,大同高新区,规模以上工业增加值,同比增速,2023年1-6月,5,%,,datong-2023-06.txt"},
				{"ranking needs an indicator", "/api/v1/ranking?measure=yoy_growth", 400, "indicator is required"},
				{"ranking takes no zone", "/api/v1/ranking?indicator=gdp&zone=x", 400, `unknown parameter \"zone\"`},
				{"ranking period", "/api/v1/ranking?indicator=gdp&period=2023", 400, "period:"},
				{"zones", "/api/v1/zones", 200, `"latest_period": "2023-10"`},
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
			for _, m := range []string{"value", "city_share", "city_share_change"} {
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
				if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Series) != 1 || len(back.Series[0].Points) != 4 {
					t.Errorf("json round trip: %v %+v", err, back)
				}
				golden(t, m+".csv", csvOut.Bytes())
				golden(t, m+".table", table.Bytes())
			}
			q.Measure = MeasureAll
			series, err := Run(context.Background(), st, q)
			if err != nil {
				t.Fatal(err)
			}
			var table bytes.Buffer
			if err := WriteTable(&table, series); err != nil {
				t.Fatal(err)
			}
			golden(t, "all.table", table.Bytes())
			var excel bytes.Buffer
			if err := WriteExcelCSV(&excel, series); err != nil {
				t.Fatal(err)
			}
			golden(t, "all-excel.csv", excel.Bytes())
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

// point is a stated figure of 大同经开区's industrial value added, for
// TestAnnotate.
func point(measure, period string, value float64, unit figure.Unit, approx bool) store.StoredFigure {
	return store.StoredFigure{Figure: figure.Figure{City: "大同市", Zones: []string{"大同经开区"},
		Indicator: figure.IndustrialValueAdded, Measure: measure, Value: value, Unit: unit, Approx: approx,
		Period: figure.MustPeriod(period)}}
}

// TestAnnotate pins what a change means per kind of measure: the month's
// own amount only between consecutive months of one year, a rate's change
// in points within a year, nothing across years or next to an approximate
// figure. Issue 16 found +15% printed between 1-6月 and 1-7月 amounts.
func TestAnnotate(t *testing.T) {
	yuan, ratio := figure.UnitYuan, figure.UnitRatio
	type want struct {
		change, month *float64
		from          string
	}
	f := func(v float64) *float64 { return &v }
	tests := []struct {
		name string
		figs []store.StoredFigure
		want []want // per point after the first
	}{
		{"consecutive months of a year-to-date amount give the month's own",
			[]store.StoredFigure{point("value", "2023-06", 6120000000, yuan, false), point("value", "2023-07", 7185000000, yuan, false)},
			[]want{{month: f(1065000000)}}},
		{"decimals of the stated amounts, not float noise",
			[]store.StoredFigure{point("value", "2023-09", 9575000000, yuan, false), point("value", "2023-10", 10630000000.5, yuan, false)},
			[]want{{month: f(1055000000.5)}}},
		{"a gap gives no month",
			[]store.StoredFigure{point("value", "2023-03", 2860000000, yuan, false), point("value", "2023-06", 6120000000, yuan, false)},
			[]want{{}}},
		{"no month across years (1-12月 to 1月 restarts)",
			[]store.StoredFigure{point("value", "2022-12", 9000000000, yuan, false), point("value", "2023-01", 900000000, yuan, false)},
			[]want{{}}},
		{"no month from an approximate amount",
			[]store.StoredFigure{point("value", "2023-06", 2000000000, yuan, true), point("value", "2023-07", 2300000000, yuan, false)},
			[]want{{}}},
		{"no month between units",
			[]store.StoredFigure{point("value", "2023-06", 2000000000, yuan, false), point("value", "2023-07", 23, figure.UnitCount, false)},
			[]want{{}}},
		{"a share's change in points, from the month before",
			[]store.StoredFigure{point("city_share", "2023-06", 0.1302, ratio, false), point("city_share", "2023-07", 0.133, ratio, false)},
			[]want{{change: f(0.0028), from: "2023-06"}}},
		{"a growth's change across a gap of one year names its base",
			[]store.StoredFigure{point("yoy_growth", "2023-03", -0.023, ratio, false), point("yoy_growth", "2023-06", 0.031, ratio, false)},
			[]want{{change: f(0.054), from: "2023-03"}}},
		{"no change of a rate across years",
			[]store.StoredFigure{point("yoy_growth", "2022-12", 0.05, ratio, false), point("yoy_growth", "2023-02", 0.031, ratio, false)},
			[]want{{}}},
		{"a difference of rates has no change",
			[]store.StoredFigure{point("growth_vs_city", "2023-06", 0.098, ratio, false), point("growth_vs_city", "2023-07", 0.05, ratio, false)},
			[]want{{}}},
		{"counts have no change",
			[]store.StoredFigure{point("count", "2023-06", 12, figure.UnitCount, false), point("count", "2023-07", 15, figure.UnitCount, false)},
			[]want{{}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			series := Group(tt.figs)
			if len(series) != 1 || len(series[0].Points) != len(tt.want)+1 {
				t.Fatalf("got %+v", series)
			}
			pts := series[0].Points
			if pts[0].Change != nil || pts[0].MonthValue != nil {
				t.Errorf("first point has a change: %+v", pts[0])
			}
			for i, w := range tt.want {
				p := pts[i+1]
				if !equalOpt(p.Change, w.change) || !equalOpt(p.MonthValue, w.month) {
					t.Errorf("point %s: change %v month %v, want %v %v", p.Period, deref(p.Change), deref(p.MonthValue), deref(w.change), deref(w.month))
				}
				if from := optionalPeriod(p.ChangeFrom); from != w.from {
					t.Errorf("point %s: change from %q, want %q", p.Period, from, w.from)
				}
			}
		})
	}
}

func equalOpt(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

func TestShift(t *testing.T) {
	tests := []struct {
		v    float64
		exp  int
		want string
	}{
		{9246000000, -8, "92.46"},
		{0.1485, 2, "14.85"},
		{-0.1485, 2, "-14.85"},
		{0.0072, 2, "0.72"},
		{5, -8, "0.00000005"},
		{0, 2, "0"},
		{1.5, 3, "1500"},
		{-0.0001, 2, "-0.01"},
	}
	for _, tt := range tests {
		if got := shift(tt.v, tt.exp); got != tt.want {
			t.Errorf("shift(%v, %d) = %q, want %q", tt.v, tt.exp, got, tt.want)
		}
	}
}
