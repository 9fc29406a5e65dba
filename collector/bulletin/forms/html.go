package forms

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// minArticleRunes is the least text, links not counted, that makes a page
// an article: a short bulletin of one zone is a few hundred characters, a
// list page's text is all links.
const minArticleRunes = 40

// ReadHTML returns the article of a saved web page: its title, then its
// body's paragraphs a line each with a blank line between, and its tables
// as pipe rows (a cell spanning columns written once, with empty cells
// after it; a cell spanning rows repeated in each). Menus, navigation,
// footers and scripts are left out, and the body is the element that holds
// most of the page's text. The encoding is the page's meta charset, else
// told by content (UTF-8, else GB18030, which reads GBK and GB2312).
func ReadHTML(b []byte) (Text, error) {
	s, err := htmlUTF8(b)
	if err != nil {
		return Text{}, err
	}
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		return Text{}, fmt.Errorf("html: %w", err)
	}
	title := pageTitle(doc)
	body := findElement(doc, atom.Body)
	if body == nil {
		body = doc
	}
	prune(body)
	content := mainNode(body)
	if content == nil || ownText(content) < minArticleRunes {
		return Text{}, ErrNoArticle
	}
	w := &htmlWriter{}
	w.block(content)
	w.flush()
	var t Text
	if title != "" && (len(w.lines) == 0 || !strings.Contains(w.lines[0].text, title) && !strings.Contains(title, w.lines[0].text)) {
		t.add(title, "title")
		t.add("", "")
	}
	for _, l := range w.lines {
		t.add(l.text, l.where)
	}
	return t, nil
}

var metaCharsetRe = regexp.MustCompile(`(?i)<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_\-]+)`)

// htmlUTF8 decodes a page to UTF-8 by its meta charset, else by content.
func htmlUTF8(b []byte) (string, error) {
	b = bytes.TrimPrefix(b, []byte{0xEF, 0xBB, 0xBF})
	cs := ""
	if m := metaCharsetRe.FindSubmatch(b[:min(len(b), 4096)]); m != nil {
		cs = strings.ToLower(string(m[1]))
	}
	switch cs {
	case "", "utf-8", "utf8", "gb2312", "gbk", "gb18030", "x-gbk", "cp936", "euc-cn", "iso-8859-1", "us-ascii", "windows-1252":
		// Pages declare latin-1 by a template's default and hold Chinese:
		// only UTF-8 and GB18030 are believed, by content.
	default:
		return "", fmt.Errorf("web page in charset %q, which is not read (want UTF-8 or GB18030, GBK, GB2312)", cs)
	}
	if utf8.Valid(b) {
		return string(b), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("web page is neither UTF-8 nor GB18030: %w", err)
	}
	return string(out), nil
}

// dropped are elements that are never the article: scripts, forms, frames
// and the page's furniture.
var dropped = map[atom.Atom]bool{
	atom.Script: true, atom.Style: true, atom.Noscript: true, atom.Template: true,
	atom.Iframe: true, atom.Nav: true, atom.Header: true, atom.Footer: true,
	atom.Aside: true, atom.Form: true, atom.Select: true, atom.Button: true,
	atom.Svg: true, atom.Object: true, atom.Head: true, atom.Input: true,
}

// furnitureWords in an element's id or class mark menus, footers and the
// like on government sites (class="nav", id="footer", class="bread-crumb").
var furnitureWords = []string{"nav", "menu", "footer", "foot", "crumb", "sidebar", "share", "copyright", "banner", "friendlink", "links", "search", "login", "toolbar", "print", "fenxiang", "bottom"}

// furniture reports whether an element's id or class names page furniture.
func furniture(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key != "id" && a.Key != "class" {
			continue
		}
		for _, word := range strings.Fields(strings.ToLower(a.Val)) {
			if word == "header" || word == "head" || word == "top" {
				return true
			}
			for _, f := range furnitureWords {
				if strings.Contains(word, f) {
					return true
				}
			}
		}
	}
	return false
}

