package alerts

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// promQuery runs an instant query on Prometheus at addr and returns each
// series' labels in Prometheus's order, formatted as name=value pairs.
func promQuery(t *testing.T, addr, q string) []string {
	t.Helper()
	code, body, err := testexporter.Get("http://"+addr+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("query %s: %d %v %s", q, code, err, body)
	}
	var resp struct {
		Data struct {
			Result []struct {
				Metric map[string]string `json:"metric"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatalf("query %s: %v", q, err)
	}
	var out []string
	for _, r := range resp.Data.Result {
		out = append(out, fmt.Sprintf("%s %s %s %s", r.Metric["zone"], r.Metric["member"], r.Metric["indicator"], r.Metric["level"]))
	}
	slices.Sort(out)
	return out
}

// TestAJointFigureIsSelectablePerMemberInPrometheus runs the queries
// README.md's "Zone registry" gives on the real Prometheus scraping the
// exporter on the sample: 中北高新区's industrial investment is stated only
// jointly with 清徐开发区, and a member's join selects it.
func TestAJointFigureIsSelectablePerMemberInPrometheus(t *testing.T) {
	prometheus := needBinary(t, "prometheus", "prometheus")
	exp := testexporter.Start(t, testexporter.Options{InboxDir: sampleInbox(t)})
	exp.WaitForMetrics(t, "the sample's joint figure", func(m string) bool {
		return strings.Contains(m, `devzone_zone_group_info{city="太原市",member="清徐开发区",zone="中北高新区、清徐开发区"} 1`)
	})
	dir, promAddr := t.TempDir(), testexporter.FreeAddr(t)
	writeFile(t, filepath.Join(dir, "prometheus.yml"), fmt.Appendf(nil, `global:
  scrape_interval: 1s
scrape_configs:
  - job_name: devzone
    static_configs:
      - targets: [%q]
`, strings.TrimPrefix(exp.URL, "http://")))
	startProcess(t, prometheus,
		"--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "prometheus"),
		"--web.listen-address="+promAddr,
	).waitReady(t, "http://"+promAddr+"/-/ready")

	member := `devzone_amount_yuan * on(city, zone) group_left(member) devzone_zone_group_info{member="中北高新区"}`
	waitFor(t, "the first scrape", func() bool { return len(promQuery(t, promAddr, member)) > 0 }, func() string { return "" })
	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"every amount 中北高新区 is part of, its joint ones marked by their zone", member, []string{
			"中北高新区、清徐开发区 中北高新区 fixed_asset_investment ",
			"中北高新区、清徐开发区 中北高新区 industrial_investment ",
			"中北高新区、清徐开发区 中北高新区 industrial_value_added ",
		}},
		{"a zone's own series and its joint ones have a member each", `count by (zone, member) (devzone_zone_group_info{city="太原市"})`, []string{
			"中北高新区 中北高新区  ",
			"中北高新区、清徐开发区 中北高新区  ",
			"中北高新区、清徐开发区 清徐开发区  ",
			"清徐开发区 清徐开发区  ",
			"西山生态文化旅游示范区 西山生态文化旅游示范区  ",
			"阳曲现代农业产业示范区 阳曲现代农业产业示范区  ",
		}},
		{"only the joint ones", `devzone_amount_yuan * on(city, zone) group_left(member) devzone_zone_group_info{member="中北高新区", zone=~".+、.+"}`, []string{
			"中北高新区、清徐开发区 中北高新区 fixed_asset_investment ",
			"中北高新区、清徐开发区 中北高新区 industrial_investment ",
			"中北高新区、清徐开发区 中北高新区 industrial_value_added ",
		}},
		{"national-level zones' growth", `devzone_yoy_growth_ratio * on(city, zone) group_left(level) devzone_zone_info{level="国家级"}`, []string{
			"晋中国家农高区  fixed_asset_investment 国家级",
		}},
		{"national-level zones from the registry", `devzone_zone_info{level="国家级"}`, []string{
			"大同经开区   国家级",
			"晋中国家农高区   国家级",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := promQuery(t, promAddr, tc.query); !slices.Equal(got, tc.want) {
				t.Errorf("%s:\n got %q\nwant %q", tc.query, got, tc.want)
			}
		})
	}
}
