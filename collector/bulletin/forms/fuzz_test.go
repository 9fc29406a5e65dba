package forms

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seeds adds the test documents of one extension to a fuzz corpus.
func seeds(f *testing.F, ext string) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*"+ext))
	if len(files) == 0 {
		f.Fatalf("no testdata/*%s seeds (go test -update writes them)", ext)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkText holds a reader's result to its contract: a place per line, an
// error of one line.
func checkText(t *testing.T, txt Text, err error) {
	t.Helper()
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("error of more than one line: %q", err)
		}
		return
	}
	if n := strings.Count(txt.Text, "\n"); n != len(txt.Where) {
		t.Fatalf("%d lines, %d places", n, len(txt.Where))
	}
}

func FuzzReadHTML(f *testing.F) {
	seeds(f, ".html")
	f.Add([]byte(`<table><tr><td colspan="99999">a</td><td rowspan="-1">b</td></tr><tr><td>1</td></tr></table>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		txt, err := ReadHTML(b)
		checkText(t, txt, err)
	})
}

func FuzzReadXLSX(f *testing.F) {
	seeds(f, ".xlsx")
	f.Fuzz(func(t *testing.T, b []byte) {
		txt, err := ReadXLSX(b)
		checkText(t, txt, err)
	})
}

// FuzzPDFText fuzzes what is done with pdftotext's output (pages, the
// joining of wrapped lines); pdftotext itself is poppler's to fuzz.
func FuzzPDFText(f *testing.F) {
	for _, g := range []string{"01.pdf.golden", "34.pdf.golden"} {
		b, err := os.ReadFile(filepath.Join("testdata", g))
		if err != nil {
			f.Fatal(err)
		}
		var out []string
		for _, l := range strings.Split(string(b), "\n") {
			if _, text, ok := strings.Cut(l, "\t"); ok {
				out = append(out, text)
			}
		}
		f.Add(strings.Join(out, "\n\f"))
	}
	f.Add("\f\f\n  \n\f")
	f.Fuzz(func(t *testing.T, s string) {
		txt, err := pdfText(s)
		checkText(t, txt, err)
		if err == nil && strings.Join(strings.Fields(txt.Text), "") != strings.Join(strings.Fields(strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\f", "")), "") {
			t.Fatalf("text changed beyond its line breaks and spaces:\n%q\n%q", s, txt.Text)
		}
	})
}

func FuzzSniff(f *testing.F) {
	seeds(f, ".pdf")
	seeds(f, ".xlsx")
	f.Fuzz(func(t *testing.T, b []byte) {
		switch Sniff("f", b) {
		case Plain, Docx, PDF, HTML, XLSX:
		default:
			t.Fatal("no form")
		}
	})
}
