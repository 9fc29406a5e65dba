package bulletin

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin/forms"
)

// formCases are the test documents of package forms (forms/testdata, made
// by its -update from the styles passages) and the passage each is made
// from.
var formCases = []struct {
	file, passage string
	form          forms.Form
}{
	{"01.pdf", "01", forms.PDF},
	{"34.pdf", "34", forms.PDF},
	{"31-gbk.html", "31", forms.HTML},
	{"35.xlsx", "35", forms.XLSX},
}

func formDoc(tb testing.TB, file string) []byte {
	tb.Helper()
	if strings.HasSuffix(file, ".pdf") {
		if _, err := exec.LookPath(forms.PDFToText); err != nil {
			tb.Skip("pdftotext (Debian poppler-utils) is not installed; .ci/run installs it")
		}
	}
	b, err := os.ReadFile(filepath.Join("forms", "testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// coreRecord is what a form must give as its text form does.
func coreRecord(s Statement) string {
	return fmt.Sprintf("%s/%s/%s/%s=%g approx=%t @%s scope=%s", s.City, strings.Join(s.Zones, "、"), s.Indicator, s.Measure, s.Value, s.Approx, s.Period, s.Scope)
}

func coreRecords(sts []Statement) []string {
	var out []string
	for _, s := range sts {
		if isCoreRecord(s.Indicator, s.Measure) {
			out = append(out, coreRecord(s))
		}
	}
	sort.Strings(out)
	return out
}

// TestFormsParseAsTheirText parses each published form and its text form
// and wants the same core records (city, zones, indicator, measure, value,
// approx, period, scope), scored against the passage's gold as TestStyles
// scores the text. Every statement's line has a place in the file.
func TestFormsParseAsTheirText(t *testing.T) {
	for _, tc := range formCases {
		t.Run(tc.file, func(t *testing.T) {
			doc := formDoc(t, tc.file)
			textPath := filepath.Join("testdata", "styles", tc.passage+".txt")
			text, err := os.ReadFile(textPath)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{Year: 2023}
			want, err := Parse(context.Background(), textPath, text, opt)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Parse(context.Background(), tc.file, doc, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got.Form != tc.form {
				t.Errorf("read as %s, want %s", got.Form, tc.form)
			}
			w, g := coreRecords(want.Statements), coreRecords(got.Statements)
			if strings.Join(w, "\n") != strings.Join(g, "\n") {
				t.Errorf("core records differ from the text form's\n text form (%d):\n  %s\n %s (%d):\n  %s",
					len(w), strings.Join(w, "\n  "), tc.file, len(g), strings.Join(g, "\n  "))
			}
			gold := readStyleGold(t, filepath.Join("testdata", "styles", tc.passage+".gold.jsonl"))
			ws, gs := scorePassage(gold, want.Statements), scorePassage(gold, got.Statements)
			t.Logf("%s: core recall %d/%d, %d wrong (text form %s: %d/%d, %d wrong)", tc.file, gs.found, gs.gold, gs.wrong, tc.passage, ws.found, ws.gold, ws.wrong)
			if gs.found != ws.found || gs.wrong != ws.wrong {
				t.Errorf("%s scores %d found, %d wrong; its text form %d found, %d wrong", tc.file, gs.found, gs.wrong, ws.found, ws.wrong)
			}
			for _, s := range got.Statements {
				if got.Source(s.Line) == "" && tc.form != forms.HTML {
					t.Errorf("line %d (%s) has no place in %s", s.Line, coreRecord(s), tc.file)
				}
			}
		})
	}
}

// TestFormsFailOneLine: the forms that hold no bulletin fail with one line
// naming the file and the reason.
func TestFormsFailOneLine(t *testing.T) {
	tests := []struct {
		file string
		want error  // errors.Is, when not nil
		says string // the message contains
	}{
		{"scanned.pdf", forms.ErrNoTextLayer, "scanned.pdf: no text layer (scanned PDF?)"},
		{"corrupt.pdf", nil, "corrupt.pdf: damaged or encrypted PDF: pdftotext: "},
		{"no-article.html", forms.ErrNoArticle, "no-article.html: no article in the web page"},
		{"no-figures.xlsx", ErrNoFigures, "no-figures.xlsx: no figures found"},
		{"empty-sheet.xlsx", forms.ErrNoCells, "empty-sheet.xlsx: no values in any sheet"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, err := Parse(context.Background(), tt.file, formDoc(t, tt.file), Options{Year: 2023})
			if err == nil {
				t.Fatal("parsed")
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Errorf("err = %v, want %v", err, tt.want)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, tt.says) || strings.Contains(msg, "\n") {
				t.Errorf("err = %q, want one line starting %q", msg, tt.says)
			}
		})
	}
}

// BenchmarkParseForms is the parse speed of each form, its reading
// included (for a PDF, the run of pdftotext).
func BenchmarkParseForms(b *testing.B) {
	for _, tc := range formCases {
		b.Run(tc.file, func(b *testing.B) {
			doc := formDoc(b, tc.file)
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				if _, err := Parse(context.Background(), tc.file, doc, Options{Year: 2023}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
