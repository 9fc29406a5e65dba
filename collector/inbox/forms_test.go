package inbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/bulletin/forms"
	"github.com/devzone/devzone_exporter/collector/store"
)

// TestPublishedForms puts the published forms' test documents
// (collector/bulletin/forms/testdata) in an inbox: the bulletins are
// ingested, the scanned and corrupt PDF, the page with no article and the
// workbooks with no figures are kept as failed with their one-line reason.
func TestPublishedForms(t *testing.T) {
	want := map[string]string{ // file: "" for ingested, else the error's words
		"31-gbk.html":      "",
		"35.xlsx":          "",
		"no-article.html":  "no article in the web page",
		"no-figures.xlsx":  "no figures found",
		"empty-sheet.xlsx": "no values in any sheet",
		"01.pdf":           "",
		"34.pdf":           "",
		"scanned.pdf":      "no text layer (scanned PDF?)",
		"corrupt.pdf":      "damaged or encrypted PDF",
	}
	if _, err := exec.LookPath(forms.PDFToText); err != nil {
		t.Log("pdftotext (Debian poppler-utils) is not installed: PDFs left out")
		for f := range want {
			if strings.HasSuffix(f, ".pdf") {
				delete(want, f)
			}
		}
	}
	// Some of the forms state no city: the inbox's directory supplies one
	// (issue 11: they were stored under city="").
	dir := filepath.Join(t.TempDir(), "示例市")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for f := range want {
		b, err := os.ReadFile(filepath.Join("..", "bulletin", "forms", "testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		// .htm as well as .html: both are picked up.
		name := strings.Replace(f, "31-gbk.html", "31-gbk.htm", 1)
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	st := openStore(t)
	results, _ := (&Ingester{Store: st}).Dir(ctx, dir)
	if len(results) != len(want) {
		t.Fatalf("%d files read, want %d: %+v", len(results), len(want), results)
	}
	for _, r := range results {
		f := filepath.Base(r.Path)
		if f == "31-gbk.htm" {
			f = "31-gbk.html"
		}
		reason := want[f]
		switch {
		case reason == "" && (r.Outcome != Ingested || r.Stored.New == 0):
			t.Errorf("%s: %s, %v; want ingested with figures", f, r.Outcome, r.Err)
		case reason != "" && (r.Outcome != Failed || r.Err == nil || !strings.Contains(r.Err.Error(), reason)):
			t.Errorf("%s: %s, %v; want failed: %s", f, r.Outcome, r.Err, reason)
		case reason != "":
			if msg := r.Err.Error(); strings.Contains(msg, "\n") {
				t.Errorf("%s: error of more than one line: %q", f, msg)
			}
			b, _ := os.ReadFile(r.Path)
			rep, found, err := st.LookupReport(ctx, store.Checksum(b))
			if err != nil || !found || rep.Status != store.StatusFailed || !strings.Contains(rep.Error, reason) {
				t.Errorf("%s: failure not kept: %+v %v %v", f, rep, found, err)
			}
		}
	}
}

func TestIsBulletin(t *testing.T) {
	for name, want := range map[string]bool{
		"a.txt": true, "a.docx": true, "a.PDF": true, "a.html": true, "a.htm": true,
		"a.xlsx": true, "a.xls": false, "a.doc": false, "a.png": false, "a": false,
	} {
		if got := IsBulletin(name); got != want {
			t.Errorf("IsBulletin(%q) = %t, want %t", name, got, want)
		}
	}
}
