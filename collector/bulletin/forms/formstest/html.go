package formstest

import (
	"fmt"
	"html"
	"strings"
)

// WebPage writes a bulletin's text as a government site's article page:
// a head with a meta charset and scripts, a header with the site's name
// and a menu, a breadcrumb, the article (its first line as an <h1>, an
// information line, each line of text a <p>, each table a <table> whose
// header cells span the empty cells after them and, for a second header
// row whose first cell is empty, two rows) and a footer of links. The page
// is UTF-8 text; encode it to the charset it declares.
func WebPage(charset, text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	var b strings.Builder
	fmt.Fprintf(&b, `<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=%s">
<title>%s_某某市商务局</title>
<script>var _hmt = _hmt || []; document.write("<p>统计代码 2023年1-6月</p>");</script>
<style>.nav li{float:left}</style></head>
<body>
<div class="header"><div class="logo">某某市商务局</div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li><li><a href="/tzgg">通知公告</a></li><li><a href="/kfq">开发区建设</a></li></ul></div>
<div class="bread-crumb">当前位置：<a href="/">首页</a> &gt; <a href="/kfq">开发区建设</a> &gt; 正文</div>
<div class="main">
<div class="leftmenu"><a href="/a">园区动态</a><a href="/b">招商引资</a><a href="/c">统计数据</a></div>
<div class="article">
`, charset, html.EscapeString(strings.TrimSpace(lines[0])))
	fmt.Fprintf(&b, "<h1 class=\"article-title\">%s</h1>\n", html.EscapeString(strings.TrimSpace(lines[0])))
	b.WriteString("<div class=\"info\">发布时间：2023-07-20 来源：市商务局 浏览次数：1024</div>\n<div id=\"zoom\" class=\"TRS_Editor\">\n")
	for i := 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "" {
			continue
		}
		if splitRow(lines[i]) == nil {
			fmt.Fprintf(&b, "<p style=\"text-indent:2em\">%s</p>\n", html.EscapeString(l))
			continue
		}
		var rows [][]string
		j := i
		for ; j < len(lines) && splitRow(lines[j]) != nil; j++ {
			rows = append(rows, splitRow(lines[j]))
		}
		i = j - 1
		writeTable(&b, rows)
	}
	b.WriteString(`</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a></div>
</div></div>
<div class="footer"><a href="/about">网站地图</a> | <a href="/contact">联系我们</a><p>主办：某某市商务局 版权所有 备案号：晋ICP备00000000号</p></div>
</body></html>
`)
	return b.String()
}

// writeTable writes rows as a table; the first cell of a row before the
// first row of numbers, when the row below has it empty, spans both.
func writeTable(b *strings.Builder, rows [][]string) {
	b.WriteString("<table border=\"1\" cellspacing=\"0\">\n<tbody>\n")
	for r, row := range rows {
		b.WriteString("<tr>")
		for c := 0; c < len(row); c++ {
			s := row[c]
			if c == 0 && s == "" && r > 0 && rows[r-1][0] != "" && !numbers(rows[r-1]) && !numbers(row) {
				continue // spanned from the row above
			}
			attr := ""
			if c == 0 && r+1 < len(rows) && rows[r+1][0] == "" && !numbers(row) && !numbers(rows[r+1]) {
				attr = ` rowspan="2"`
			}
			span := 1
			for !numbers(row) && s != "" && c+span < len(row) && row[c+span] == "" {
				span++
			}
			if span > 1 {
				attr += fmt.Sprintf(` colspan="%d"`, span)
			}
			fmt.Fprintf(b, "<td%s>%s</td>", attr, html.EscapeString(s))
			c += span - 1
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n")
}

func numbers(row []string) bool {
	for _, c := range row[1:] {
		if c != "" && strings.Trim(c, "0123456789.-") == "" {
			return true
		}
	}
	return false
}
