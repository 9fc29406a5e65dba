package collector

import (
	"context"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/zones"
)

func TestMembersOf(t *testing.T) {
	p := figure.MustPeriod("2023-06")
	figs := []figure.Figure{
		{City: "太原市", Zones: []string{"中北高新区", "清徐开发区"}, Indicator: "a", Measure: "value", Period: p},
		{City: "太原市", Zones: []string{"中北高新区", "清徐开发区"}, Indicator: "b", Measure: "value", Period: p},
		{City: "太原市", Zones: []string{"中北高新区"}, Indicator: "a", Measure: "value", Period: p},
		{City: "太原市", Zones: []string{"全市开发区"}, Indicator: "a", Measure: "value", Period: p},
	}
	want := []zoneMember{
		{"太原市", "中北高新区", "中北高新区"},
		{"太原市", "中北高新区、清徐开发区", "中北高新区"},
		{"太原市", "中北高新区、清徐开发区", "清徐开发区"},
	}
	if got := membersOf(figs); !slices.Equal(got, want) {
		t.Errorf("membersOf = %q, want %q", got, want)
	}
}

// seriesOf returns the lines of a family in an exposition.
func seriesOf(text, family string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, family+"{") {
			out = append(out, l)
		}
	}
	return out
}

// TestAnAliasAddedMergesTwoSeriesAfterARefresh: the exporter restarted
// with a registry that knows 中北高新技术产业开发区 is 中北高新区 serves one
// series where it served two, after its first ingest and refresh.
func TestAnAliasAddedMergesTwoSeriesAfterARefresh(t *testing.T) {
	ctx := context.Background()
	dir := inboxWith(t, map[string][]byte{
		"a.txt": []byte("太原市开发区\n\n2023年1-6月,中北高新区工业投资完成21.05亿元。\n"),
		"b.txt": []byte("太原市开发区\n\n2023年1-7月,中北高新技术产业开发区工业投资完成25亿元。\n"),
	})
	open := sqliteOpener(t)
	run := func(registry string) string {
		reg, err := zones.Load(registry)
		if err != nil {
			t.Fatal(err)
		}
		e, err := New(Config{Open: open, InboxDir: dir, Zones: reg, Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		defer e.Close()
		if err := e.refresh(ctx); err != nil { // as Run does first
			t.Fatal(err)
		}
		if _, err := e.ingest(ctx); err != nil {
			t.Fatal(err)
		}
		if err := e.refresh(ctx); err != nil {
			t.Fatal(err)
		}
		return scrapeText(t, e)
	}
	before := seriesOf(run("inbox/testdata/zones-before.yml"), "devzone_amount_yuan")
	if len(before) != 2 {
		t.Fatalf("before the alias: %q, want two series", before)
	}
	text := run("inbox/testdata/zones-after.yml")
	after := seriesOf(text, "devzone_amount_yuan")
	want := []string{`devzone_amount_yuan{city="太原市",indicator="industrial_investment",zone="中北高新区"} 2.5e+09`}
	if !slices.Equal(after, want) {
		t.Errorf("after the alias: %q, want %q", after, want)
	}
	if got := seriesOf(text, "devzone_zone_group_info"); !slices.Equal(got, []string{`devzone_zone_group_info{city="太原市",member="中北高新区",zone="中北高新区"} 1`}) {
		t.Errorf("group info %q", got)
	}
}

func TestZoneInfoCarriesTheRegistryAndItsRoutingLabels(t *testing.T) {
	e, err := New(Config{Open: sqliteOpener(t), Zones: zones.Default()})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	info := seriesOf(scrapeText(t, e), "devzone_zone_info")
	if len(info) != len(zones.Default().Zones) {
		t.Errorf("%d devzone_zone_info series, want one per registered zone:\n%s", len(info), strings.Join(info, "\n"))
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`^devzone_zone_info\{city="太原市",county="尖草坪区",kind="高新区",level="省级",receiver="zhongbei",zone="中北高新区"\} 1$`),
		regexp.MustCompile(`^devzone_zone_info\{city="晋中市",county="太谷区",kind="农高区",level="国家级",receiver="",zone="晋中国家农高区"\} 1$`),
	} {
		if !slices.ContainsFunc(info, want.MatchString) {
			t.Errorf("no series matching %s in:\n%s", want, strings.Join(info, "\n"))
		}
	}
}

// TestAnUnknownZoneNameIsAFindingOnTheLandingPage: ingested through the
// exporter with the default registry, a name no zone fits is stored as
// written and counted on the landing page as 新出现的开发区名称.
func TestAnUnknownZoneNameIsAFindingOnTheLandingPage(t *testing.T) {
	ctx := context.Background()
	dir := inboxWith(t, map[string][]byte{
		"a.txt": []byte("太原市开发区\n\n2023年1-6月,尖草坪工业园区工业投资完成2亿元。阳曲示范区固定资产投资完成4.03亿元。\n"),
	})
	e, err := New(Config{Open: sqliteOpener(t), InboxDir: dir, Zones: zones.Default(), Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if _, err := e.ingest(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if want := "<td>太原市</td><td>新出现的开发区名称</td><td class=\"num\">1</td>"; !strings.Contains(landingPage(t, e), want) {
		t.Errorf("landing page lacks %q", want)
	}
	got := seriesOf(scrapeText(t, e), "devzone_amount_yuan")
	want := []string{
		`devzone_amount_yuan{city="太原市",indicator="fixed_asset_investment",zone="阳曲现代农业产业示范区"} 4.03e+08`,
		`devzone_amount_yuan{city="太原市",indicator="industrial_investment",zone="尖草坪工业园区"} 2e+08`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("amounts %q, want %q", got, want)
	}
}
