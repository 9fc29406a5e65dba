package bulletin

import (
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// TestLexicon checks lexicon/indicators.tsv: no phrase twice, every core
// key one the catalog knows, and every row's example read as that row
// (the longest phrase at the example's first mention of it wins, so a
// shorter row cannot shadow a longer one).
func TestLexicon(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range indicatorPhrases {
		if seen[p.phrase] {
			t.Errorf("%s: listed twice", p.phrase)
		}
		seen[p.phrase] = true
		if p.kind == kindCore && figure.Indicators[p.key] == "" {
			t.Errorf("%s: core key %q is not in the catalog", p.phrase, p.key)
		}
		i := strings.Index(p.example, p.phrase)
		if i < 0 {
			t.Errorf("%s: example %q does not contain it", p.phrase, p.example)
			continue
		}
		ms := findPhrases(p.example, zoneSpans(p.example))
		found := false
		for _, m := range ms {
			if m.phrase == p.phrase && m.key == p.key && m.kind == p.kind {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: in its example %q the lexicon reads %v instead", p.phrase, p.example, ms)
		}
	}
}

// TestLoadPhrasesErrors pins the one-line errors of a malformed lexicon.
func TestLoadPhrasesErrors(t *testing.T) {
	for _, tt := range []struct{ name, tsv, want string }{
		{"too few fields", "工业投资\tindustrial_investment\tcore\n", "want 4 tab-separated fields"},
		{"unknown kind", "工业投资\tindustrial_investment\tmain\t工业投资增长5%\n", `unknown kind "main"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadPhrases(tt.tsv)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "lexicon/indicators.tsv:1:") {
				t.Errorf("error %v, want one naming line 1 and %q", err, tt.want)
			}
		})
	}
}
