package forms_test

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/devzone/devzone_exporter/collector/bulletin/forms"
	"github.com/devzone/devzone_exporter/collector/bulletin/forms/formstest"
)

var update = flag.Bool("update", false, "rewrite the test documents and golden texts under testdata")

// styles reads a passage of the parser's styles corpus, the text form the
// test documents are made from.
func styles(t testing.TB, n string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "styles", n+".txt"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// documents are the test documents under testdata and how each is made
// (go test ./collector/bulletin/forms -update makes them again).
func documents(t testing.TB) map[string][]byte {
	t.Helper()
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	xlsx := func(sheet, text string) []byte {
		b, err := formstest.Workbook(sheet, text)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	prose := formstest.PDF(formstest.Typeset(styles(t, "01"), 20))
	return map[string][]byte{
		"01.pdf":           prose,                                                 // prose over 3 pages, a share torn by a page break
		"34.pdf":           formstest.PDF(formstest.Typeset(styles(t, "34"), 40)), // a table in aligned columns
		"scanned.pdf":      formstest.ImagePDF(),
		"corrupt.pdf":      append([]byte("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R"), bytes.Repeat([]byte{0x9c, 0x00, 0x7f}, 40)...),
		"31-gbk.html":      gbk(formstest.WebPage("gb2312", styles(t, "31"))),
		"no-article.html":  []byte(noArticle),
		"35.xlsx":          xlsx("2006年", styles(t, "35")),
		"no-figures.xlsx":  xlsx("通讯录", "开发区管委会联系方式\n开发区 | 联系人 | 电话 |\n福州经济技术开发区 | 张三 | 0591-83961234 |\n东山经济技术开发区 | 李四 | 0596-5681234 |\n"),
		"empty-sheet.xlsx": xlsx("Sheet1", ""),
	}
}

const noArticle = `<!DOCTYPE html><html><head><meta charset="utf-8"><title>开发区建设_某某市商务局</title></head>
<body><div class="nav"><a href="/">首页</a></div><ul class="list">
<li><a href="/1.html">2023年1-6月全市开发区主要经济指标完成情况</a><span>2023-07-20</span></li>
<li><a href="/2.html">2023年1-5月全市开发区主要经济指标完成情况</a><span>2023-06-20</span></li>
<li><a href="/3.html">2023年1-4月全市开发区主要经济指标完成情况</a><span>2023-05-20</span></li>
</ul><div class="page">共3条 第1页</div></body></html>`

// read reads a test document as the parser would.
func read(t testing.TB, name string, b []byte) (forms.Text, error) {
	t.Helper()
	switch forms.Sniff(name, b) {
	case forms.PDF:
		return forms.ReadPDF(context.Background(), b)
	case forms.HTML:
		return forms.ReadHTML(b)
	case forms.XLSX:
		return forms.ReadXLSX(b)
	}
	t.Fatalf("%s: sniffed as %s", name, forms.Sniff(name, b))
	return forms.Text{}, nil
}

func needPDFToText(t testing.TB) {
	t.Helper()
	if _, err := os.Stat("/usr/bin/pdftotext"); err != nil && !inPath("pdftotext") {
		t.Skip("pdftotext (Debian poppler-utils) is not installed; .ci/run installs it")
	}
}

func inPath(prog string) bool {
	for _, d := range filepath.SplitList(os.Getenv("PATH")) {
		if _, err := os.Stat(filepath.Join(d, prog)); err == nil {
			return true
		}
	}
	return false
}

// TestDocuments reads every test document to the text in its golden file
// (NAME.golden: each line's place, a tab, the line), or to the one-line
// error there. With -update it writes the documents and goldens again.
func TestDocuments(t *testing.T) {
	for name, doc := range documents(t) {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			if *update {
				if err := os.WriteFile(path, doc, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if strings.HasSuffix(name, ".pdf") {
				needPDFToText(t)
			}
			txt, err := read(t, name, b)
			var got strings.Builder
			if err != nil {
				got.WriteString("error: " + err.Error() + "\n")
				if strings.Contains(err.Error(), "\n") {
					t.Errorf("error of more than one line: %q", err)
				}
			} else {
				lines := strings.Split(strings.TrimSuffix(txt.Text, "\n"), "\n")
				if len(lines) != len(txt.Where) {
					t.Fatalf("%d lines, %d places", len(lines), len(txt.Where))
				}
				for i, l := range lines {
					got.WriteString(txt.Where[i] + "\t" + l + "\n")
				}
			}
			golden := path + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != string(want) {
				t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, got.String())
			}
		})
	}
}

func TestSniff(t *testing.T) {
	docx := []byte("PK\x03\x04 not really a zip")
	tests := []struct {
		name string
		file string
		b    []byte
		want forms.Form
	}{
		{"pdf by content, named .txt", "a.txt", []byte("%PDF-1.7\n..."), forms.PDF},
		{"pdf after junk", "a", []byte("junk\r\n%PDF-1.4\n"), forms.PDF},
		{"pdf by name, no header", "a.pdf", []byte("garbage"), forms.PDF},
		{"html doctype", "a", []byte("\n <!DOCTYPE HTML><html>"), forms.HTML},
		{"html with BOM", "a.txt", []byte("\xEF\xBB\xBF<html><body>"), forms.HTML},
		{"html fragment by name", "a.htm", []byte("<div>太原市</div>"), forms.HTML},
		{"html comment first", "a", []byte("<!-- saved from url --><html>"), forms.HTML},
		{"text with angle brackets", "a.txt", []byte("<一>太原市开发区"), forms.Plain},
		{"zip that is not a workbook", "a.xlsx", docx, forms.Docx},
		{"text", "a.txt", []byte("太原市开发区"), forms.Plain},
		{"xlsx by name, not a zip", "a.xlsx", []byte("太原市"), forms.XLSX},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := forms.Sniff(tt.file, tt.b); got != tt.want {
				t.Errorf("Sniff(%q) = %s, want %s", tt.file, got, tt.want)
			}
		})
	}
	wb, err := formstest.Workbook("Sheet1", "a | b | c |\nx | 1 | 2 |")
	if err != nil {
		t.Fatal(err)
	}
	if got := forms.Sniff("upload.bin", wb); got != forms.XLSX {
		t.Errorf("a workbook named upload.bin is %s, want xlsx", got)
	}
}

