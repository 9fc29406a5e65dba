package bulletin

import (
	"archive/zip"
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/synth"
)

func readBulletin(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/bulletins/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toGB18030(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// docxOf returns a .docx whose word/document.xml is doc.
func docxOf(t *testing.T, doc []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(doc); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDecodeSaysWhatHappened pins issue 13's misleading messages: one bad
// byte in a UTF-8 bulletin was "binary file", a 4 MB zip bomb "file
// larger than 16 MiB", and a GB18030 file cut inside a character parsed
// silently to part of its figures.
func TestDecodeSaysWhatHappened(t *testing.T) {
	utf8Text := readBulletin(t, "datong-2023q1.txt")
	lines := bytes.SplitAfter(utf8Text, []byte("\n"))
	// One bad byte after the third character of line 4.
	line4 := []rune(string(lines[3]))
	badLine := append(append([]byte(string(line4[:3])), 0xFF), []byte(string(line4[3:]))...)
	oneBadByte := bytes.Join(append(append(append([][]byte{}, lines[:3]...), badLine), lines[4:]...), nil)

	gb := toGB18030(t, synthText(t))
	// Cut inside the last two-byte character before the end.
	cut := len(gb) - 1
	for gb[cut-1] < 0x81 || gb[cut] < 0x40 {
		cut--
	}
	gbCut := gb[:cut]
	gbLines := 1 + bytes.Count(gbCut, []byte("\n"))

	bomb := docxOf(t, append([]byte(`<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>`),
		bytes.Repeat([]byte(" "), MaxSize+1)...))

	tests := []struct {
		name    string
		in      []byte
		want    string // in the message
		wantErr func(error) bool
	}{
		{"one bad byte in UTF-8", oneBadByte, "invalid UTF-8 at line 4, column 4 (byte 0xff; 1 bad in all)",
			func(err error) bool { var e *InvalidUTF8Error; return errors.As(err, &e) && e.Line == 4 }},
		{"UTF-8 cut inside a character", utf8Text[:bytes.LastIndex(utf8Text, []byte("。"))+1], "UTF-8 text ends inside a character at line",
			func(err error) bool { var e *TruncatedError; return errors.As(err, &e) && e.Encoding == "UTF-8" }},
		{"GB18030 cut inside a character", gbCut, "GB18030 text ends inside a character at line ",
			func(err error) bool { var e *TruncatedError; return errors.As(err, &e) && e.Line == gbLines }},
		{"zip bomb", bomb, "word/document.xml unpacks to more than 16 MiB",
			func(err error) bool { return errors.Is(err, ErrUnpackedTooLarge) && !errors.Is(err, ErrTooLarge) }},
		{"random bytes are still binary", readBulletin(t, "random.bin"), "binary file",
			func(err error) bool { return errors.Is(err, ErrBinary) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(tt.in)
			if err == nil {
				t.Fatal("Decode succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q, want it to say %q", err, tt.want)
			}
			if !tt.wantErr(err) {
				t.Errorf("error %#v is not of the kind expected", err)
			}
			if strings.ContainsAny(err.Error(), "\r\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if len(bomb) > 4<<20 {
		t.Errorf("the zip bomb is %d bytes; it should be far smaller than what it unpacks to", len(bomb))
	}
}

// synthText is a synthetic bulletin of many lines in Chinese.
func synthText(t *testing.T) string {
	t.Helper()
	c := synth.New(synth.Config{Cities: 1, Zones: 20, Periods: 1, End: figure.MustPeriod("2024-06"), Seed: 3})
	return string(c.Bulletin(0, c.Periods()[0]))
}

// TestDecodeStillReads checks that the new checks take no good bulletin
// for a bad one: GB18030 text is not mistaken for damaged UTF-8, and text
// that ends on a character boundary is whole.
func TestDecodeStillReads(t *testing.T) {
	text := synthText(t)
	tests := []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-8", []byte(text), text},
		{"GB18030", toGB18030(t, text), text},
		{"GB18030 with four-byte characters", toGB18030(t, "太原市开发区𠀀㐀 1-6月\n"), "太原市开发区𠀀㐀 1-6月\n"},
		{"GB18030 testdata", readBulletin(t, "changzhi-2023q3.gb18030.txt"), ""},
		{"docx testdata", readBulletin(t, "yuncheng-2024-05.docx"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Decode(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want != "" && got != tt.want {
				t.Errorf("Decode = %.80q…, want %.80q…", got, tt.want)
			}
		})
	}
}
