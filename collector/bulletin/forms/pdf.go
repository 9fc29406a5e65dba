package forms

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"unicode/utf8"
)

// PDFToText is the program that reads a PDF's text layer: poppler's
// pdftotext (Debian's poppler-utils), which reads CID fonts and their
// ToUnicode maps and, with -layout, keeps a table's columns apart by runs
// of spaces, the form the parser's table reader knows. A variable so that
// a test can point it at a missing program.
var PDFToText = "pdftotext"

// ErrNoPDFToText is returned when pdftotext is not installed.
var ErrNoPDFToText = errors.New("reading a PDF needs pdftotext, which is not installed (Debian: apt-get install poppler-utils)")

// ReadPDF returns the text of a PDF page by page, its lines laid out as on
// the page ("page N" is each line's place). It fails with ErrNoTextLayer
// for a PDF whose pages hold no text, and with pdftotext's own first
// complaint for a damaged or encrypted one. ctx bounds the run.
func ReadPDF(ctx context.Context, b []byte) (Text, error) {
	if !isPDF(b) {
		return Text{}, errors.New("not a PDF: no %PDF- header")
	}
	prog, err := exec.LookPath(PDFToText)
	if err != nil {
		return Text{}, ErrNoPDFToText
	}
	// pdftotext reads a file: seeking in a pipe is what it cannot do.
	f, err := os.CreateTemp("", "bulletin-*.pdf")
	if err != nil {
		return Text{}, fmt.Errorf("pdf: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return Text{}, fmt.Errorf("pdf: %w", err)
	}
	if err := f.Close(); err != nil {
		return Text{}, fmt.Errorf("pdf: %w", err)
	}
	var out, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, prog, "-layout", "-enc", "UTF-8", "-eol", "unix", f.Name(), "-")
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return Text{}, ctx.Err()
		}
		return Text{}, fmt.Errorf("damaged or encrypted PDF: pdftotext: %s", firstLine(stderr.String(), err))
	}
	return pdfText(out.String())
}

// pdfText splits pdftotext's output into lines and pages: a form feed
// opens each page after the first.
func pdfText(s string) (Text, error) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.TrimRight(s, "\f\n")
	var lines []pdfLine
	page := 1
	for _, line := range strings.Split(s, "\n") {
		for strings.HasPrefix(line, "\f") {
			page++
			line = line[1:]
		}
		lines = append(lines, pdfLine{strings.TrimRight(line, " "), page})
	}
	lines = reflow(lines)
	var t Text
	text := false
	for _, l := range lines {
		if strings.TrimSpace(l.text) != "" {
			text = true
		}
		t.add(l.text, "page "+strconv.Itoa(l.page))
	}
	if !text {
		return Text{}, ErrNoTextLayer
	}
	return t, nil
}

type pdfLine struct {
	text string
	page int // the page the line starts on
}

// reflow joins the lines a paragraph was wrapped into. A line of prose
// that fills the text width (within four characters of the widest line)
// and does not end a sentence continues on the next line, unless that one
// is indented (a paragraph's first line), empty or a row of a table: the
// PDF wrapped it there, not the author. The parser joins torn lines too,
// but not after a comma, where a wrapped line often ends.
func reflow(lines []pdfLine) []pdfLine {
	widest, margin := 0, -1
	for _, l := range lines {
		if isProse(l.text) {
			widest = max(widest, displayWidth(l.text))
			if in := indent(l.text); margin < 0 || in < margin {
				margin = in
			}
		}
	}
	var out []pdfLine
	for i := 0; i < len(lines); i++ {
		cur, last := lines[i], lines[i].text
		for i+1 < len(lines) && isProse(last) && displayWidth(last) >= widest-8 && !endsSentence(last) &&
			isProse(lines[i+1].text) && indent(lines[i+1].text) <= margin {
			last = lines[i+1].text
			cur.text += strings.TrimSpace(last)
			i++
		}
		out = append(out, cur)
	}
	return out
}

// isProse reports a line of running text: not empty, not columns of a
// table (two runs of two spaces or more inside it).
func isProse(s string) bool {
	t := strings.TrimSpace(s)
	return t != "" && strings.Count(t, "  ") < 2
}

func indent(s string) int { return len(s) - len(strings.TrimLeft(s, " ")) }

// displayWidth is a line's width in half-width columns: ASCII one, any
// other character two, as a Chinese font sets them.
func displayWidth(s string) int {
	w := 0
	for _, r := range s {
		if r < 0x80 {
			w++
		} else {
			w += 2
		}
	}
	return w
}

func endsSentence(s string) bool {
	r, _ := utf8.DecodeLastRuneInString(s)
	return strings.ContainsRune("。!?!?:", r)
}

// firstLine is a program's first line of complaint, else its exit status.
func firstLine(stderr string, err error) string {
	for _, l := range strings.Split(stderr, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return err.Error()
}
