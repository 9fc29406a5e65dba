package bulletin

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// phrasingCase is one case of testdata/phrasings: a fragment and what it
// must give.
type phrasingCase struct {
	file   string
	line   int
	text   string
	raw    bool     // parse the fragment as it stands, with no heading and lead
	want   []string // expected statements, as written in the file
	none   bool     // no core statement
	reason string   // with none: a skipped number's reason contains it
	err    string   // Parse must fail with an error containing it
}

func readPhrasingCases(t *testing.T) []phrasingCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "phrasings", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no phrasing cases: %v", err)
	}
	var out []phrasingCase
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "> "):
				c := phrasingCase{file: filepath.Base(f), line: i + 1, text: strings.TrimPrefix(line, "> ")}
				if strings.HasPrefix(c.text, "!") {
					c.raw, c.text = true, strings.TrimPrefix(c.text, "!")
				}
				c.text = strings.ReplaceAll(c.text, "⏎", "\n")
				out = append(out, c)
			case len(out) == 0:
				t.Fatalf("%s:%d: expectation before any case", f, i+1)
			case line == "none" || strings.HasPrefix(line, "none "):
				out[len(out)-1].none = true
				out[len(out)-1].reason = strings.TrimSpace(strings.TrimPrefix(line, "none"))
			case strings.HasPrefix(line, "error "):
				out[len(out)-1].err = strings.TrimPrefix(line, "error ")
			default:
				out[len(out)-1].want = append(out[len(out)-1].want, line)
			}
		}
	}
	return out
}

// phrasingMeasures are the measures the cases speak of: the core ones and
// their county twins.
var phrasingMeasures = map[string]bool{
	"value": true, "yoy_growth": true, "city_share": true, "city_share_change": true,
	"growth_vs_city": true, "county_share": true, "growth_vs_county": true,
}

// matchStatement reports why statement s does not fit the expectation
// line want ("" when it does).
func matchStatement(want string, s Statement) string {
	f := strings.Fields(want)
	if len(f) < 3 {
		return "malformed expectation " + strconv.Quote(want)
	}
	if s.Indicator != f[0] || s.Measure != f[1] {
		return fmt.Sprintf("got %s %s", s.Indicator, s.Measure)
	}
	v, err := strconv.ParseFloat(f[2], 64)
	if err != nil {
		return "malformed value in " + strconv.Quote(want)
	}
	if math.Abs(s.Value-v) > 1e-9*math.Max(1, math.Abs(v)) {
		return fmt.Sprintf("value %g", s.Value)
	}
	approx := false
	for _, a := range f[3:] {
		k, val, _ := strings.Cut(a, "=")
		switch k {
		case "~":
			approx = true
		case "zone":
			if s.Zone() != val {
				return fmt.Sprintf("zone %q", s.Zone())
			}
		case "city":
			if s.City != val {
				return fmt.Sprintf("city %q", s.City)
			}
		case "period":
			if s.Period.String() != val {
				return fmt.Sprintf("period %s", s.Period)
			}
		case "scope":
			if s.Scope != val {
				return fmt.Sprintf("scope %q", s.Scope)
			}
		default:
			return "unknown attribute " + strconv.Quote(a)
		}
	}
	if s.Approx != approx {
		return fmt.Sprintf("approx %v", s.Approx)
	}
	return ""
}

// TestPhrasingCases runs testdata/phrasings: each fragment must give
// exactly the statements listed for it, in order, or none with the reason.
func TestPhrasingCases(t *testing.T) {
	const head = "太原市开发区\n\n2023年1-6月,"
	for _, c := range readPhrasingCases(t) {
		t.Run(fmt.Sprintf("%s:%d", c.file, c.line), func(t *testing.T) {
			text := c.text
			if !c.raw {
				text = head + text
			}
			res, err := Parse(context.Background(), "t.txt", []byte(text), Options{})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("%s: error %v, want one containing %q", c.text, err, c.err)
				}
				return
			}
			var got []Statement
			var skipped []Skipped
			if err == nil {
				for _, s := range res.Statements {
					if phrasingMeasures[s.Measure] && !isBatchIndicator(s.Indicator) {
						got = append(got, s)
					}
				}
				skipped = res.Skipped
			} else if c.none && errors.Is(err, ErrNoFigures) && res != nil {
				skipped = res.Skipped
			} else {
				t.Fatalf("%s: %v", c.text, err)
			}
			if c.none {
				if len(got) > 0 {
					t.Errorf("%s: want no figure, got %s", c.text, describe(got))
				}
				if c.reason != "" && !anyReason(skipped, c.reason) {
					t.Errorf("%s: no number skipped for a reason with %q; skipped: %v", c.text, c.reason, skipped)
				}
				return
			}
			if len(got) != len(c.want) {
				t.Fatalf("%s: %d statements, want %d: %s", c.text, len(got), len(c.want), describe(got))
			}
			for i, w := range c.want {
				if why := matchStatement(w, got[i]); why != "" {
					t.Errorf("%s: statement %d: want %s, %s (rule %q, subject %q)", c.text, i+1, w, why, got[i].Rule, got[i].SubjectSource)
				}
			}
		})
	}
}

func isBatchIndicator(k string) bool {
	return strings.HasPrefix(k, "projects_") || strings.HasPrefix(k, "three_batches")
}

func anyReason(sk []Skipped, r string) bool {
	for _, s := range sk {
		if strings.Contains(s.Reason, r) {
			return true
		}
	}
	return false
}

func describe(ss []Statement) string {
	var b strings.Builder
	for _, s := range ss {
		fmt.Fprintf(&b, "[%s %s %g zone=%s period=%s scope=%s approx=%v] ", s.Indicator, s.Measure, s.Value, s.Zone(), s.Period, s.Scope, s.Approx)
	}
	return b.String()
}
