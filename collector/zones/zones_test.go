package zones

import (
	"slices"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
)

func TestDefaultRegistryIsValid(t *testing.T) {
	r, err := Parse(DefaultFile, defaultYAML)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Zones) < 8 {
		t.Errorf("default registry has %d zones, want the 8 of the examples", len(r.Zones))
	}
	if got := r.LabelNames(); !slices.Equal(got, []string{"receiver"}) {
		t.Errorf("label names %q, want [receiver]", got)
	}
}

func mustLoad(t *testing.T, path string) *Registry {
	t.Helper()
	r, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustParse(t *testing.T, yaml string) *Registry {
	t.Helper()
	r, err := Parse("test.yml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestResolve(t *testing.T) {
	def := mustLoad(t, "")
	two := mustLoad(t, "testdata/two-xishan.yml")
	for _, tc := range []struct {
		name          string
		reg           *Registry
		city, written string
		declared      map[string]string
		want          string
		rule          string
		resolved      bool
		candidates    []string
	}{
		{"the sample's 阳曲示范区 is 阳曲现代农业产业示范区 by place + kind", def, "太原市", "阳曲示范区", nil, "阳曲现代农业产业示范区", RuleShortForm, true, nil},
		{"the sample's 西山示范区 is 西山生态文化旅游示范区 by place + kind", def, "太原市", "西山示范区", nil, "西山生态文化旅游示范区", RuleShortForm, true, nil},
		{"临港经开区 is the one zone whose name has 临港 before 经济技术开发区", mustParse(t, "zones:\n  - {name: 宜宾临港经济技术开发区, city: 宜宾市}\n  - {name: 宜宾高新技术产业开发区, city: 宜宾市}\n"),
			"宜宾市", "临港经开区", nil, "宜宾临港经济技术开发区", RuleShortForm, true, nil},
		{"a canonical name is itself", def, "太原市", "中北高新区", nil, "中北高新区", RuleCanonical, true, nil},
		{"an official long name is an alias", def, "太原市", "中北高新技术产业开发区", nil, "中北高新区", RuleAlias, true, nil},
		{"经开区 stands for 经济技术开发区", def, "大同市", "大同经济技术开发区", nil, "大同经开区", RuleAlias, true, nil},
		{"an alias is of its city only", def, "晋中市", "中北高新区", nil, "中北高新区", RuleUnresolved, false, []string{"太原市中北高新区"}},
		{"an aggregate is kept", def, "太原市", "全市开发区", nil, "全市开发区", RuleAggregate, true, nil},
		{"西山示范区 fitting two zones stays as written", two, "太原市", "西山示范区", nil, "西山示范区", RuleUnresolved, false,
			[]string{"西山生态文化旅游示范区", "西山煤电循环经济示范区"}},
		{"a declared short form resolves even where place + kind would not", two, "太原市", "西山示范区",
			map[string]string{"西山示范区": "西山煤电循环经济示范区"}, "西山煤电循环经济示范区", RuleDeclared, true, nil},
		{"a declared short form of an unregistered zone is that zone, unresolved", def, "黔南州", "福泉开发区",
			map[string]string{"福泉开发区": "福泉经济开发区"}, "福泉经济开发区", RuleDeclared, false, nil},
		{"an unknown name is never merged", def, "太原市", "阳曲高新区", nil, "阳曲高新区", RuleUnresolved, false,
			[]string{"阳曲现代农业产业示范区"}},
		{"a place of one character is no short form", def, "太原市", "阳示范区", nil, "阳示范区", RuleUnresolved, false, []string{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.reg.Resolve(tc.city, tc.written, tc.declared)
			if got.Name != tc.want || got.Rule != tc.rule || got.Resolved != tc.resolved {
				t.Errorf("Resolve(%s, %s) = %s by %s (resolved %v), want %s by %s (resolved %v)",
					tc.city, tc.written, got.Name, got.Rule, got.Resolved, tc.want, tc.rule, tc.resolved)
			}
			if tc.candidates != nil && !slices.Equal(got.Candidates, tc.candidates) {
				t.Errorf("candidates %q, want %q", got.Candidates, tc.candidates)
			}
		})
	}
}

func TestDeclared(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		known      []string
		want       map[string]string
	}{
		{"以下简称 in full-width brackets and quotes", "福泉经济开发区（以下简称“福泉开发区”）规上工业", []string{"福泉经济开发区"}, map[string]string{"福泉开发区": "福泉经济开发区"}},
		{"简称 in half-width brackets", "宜宜宾临港经济技术开发区(简称临港经开区)", []string{"宜宾临港经济技术开发区", "临港经济技术开发区"}, map[string]string{"临港经开区": "宜宾临港经济技术开发区"}},
		{"after no known name: ignored", "该区(以下简称“示范区”)", []string{"福泉经济开发区"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Declared(tc.text, tc.known)
			if len(got) != len(tc.want) {
				t.Fatalf("Declared = %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got[k] != v {
					t.Errorf("Declared[%s] = %q, want %q", k, got[k], v)
				}
			}
		})
	}
}

func TestApply(t *testing.T) {
	def := mustLoad(t, "")
	p := figure.MustPeriod("2023-06")
	figs := []figure.Figure{
		{City: "太原市", Zones: []string{"清徐经济开发区", "中北高新区"}, Indicator: "industrial_investment", Measure: "value", Value: 1, Period: p, Text: "清徐经济开发区、中北高新区工业投资合计1亿元"},
		{City: "太原市", Zones: []string{"阳曲示范区"}, Indicator: "fixed_asset_investment", Measure: "value", Value: 2, Period: p, Text: "阳曲示范区固定资产投资2亿元"},
		{City: "黔南州", Zones: []string{"福泉开发区"}, Indicator: "fixed_asset_investment", Measure: "value", Value: 3, Period: p, Text: "福泉开发区固定资产投资3亿元"},
		{City: "太原市", Zones: []string{"全市开发区"}, Indicator: "fixed_asset_investment", Measure: "value", Value: 4, Period: p},
	}
	text := "福泉经济开发区(以下简称“福泉开发区”)是省级开发区。"
	got := def.Apply(figs, text)
	for i, want := range [][]string{{"中北高新区", "清徐开发区"}, {"阳曲现代农业产业示范区"}, {"福泉经济开发区"}, {"全市开发区"}} {
		if !slices.Equal(got.Figures[i].Zones, want) {
			t.Errorf("figure %d: zones %q, want %q", i, got.Figures[i].Zones, want)
		}
		if !slices.Equal(got.Figures[i].Written, figs[i].Zones) && got.Figures[i].Written != nil {
			t.Errorf("figure %d: written %q, want %q", i, got.Figures[i].Written, figs[i].Zones)
		}
	}
	if got.Figures[3].Written != nil {
		t.Errorf("a figure whose zones are as written has Written %q, want nil", got.Figures[3].Written)
	}
	if figs[1].Zones[0] != "阳曲示范区" {
		t.Errorf("Apply changed its input: %q", figs[1].Zones)
	}
	if len(got.Findings) != 1 {
		t.Fatalf("findings %+v, want one (福泉经济开发区 is not registered)", got.Findings)
	}
	f := got.Findings[0]
	if f.Kind != consistency.KindUnknownZoneName || f.City != "黔南州" || f.Zone != "福泉开发区" || f.Period != "2023-06" ||
		!strings.Contains(f.Message, "新出现的开发区名称") || !strings.Contains(f.Message, "福泉经济开发区") {
		t.Errorf("finding %+v", f)
	}
}

func TestParseErrorsNameFileAndLine(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"no city", "zones:\n  - name: 甲开发区\n", "z.yml:2: zone 甲开发区 has no city"},
		{"level", "zones:\n  - name: 甲开发区\n    city: 太原市\n    level: 市级\n", `z.yml:2: zone 甲开发区: level "市级": want 国家级 or 省级`},
		{"alias of two zones", "zones:\n  - name: 甲开发区\n    city: 太原市\n  - name: 乙开发区\n    city: 太原市\n    aliases: [甲开发区]\n",
			"z.yml:4: zone 乙开发区: 甲开发区 is already a name of 甲开发区 (line 2) in 太原市"},
		{"a group is no zone", "zones:\n  - name: 甲开发区、乙开发区\n    city: 太原市\n", "z.yml:2: zone 甲开发区、乙开发区: a name with 、 is a group of zones, not one"},
		{"label name", "zones:\n  - name: 甲开发区\n    city: 太原市\n    labels: {接收人: a}\n", `z.yml:2: zone 甲开发区: label "接收人" is not a Prometheus label name`},
		{"reserved label", "zones:\n  - name: 甲开发区\n    city: 太原市\n    labels: {kind: a}\n", `z.yml:2: zone 甲开发区: label "kind" is one devzone_zone_info has already`},
		{"unknown field", "zones:\n  - name: 甲开发区\n    cty: 太原市\n", "z.yml: "},
		{"not YAML", "zones: [\n", "z.yml: yaml: line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("z.yml", []byte(tc.yaml))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Parse: %v, want one line starting %q", err, tc.want)
			}
		})
	}
}

