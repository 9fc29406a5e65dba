package bulletin

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"

	"github.com/devzone/devzone_exporter/collector/bulletin/hanzi"
)

// paragraph is a run of text the bulletin wrote as one paragraph, after
// lines that a page break tore apart are joined again.
type paragraph struct {
	text  string
	lines []lineStart // where each joined source line starts in text
	// heading is the city a heading names ("太原市开发区"), trailer the
	// city a trailer names ("(供稿:晋中市开发区)").
	heading, trailer string
	isHeading        bool // a heading of any kind: it ends a subject's scope
	table            *table
}

type lineStart struct{ off, line int }

// lineAt returns the source line number of byte offset off.
func (p *paragraph) lineAt(off int) int {
	n := p.lines[0].line
	for _, ls := range p.lines {
		if ls.off > off {
			break
		}
		n = ls.line
	}
	return n
}

// normalize folds full-width digits, letters and punctuation (０-９, ％,
// ，；：（）) to ASCII and unifies dashes, so that the rest of the parser
// sees one spelling of each. Chinese punctuation with no ASCII twin
// (。、“”) is kept. A text in traditional characters is folded to
// simplified ones (hanzi.Simplify), so 規模以上工業增加值 is read as
// 规模以上工业增加值; the sentences kept with its figures are then simplified
// too.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = width.Fold.String(s)
	s, _ = hanzi.Simplify(s)
	return dashes.Replace(s)
}

var dashes = strings.NewReplacer(
	"\u2212", "-", // minus sign
	"\u2013", "-", // en dash, as in 1–6月
	"\u2014", "-", // em dash, as in 1—6月
	"\u2012", "-",
	"\uFE63", "-",
	"\u00A0", " ",
	"\u200B", "",
	"\uFEFF", "",
)

var (
	// cityPrefix captures a prefecture-level city at the start of a phrase.
	// A city's name ends in 市 (忻州市: not 忻州), or is an autonomous
	// prefecture, a 地区 or a 盟; the 市 branch is tried first.
	cityPrefix = `([\p{Han}]{1,7}?市|[\p{Han}]{1,9}?自治州|[\p{Han}]{1,4}?州|[\p{Han}]{1,7}?地区|[\p{Han}]{1,7}?盟)`
	// cityHeadingRe matches a line that is only a city's heading, e.g.
	// "太原市开发区" or "晋中市开发区工作情况".
	cityHeadingRe = regexp.MustCompile(`^(?:[一二三四五六七八九十百千零〇]+、)?` + cityPrefix + `(?:[\p{Han}]{0,6}?开发区)?(?:工作)?(?:进展|情况|动态)?$`)
	// trailerRe matches the source note that closes a city's section:
	// "(供稿:晋中市开发区)", "(来源:大同市商务局)".
	trailerRe = regexp.MustCompile(`\((?:供稿|来源|供稿单位|报送单位|报送)\s*:\s*` + cityPrefix + `[^()]{0,20}\)\s*$`)
	// ordinalRe matches list markers that open a paragraph: 一、 (一) 1. 1、
	ordinalRe = regexp.MustCompile(`^(?:[一二三四五六七八九十百千零〇]+、|\([一二三四五六七八九十百千零〇]+\)|\d{1,2}[、.](?:\D|$)|[一二三四五六七八九十百千零〇]+是)`)
)

// maxHeadingBytes bounds a city heading: a city and 开发区工作情况 at most.
const maxHeadingBytes = 3 * 24

// hasTrailer reports whether s ends in a trailer naming a city; the cheap
// test for its words comes first.
func hasTrailer(s string) bool {
	return (strings.Contains(s, "供稿") || strings.Contains(s, "来源") || strings.Contains(s, "报送")) && trailerRe.MatchString(s)
}

// terminal reports whether a line ends where a sentence may end, so that
// the next line starts a new paragraph.
func terminal(line string) bool {
	r, _ := utf8.DecodeLastRuneInString(line)
	switch r {
	case '。', '!', '?', ';', ':', ')', '】', '…', '」':
		return true
	}
	return false
}

// isHeadingLine reports whether a line is a heading: a 【…】 title, a city
// heading, or a short list-marked title such as "一、指标完成情况".
func isHeadingLine(line string) bool {
	if strings.HasPrefix(line, "【") || len(line) <= maxHeadingBytes && strings.ContainsAny(line, "市州盟区") && cityHeadingRe.MatchString(line) ||
		strings.HasPrefix(line, "(") && hasTrailer(line) {
		return true
	}
	if len(line) <= 3*30 && !strings.ContainsAny(line, "。,;") && mayBeOrdinal(line) && ordinalRe.MatchString(line) {
		return true
	}
	if strings.HasPrefix(line, "--") && len(line) <= 3*40 && !strings.ContainsAny(line, "。;") && !strings.ContainsAny(line, "0123456789") {
		return true // ——工业生产快速增长,企业效益明显回升 (normalised to --): a section's heading
	}
	return false
}

// mayBeOrdinal is the cheap test before ordinalRe: the line starts with a
// Chinese numeral, a bracket or a digit.
func mayBeOrdinal(line string) bool {
	r, _ := utf8.DecodeRuneInString(line)
	return r == '(' || r >= '0' && r <= '9' || strings.ContainsRune("一二三四五六七八九十百千零〇", r)
}

// opensParagraph reports whether a line must start a paragraph of its own,
// so a page break before it cannot have torn a sentence.
func opensParagraph(line string) bool {
	return isHeadingLine(line) || mayBeOrdinal(line) && ordinalRe.MatchString(line)
}