// prune removes dropped elements and furniture from the tree.
func prune(n *html.Node) {
	for c := n.FirstChild; c != nil; {
		next := c.NextSibling
		switch {
		case c.Type == html.CommentNode:
			n.RemoveChild(c)
		case c.Type == html.ElementNode && (dropped[c.DataAtom] || furniture(c) || hidden(c)):
			n.RemoveChild(c)
		default:
			prune(c)
		}
		c = next
	}
}

// hidden reports an element styled out of sight.
func hidden(n *html.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "style" && strings.Contains(strings.ReplaceAll(strings.ToLower(a.Val), " ", ""), "display:none") {
			return true
		}
	}
	return false
}

// ownText counts the non-space characters of n's text outside links.
func ownText(n *html.Node) int {
	switch {
	case n.Type == html.TextNode:
		k := 0
		for _, r := range n.Data {
			if !unicode.IsSpace(r) {
				k++
			}
		}
		return k
	case n.Type == html.ElementNode && n.DataAtom == atom.A:
		return 0
	}
	k := 0
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		k += ownText(c)
	}
	return k
}

// mainNode descends from n into the child that holds most of its text
// (four fifths), and stops where the text is spread over several children:
// that element is the article's body. A page where links outweigh text is
// no article.
func mainNode(n *html.Node) *html.Node {
	for {
		total := ownText(n)
		if total == 0 {
			return nil
		}
		var best *html.Node
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && ownText(c)*5 >= total*4 {
				best = c
				break
			}
		}
		if best == nil || best.DataAtom == atom.Tr || best.DataAtom == atom.Tbody && isDataTable(n) {
			return n
		}
		if best.DataAtom == atom.Table && isDataTable(best) {
			return n
		}
		n = best
	}
}

