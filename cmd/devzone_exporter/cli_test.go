package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/internal/pgtest"
)

var update = flag.Bool("update", false, "update golden files")

const bulletins = "../../collector/bulletin/testdata/bulletins/"

// run runs the command line in-process and returns its exit code and output.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = NewMain(&out, &errb).Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update creates it)", err)
	}
	if got != string(want) {
		t.Errorf("output differs from %s (go test -update rewrites it):\n%s", path, got)
	}
}

func TestParseTable(t *testing.T) {
	code, out, errs := run(t, "parse", bulletins+"yuncheng-2024-05.docx")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	golden(t, "parse-yuncheng.table", out)
}

// TestParseJSON checks that JSON lines carry exactly the SCHEMA.md fields
// plus text and the zone registry's resolved_zones.
func TestParseJSON(t *testing.T) {
	code, out, errs := run(t, "parse", "--format", "json", bulletins+"yuncheng-2024-05.docx")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 6 {
		t.Fatalf("%d lines, want 6:\n%s", len(lines), out)
	}
	want := []string{"approx", "city", "indicator", "measure", "period", "resolved_zones", "text", "unit", "value", "zones"}
	for _, l := range lines {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatal(err)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("fields %v, want %v", keys, want)
		}
	}
	if !strings.Contains(lines[4], `"value":-0.153`) || !strings.Contains(lines[4], `"zones":["空港经济开发区"]`) {
		t.Errorf("line 5: %s", lines[4])
	}
}

// TestParseJSONKeepsZonesAsWrittenAndResolvesThem: the corpus's scorer
// compares zones as written; resolved_zones has the registry's names, or
// the name as written where the registry cannot say.
func TestParseJSONKeepsZonesAsWrittenAndResolvesThem(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("太原市开发区\n\n2023年1-6月,阳曲示范区固定资产投资完成4.03亿元。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	two := filepath.Join(dir, "zones.yml")
	if err := os.WriteFile(two, []byte("zones:\n  - {name: 阳曲现代农业产业示范区, city: 太原市}\n  - {name: 阳曲文旅示范区, city: 太原市}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"the embedded registry resolves the short form", nil, `"resolved_zones":["阳曲现代农业产业示范区"]`},
		{"a short form two zones fit stays as written", []string{"--zones.file", two}, `"resolved_zones":["阳曲示范区"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, append(append([]string{"parse", "--format", "json"}, tc.args...), p)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if !strings.Contains(out, `"zones":["阳曲示范区"]`) || !strings.Contains(out, tc.want) {
				t.Errorf("want zones as written and %s in:\n%s", tc.want, out)
			}
		})
	}
}

// TestParseJSONResolvedZonesPairWithTheirRecords: where two statements
// of one figure conflict (the store keeps neither), each record still
// carries its own resolved_zones, not those of a record after it.
func TestParseJSONResolvedZonesPairWithTheirRecords(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.txt")
	text := "太原市开发区\n\n2023年1-6月,全市规上工业增加值增长7.3%。全市规上工业增加值增长6.9%。阳曲示范区固定资产投资完成4.03亿元。\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := run(t, "parse", "--format", "json", p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r struct {
			Zones    []string `json:"zones"`
			Resolved []string `json:"resolved_zones"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%v: %s", err, line)
		}
		want := r.Zones
		if slices.Equal(r.Zones, []string{"阳曲示范区"}) {
			want = []string{"阳曲现代农业产业示范区"}
		}
		if !slices.Equal(r.Resolved, want) {
			t.Errorf("zones %v resolved as %v, want %v", r.Zones, r.Resolved, want)
		}
		n++
	}
	if n != 3 {
		t.Errorf("%d records, want 3:\n%s", n, out)
	}
}

func TestCommandErrors(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"empty file", []string{"parse", bulletins + "empty.txt"}, 1, "empty.txt: empty file"},
		{"malformed number names the line", []string{"parse", bulletins + "malformed.txt"}, 1, `malformed.txt:3: malformed number "12..5亿元"`},
		{"binary", []string{"parse", bulletins + "random.bin"}, 1, "binary file"},
		{"missing file", []string{"parse", "no-such-file.txt"}, 2, "no-such-file.txt"},
		{"bad period flag", []string{"parse", "--period", "2023-13", bulletins + "datong-2023q1.txt"}, 2, "--period"},
		{"ingest, bad file", []string{"ingest", "--data.dir", "", bulletins + "no-figures.txt"}, 1, ""},
		{"unknown command", []string{"frobnicate"}, 2, "frobnicate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := tt.args
			for i, a := range args {
				if a == "--data.dir" {
					args = append(append([]string(nil), args[:i+1]...), append([]string{t.TempDir()}, args[i+2:]...)...)
				}
			}
			code, _, errs := run(t, args...)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.wantCode, errs)
			}
			if !strings.Contains(errs, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", errs, tt.wantErr)
			}
			for _, l := range strings.Split(strings.TrimSpace(errs), "\n") {
				if strings.Count(l, bulletins) > 1 {
					t.Errorf("error names the file twice: %q", l)
				}
			}
		})
	}
}

