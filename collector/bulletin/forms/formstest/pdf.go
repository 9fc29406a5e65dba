// Package formstest writes small published forms of a bulletin for tests:
// a PDF with a Chinese text layer, laid out in pages, lines and columns.
// It is ours, so that the test documents under testdata are made by code
// anyone can read and re-run, not by a tool that is not installed.
package formstest

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Run is a piece of text placed on a line at X points from the left edge.
type Run struct {
	X    float64
	Text string
}

// Line is one line of a page: its runs, left to right.
type Line []Run

// Page is the lines of a page, from the top.
type Page []Line

// Font size and line pitch of the pages PDF writes, in points.
const (
	FontSize   = 10.5
	LinePitch  = 18
	LeftMargin = 72
	topMargin  = 780
)

// Width is the width of s in points: a full-width character is 1 em, an
// ASCII one half of it, as the PDF's font says.
func Width(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r < 0x80 {
			w += FontSize / 2
		} else {
			w += FontSize
		}
	}
	return w
}

// PDF writes a PDF 1.4 file of the pages with a text layer in a CID font
// (Identity-H, two-byte codes that are the characters' UTF-16 units) and a
// ToUnicode map, the way Chinese office software writes them. The font is
// named, not embedded: a text extractor needs the map, not the glyphs.
// Characters outside the Basic Multilingual Plane are not written.
// An empty page list gives a PDF of one page with no text.
func PDF(pages []Page) []byte {
	if len(pages) == 0 {
		pages = []Page{nil}
	}
	var streams []string
	for _, p := range pages {
		var cs strings.Builder
		for i, l := range p {
			y := topMargin - float64(i)*LinePitch
			for _, r := range l {
				fmt.Fprintf(&cs, "BT /F1 %g Tf 1 0 0 1 %g %g Tm <%s> Tj ET\n", FontSize, r.X, y, hexUTF16(r.Text))
			}
		}
		streams = append(streams, cs.String())
	}
	return write(streams, fontObjects)
}

// ImagePDF writes a PDF of one page that holds only an image (a grey
// square): a scanned bulletin, with no text layer.
func ImagePDF() []byte {
	img := "q 200 0 0 200 72 500 cm BI /W 2 /H 2 /CS /G /BPC 8 ID \x80\x40\x40\x80 EI Q\n"
	return write([]string{img}, nil)
}

// hexUTF16 is s as Identity-H codes: one UTF-16 unit per character.
func hexUTF16(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF || r == utf8.RuneError {
			continue
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// fontObjects are the font's objects, numbered from first: the Type0 font,
// its CIDFont, descriptor and ToUnicode map.
func fontObjects(first int) []string {
	var cmap strings.Builder
	cmap.WriteString("/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n" +
		"1 begincodespacerange <0000> <FFFF> endcodespacerange\n")
	// A bfrange may not cross a change of its first byte: one per byte.
	for hi := 0; hi < 256; hi += 100 {
		n := min(100, 256-hi)
		fmt.Fprintf(&cmap, "%d beginbfrange\n", n)
		for b := hi; b < hi+n; b++ {
			fmt.Fprintf(&cmap, "<%02X00> <%02XFF> <%02X00>\n", b, b, b)
		}
		cmap.WriteString("endbfrange\n")
	}
	cmap.WriteString("endcmap CMapName currentdict /CMap defineresource pop end end\n")
	c := cmap.String()
	return []string{
		fmt.Sprintf("<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>", first+1, first+3),
		fmt.Sprintf("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /DW 1000 /W [0 127 500] /CIDToGIDMap /Identity >>", first+2),
		"<< /Type /FontDescriptor /FontName /SimSun /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 683 /StemV 80 >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(c), c),
	}
}

// write assembles the catalog, the page tree, each page and its content
// stream, and the font (when font is not nil), with a correct cross
// reference table.
func write(streams []string, font func(first int) []string) []byte {
	// Objects: 1 catalog, 2 pages, then page and content per page, then font.
	n := len(streams)
	fontFirst := 3 + 2*n
	var objs []string
	objs = append(objs, "<< /Type /Catalog /Pages 2 0 R >>")
	var kids []string
	for i := 0; i < n; i++ {
		kids = append(kids, fmt.Sprintf("%d 0 R", 3+2*i))
	}
	objs = append(objs, fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), n))
	res := "<< >>"
	if font != nil {
		res = fmt.Sprintf("<< /Font << /F1 %d 0 R >> >>", fontFirst)
	}
	for i, s := range streams {
		objs = append(objs,
			fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources %s /Contents %d 0 R >>", res, 4+2*i),
			fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", len(s), s))
	}
	if font != nil {
		objs = append(objs, font(fontFirst)...)
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xE2\xE3\xCF\xD3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