// TestApplyLeavesOutTwoNamesOfOneZoneStatingDifferentValues: resolved, the
// two names are one key; the store would refuse the report for it.
func TestApplyLeavesOutTwoNamesOfOneZoneStatingDifferentValues(t *testing.T) {
	p := figure.MustPeriod("2023-06")
	fig := func(zone string, v float64, line int) figure.Figure {
		return figure.Figure{City: "太原市", Zones: []string{zone}, Indicator: "fixed_asset_investment", Measure: "value", Value: v, Unit: figure.UnitYuan, Period: p, Line: line}
	}
	got := Default().Apply([]figure.Figure{
		fig("阳曲现代农业产业示范区", 4.03e8, 3), fig("阳曲示范区", 5e8, 5),
		fig("西山生态文化旅游示范区", 7.59e8, 4), fig("西山示范区", 7.59e8, 6),
	}, "")
	if len(got.Figures) != 1 || got.Figures[0].Zone() != "西山生态文化旅游示范区" || got.Figures[0].Line != 4 {
		t.Errorf("figures %+v, want 西山's once and 阳曲's left out", got.Figures)
	}
	want := "太原市/阳曲现代农业产业示范区/fixed_asset_investment/value@2023-06: 阳曲现代农业产业示范区 (line 3) and 阳曲示范区 (line 5) are one zone and state 4.03e+08 and 5e+08; both left out"
	if !slices.Equal(got.Warnings, []string{want}) {
		t.Errorf("warnings %q, want %q", got.Warnings, want)
	}
}
