package collector

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/devzone/devzone_exporter/collector/figure"
)

// trickyFigures have label values the exposition must escape, an empty
// zone (a figure about the whole city), and values at the edges of float
// formatting.
func trickyFigures() []figure.Figure {
	p := figure.MustPeriod("2024-03")
	f := func(city string, zones []string, indicator, measure string, v float64, u figure.Unit) figure.Figure {
		return figure.Figure{City: city, Zones: zones, Indicator: indicator, Measure: measure, Value: v, Unit: u, Period: p}
	}
	return []figure.Figure{
		f(`引号"市`, []string{`反斜杠\区`}, figure.GDP, figure.MeasureValue, 1, figure.UnitYuan),
		f("换行市", []string{"第一行\n第二行"}, figure.GDP, figure.MeasureYoYGrowth, -0.000001, figure.UnitRatio),
		f("全市", nil, figure.GDP, figure.MeasureValue, 1.5e300, figure.UnitYuan),
		f("全市", nil, figure.Enterprises, figure.MeasureCount, 0, figure.UnitCount),
		f("全市", []string{"甲区", "乙区"}, figure.Enterprises, figure.MeasureCount, -1, figure.UnitCount),
		f("全市", []string{"甲区"}, figure.StandardLandTransfers, figure.MeasureArea, 1, figure.UnitMu),
		f("全市", []string{"甲区"}, figure.ProjectsSigned, figure.MeasureRate, math.Copysign(0, -1), figure.UnitRatio),
	}
}

// gathered renders a snapshot the slow, reference way: its Collector in a
// registry, Gather, and expfmt per family.
func gathered(t *testing.T, s *Snapshot) (text, om []byte) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(NewCollector(s))
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var tb, ob bytes.Buffer
	for _, mf := range mfs {
		if _, err := expfmt.MetricFamilyToText(&tb, mf); err != nil {
			t.Fatal(err)
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(&ob, mf); err != nil {
			t.Fatal(err)
		}
	}
	return tb.Bytes(), ob.Bytes()
}

// TestRenderMatchesGather proves the pre-rendered exposition is what
// client_golang would serve for the Collector over the same snapshot, in
// both formats, byte for byte.
func TestRenderMatchesGather(t *testing.T) {
	tests := []struct {
		name string
		figs []figure.Figure
	}{
		{"sample", sampleFigures(t)},
		{"escapes and float edges", trickyFigures()},
		{"empty", nil},
	}
	// Chunks of 3 series: every family of the sample spans several.
	defer func(n int) { renderChunk = n }(renderChunk)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			renderChunk = 3
			s := NewSnapshot(tt.figs, time.Now())
			x, err := render(s, DefaultGzipLevel, 0)
			if err != nil {
				t.Fatal(err)
			}
			wantText, wantOM := gathered(t, s)
			if !bytes.Equal(x.text, wantText) {
				t.Errorf("text differs from Gather's:\n--- rendered\n%s\n--- gathered\n%s", x.text, wantText)
			}
			for _, c := range []struct {
				name string
				want []byte
				d    deflated
			}{{"text", wantText, x.textGzip}, {"OpenMetrics", wantOM, x.openMetricsGzip}} {
				got, err := io.ReadAll(c.d.inflate())
				if err != nil {
					t.Fatalf("inflate %s: %v", c.name, err)
				}
				if !bytes.Equal(got, c.want) {
					t.Errorf("deflated %s differs from Gather's:\n--- rendered\n%s\n--- gathered\n%s", c.name, got, c.want)
				}
				if int(c.d.size) != len(c.want) || c.d.crc != crc32.ChecksumIEEE(c.want) {
					t.Errorf("deflated %s: size %d, CRC %x; want %d, %x", c.name, c.d.size, c.d.crc, len(c.want), crc32.ChecksumIEEE(c.want))
				}
			}
			if len(x.text) != cap(x.text) && cap(x.text)-len(x.text) > len(x.text)/16 {
				t.Errorf("text holds %d spare bytes", cap(x.text)-len(x.text))
			}
		})
	}
}

// TestGzipTail checks that header, pre-deflated body and tail make one
// valid gzip member whose content is body and tail together, for tails
// empty, small and larger than a deflate window.
func TestGzipTail(t *testing.T) {
	s := NewSnapshot(sampleFigures(t), time.Now())
	x, err := render(s, DefaultGzipLevel, 0)
	if err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("go_gc_duration_seconds{quantile=\"0.5\"} 1.2e-05\n"), 2000)
	for _, tail := range [][]byte{nil, []byte("# EOF\n"), big} {
		var end bytes.Buffer
		if err := appendGzipTail(&end, x.textGzip, tail); err != nil {
			t.Fatal(err)
		}
		stream := bytes.Join([][]byte{gzipHeader, x.textGzip.body, end.Bytes()}, nil)
		br := bytes.NewReader(stream) // a ByteReader: gzip reads no further than it needs
		zr, err := gzip.NewReader(br)
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false) // one member, not concatenated members
		got, err := io.ReadAll(zr)
		if err != nil {
			t.Fatalf("tail of %d bytes: %v", len(tail), err)
		}
		if want := append(bytes.Clone(x.text), tail...); !bytes.Equal(got, want) {
			t.Errorf("tail of %d bytes: content differs", len(tail))
		}
		if br.Len() != 0 {
			t.Errorf("tail of %d bytes: %d bytes after the first gzip member", len(tail), br.Len())
		}
	}
}
