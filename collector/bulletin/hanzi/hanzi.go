// Package hanzi folds traditional Chinese characters to their simplified
// forms, so that a bulletin republished in traditional characters (many
// web copies of mainland releases are machine-converted: 規模以上工業增加值
// 同比增長) reads like its simplified original.
//
// The table is OpenCC's TSCharacters.txt (Apache License 2.0, copyright
// BYVoid, https://github.com/BYVoid/OpenCC), embedded as it is: one
// traditional character, a tab, its simplified candidates, the first the
// usual one. Folding is character by character; OpenCC's phrase tables are
// not used, because what the parser reads (indicators, units, places,
// numerals) needs none of them.
package hanzi

import (
	_ "embed" // the character table
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed TSCharacters.txt
var tsCharacters string

// keep lists characters of the table whose first candidate would change a
// place name: 乾 is 干 in most words but stays 乾 in 乾县 and 乾安县.
const keep = "乾"

var (
	tableOnce sync.Once
	table     map[rune]rune
)

func loadTable() map[rune]rune {
	tableOnce.Do(func() {
		table = make(map[rune]rune, 4200)
		for line := range strings.Lines(tsCharacters) {
			from, to, ok := strings.Cut(strings.TrimRight(line, "\r\n"), "\t")
			if !ok {
				continue
			}
			t, _ := utf8.DecodeRuneInString(from)
			s, _ := utf8.DecodeRuneInString(to)
			if t == utf8.RuneError || s == utf8.RuneError || t == s || strings.ContainsRune(keep, t) {
				continue
			}
			table[t] = s
		}
	})
	return table
}

// Traditional reports whether s is written in traditional characters: at
// least three of its Han characters, and one in fifty, have a simplified
// form. A simplified bulletin with a stray traditional character in a
// company's name is not.
func Traditional(s string) bool {
	t := loadTable()
	han, trad := 0, 0
	for _, r := range s {
		if r < 0x3400 {
			continue
		}
		if unicode.Is(unicode.Han, r) {
			han++
			if _, ok := t[r]; ok {
				trad++
			}
		}
	}
	return trad >= 3 && trad*50 >= han
}

// Simplify returns s with every traditional character replaced by its
// usual simplified form, and the pinyin some converters write after a
// character dropped (本報(bào)訊 → 本报讯). It returns s unchanged when s is
// not Traditional, and reports whether it changed anything. s is
// width-folded text: brackets are ASCII.
func Simplify(s string) (string, bool) {
	if !Traditional(s) {
		return s, false
	}
	t := loadTable()
	var b strings.Builder
	b.Grow(len(s))
	prevHan := false
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if prevHan && (r == '(') {
			if m := pinyinLen(s[i:]); m > 0 {
				i += m
				continue
			}
		}
		if to, ok := t[r]; ok {
			r = to
		}
		b.WriteRune(r)
		prevHan = r >= 0x3400 && unicode.Is(unicode.Han, r)
		i += n
	}
	return b.String(), true
}

// pinyinLen returns the length of a bracketed syllable of pinyin with a
// tone mark at the start of s, "(bào)" or "(huì)", or 0. A bracket of plain
// letters, "(GDP)" or "(ppm)", is not pinyin.
func pinyinLen(s string) int {
	_, open := utf8.DecodeRuneInString(s)
	marked := false
	for i := open; i < len(s) && i <= open+4*6; {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == ')':
			if marked && i > open {
				return i + n
			}
			return 0
		case r >= 'a' && r <= 'z':
		case strings.ContainsRune("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü", r):
			marked = true
		default:
			return 0
		}
		i += n
	}
	return 0
}
