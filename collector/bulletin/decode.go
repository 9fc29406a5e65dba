package bulletin

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/devzone/devzone_exporter/collector/bulletin/forms"
)

// MaxSize is the largest bulletin accepted. A monthly bulletin of one city
// is tens of kilobytes; anything near this size is not a bulletin.
const MaxSize = 16 << 20

var (
	// ErrEmpty is returned for a file with no text.
	ErrEmpty = errors.New("empty file")
	// ErrBinary is returned for bytes that are not text in UTF-8 or
	// GB18030, nor a .docx, PDF, web page or .xlsx workbook.
	ErrBinary = errors.New("binary file, not a bulletin (want UTF-8 or GB18030 text, .docx, .pdf, .html or .xlsx)")
	// ErrTooLarge is returned for input over MaxSize.
	ErrTooLarge = fmt.Errorf("file larger than %d MiB, not a bulletin", MaxSize>>20)
	// ErrUnpackedTooLarge is returned for a .docx whose text would unpack
	// to more than MaxSize, whatever the size of the file (a zip bomb).
	ErrUnpackedTooLarge = fmt.Errorf("word/document.xml unpacks to more than %d MiB, not a bulletin", MaxSize>>20)
)

// InvalidUTF8Error is UTF-8 text with bytes that are not UTF-8: a file
// damaged in transit or edited in two encodings. It is not taken for
// GB18030, which would turn all of it into nonsense.
type InvalidUTF8Error struct {
	Line, Column int  // of the first bad byte, from 1; the column counts characters
	Byte         byte // the first bad byte
	Count        int  // bad bytes in all
}

func (e *InvalidUTF8Error) Error() string {
	return fmt.Sprintf("invalid UTF-8 at line %d, column %d (byte 0x%02x; %d bad in all): re-save the file as UTF-8",
		e.Line, e.Column, e.Byte, e.Count)
}

// TruncatedError is text whose last character is cut in two: the file
// was cut short (a copy or upload that stopped), and what is left of it
// would parse to part of its figures.
type TruncatedError struct {
	Encoding string // "GB18030" or "UTF-8"
	Line     int    // the line the file ends in, from 1
}

func (e *TruncatedError) Error() string {
	return fmt.Sprintf("%s text ends inside a character at line %d: the file is cut short", e.Encoding, e.Line)
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode turns bulletin bytes into UTF-8 text. It reads UTF-8 with or
// without a byte order mark, GB18030 (and so GBK and GB2312), the text of
// a .docx document, and the published forms of package forms (a PDF's
// text layer, a web page's article, a workbook's tables), telling them
// apart by content alone. Its errors say what is wrong: ErrEmpty,
// ErrTooLarge, ErrUnpackedTooLarge, ErrBinary, an *InvalidUTF8Error naming
// the line of a bad byte in UTF-8 text, a *TruncatedError for text cut
// inside a character, or a form's reason (forms.ErrNoTextLayer, …).
func Decode(b []byte) (string, error) {
	d, err := decodeForm(context.Background(), "", b)
	return d.Text.Text, err
}

// decoded is a bulletin's text, the form it was read from and where each
// line stands in the file (nil for text and .docx).
type decoded struct {
	forms.Text
	form forms.Form
}

// decodeForm decodes a bulletin of any form, told by content and then by
// name (see forms.Sniff). ctx bounds the reading of a PDF.
func decodeForm(ctx context.Context, name string, b []byte) (decoded, error) {
	if len(b) > MaxSize {
		return decoded{}, ErrTooLarge
	}
	form := forms.Sniff(name, b)
	d := decoded{form: form}
	var err error
	switch form {
	case forms.PDF:
		d.Text, err = forms.ReadPDF(ctx, b)
	case forms.HTML:
		d.Text, err = forms.ReadHTML(b)
	case forms.XLSX:
		d.Text, err = forms.ReadXLSX(b)
	case forms.Docx:
		d.Text.Text, err = decodeDocx(b)
	default:
		d.Text.Text, err = decodeText(b)
	}
	if err == nil && strings.TrimSpace(d.Text.Text) == "" {
		err = ErrEmpty
	}
	if err != nil {
		return decoded{form: form}, err
	}
	return d, nil
}

// decodeText decodes plain text: UTF-8, else GB18030.
func decodeText(b []byte) (string, error) {
	if bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return decodeDocx(b)
	}
	b = bytes.TrimPrefix(b, utf8BOM)
	if len(bytes.TrimSpace(b)) == 0 {
		return "", ErrEmpty
	}
	var s string
	if utf8.Valid(b) {
		s = string(b)
	} else {
		if err := mostlyUTF8(b); err != nil {
			return "", err
		}
		// GB18030 is a superset of GBK and GB2312; the GBK decoder would
		// turn GB18030's four-byte sequences into U+FFFD.
		out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err != nil {
			return "", ErrBinary
		}
		s = string(out)
	}
	if !looksLikeText(s) {
		return "", ErrBinary
	}
	if !utf8.Valid(b) {
		// Text in GB18030, then: whole only if it ends on a character.
		if n, ok := gb18030Complete(b); !ok {
			return "", &TruncatedError{Encoding: "GB18030", Line: 1 + bytes.Count(b[:n], []byte{'\n'})}
		}
	}
	return s, nil
}