// pageTitle is the article's title: the first <h1>, else an element whose
// class names a title, else <title> without the site's name after _ or |.
func pageTitle(doc *html.Node) string {
	if h := findElement(doc, atom.H1); h != nil {
		if s := collapse(textOf(h)); s != "" {
			return s
		}
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != "" {
			return
		}
		if n.Type == html.ElementNode && !dropped[n.DataAtom] && !furniture(n) {
			for _, a := range n.Attr {
				if (a.Key == "class" || a.Key == "id") && strings.Contains(strings.ToLower(a.Val), "title") {
					if s := collapse(textOf(n)); utf8.RuneCountInString(s) >= 6 && utf8.RuneCountInString(s) <= 80 {
						found = s
						return
					}
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	if body := findElement(doc, atom.Body); body != nil {
		walk(body)
	}
	if found != "" {
		return found
	}
	if t := findElement(doc, atom.Title); t != nil {
		s := collapse(textOf(t))
		for _, sep := range []string{"_", "|", " - "} {
			if i := strings.Index(s, sep); i > 0 {
				s = strings.TrimSpace(s[:i])
			}
		}
		return s
	}
	return ""
}

func findElement(n *html.Node, a atom.Atom) *html.Node {
	if n.Type == html.ElementNode && n.DataAtom == a {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := findElement(c, a); f != nil {
			return f
		}
	}
	return nil
}

// textOf is all of n's text, links included.
func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		if n.Type == html.ElementNode && n.DataAtom == atom.Br {
			b.WriteByte(' ')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// collapse folds runs of white space to one space and trims the ends.
func collapse(s string) string {
	return strings.Join(strings.FieldsFunc(s, unicode.IsSpace), " ")
}

// blocks are the elements that stand on lines of their own.
var blocks = map[atom.Atom]bool{
	atom.P: true, atom.Div: true, atom.H1: true, atom.H2: true, atom.H3: true,
	atom.H4: true, atom.H5: true, atom.H6: true, atom.Li: true, atom.Ul: true,
	atom.Ol: true, atom.Dl: true, atom.Dt: true, atom.Dd: true, atom.Section: true,
	atom.Article: true, atom.Blockquote: true, atom.Center: true, atom.Pre: true,
	atom.Caption: true, atom.Hr: true, atom.Address: true, atom.Figure: true,
	atom.Figcaption: true, atom.Main: true, atom.Table: true, atom.Tr: true,
	atom.Td: true, atom.Th: true, atom.Tbody: true, atom.Thead: true, atom.Tfoot: true,
}

type htmlLine struct{ text, where string }

// htmlWriter writes a node's text as lines.
type htmlWriter struct {
	lines  []htmlLine
	cur    strings.Builder
	tables int
}

// flush ends the current line, followed by a blank line.
func (w *htmlWriter) flush() {
	if s := collapse(w.cur.String()); s != "" {
		w.lines = append(w.lines, htmlLine{text: s}, htmlLine{})
	}
	w.cur.Reset()
}

func (w *htmlWriter) block(n *html.Node) {
	switch {
	case n.Type == html.TextNode:
		w.cur.WriteString(n.Data)
		return
	case n.Type != html.ElementNode && n.Type != html.DocumentNode:
		return
	case n.DataAtom == atom.Br:
		w.flush()
		return
	case n.DataAtom == atom.Table && isDataTable(n):
		w.flush()
		w.table(n)
		return
	}
	isBlock := blocks[n.DataAtom]
	if isBlock {
		w.flush()
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		w.block(c)
	}
	if isBlock {
		w.flush()
	}
}

// isDataTable tells a table of figures from a table that lays out a page:
// its cells hold no blocks, and it has two columns or more.
func isDataTable(t *html.Node) bool {
	cols, layout := 0, false
	var walk func(n *html.Node, depth int)
	walk = func(n *html.Node, depth int) {
		if n.Type != html.ElementNode && n.Type != html.DocumentNode {
			return
		}
		if n != t && n.DataAtom == atom.Table {
			layout = true
			return
		}
		if n.DataAtom == atom.Tr {
			k := 0
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.Type == html.ElementNode && (c.DataAtom == atom.Td || c.DataAtom == atom.Th) {
					k += span(c, "colspan")
				}
			}
			cols = max(cols, k)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == html.ElementNode && (c.DataAtom == atom.Div || c.DataAtom == atom.Ul || c.DataAtom == atom.H1) && ownText(c) > 200 {
				layout = true
			}
			walk(c, depth+1)
		}
	}
	walk(t, 0)
	return cols >= 2 && !layout
}

// span is a cell's colspan or rowspan, 1 to 100.
func span(n *html.Node, key string) int {
	for _, a := range n.Attr {
		if a.Key == key {
			if k, err := strconv.Atoi(strings.TrimSpace(a.Val)); err == nil && k >= 1 {
				return min(k, 100)
			}
		}
	}
	return 1
}

// table writes a table's rows as pipe rows.
func (w *htmlWriter) table(t *html.Node) {
	w.tables++
	type carry struct {
		text string
		left int
	}
	var pending []carry // rowspans reaching into the next rows, by column
	var rows []*html.Node
	var collect func(*html.Node)
	collect = func(n *html.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Tr:
				rows = append(rows, c)
			case atom.Thead, atom.Tbody, atom.Tfoot:
				collect(c)
			case atom.Caption:
				if s := collapse(textOf(c)); s != "" {
					w.lines = append(w.lines, htmlLine{text: s}, htmlLine{})
				}
			}
		}
	}
	collect(t)
	for r, tr := range rows {
		var cells []string
		col := 0
		takeCarried := func() {
			for col < len(pending) && pending[col].left > 0 {
				cells = append(cells, pending[col].text)
				pending[col].left--
				col++
			}
		}
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.Td && c.DataAtom != atom.Th {
				continue
			}
			takeCarried()
			text := collapse(textOf(c))
			cs, rs := span(c, "colspan"), span(c, "rowspan")
			for k := 0; k < cs; k++ {
				s := text
				if k > 0 {
					s = ""
				}
				cells = append(cells, s)
				for len(pending) <= col {
					pending = append(pending, carry{})
				}
				pending[col] = carry{text: s, left: rs - 1}
				col++
			}
		}
		takeCarried()
		if strings.TrimSpace(strings.Join(cells, "")) == "" {
			continue
		}
		w.lines = append(w.lines, htmlLine{text: pipeRow(cells), where: fmt.Sprintf("table %d row %d", w.tables, r+1)})
	}
	w.lines = append(w.lines, htmlLine{})
}
