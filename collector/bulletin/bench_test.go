package bulletin

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// BenchmarkParseStyles measures throughput on the styles corpus, all 41
// passages joined (prose, statistics releases, news and tables).
func BenchmarkParseStyles(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "styles", "*.txt"))
	var seed []byte
	for _, f := range files {
		t, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		seed = append(append(seed, t...), '\n', '\n')
	}
	in := bytes.Repeat(seed, (1<<20)/len(seed)+1)
	b.SetBytes(int64(len(in)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(context.Background(), "bench", in, Options{Year: 2023}); err != nil {
			b.Fatal(err)
		}
	}
}

// shortLines is a file of n short lines, the shape that made paragraph
// assembly quadratic (every line appended to one growing string).
func shortLines(n int) []byte {
	var b strings.Builder
	b.WriteString("太原市开发区\n2023年1-6月\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "中北高新区第%d条说明\n", i%97)
	}
	b.WriteString("中北高新区工业投资完成1亿元。\n")
	return []byte(b.String())
}

// BenchmarkParseShortLines shows parse time linear in the number of lines:
// ns/op grows twentyfold from 10k to 200k lines, not four-hundredfold.
func BenchmarkParseShortLines(b *testing.B) {
	for _, n := range []int{10_000, 50_000, 200_000} {
		in := shortLines(n)
		b.Run(fmt.Sprintf("lines=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for i := 0; i < b.N; i++ {
				if _, err := Parse(context.Background(), "bench", in, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestParseShortLinesCancel pins that a long file stops when its context
// is done: the job's per-file time limit and SIGTERM rest on it.
func TestParseShortLinesCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := Parse(ctx, "long.txt", shortLines(200_000), Options{})
	if err == nil || !strings.Contains(err.Error(), "long.txt") || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("err = %v, want the file's name and %v", err, context.Canceled)
	}
}

// FuzzParagraphs checks paragraph assembly on any text: every line of the
// input is in some paragraph or table in order, and a paragraph's line
// offsets increase. It also bounds the time one input may take, so that a
// quadratic shape shows up as a failure (2 s is generous: 200k lines
// parse in well under that).
func FuzzParagraphs(f *testing.F) {
	f.Add("太原市开发区\n\n占全市比重\n\n5.77%。\n")
	f.Add("a | b | c |\n全省 | 1 | 2 |\n南昌 | 3 | 4 |\n")
	f.Add(string(shortLines(50)))
	f.Fuzz(func(t *testing.T, s string) {
		start := time.Now()
		ps := paragraphs(normalize(s))
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("paragraphs took %v on %d bytes", d, len(s))
		}
		last := 0
		for _, p := range ps {
			for i, ls := range p.lines {
				if ls.line < last {
					t.Fatalf("line %d after line %d", ls.line, last)
				}
				last = ls.line
				if i > 0 && ls.off < p.lines[i-1].off {
					t.Fatalf("offsets go back in %q", p.text)
				}
			}
		}
	})
}