func TestReadPDFWithoutPDFToText(t *testing.T) {
	old := forms.PDFToText
	forms.PDFToText = "pdftotext-not-installed"
	defer func() { forms.PDFToText = old }()
	_, err := forms.ReadPDF(context.Background(), formstest.ImagePDF())
	if !errors.Is(err, forms.ErrNoPDFToText) {
		t.Fatalf("err = %v, want ErrNoPDFToText", err)
	}
	if !strings.Contains(err.Error(), "poppler-utils") {
		t.Errorf("%q does not say what to install", err)
	}
}

func TestReadPDFStopsWithItsContext(t *testing.T) {
	needPDFToText(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := forms.ReadPDF(ctx, formstest.ImagePDF()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestReadHTML(t *testing.T) {
	tests := []struct {
		name string
		page string
		want []string // lines that must be there, in order
		not  []string // text that must not
	}{
		{"colspan and rowspan",
			`<html><body><div id="zoom"><p>2023年1-6月太原市开发区主要指标完成情况如下,全市开发区稳中有进,各项指标好于预期。</p><table>
<tr><td rowspan="2">开发区</td><td colspan="2">营业收入</td></tr>
<tr><td>亿元</td><td>增长%</td></tr>
<tr><td>中北高新区</td><td>12.5</td><td>3.4</td></tr></table></div></body></html>`,
			[]string{"开发区 | 营业收入 | |", "开发区 | 亿元 | 增长% |", "中北高新区 | 12.5 | 3.4 |"}, nil},
		{"br and inline elements",
			`<html><body><div class="content"><p>2023年1-6月,<b>太原市</b>开发区完成营业收入<span>58.37</span>亿元<br>同比增长5.1%,保持了平稳较快的增长态势,好于全省平均水平。</p></div></body></html>`,
			[]string{"2023年1-6月,太原市开发区完成营业收入58.37亿元", "同比增长5.1%,保持了平稳较快的增长态势,好于全省平均水平。"}, nil},
		{"scripts, menus and footers left out",
			`<html><head><title>标题_网站</title><script>var a="2024年1-5月";</script></head><body><ul class="nav-list"><li><a href="/">首页</a></li></ul>
<div class="content"><p>2023年上半年全市开发区完成工业增加值41.07亿元,同比增长12.3%,高于全市增速6.6个百分点,增长势头强劲。</p></div>
<div id="footer">主办单位:某某市商务局</div></body></html>`,
			[]string{"标题", "2023年上半年全市开发区完成工业增加值41.07亿元"}, []string{"2024年1-5月", "首页", "主办单位"}},
		{"UTF-8 page that declares gbk",
			`<html><head><meta charset="gbk"></head><body><p>2023年上半年全市开发区完成工业增加值41.07亿元,同比增长12.3%,高于全市增速6.6个百分点。</p></body></html>`,
			[]string{"2023年上半年全市开发区完成工业增加值41.07亿元"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			txt, err := forms.ReadHTML([]byte(tt.page))
			if err != nil {
				t.Fatal(err)
			}
			rest := txt.Text
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("no line %q (in order) in:\n%s", w, txt.Text)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range tt.not {
				if strings.Contains(txt.Text, n) {
					t.Errorf("%q is in the article:\n%s", n, txt.Text)
				}
			}
		})
	}
}

func TestReadHTMLFails(t *testing.T) {
	tests := []struct {
		name, page string
		want       string
	}{
		{"a page of links", noArticle, forms.ErrNoArticle.Error()},
		{"big5", `<html><head><meta charset="big5"></head><body>x</body></html>`, `charset "big5"`},
		{"empty body", `<html><body></body></html>`, forms.ErrNoArticle.Error()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := forms.ReadHTML([]byte(tt.page))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one that says %q", err, tt.want)
			}
		})
	}
}

func TestReadXLSXNumbersAsShown(t *testing.T) {
	wb, err := formstest.Workbook("Sheet1", "开发区 | 营业收入(亿元) | 增长(%) |\n中北高新区 | 1188.90 | 7.6 |\n")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := forms.ReadXLSX(wb)
	if err != nil {
		t.Fatal(err)
	}
	// 7.6 is stored as 0.076 (0.07599999999999999 in binary) shown as 7.6%.
	if want := "中北高新区 | 1188.9 | 7.6 |"; !strings.Contains(txt.Text, want) {
		t.Errorf("no row %q in:\n%s", want, txt.Text)
	}
	if strings.Contains(txt.Text, "Sheet1") {
		t.Errorf("a sheet's default name became its title:\n%s", txt.Text)
	}
}

func TestReadXLSXFails(t *testing.T) {
	if _, err := forms.ReadXLSX([]byte("PK\x03\x04 cut short")); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("a broken zip: err = %v, want a one-line error", err)
	}
	empty, err := formstest.Workbook("Sheet1", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := forms.ReadXLSX(empty); !errors.Is(err, forms.ErrNoCells) {
		t.Errorf("an empty workbook: err = %v, want ErrNoCells", err)
	}
}
