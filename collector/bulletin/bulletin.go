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
	"sort"
	"strings"

	"github.com/devzone/devzone_exporter/collector/bulletin/forms"
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
	// Period is the period the report is about: the title's, else the
	// first lead-in's (see reportPeriod).
	Period figure.Period
	// Figures are the figures of the report's own period, one per key:
	// what the store keeps. Restatements of one figure are one figure; two
	// statements of one key with different values are both left out, with
	// a warning.
	Figures []figure.Figure
	// Statements are every figure the text states, in order, restatements
	// included, with the rule that read each one and its scope: one-month
	// figures, forecasts and figures of other periods are here and not in
	// Figures.
	Statements []Statement
	// Skipped are the numbers with a unit of money, percent or points that
	// the parser did not read as core figures, each with the reason.
	Skipped []Skipped
	// Unmatched are sentences that contain a number with a unit but
	// yielded no figure, so a person can see what was not understood.
	Unmatched []Sentence
	// Warnings are one-line notes about the text (a passage with no city,
	// conflicting statements of one figure).
	Warnings []string
	// Form is what the bulletin was read from: text, docx, pdf, html or
	// xlsx. The lines of statements count in the text read from it.
	Form forms.Form
	// Where gives each line's place in a PDF, web page or workbook (see
	// Source); nil for text and .docx, whose lines are the file's.
	Where []string
}

// Source is where line (from 1) of the text the parser read stands in the
// file: "page 2", "Sheet1!A5:F5", "table 1 row 3"; "" when the line is the
// file's own or has no place of note.
func (r *Result) Source(line int) string {
	if line < 1 || line > len(r.Where) {
		return ""
	}
	return r.Where[line-1]
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
// returns ctx's error, wrapped with the file's name, when ctx is done. A
// text with no figures is an error wrapping ErrNoFigures that comes with
// the result, so that its skipped numbers can be shown.
func Parse(ctx context.Context, name string, b []byte, opt Options) (*Result, error) {
	d, err := decodeForm(ctx, name, b)
	if err != nil {
		return nil, &Error{File: name, Err: err}
	}
	text := normalize(d.Text.Text)
	if hasGrouping(text) {
		text = groupingRe.ReplaceAllStringFunc(text, func(s string) string { return strings.ReplaceAll(s, ",", "") })
	}
	paras := paragraphs(text)
	doc := analyse(paras)

	res := &Result{Period: opt.Period, Form: d.form, Where: d.Where}
	periodErr := error(nil)
	if res.Period.IsZero() {
		// An unknown period is reported after extraction, so that a file
		// with no figures at all is called that rather than undated.
		res.Period, _, periodErr = reportPeriod(doc, opt.Year)
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{File: name, Err: err}
	}

	for _, sec := range sections(paras) {
		if sec.city == "" {
			sec.city = titleCity(doc.title)
		}
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
		px := proseExtractor{doc: doc, city: sec.city, period: res.Period, aliases: map[string]string{}, out: &res.Statements, skipped: &res.Skipped, unmatched: &res.Unmatched, subj: doc.subject()}
		x := extractor{city: sec.city, period: res.Period, res: res}
		for _, p := range sec.paras {
			if p.heading != "" && strings.Contains(p.text, "开发区") {
				x.headingZones = []string{"全市开发区"}
			}
		}
		for i := range sec.paras {
			if err := ctx.Err(); err != nil {
				return nil, &Error{File: name, Err: err}
			}
			p := &sec.paras[i]
			if p.table != nil {
				px.line = p.lineAt
				px.tableFigures(p.table)
				continue
			}
			if err := px.paragraph(p); err != nil {
				return nil, paragraphError(name, p, err)
			}
			if err := x.paragraph(p); err != nil {
				return nil, paragraphError(name, p, err)
			}
		}
	}
	// The 三个一批 and reform figures of extractor.go join the statements.
	for _, f := range res.Figures {
		res.Statements = append(res.Statements, Statement{Figure: f, Rule: "三个一批, reforms and counts", SubjectSource: "named"})
	}
	res.Figures = nil
	sort.SliceStable(res.Statements, func(i, j int) bool { return res.Statements[i].Line < res.Statements[j].Line })
	stated := map[string]bool{}
	for _, st := range res.Statements {
		stated[st.Text] = true
		if st.Scope == "" && st.Period == res.Period {
			f := st.Figure
			f.Zones = storedZones(f.Zones)
			res.Figures = append(res.Figures, f)
		}
	}
	unmatched := res.Unmatched[:0]
	sort.SliceStable(res.Unmatched, func(i, j int) bool { return res.Unmatched[i].Line < res.Unmatched[j].Line })
	for _, u := range res.Unmatched {
		if !stated[u.Text] {
			stated[u.Text] = true // once
			unmatched = append(unmatched, u)
		}
	}
	res.Unmatched = unmatched
	if len(unmatched) == 0 {
		res.Unmatched = nil
	}
	res.Figures, res.Warnings = dedupe(name, res.Figures, res.Warnings)
	if len(res.Figures) == 0 && len(res.Statements) == 0 {
		// The result still says what was skipped and why (parse --explain).
		return res, &Error{File: name, Err: ErrNoFigures}
	}
	if res.Period.IsZero() {
		if periodErr == nil {
			periodErr = ErrNoPeriod
		}
		return nil, &Error{File: name, Err: periodErr}
	}
	return res, nil
}

// aggregateCountRe is the count inside a zone aggregate: 全市9家工业类开发区.
var aggregateCountRe = regexp.MustCompile(`^(全[市州盟县区省旗])[0-9]+(?:家|个)`)

// storedZones are the zones a figure is stored and exported under. They
// are the zones as written, except that an aggregate's count is dropped
// (全市9家工业类开发区 is 全市工业类开发区): the count changes when a zone
// is added, the aggregate does not. Statements keep the count.
func storedZones(zones []string) []string {
	out := make([]string, len(zones))
	for i, z := range zones {
		out[i] = aggregateCountRe.ReplaceAllString(z, "$1")
	}
	return out
}

// paragraphError places an error of paragraph p on its line.
func paragraphError(name string, p *paragraph, err error) error {
	var m errMalformed
	if errors.As(err, &m) {
		line := p.lines[0].line
		if i := strings.Index(p.text, m.numeral); i >= 0 {
			line = p.lineAt(i)
		}
		return &Error{File: name, Line: line, Err: err}
	}
	return &Error{File: name, Err: err}
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
