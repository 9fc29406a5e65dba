package bulletin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// The styles corpus (testdata/styles, ours, copied from
// ../shared/corpus/styles) holds 41 passages in the shapes of real
// bulletins, statistics releases, news and flattened tables from 21
// provinces, with gold records. TestStyles scores the parser on it the way
// ../shared/corpus/score.py does with --loose-zones: a gold record is found
// when a statement has its indicator, measure, value, approx flag and
// period (unless the gold's year is ????), and a zone string that contains
// the gold's or is contained in it.
const (
	minStylesRecall    = 0.95
	minStylesPrecision = 1.0
)

var scoredMeasures = map[string]bool{
	figure.MeasureValue: true, figure.MeasureYoYGrowth: true, figure.MeasureCityShare: true,
	figure.MeasureCityShareChange: true, figure.MeasureGrowthVsCity: true,
}

func isCoreRecord(indicator, measure string) bool {
	return goldCoreIndicators[indicator] && scoredMeasures[measure]
}

func looseZones(gold, got []string) bool {
	g := strings.Join(gold, "")
	p := strings.Join(got, "")
	g = strings.Join(strings.Fields(g), "")
	p = strings.Join(strings.Fields(p), "")
	return g != "" && p != "" && (strings.Contains(g, p) || strings.Contains(p, g))
}

// styleScore is the outcome of scoring one passage.
type styleScore struct {
	gold, found, emitted, wrong int
	missed, wrongs              []string
}

// styleGold is a gold record of the styles corpus; its period may be
// ????-MM where the passage states no year.
type styleGold struct {
	City      string   `json:"city"`
	Zones     []string `json:"zones"`
	Indicator string   `json:"indicator"`
	Measure   string   `json:"measure"`
	Value     float64  `json:"value"`
	Approx    bool     `json:"approx"`
	Period    string   `json:"period"`
	Tier      string   `json:"tier"`
}

func (g styleGold) String() string {
	return fmt.Sprintf("%s/%s/%s/%s@%s = %g", g.City, strings.Join(g.Zones, "、"), g.Indicator, g.Measure, g.Period, g.Value)
}

func readStyleGold(t *testing.T, path string) []styleGold {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []styleGold
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var g styleGold
		if err := json.Unmarshal([]byte(line), &g); err != nil {
			t.Fatalf("%s:%d: %v", path, i+1, err)
		}
		out = append(out, g)
	}
	return out
}

func scorePassage(gold []styleGold, got []Statement) styleScore {
	var s styleScore
	used := make([]bool, len(got))
	for _, g := range gold {
		if g.Tier != "core" {
			continue
		}
		s.gold++
		hit := -1
		for i, p := range got {
			if used[i] || p.Indicator != g.Indicator || p.Measure != g.Measure || p.Approx != g.Approx {
				continue
			}
			if math.Abs(p.Value-g.Value) > 1e-6*math.Max(1, math.Abs(g.Value)) {
				continue
			}
			if gp := g.Period; gp != "" && !strings.Contains(gp, "?") && gp != p.Period.String() {
				continue
			}
			if !looseZones(g.Zones, p.Zones) {
				continue
			}
			hit = i
			break
		}
		if hit < 0 {
			s.missed = append(s.missed, g.String())
			continue
		}
		used[hit] = true
		s.found++
	}
	for i, p := range got {
		if !isCoreRecord(p.Indicator, p.Measure) {
			continue
		}
		s.emitted++
		if !used[i] {
			// A core record no gold record claims: a wrong number, unless it
			// repeats one a gold record matched (restatements are gold too).
			s.wrong++
			s.wrongs = append(s.wrongs, fmt.Sprintf("%s = %g from %q", p.Key(), p.Value, p.Text))
		}
	}
	return s
}

// TestStyles holds the parser to core recall >= 0.95 and core precision 1.0
// over the styles corpus.
func TestStyles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "styles", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no passages in testdata/styles: %v", err)
	}
	var total styleScore
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		gold := readStyleGold(t, strings.TrimSuffix(f, ".txt")+".gold.jsonl")
		res, err := Parse(context.Background(), f, b, Options{Year: 2023})
		var got []Statement
		switch {
		case err == nil:
			got = res.Statements
		case errors.Is(err, ErrNoFigures):
			// A passage of traps may rightly yield nothing.
		default:
			t.Errorf("%s: %v", name, err)
			continue
		}
		s := scorePassage(gold, got)
		for _, m := range s.missed {
			t.Logf("%s: missed %s", name, m)
		}
		for _, w := range s.wrongs {
			t.Errorf("%s: wrong %s", name, w)
		}
		total.gold += s.gold
		total.found += s.found
		total.emitted += s.emitted
		total.wrong += s.wrong
	}
	recall := float64(total.found) / float64(total.gold)
	precision := 1.0
	if total.emitted > 0 {
		precision = float64(total.emitted-total.wrong) / float64(total.emitted)
	}
	t.Logf("styles corpus: %d passages, core recall %d/%d = %.3f, core precision %.3f (%d wrong of %d)",
		len(files), total.found, total.gold, recall, precision, total.wrong, total.emitted)
	if recall < minStylesRecall {
		t.Errorf("core recall %.3f, want >= %.2f", recall, minStylesRecall)
	}
	if precision < minStylesPrecision {
		t.Errorf("core precision %.3f, want %.2f", precision, minStylesPrecision)
	}
}