// paragraphs splits normalised text into paragraphs and tables, in one
// pass over its lines. Text copied out of a PDF breaks a sentence wherever
// a page or a line ended ("占全市比重\n\n5.77%", "58.37\n亿元", "同\n比增长");
// such a line is joined to the next one. A line is joined when it does not
// end a sentence and the next line cannot start one (a unit, a digit after
// a digit, punctuation), or when it is a long line of running text (a
// title or a heading is short). Lines that form a table (pipes, tabs,
// aligned columns, one cell per line, a run-on row of cells) become one
// table block.
func paragraphs(text string) []paragraph {
	lines := strings.Split(text, "\n")
	var out []paragraph
	var b strings.Builder
	var cur *paragraph
	flush := func() {
		if cur != nil {
			cur.text = b.String()
			out = append(out, *cur)
			cur = nil
			b.Reset()
		}
	}
	prevLine := ""
	blankSince := false
	for i := 0; i < len(lines); i++ {
		line := strings.TrimSpace(lines[i])
		if line == "" {
			blankSince = true
			continue
		}
		if t, n := readTable(lines, i); t != nil {
			flush()
			out = append(out, paragraph{text: t.source, lines: []lineStart{{0, i + 1}}, table: t})
			i += n - 1
			prevLine, blankSince = "", false
			continue
		}
		if cur != nil && (opensParagraph(line) || !joins(prevLine, line, blankSince)) {
			flush()
		}
		if cur == nil {
			cur = &paragraph{}
		}
		cur.lines = append(cur.lines, lineStart{off: b.Len(), line: i + 1})
		b.WriteString(line)
		prevLine, blankSince = line, false
		if isHeadingLine(line) && len(cur.lines) == 1 && !continues(line, nextLine(lines, i)) {
			flush()
		}
	}
	flush()
	for i := range out {
		p := &out[i]
		if p.table != nil {
			continue
		}
		if hasTrailer(p.text) {
			p.trailer = trailerRe.FindStringSubmatch(p.text)[1]
		}
		if len(p.text) <= maxHeadingBytes {
			if m := cityHeadingRe.FindStringSubmatch(p.text); m != nil {
				p.heading = m[1]
			}
		}
		p.isHeading = isHeadingLine(p.text)
	}
	return out
}

// nextLine returns the next non-empty line after lines[i], trimmed.
func nextLine(lines []string, i int) string {
	for j := i + 1; j < len(lines) && j < i+4; j++ {
		if l := strings.TrimSpace(lines[j]); l != "" {
			return l
		}
	}
	return ""
}

// continues reports whether line can only be the rest of prev: it starts
// with a unit or punctuation, or with a digit after prev's digit.
func continues(prev, line string) bool {
	if prev == "" || line == "" || terminal(prev) {
		return false
	}
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(line)
	switch {
	case strings.ContainsRune(",。;:、)%", first) || hasAnyPrefix(line, "亿元", "万元", "亿", "个百分点", "百分点", "元", "个", "家"):
		return true
	case hasAnyPrefix(line, "共计", "合计", "共有", "分别"):
		return true // no sentence starts there: the line before is its subject
	case (last >= '0' && last <= '9' || last == '.') && (first >= '0' && first <= '9' || first == '.'):
		return true
	}
	return false
}

// joins reports whether line continues prev, the line before it (with
// blank lines between when blank).
func joins(prev, line string, blank bool) bool {
	if prev == "" || terminal(prev) {
		return false
	}
	if continues(prev, line) {
		return true
	}
	last, _ := utf8.DecodeLastRuneInString(prev)
	first, _ := utf8.DecodeRuneInString(line)
	if utf8.RuneCountInString(prev) < 28 && !strings.ContainsAny(prev, ",;") || noiseRe.MatchString(prev) {
		return false // a title, a heading, a dateline
	}
	if blank && (opensParagraph(line) || utf8.RuneCountInString(line) < 6 && !unicode.IsDigit(first)) {
		return false
	}
	return unicode.Is(unicode.Han, last) || unicode.IsDigit(last) || unicode.IsLetter(last)
}

// noiseRe is the page furniture of a web page: dateline, source, clicks.
var noiseRe = regexp.MustCompile(`来源|发布时间|点击量|浏览次数|登录|无障碍|字号`)

// section is a run of paragraphs about one city.
type section struct {
	city  string
	paras []paragraph
}

// sections gives each paragraph its city. A trailer ("(供稿:晋中市开发区)")
// closes a section and names its city; a heading ("晋中市开发区") names the
// city of the paragraphs after it. Because a PDF's layout can put a
// heading in the middle of its own section, a trailer's city wins over the
// missing heading of the paragraphs before that heading: within one
// trailer's span, paragraphs under a heading of another city keep that
// city, and all others take the trailer's.
func sections(paras []paragraph) []section {
	var out []section
	start := 0
	for i := 0; i <= len(paras); i++ {
		if i < len(paras) && paras[i].trailer == "" {
			continue
		}
		end := i + 1
		if end > len(paras) {
			end = len(paras)
		}
		span := paras[start:end]
		trailer := ""
		if i < len(paras) {
			trailer = paras[i].trailer
		}
		out = append(out, splitByHeadings(span, trailer)...)
		start = end
	}
	return out
}

// splitByHeadings cuts a span at its city headings. Parts without a
// heading of their own take the span's trailer city (which may be "").
func splitByHeadings(span []paragraph, trailer string) []section {
	var out []section
	cur := section{city: trailer}
	for _, p := range span {
		if p.heading != "" && p.heading != cur.city {
			if len(cur.paras) > 0 {
				out = append(out, cur)
			}
			cur = section{city: p.heading}
		}
		cur.paras = append(cur.paras, p)
	}
	if len(cur.paras) > 0 {
		out = append(out, cur)
	}
	return out
}