// mostlyUTF8 returns an *InvalidUTF8Error when b is UTF-8 text with a
// few bad bytes: its multi-byte characters outnumber its bad bytes many
// times over. GB18030 text forms a valid UTF-8 sequence only by accident,
// far less often than an invalid one.
func mostlyUTF8(b []byte) error {
	var multi, bad, first int
	first = -1
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			if first < 0 {
				first = i
			}
			bad++
		} else {
			multi++
		}
		i += n
	}
	if bad == 0 || multi < 10*bad {
		return nil
	}
	line := 1 + bytes.Count(b[:first], []byte{'\n'})
	if len(b)-first < utf8.UTFMax && !utf8.FullRune(b[first:]) && bad == len(b)-first {
		// Only the start of a character at the very end: cut short.
		return &TruncatedError{Encoding: "UTF-8", Line: line}
	}
	lineStart := bytes.LastIndexByte(b[:first], '\n') + 1
	return &InvalidUTF8Error{
		Line:   line,
		Column: 1 + utf8.RuneCount(b[lineStart:first]),
		Byte:   b[first],
		Count:  bad,
	}
}

// gb18030Complete reports whether b ends on a character boundary of
// GB18030 (one byte below 0x80; two bytes from a lead 0x81-0xFE; four
// bytes when the second is a digit 0x30-0x39). When it does not, n is
// where the cut character starts.
func gb18030Complete(b []byte) (n int, ok bool) {
	for i := 0; i < len(b); {
		c := b[i]
		if c < 0x81 || c == 0xFF {
			i++
			continue
		}
		if i+1 >= len(b) {
			return i, false
		}
		if d := b[i+1]; d >= 0x30 && d <= 0x39 {
			if i+3 >= len(b) {
				return i, false
			}
			i += 4
			continue
		}
		i += 2
	}
	return len(b), true
}

// looksLikeText rejects decoded bytes that are mostly control characters or
// replacement characters: a binary file decodes "successfully" as GB18030
// more often than not, so decoding alone proves nothing.
func looksLikeText(s string) bool {
	var bad, total int
	for _, r := range s {
		total++
		switch {
		case r == utf8.RuneError, r == 0:
			bad++
		case unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' && r != '\f':
			bad++
		case r >= 0xE000 && r <= 0xF8FF: // private use: GB18030 decodes junk there
			bad++
		}
	}
	return total > 0 && bad*100 <= total // at most 1% junk
}

// decodeDocx extracts the text of word/document.xml, a paragraph a line.
func decodeDocx(b []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return "", fmt.Errorf("docx: %w", err)
	}
	var doc *zip.File
	for _, f := range zr.File {
		if f.Name == "word/document.xml" {
			doc = f
			break
		}
	}
	if doc == nil {
		return "", errors.New("zip archive without word/document.xml, not a .docx bulletin")
	}
	if doc.UncompressedSize64 > MaxSize {
		return "", ErrUnpackedTooLarge
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("docx: %w", err)
	}
	defer rc.Close()
	// The size in the zip header is the archive's word: read no more than
	// the limit, whatever it says.
	lr := &io.LimitedReader{R: rc, N: MaxSize + 1}
	text, err := docxText(lr)
	if lr.N <= 0 {
		return "", ErrUnpackedTooLarge
	}
	if err != nil {
		return "", fmt.Errorf("docx: word/document.xml: %w", err)
	}
	if strings.TrimSpace(text) == "" {
		return "", ErrEmpty
	}
	return text, nil
}

// docxText walks WordprocessingML: w:t holds text, w:p ends a paragraph,
// w:tab and w:br are a tab and a line break.
func docxText(r io.Reader) (string, error) {
	const w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
	dec := xml.NewDecoder(r)
	var sb strings.Builder
	inText := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return sb.String(), nil
		}
		if err != nil {
			return "", err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Space != w {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = true
			case "tab":
				sb.WriteByte('\t')
			case "br", "cr":
				sb.WriteByte('\n')
			}
		case xml.EndElement:
			if t.Name.Space != w {
				continue
			}
			switch t.Name.Local {
			case "t":
				inText = false
			case "p":
				sb.WriteString("\n\n")
			}
		case xml.CharData:
			if inText {
				sb.Write(t)
			}
		}
	}
}
