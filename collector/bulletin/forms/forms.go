// Package forms turns bulletins as they are published — PDF files, saved
// web pages and Excel workbooks — into the plain text the bulletin parser
// reads: lines and paragraphs, tables flattened to pipe rows
// ("开发区 | 营业收入 | 增长率(%) |"), 单位 lines and titles. Nothing here
// knows a figure: the parser's rules apply to every form unchanged, and
// each line of the text keeps where it came from (a page, a sheet and
// cells) so that a figure can be traced back into the file.
package forms

import (
	"archive/zip"
	"bytes"
	"errors"
	"path/filepath"
	"strings"
)

// Form is the shape a bulletin was published in.
type Form string

// The forms a bulletin is read from.
const (
	Plain Form = "text" // UTF-8 or GB18030 text
	Docx  Form = "docx" // a Word document
	PDF   Form = "pdf"
	HTML  Form = "html"
	XLSX  Form = "xlsx"
)

// Text is a form's text and the place in the file each line comes from.
type Text struct {
	Text string
	// Where[i] is where line i+1 of Text stands in the file: "page 2",
	// "Sheet1!A5:F5"; "" for a line of no particular place.
	Where []string
}

// add appends one line and its place.
func (t *Text) add(line, where string) {
	t.Text += line + "\n"
	t.Where = append(t.Where, where)
}

var (
	// ErrNoTextLayer is a PDF whose pages carry no text: a scan, which
	// would need OCR.
	ErrNoTextLayer = errors.New("no text layer (scanned PDF?)")
	// ErrNoArticle is a web page with no body of text: a list of links, a
	// frame, a page that loads its text by script.
	ErrNoArticle = errors.New("no article in the web page (a page of links or menus only, or text loaded by script)")
	// ErrNoCells is a workbook whose sheets hold no values.
	ErrNoCells = errors.New("no values in any sheet of the workbook")
)

// Sniff tells a file's form by its content, then by its name: the content
// wins, so that a PDF saved as .txt or a web page saved without an
// extension is still read as what it is. A name's extension decides only
// for content that proves nothing (an HTML fragment with no <html> tag).
func Sniff(name string, b []byte) Form {
	switch {
	case isPDF(b):
		return PDF
	case bytes.HasPrefix(b, []byte("PK\x03\x04")):
		if zipHas(b, "xl/workbook.xml") {
			return XLSX
		}
		return Docx // decodeDocx says what is wrong with any other zip
	case isHTML(b):
		return HTML
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		return PDF // the reader reports what is wrong with it
	case ".html", ".htm", ".shtml", ".xhtml":
		return HTML
	case ".xlsx":
		return XLSX
	}
	return Plain
}

// isPDF reports whether b starts with a PDF header. The header may come
// after junk in the first kilobyte, as readers allow.
func isPDF(b []byte) bool {
	head := b[:min(len(b), 1024)]
	return bytes.Contains(head, []byte("%PDF-"))
}

// isHTML reports whether b opens like a web page: a doctype, an <html>,
// <head> or <meta> tag, or a comment before one, after a BOM and spaces.
func isHTML(b []byte) bool {
	head := bytes.TrimPrefix(b[:min(len(b), 1024)], []byte{0xEF, 0xBB, 0xBF})
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '<' {
		return false
	}
	low := bytes.ToLower(head)
	for _, p := range []string{"<!doctype html", "<html", "<head", "<meta", "<body", "<?xml"} {
		if bytes.HasPrefix(low, []byte(p)) {
			return p != "<?xml" || bytes.Contains(low, []byte("<html"))
		}
	}
	return bytes.HasPrefix(low, []byte("<!--")) && bytes.Contains(low, []byte("<html"))
}

// zipHas reports whether b is a zip archive with a file of that name.
func zipHas(b []byte, name string) bool {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == name {
			return true
		}
	}
	return false
}

// pipeRow writes cells as the parser's pipe row: "a | b | | c |", an empty
// cell a single space between its pipes. A pipe in a cell becomes a slash.
func pipeRow(cells []string) string {
	var b strings.Builder
	for i, c := range cells {
		if i > 0 {
			b.WriteByte(' ')
		}
		if c = strings.ReplaceAll(c, "|", "/"); c != "" {
			b.WriteString(c)
			b.WriteByte(' ')
		}
		b.WriteByte('|')
	}
	return b.String()
}