// TestIngest stores a bulletin twice: the second run changes nothing. It
// runs against the embedded SQLite store.
func TestIngest(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, "ingest", "--data.dir", dir, bulletins+"datong-2023q1.txt")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := "23 figures stored (23 new, 0 revised, 0 unchanged), 3 derived, period 2023-03"; !strings.Contains(out, want) {
		t.Errorf("output %q does not contain %q", out, want)
	}
	_, out, _ = run(t, "ingest", "--data.dir", dir, bulletins+"datong-2023q1.txt")
	if !strings.Contains(out, "already ingested, nothing changed") {
		t.Errorf("second ingest: %q", out)
	}
}

// TestIngestPostgres runs ingest against PostgreSQL through the
// environment variable an operator would set.
func TestIngestPostgres(t *testing.T) {
	t.Setenv("DEVZONE_DB_URL", pgtest.Fresh(t))
	code, out, errs := run(t, "ingest", bulletins+"yuncheng-2024-05.docx")
	if code != 0 || !strings.Contains(out, "6 figures stored (6 new") {
		t.Fatalf("exit %d: %s %s", code, out, errs)
	}
}

// TestTrend ingests three periods of one zone and prints its trend.
func TestTrend(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "ingest", "--data.dir", dir, "../../collector/trend/testdata"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	tests := []struct {
		name, golden string
		args         []string
		code         int
	}{
		{"table", "trend-growth.table", []string{"--zone", "大同经开区", "--indicator", "industrial_value_added", "--measure", "yoy_growth"}, 0},
		{"csv", "trend-value.csv", []string{"--zone", "大同经开区", "--indicator", "industrial_value_added", "--format", "csv", "--from", "2023-06"}, 0},
		{"indicator by its Chinese name", "trend-growth.table", []string{"--zone", "大同经开区", "--indicator", "规模以上工业增加值", "--measure", "同比增速"}, 0},
		{"every measure in one table", "trend-all.table", []string{"--zone", "大同经开区", "--indicator", "industrial_value_added", "--measure", "all"}, 0},
		{"csv for Excel", "trend-share-excel.csv", []string{"--zone", "大同经开区", "--indicator", "industrial_value_added", "--measure", "city_share", "--excel"}, 0},
		{"--excel is no json", "", []string{"--zone", "大同经开区", "--indicator", "gdp", "--excel", "--format", "json"}, 2},
		{"unknown indicator", "", []string{"--indicator", "nope"}, 2},
		{"unknown measure", "", []string{"--indicator", "gdp", "--measure", "增速"}, 2},
		{"bad period", "", []string{"--indicator", "gdp", "--to", "2023"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, append([]string{"trend", "--data.dir", dir}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errs)
			}
			if tt.golden != "" {
				golden(t, tt.golden, out)
			} else if strings.Count(strings.TrimSpace(errs), "\n") > 0 || errs == "" {
				t.Errorf("want a one-line error, got %q", errs)
			}
		})
	}
}

// TestGenerate writes a small synthetic country as files and into a store;
// ingesting the files afterwards must find the same figures unchanged.
func TestGenerate(t *testing.T) {
	out, db := t.TempDir(), t.TempDir()
	code, stdout, errs := run(t, "generate", "--zones", "12", "--cities", "3", "--periods", "2", "--end", "2023-06", "--out", out)
	if code != 0 || !strings.Contains(stdout, "wrote 6 bulletins") {
		t.Fatalf("exit %d: %s %s", code, stdout, errs)
	}
	code, stdout, errs = run(t, "generate", "--zones", "12", "--cities", "3", "--periods", "2", "--end", "2023-06", "--data.dir", db)
	if code != 0 || !strings.Contains(stdout, "stored 1440 figures") {
		t.Fatalf("exit %d: %s %s", code, stdout, errs)
	}
	code, stdout, errs = run(t, "ingest", "--data.dir", db, out)
	if code != 0 || strings.Count(stdout, "(0 new, 0 revised, 240 unchanged)") != 6 {
		t.Fatalf("exit %d: %s %s", code, stdout, errs)
	}
	if code, _, _ := run(t, "generate", "--zones", "1", "--cities", "3", "--data.dir", db); code != 2 {
		t.Errorf("fewer zones than cities: exit %d, want 2", code)
	}
}

