package bulletin

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
)

// An indicatorPhrase is one row of lexicon/indicators.tsv: a way bulletins
// name an indicator, and what its numbers are.
type indicatorPhrase struct {
	phrase  string
	key     string
	kind    phraseKind
	example string
}

// phraseKind says what the numbers after an indicator phrase are.
type phraseKind uint8

const (
	// kindCore: an indicator the exporter's main metrics are made of.
	kindCore phraseKind = iota + 1
	// kindOther: another indicator (营业收入, 税收): no core figure.
	kindOther
	// kindSub: a part of the subject's total (制造业, 技改投资, 第二产业):
	// its numbers are the part's, never the subject's.
	kindSub
)

//go:embed lexicon/indicators.tsv
var indicatorsTSV string

// indicatorPhrases is the lexicon, longest phrase first; phrasesByRune
// indexes it by first rune so that matching at a position is cheap.
var (
	indicatorPhrases = mustLoadPhrases(indicatorsTSV)
	phrasesByRune    = indexPhrases(indicatorPhrases)
)

func mustLoadPhrases(tsv string) []indicatorPhrase {
	ps, err := loadPhrases(tsv)
	if err != nil {
		panic(err)
	}
	return ps
}

// loadPhrases reads the lexicon's TSV: phrase, key, kind, example.
func loadPhrases(tsv string) ([]indicatorPhrase, error) {
	var out []indicatorPhrase
	for i, line := range strings.Split(tsv, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("lexicon/indicators.tsv:%d: want 4 tab-separated fields, have %d", i+1, len(f))
		}
		p := indicatorPhrase{phrase: f[0], key: f[1], example: f[3]}
		switch f[2] {
		case "core":
			p.kind = kindCore
		case "other":
			p.kind = kindOther
		case "sub":
			p.kind = kindSub
		default:
			return nil, fmt.Errorf("lexicon/indicators.tsv:%d: unknown kind %q", i+1, f[2])
		}
		out = append(out, p)
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i].phrase) > len(out[j].phrase) })
	return out, nil
}

func indexPhrases(ps []indicatorPhrase) map[rune][]indicatorPhrase {
	idx := map[rune][]indicatorPhrase{}
	for _, p := range ps {
		r := []rune(p.phrase)[0]
		idx[r] = append(idx[r], p)
	}
	return idx
}

// phraseAt returns the longest lexicon phrase that starts at byte i of s.
func phraseAt(s string, i int) (indicatorPhrase, bool) {
	var r rune
	for _, c := range s[i:] {
		r = c
		break
	}
	for _, p := range phrasesByRune[r] {
		if strings.HasPrefix(s[i:], p.phrase) {
			if p.kind == kindCore && strings.HasSuffix(p.phrase, "工业") && !hasAnyPrefix(s[i+len(p.phrase):], "增长", "增速", "增幅", "同比", "下降", "比增", "比减", "累计增") {
				// Bare 规上工业 is value added only where its growth follows
				// (规上工业增速, 规模工业增长); 规上工业企业, 规上工业主营业务收入 are not.
				continue
			}
			return p, true
		}
	}
	return indicatorPhrase{}, false
}

// phraseMention is a lexicon phrase found in a clause at [start, end).
type phraseMention struct {
	indicatorPhrase
	start, end int
}

// findPhrases lists the lexicon phrases of s from left to right, longest
// first at each position, skipping the byte ranges in masked (zone names:
// 高新技术产业开发区 is no 高新技术产业).
func findPhrases(s string, masked [][2]int) []phraseMention {
	var out []phraseMention
	for i := 0; i < len(s); {
		if end := maskedAt(masked, i); end > i {
			i = end
			continue
		}
		if p, ok := phraseAt(s, i); ok {
			out = append(out, phraseMention{p, i, i + len(p.phrase)})
			i += len(p.phrase)
			continue
		}
		_, size := firstRune(s[i:])
		i += size
	}
	return out
}

func maskedAt(masked [][2]int, i int) int {
	for _, m := range masked {
		if i >= m[0] && i < m[1] {
			return m[1]
		}
	}
	return i
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}
