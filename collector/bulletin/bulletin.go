// Package bulletin turns the text of a development-zone bulletin into
// figures. Bulletins are Chinese prose copied out of Word or PDF; the
// parser reads them the way an official does: by city section, paragraph,
// sentence and clause, taking each number together with the subject,
// indicator and keyword that govern it. A number it cannot place with
// certainty is not emitted: a wrong figure is worse than a missing one.
package bulletin

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// Options are what the caller knows that the text may not say.
type Options struct {
	// Year supplies the year when the text states none.
	Year int
	// Period, when set, overrides the period the text states.
	Period figure.Period
	// City is given to passages with no city heading or trailer.
	City string
}

// Result is what a bulletin yields.
type Result struct {
	Period  figure.Period
	Figures []figure.Figure
	// Unmatched are sentences that contain a number with a unit but
	// yielded no figure, so a person can see what was not understood.
	Unmatched []Sentence
	// Warnings are one-line notes about the text (a passage with no city,
	// conflicting statements of one figure).
	Warnings []string
}

// Sentence is a sentence of the bulletin and the line it starts on.
type Sentence struct {
	Line int
	Text string
}

// Error is a bulletin that cannot be read. It prints as one line naming
// the file and, where it makes sense, the line.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

var (
	// ErrNoPeriod is returned when the reporting period cannot be known.
	ErrNoPeriod = errors.New("cannot tell the reporting period: the text states no 1-N月, 季度, 上半年 or 截至N月底 with a year; pass --period YYYY-MM or --year YYYY")
	// ErrNoFigures is returned for text in which no figure can be found.
	ErrNoFigures = errors.New("no figures found: not a development-zone bulletin, or written in a way the parser does not know")
)

// Parse reads one bulletin. name is used in errors only. Parse stops and
// returns ctx's error, wrapped with the file's name, when ctx is done.
func Parse(ctx context.Context, name string, b []byte, opt Options) (*Result, error) {
	text, err := Decode(b)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	text = normalize(text)
	if hasGrouping(text) {
		text = groupingRe.ReplaceAllStringFunc(text, func(s string) string { return strings.ReplaceAll(s, ",", "") })
	}

	res := &Result{Period: opt.Period}
	if res.Period.IsZero() {
		// An unknown period is reported after extraction, so that a file
		// with no figures at all is called that rather than undated.
		res.Period, _ = detectPeriod(text, opt.Year)
	}

	secs := sections(paragraphs(text))
	for _, sec := range secs {
		if sec.city == "" {
			sec.city = opt.City
			if hasFigureText(sec) {
				where := fmt.Sprintf("%s:%d", name, sec.paras[0].lines[0].line)
				if opt.City != "" {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s: passage has no city heading or trailer; using --city %s", where, opt.City))
				} else {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s: passage has no city heading or trailer; its figures have no city (pass --city)", where))
				}
			}
		}
		x := extractor{city: sec.city, period: res.Period, res: res}
		for i := range sec.paras {
			if err := ctx.Err(); err != nil {
				return nil, &Error{File: name, Err: err}
			}
			if err := x.paragraph(&sec.paras[i]); err != nil {
				var m errMalformed
				if errors.As(err, &m) {
					return nil, &Error{File: name, Line: x.line, Err: err}
				}
				return nil, &Error{File: name, Err: err}
			}
		}
	}
	res.Figures, res.Warnings = dedupe(name, res.Figures, res.Warnings)
	if len(res.Figures) == 0 {
		return nil, &Error{File: name, Err: ErrNoFigures}
	}
	if res.Period.IsZero() {
		return nil, &Error{File: name, Err: ErrNoPeriod}
	}
	return res, nil
}

// groupingRe matches a numeral with thousands separators, 12,637.
// hasGrouping reports whether s has a digit, a comma and three digits: the
// cheap test before groupingRe.
func hasGrouping(s string) bool {
	for i := strings.IndexByte(s, ','); i >= 0; {
		if i > 0 && isDigit(s[i-1]) && i+3 < len(s) && isDigit(s[i+1]) && isDigit(s[i+2]) && isDigit(s[i+3]) {
			return true
		}
		j := strings.IndexByte(s[i+1:], ',')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// groupingRe is the expensive test that hasGrouping gates.
var groupingRe = regexp.MustCompile(`(?:^|[^0-9.,])[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?:[^0-9,]|$)`)

func hasFigureText(sec section) bool {
	for _, p := range sec.paras {
		if numberRe.MatchString(p.text) {
			return true
		}
	}
	return false
}

// dedupe drops repeated statements of one figure. Two different values for
// one key are a contradiction the parser cannot resolve: both are dropped
// and a warning names them.
func dedupe(name string, figs []figure.Figure, warnings []string) ([]figure.Figure, []string) {
	seen := map[figure.Key]int{}
	conflict := map[figure.Key]bool{}
	for i, f := range figs {
		k := f.Key()
		if j, ok := seen[k]; ok {
			if figs[j].Value != f.Value || figs[j].Approx != f.Approx {
				if !conflict[k] {
					warnings = append(warnings, fmt.Sprintf("%s:%d: %s stated twice with different values (%g at line %d, %g); both dropped", name, f.Line, k, figs[j].Value, figs[j].Line, f.Value))
				}
				conflict[k] = true
			}
			continue
		}
		seen[k] = i
	}
	out := figs[:0:0]
	for i, f := range figs {
		k := f.Key()
		if conflict[k] || seen[k] != i {
			continue
		}
		out = append(out, f)
	}
	return out, warnings
}