// TestZonesSuggestPrintsEntriesForTheUnresolvedNames: a name no zone
// fits and a short form two zones fit are printed for review, the
// resolved ones are not, and an alias added moves the stored figures.
func TestZonesSuggestPrintsEntriesForTheUnresolvedNames(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(p, []byte("太原市开发区\n\n2023年1-6月,阳曲示范区固定资产投资完成4.03亿元。尖草坪工业园区工业投资完成2亿元。西山示范区固定资产投资完成7.59亿元。\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	reg := filepath.Join(dir, "zones.yml")
	write := func(yaml string) {
		if err := os.WriteFile(reg, []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("zones:\n  - {name: 阳曲现代农业产业示范区, city: 太原市}\n  - {name: 西山生态文化旅游示范区, city: 太原市}\n  - {name: 西山煤电循环经济示范区, city: 太原市}\n")
	data := filepath.Join(dir, "data")
	if code, out, errs := run(t, "ingest", "--data.dir", data, "--zones.file", reg, p); code != 0 || !strings.Contains(out, "新出现的开发区名称: 太原市的“尖草坪工业园区”") {
		t.Fatalf("ingest: exit %d:\n%s%s", code, out, errs)
	}
	code, out, errs := run(t, "zones", "suggest", "--data.dir", data, "--zones.file", reg)
	if code != 0 {
		t.Fatalf("zones suggest: exit %d: %s", code, errs)
	}
	want := "# zone names in the store that " + reg + " does not resolve: 2\n" +
		"# Review each: add it as a zone of its own, or as an alias of the zone it is.\n" +
		"zones:\n" +
		"  - name: 尖草坪工业园区\n" +
		"    city: 太原市\n" +
		"    kind: 工业园区\n" +
		"  # fits 西山生态文化旅游示范区, 西山煤电循环经济示范区: an alias of one of them?\n" +
		"  - name: 西山示范区\n" +
		"    city: 太原市\n" +
		"    kind: 示范区\n"
	if out != want {
		t.Errorf("zones suggest:\n%s\nwant:\n%s", out, want)
	}

	// The operator says which: the next ingest moves the figures.
	write("zones:\n  - {name: 阳曲现代农业产业示范区, city: 太原市}\n  - {name: 西山生态文化旅游示范区, city: 太原市, aliases: [西山示范区]}\n  - {name: 西山煤电循环经济示范区, city: 太原市}\n  - {name: 尖草坪工业园区, city: 太原市}\n")
	code, out, errs = run(t, "ingest", "--data.dir", data, "--zones.file", reg, p)
	if code != 0 || !strings.Contains(out, "太原市 西山示范区: moved to 西山生态文化旅游示范区 (1 figures renamed, 0 merged; revisions kept)\n") {
		t.Errorf("ingest after the registry changed: exit %d:\n%s%s", code, out, errs)
	}
	if code, out, _ := run(t, "zones", "suggest", "--data.dir", data, "--zones.file", reg); code != 0 || out != "# every zone name in the store resolves with "+reg+"\n" {
		t.Errorf("zones suggest after: exit %d:\n%s", code, out)
	}
}

// TestTrendRank ranks the example bulletin's zones: the joint figure of
// 中北高新区 and 清徐开发区 and 晋中's aggregate are listed apart, unranked,
// and the period, not asked for, is said to be the latest.
func TestTrendRank(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := run(t, "ingest", "--data.dir", dir, "../../examples/inbox"); code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	tests := []struct {
		name, golden string
		args         []string
		code         int
	}{
		{"zones ranked, the joint figure apart", "rank-investment.table", []string{"--indicator", "固定资产投资", "--measure", "yoy_growth"}, 0},
		{"only joint and aggregate figures", "rank-industrial-investment.table", []string{"--indicator", "工业投资", "--measure", "yoy_growth"}, 0},
		{"csv for Excel", "rank-value-excel.csv", []string{"--indicator", "industrial_value_added", "--city", "太原市", "--excel"}, 0},
		{"json", "rank-share.json", []string{"--indicator", "industrial_value_added", "--measure", "city_share", "--period", "2023-06", "--format", "json"}, 0},
		{"no zone", "", []string{"--indicator", "gdp", "--zone", "中北高新区"}, 2},
		{"no measure all", "", []string{"--indicator", "gdp", "--measure", "all"}, 2},
		{"bad period", "", []string{"--indicator", "gdp", "--period", "2023-13"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, append([]string{"trend", "--rank", "--data.dir", dir}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errs)
			}
			if tt.golden != "" {
				golden(t, tt.golden, out)
			} else if strings.Count(strings.TrimSpace(errs), "\n") > 0 || errs == "" {
				t.Errorf("want a one-line error, got %q", errs)
			}
		})
	}
}
