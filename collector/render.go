package collector

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// exposition is a snapshot rendered once, in both text formats, plain and
// deflated, so that a scrape only copies bytes. Neither format carries the
// OpenMetrics "# EOF": the live self-metrics follow.
type exposition struct {
	text, openMetrics         []byte
	textGzip, openMetricsGzip deflated
}

// size is the exposition's memory.
func (x *exposition) size() int {
	return len(x.text) + len(x.openMetrics) + len(x.textGzip.body) + len(x.openMetricsGzip.body)
}

// deflated is the body of a gzip member left open: deflate blocks ending
// in a sync flush (byte aligned, no final block), with the CRC-32 and the
// length of the data so far. A scrape appends the self-metrics as further
// deflate blocks and closes the member with the combined trailer, so that
// the response is one ordinary gzip stream.
type deflated struct {
	body []byte
	crc  uint32
	size uint32 // length mod 2^32, as gzip's ISIZE
}

// render writes the snapshot's families in the text and OpenMetrics
// formats and deflates both. The output is byte for byte what expfmt
// writes for Collector's families after Gather, which a test checks; it is
// built here without Gather's per-metric checks and sorting (the snapshot
// is sorted already), one family at a time, so that the whole snapshot is
// never held as dto messages at once.
func render(s *Snapshot, level int) (*exposition, error) {
	var text, om bytes.Buffer
	// About 110 bytes per sample with Chinese labels; a little more for
	// OpenMetrics, which writes integers with ".0".
	text.Grow(s.Series*110 + 4096)
	om.Grow(s.Series*114 + 4096)

	var b familyBuilder
	for _, id := range renderOrder {
		if len(s.series[id]) == 0 {
			continue // Gather leaves out families with no metric
		}
		mf := b.build(id, s.series[id])
		if _, err := expfmt.MetricFamilyToText(&text, mf); err != nil {
			return nil, fmt.Errorf("render %s: %w", families[id].name, err)
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(&om, mf); err != nil {
			return nil, fmt.Errorf("render %s as OpenMetrics: %w", families[id].name, err)
		}
	}
	x := &exposition{text: text.Bytes(), openMetrics: om.Bytes()}

	var wg sync.WaitGroup
	var errText, errOM error
	wg.Add(1)
	go func() {
		defer wg.Done()
		x.textGzip, errText = deflateOpen(x.text, level)
	}()
	x.openMetricsGzip, errOM = deflateOpen(x.openMetrics, level)
	wg.Wait()
	if errText != nil {
		return nil, fmt.Errorf("compress exposition: %w", errText)
	}
	if errOM != nil {
		return nil, fmt.Errorf("compress OpenMetrics exposition: %w", errOM)
	}
	return x, nil
}

// familyBuilder turns a family's series into a dto.MetricFamily, reusing
// its arrays from one family to the next.
type familyBuilder struct {
	mf      dto.MetricFamily
	metrics []dto.Metric
	ptrs    []*dto.Metric
	pairs   []dto.LabelPair
	pairPtr []*dto.LabelPair
	gauges  []dto.Gauge
	names   [4]string
}

func (b *familyBuilder) build(id familyID, ss []series) *dto.MetricFamily {
	f := &families[id]
	n, k := len(ss), len(f.labels)
	if cap(b.metrics) < n {
		b.metrics = make([]dto.Metric, n)
		b.ptrs = make([]*dto.Metric, n)
		b.gauges = make([]dto.Gauge, n)
	}
	if cap(b.pairs) < n*4 {
		b.pairs = make([]dto.LabelPair, n*4)
		b.pairPtr = make([]*dto.LabelPair, n*4)
	}
	copy(b.names[:], f.labels)
	for i := range ss {
		m := &b.metrics[i]
		pairs := b.pairPtr[i*4 : i*4+k : i*4+k]
		for j := range k {
			p := &b.pairs[i*4+j]
			p.Name, p.Value = &b.names[j], &ss[i].labels[j]
			pairs[j] = p
		}
		b.gauges[i].Value = &ss[i].value
		m.Label, m.Gauge = pairs, &b.gauges[i]
		b.ptrs[i] = m
	}
	b.mf.Name, b.mf.Help = &f.name, &f.help
	b.mf.Type = dto.MetricType_GAUGE.Enum()
	b.mf.Metric = b.ptrs[:n]
	return &b.mf
}

// deflateOpen deflates b and leaves the stream open; see deflated.
func deflateOpen(b []byte, level int) (deflated, error) {
	var buf bytes.Buffer
	buf.Grow(len(b)/8 + 1024)
	fw, err := flate.NewWriter(&buf, level)
	if err != nil {
		return deflated{}, err
	}
	if _, err := fw.Write(b); err != nil {
		return deflated{}, err
	}
	if err := fw.Flush(); err != nil {
		return deflated{}, err
	}
	body := bytes.Clone(buf.Bytes()) // drop the spare capacity
	return deflated{body: body, crc: crc32.ChecksumIEEE(b), size: uint32(len(b))}, nil
}

// gzipHeader starts a gzip member: deflate, no flags, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// gzipTail returns what completes a gzip stream that starts with
// gzipHeader and d.body: tail deflated (final block) and the trailer.
func gzipTail(d deflated, tail []byte, level int) ([]byte, error) {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, level)
	if err != nil {
		return nil, err
	}
	if _, err := fw.Write(tail); err != nil {
		return nil, err
	}
	if err := fw.Close(); err != nil {
		return nil, err
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc32.Update(d.crc, crc32.IEEETable, tail))
	binary.LittleEndian.PutUint32(trailer[4:], d.size+uint32(len(tail)))
	buf.Write(trailer[:])
	return buf.Bytes(), nil
}
