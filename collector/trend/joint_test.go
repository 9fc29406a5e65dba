package trend

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// TestAZonesSeriesIncludeItsJointFigures: 中北高新区's industrial
// investment is stated only jointly with 清徐开发区; /api/v1/series for
// either member returns it, marked joint, and a zone whose name merely
// ends in a member's is no member.
func TestAZonesSeriesIncludeItsJointFigures(t *testing.T) {
	targets := map[string][2]string{"sqlite": {"", t.TempDir()}}
	if os.Getenv(pgtest.EnvURL) != "" {
		targets["postgres"] = [2]string{pgtest.Fresh(t), ""}
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/a.txt", []byte("太原市开发区\n\n2023年1-6月,中北高新区和清徐开发区工业投资合计完成21.05亿元。新清徐开发区工业投资完成1亿元。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for dialect, tg := range targets {
		t.Run(dialect, func(t *testing.T) {
			st, err := store.Open(context.Background(), tg[0], tg[1])
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if _, err := (&inbox.Ingester{Store: st, Zones: zones.Default()}).Dir(context.Background(), dir); err != nil {
				t.Fatal(err)
			}
			mux := http.NewServeMux()
			(&API{Store: func() *store.Store { return st }, Logger: slog.New(slog.DiscardHandler)}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			for _, tc := range []struct {
				zone  string
				want  string
				joint bool
			}{
				{"中北高新区", "中北高新区、清徐开发区", true},
				{"清徐开发区", "中北高新区、清徐开发区", true},
				{"新清徐开发区", "新清徐开发区", false},
			} {
				resp, err := http.Get(srv.URL + "/api/v1/series?" + url.Values{"city": {"太原市"}, "zone": {tc.zone}, "indicator": {"industrial_investment"}}.Encode())
				if err != nil {
					t.Fatal(err)
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				var got struct{ Series []Series }
				if err := json.Unmarshal(body, &got); err != nil {
					t.Fatalf("%s: %v", body, err)
				}
				if len(got.Series) != 1 || got.Series[0].Zone != tc.want || got.Series[0].Joint != tc.joint {
					t.Errorf("zone=%s: %s, want one series of %s (joint %v)", tc.zone, body, tc.want, tc.joint)
				}
			}
		})
	}
}
