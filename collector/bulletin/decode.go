package bulletin

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// MaxSize is the largest bulletin accepted. A monthly bulletin of one city
// is tens of kilobytes; anything near this size is not a bulletin.
const MaxSize = 16 << 20

var (
	// ErrEmpty is returned for a file with no text.
	ErrEmpty = errors.New("empty file")
	// ErrBinary is returned for bytes that are not text in UTF-8 or
	// GB18030, nor a .docx document.
	ErrBinary = errors.New("binary file, not a bulletin (want UTF-8 or GB18030 text, or .docx)")
	// ErrTooLarge is returned for input over MaxSize.
	ErrTooLarge = fmt.Errorf("file larger than %d MiB, not a bulletin", MaxSize>>20)
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// Decode turns bulletin bytes into UTF-8 text. It reads UTF-8 with or
// without a byte order mark, GB18030 (and so GBK and GB2312), and the text
// of a .docx document, telling them apart by content alone.
func Decode(b []byte) (string, error) {
	if len(b) > MaxSize {
		return "", ErrTooLarge
	}
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
	return s, nil
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
		return "", ErrTooLarge
	}
	rc, err := doc.Open()
	if err != nil {
		return "", fmt.Errorf("docx: %w", err)
	}
	defer rc.Close()
	text, err := docxText(io.LimitReader(rc, MaxSize))
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
