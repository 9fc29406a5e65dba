package bulletin

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

var update = flag.Bool("update", false, "update golden files")

// corpusDir is the shared corpus beside the checkout; tests that read it
// skip, saying so, where it is absent.
const corpusDir = "../../../shared/corpus"

type goldRecord struct {
	figure.Figure
	Tier string `json:"tier"`
}

func readGold(t *testing.T, path string) []goldRecord {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Skipf("shared corpus not present (%v); the gold test runs where ../shared is beside the checkout", err)
	}
	defer f.Close()
	var out []goldRecord
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r goldRecord
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, r)
	}
	return out
}

func sameValue(a, b float64) bool {
	if a == b {
		return true
	}
	return math.Abs(a-b) <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

var goldCoreIndicators = map[string]bool{
	figure.IndustrialValueAdded: true, figure.IndustrialOutput: true, figure.IndustrialInvestment: true,
	figure.FixedAssetInvestment: true, figure.IndustrialProjectInvestment: true, figure.GDP: true,
}

// aggregateCount is the count inside a zone aggregate, 全市9家工业类开发区.
// The parser keeps zones as written (SCHEMA.md lists 全市9家工业类开发区,
// and the styles corpus keeps counts); the sample's gold writes the class
// form 全市工业类开发区, so the comparison drops the count.
var aggregateCount = regexp.MustCompile(`^(全[市州盟县区省旗])[0-9]+(?:家|个)`)

func classForm(k figure.Key) figure.Key {
	k.Zone = aggregateCount.ReplaceAllString(k.Zone, "$1")
	return k
}

var coreMeasures = map[string]bool{
	figure.MeasureValue: true, figure.MeasureYoYGrowth: true, figure.MeasureCityShare: true,
	figure.MeasureCityShareChange: true, figure.MeasureGrowthVsCity: true,
}

// TestGoldCorpus holds the parser to the hand-checked records of the real
// bulletin: every core record exactly, nothing else of a core kind, and at
// least 90% of the tracked records.
func TestGoldCorpus(t *testing.T) {
	gold := readGold(t, filepath.Join(corpusDir, "shanxi-devzones-2023h1.gold.jsonl"))
	b, err := os.ReadFile(filepath.Join(corpusDir, "shanxi-devzones-2023h1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(context.Background(), "shanxi-devzones-2023h1.txt", b, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[figure.Key]figure.Figure{}
	for _, f := range res.Figures {
		got[classForm(f.Key())] = f
	}
	inGold := map[figure.Key]bool{}
	tracked, trackedHit := 0, 0
	for _, g := range gold {
		k := g.Key()
		inGold[k] = true
		f, ok := got[k]
		match := ok && sameValue(f.Value, g.Value) && f.Approx == g.Approx && f.Unit == g.Unit
		switch g.Tier {
		case "core":
			if !match {
				t.Errorf("core record %s = %g (approx %v): got %+v (found %v)", k, g.Value, g.Approx, f, ok)
			}
		case "tracked":
			tracked++
			if match {
				trackedHit++
			} else if ok {
				t.Errorf("tracked record %s = %g: got a wrong value %g", k, g.Value, f.Value)
			} else {
				t.Logf("tracked record %s = %g not produced", k, g.Value)
			}
		}
	}
	for k, f := range got {
		if goldCoreIndicators[k.Indicator] && coreMeasures[k.Measure] && !inGold[k] {
			t.Errorf("extra core record %s = %g from %q", k, f.Value, f.Text)
		}
	}
	if trackedHit*10 < tracked*9 {
		t.Errorf("tracked records: %d of %d produced, want at least 90%%", trackedHit, tracked)
	}
	t.Logf("tracked records: %d of %d", trackedHit, tracked)
}

// golden is what a golden file holds for one bulletin.
type golden struct {
	Period    figure.Period   `json:"period"`
	Figures   []figure.Figure `json:"figures"`
	Unmatched []Sentence      `json:"unmatched"`
	Warnings  []string        `json:"warnings"`
}

// TestGolden parses our own bulletins, written in the genre with its traps,
// and compares with reviewed golden records. Run with -update to rewrite
// the golden files, then review the diff.
func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		file string
		opt  Options
	}{
		{name: "UTF-8 with BOM, 一季度, traps", file: "datong-2023q1.txt"},
		{name: "GB18030, full-width digits, trailer only, year given", file: "changzhi-2023q3.gb18030.txt", opt: Options{Year: 2023}},
		{name: "docx with a number split across runs", file: "yuncheng-2024-05.docx"},
		{name: "passage without a city", file: "no-city.txt"},
		{name: "passage without a city, --city given", file: "no-city.txt", opt: Options{City: "吕梁市"}},
		{name: "period given overrides the text", file: "datong-2023q1.txt", opt: Options{Period: figure.MustPeriod("2023-04")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "bulletins", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			res, err := Parse(context.Background(), tt.file, b, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			out, err := json.MarshalIndent(golden{res.Period, res.Figures, res.Unmatched, res.Warnings}, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, '\n')
			path := filepath.Join("testdata", "golden", strings.NewReplacer(" ", "_", ",", "", "-", "").Replace(t.Name()[len("TestGolden/"):])+".json")
			if *update {
				if err := os.WriteFile(path, out, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(out, want) {
				t.Errorf("output differs from %s (go test -update rewrites it; review the diff):\n%s", path, out)
			}
		})
	}
}

// TestBadInput pins the one-line errors users see for input that is not a
// bulletin.
func TestBadInput(t *testing.T) {
	big := bytes.Repeat([]byte("太原市开发区。"), MaxSize/len("太原市开发区。")+1)
	tests := []struct {
		name    string
		input   []byte
		file    string
		wantErr error
		want    string
	}{
		{name: "empty", file: "empty.txt", wantErr: ErrEmpty, want: "empty.txt: empty file"},
		{name: "whitespace only", input: []byte(" \n\n\t\n"), wantErr: ErrEmpty},
		{name: "binary", file: "random.bin", wantErr: ErrBinary},
		{name: "no figures", file: "no-figures.txt", wantErr: ErrNoFigures},
		{name: "no period", file: "no-period.txt", wantErr: ErrNoPeriod},
		{name: "malformed number names the line", file: "malformed.txt", want: `malformed.txt:3: malformed number "12..5亿元"`},
		{name: "too large", input: big, wantErr: ErrTooLarge},
		{name: "zip that is not docx", input: []byte("PK\x03\x04garbage"), want: "docx"},
		{name: "title month against the text's year to date", input: []byte("2020年10月全区经济运行情况\n\n全区规上工业实现总产值121.25亿元,同比下降6.12%。1-8月外贸出口恢复正增长。\n"),
			want: "the title states 2020年10月 and the text 1-8月 (line 3)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, name := tt.input, tt.name
			if tt.file != "" {
				var err error
				if in, err = os.ReadFile(filepath.Join("testdata", "bulletins", tt.file)); err != nil {
					t.Fatal(err)
				}
				name = tt.file
			}
			_, err := Parse(context.Background(), name, in, Options{})
			if err == nil {
				t.Fatal("no error")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %q is not %q", err, tt.wantErr)
			}
			if tt.want != "" && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is more than one line: %q", err)
			}
			if !strings.HasPrefix(err.Error(), name+":") {
				t.Errorf("error %q does not start with the file name", err)
			}
		})
	}
}

// TestPhrasings checks single sentences in the genre's many spellings.
func TestPhrasings(t *testing.T) {
	const head = "太原市开发区\n\n2023年1-6月,"
	tests := []struct {
		name, text string
		want       []string // indicator/measure=value approx, in order
	}{
		{"下降 is negative", "中北高新区工业投资完成21.05亿元,同比下降14.85%。",
			[]string{"industrial_investment/value=2.105e+09", "industrial_investment/yoy_growth=-0.1485"}},
		{"增长-2.3% keeps its sign", "中北高新区规上工业增加值完成1.5亿元,同比增长-2.3%。",
			[]string{"industrial_value_added/value=1.5e+08", "industrial_value_added/yoy_growth=-0.023"}},
		{"比增 and 约", "中北高新区固定资产投资约3亿元,比增约5%。",
			[]string{"fixed_asset_investment/value=3e+08~", "fixed_asset_investment/yoy_growth=0.05~"}},
		{"低于全市增速 is negative", "中北高新区工业投资完成2亿元,同比增长1%,低于全市增速2.5个百分点。",
			[]string{"industrial_investment/value=2e+08", "industrial_investment/yoy_growth=0.01", "industrial_investment/growth_vs_city=-0.025"}},
		{"万元", "清徐开发区工业投资完成6000万元。", []string{"industrial_investment/value=6e+07"}},
		{"full-width digits and percent", "清徐开发区工业投资同比增长１２.５％。", []string{"industrial_investment/yoy_growth=0.125"}},
		{"a percent that is not a growth rate", "清徐开发区工业投资完成年度目标的55%。", nil},
		{"growth fell to a rate is not a fall", "清徐开发区工业投资增速回落至5%。", nil},
		{"较上月 without a share is not a share change", "清徐开发区工业投资同比增长5%,较上月提高1个百分点。",
			[]string{"industrial_investment/yoy_growth=0.05"}},
		{"a date is not a figure", "6月26日,清徐开发区召开会议。", nil},
		{"an ordinal is not a figure", "清徐开发区第3个项目开工。", nil},
		{"a duration is not a count", "清徐开发区用5个月完成备案项目。", nil},
		{"左右 marks approx", "清徐开发区固定资产投资完成15亿元左右。", []string{"fixed_asset_investment/value=1.5e+09~"}},
		{"余 marks approx", "全市开发区培育市场主体300余户。", []string{"market_entities/count=300~"}},
		{"thousands separator", "全市开发区培育市场主体12,637户。", []string{"market_entities/count=12637"}},
		{"the province itself is out of scope", "全省工业投资同比增长5%。", nil},
		{"the zones of a province as a whole are no city's", "全省开发区工业投资同比增长5%。", []string{"/industrial_investment/yoy_growth=0.05"}},
		{"a zone named where no subject stands is not guessed to be the city's", "按计划推进中北高新区工业投资完成5亿元。", nil},
		{"nor are the sentences after it", "按计划推进中北高新区工业投资完成5亿元。固定资产投资完成3亿元。", nil},
		{"和 inside a zone's name", "元乐和示范区工业投资完成5亿元。", []string{"industrial_investment/value=5e+08"}},
		{"an indicator in a 三个一批 paragraph is not a batch figure", "“三个一批”活动共铺排项目216个。榆次开发区工业投资完成10亿元。",
			[]string{"industrial_investment/value=1e+09", "three_batches_projects/count=216"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(context.Background(), "t.txt", []byte(head+tt.text), Options{})
			var got []string
			if err == nil {
				for _, f := range res.Figures {
					s := fmt.Sprintf("%s/%s=%g", f.Indicator, f.Measure, f.Value)
					if f.City == "" {
						s = "/" + s
					}
					if f.Approx {
						s += "~"
					}
					got = append(got, s)
				}
			} else if !errors.Is(err, ErrNoFigures) {
				t.Fatal(err)
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// TestSections pins how a city is given to each passage.
func TestSections(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // city per figure
	}{
		{"heading", "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成1亿元。", []string{"太原市"}},
		{"a city named …州市 is not …州", "忻州市开发区\n\n2023年1-6月,中北高新区工业投资完成1亿元。(供稿:忻州市商务局)", []string{"忻州市"}},
		{"trailer only", "2023年1-6月,中北高新区工业投资完成1亿元。(供稿:太原市开发区)", []string{"太原市"}},
		{"heading in the middle of its own section",
			"太原市开发区\n\n2023年1-6月,中北高新区工业投资完成1亿元。\n\n(供稿:太原市开发区)\n\n榆次开发区工业投资完成2亿元。\n\n晋中市开发区\n\n祁县经开区工业投资完成3亿元。\n\n(供稿:晋中市开发区)",
			[]string{"太原市", "晋中市", "晋中市"}},
		{"headings without trailers", "太原市开发区\n\n2023年1-6月,中北高新区工业投资完成1亿元。\n\n晋中市开发区\n\n祁县经开区工业投资完成3亿元。",
			[]string{"太原市", "晋中市"}},
		{"a period line joined to the subject", "太原市开发区\n\n2023年1-7月\n\n中北高新区工业投资合计完成25亿元。", []string{"太原市"}},
		{"a word split by a page break", "太原市开发区\n\n2023年1-6月,清徐开\n\n发区工业投资完成1亿元,占全市比重\n\n5.77%。", []string{"太原市", "太原市"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse(context.Background(), "t.txt", []byte(tt.text), Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range res.Figures {
				got = append(got, f.City)
				if f.Zone() != "中北高新区" && f.Zone() != "清徐开发区" && f.Zone() != "榆次开发区" && f.Zone() != "祁县经开区" {
					t.Errorf("zone %q", f.Zone())
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("cities %v, want %v", got, tt.want)
			}
		})
	}
}

// TestPeriod pins the reporting period read from the text.
func TestPeriod(t *testing.T) {
	tests := []struct {
		text string
		year int
		want string
	}{
		{"2023年1-6月", 0, "2023-06"},
		{"2023年上半年", 0, "2023-06"},
		{"2022年一季度", 0, "2022-03"},
		{"2024年前三季度", 0, "2024-09"},
		{"截至2023年6月底", 0, "2023-06"},
		{"1-5月。力争2023年底完成", 0, "2023-05"},
		{"1-5月", 2021, "2021-05"},
		{"1-5月", 0, ""},
		{"2023年2月10日", 0, ""},
		{"下半年重点工作,2023年", 0, ""},
	}
	for _, tt := range tests {
		p, ok := detectPeriod(normalize(tt.text), tt.year)
		if got := p.String(); got != tt.want || ok != (tt.want != "") {
			t.Errorf("detectPeriod(%q, %d) = %q, %v; want %q", tt.text, tt.year, got, ok, tt.want)
		}
	}
}

func corpusSeeds(tb testing.TB) [][]byte {
	var seeds [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "bulletins", "*"))
	shared, _ := filepath.Glob(filepath.Join(corpusDir, "*.txt"))
	for _, f := range append(files, shared...) {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	return seeds
}

// FuzzParse feeds the parser arbitrary bytes: it must never panic, and
// every figure it returns must be finite, in a known unit, with its
// sentence. The seed corpus runs in the normal tests.
func FuzzParse(f *testing.F) {
	for _, s := range corpusSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := Parse(context.Background(), "fuzz", b, Options{Year: 2023})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, fig := range res.Figures {
			if math.IsNaN(fig.Value) || math.IsInf(fig.Value, 0) {
				t.Errorf("figure %s has value %v", fig.Key(), fig.Value)
			}
			if fig.Text == "" || fig.Indicator == "" || fig.Measure == "" || len(fig.Zones) == 0 {
				t.Errorf("incomplete figure %+v", fig)
			}
		}
	})
}

// BenchmarkParse measures parsing throughput on the real bulletin, repeated
// to a realistic file size.
func BenchmarkParse(b *testing.B) {
	seed, err := os.ReadFile(filepath.Join(corpusDir, "shanxi-devzones-2023h1.txt"))
	if err != nil {
		seed, err = os.ReadFile(filepath.Join("testdata", "bulletins", "datong-2023q1.txt"))
		if err != nil {
			b.Fatal(err)
		}
	}
	in := bytes.Repeat(append(seed, '\n'), (1<<20)/len(seed)+1) // about 1 MiB
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(context.Background(), "bench", in, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
