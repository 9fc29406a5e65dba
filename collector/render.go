package collector

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"sync"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// exposition is a snapshot rendered once, so that a scrape only copies
// bytes: the text format plain and deflated, and OpenMetrics deflated
// (Prometheus always asks for gzip; the rare OpenMetrics client that does
// not gets it inflated on the fly). Neither format carries OpenMetrics'
// "# EOF": the live self-metrics follow.
type exposition struct {
	text                      []byte
	textGzip, openMetricsGzip deflated
}

// size is the exposition's memory.
func (x *exposition) size() int {
	return len(x.text) + len(x.textGzip.body) + len(x.openMetricsGzip.body)
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

// inflate returns a reader of d's data.
func (d deflated) inflate() io.Reader {
	return &openStreamReader{flate.NewReader(bytes.NewReader(d.body))}
}

// openStreamReader reads a deflate stream that ends in a sync flush
// rather than a final block: the end of its input is its end.
type openStreamReader struct{ r io.Reader }

func (o *openStreamReader) Read(p []byte) (int, error) {
	n, err := o.r.Read(p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// deflater deflates what is written to it into an open gzip body.
type deflater struct {
	buf  bytes.Buffer
	fw   *flate.Writer
	crc  uint32
	size uint32
}

func newDeflater(level, sizeHint int) (*deflater, error) {
	d := &deflater{}
	d.buf.Grow(sizeHint)
	fw, err := flate.NewWriter(&d.buf, level)
	if err != nil {
		return nil, err
	}
	d.fw = fw
	return d, nil
}

func (d *deflater) Write(p []byte) (int, error) {
	d.crc = crc32.Update(d.crc, crc32.IEEETable, p)
	d.size += uint32(len(p))
	return d.fw.Write(p)
}

// finish flushes the stream without closing it.
func (d *deflater) finish() (deflated, error) {
	if err := d.fw.Flush(); err != nil {
		return deflated{}, err
	}
	return deflated{body: bytes.Clone(d.buf.Bytes()), crc: d.crc, size: d.size}, nil
}

// render writes the snapshot's families in the text format (kept plain
// and deflated) and in OpenMetrics (deflated as it is written, never held
// plain). The output is byte for byte what expfmt writes for Collector's
// families after Gather, which a test checks; it is built here without
// Gather's per-metric checks and sorting (the snapshot is sorted already),
// one family at a time, so that the snapshot is never held as dto messages
// at once. textHint is the expected size of the text, the last render's.
func render(s *Snapshot, level, textHint int) (*exposition, error) {
	x := &exposition{}
	var errOM error
	var wg sync.WaitGroup
	wg.Go(func() {
		x.openMetricsGzip, errOM = renderOpenMetrics(s, level, textHint/10)
	})
	var err error
	if x.text, err = renderText(s, textHint); err == nil {
		x.textGzip, err = deflateOpen(x.text, level)
	}
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if errOM != nil {
		return nil, errOM
	}
	return x, nil
}

// renderText renders the text format, in a buffer of exactly its size.
func renderText(s *Snapshot, hint int) ([]byte, error) {
	var text bytes.Buffer
	if hint <= 0 {
		hint = s.Series * 128 // Chinese labels: about 110 to 130 bytes a sample
	}
	text.Grow(hint + hint/32)
	if err := writeFamilies(&text, s, expfmt.MetricFamilyToText); err != nil {
		return nil, err
	}
	out := text.Bytes()
	if cap(out)-len(out) > len(out)/16 {
		// The spare capacity would live as long as the snapshot.
		exact := make([]byte, len(out))
		copy(exact, out)
		out = exact
	}
	return out, nil
}

// renderOpenMetrics renders OpenMetrics straight into a deflater.
func renderOpenMetrics(s *Snapshot, level, sizeHint int) (deflated, error) {
	d, err := newDeflater(level, sizeHint)
	if err != nil {
		return deflated{}, fmt.Errorf("compress OpenMetrics exposition: %w", err)
	}
	encode := func(w io.Writer, mf *dto.MetricFamily) (int, error) { return expfmt.MetricFamilyToOpenMetrics(w, mf) }
	if err := writeFamilies(d, s, encode); err != nil {
		return deflated{}, err
	}
	out, err := d.finish()
	if err != nil {
		return deflated{}, fmt.Errorf("compress OpenMetrics exposition: %w", err)
	}
	return out, nil
}

// renderChunk is how many series of a family become dto messages at once:
// a whole family (30,000 series and more) would take tens of megabytes.
var renderChunk = 4096

// writeFamilies encodes the snapshot's families in order, each in chunks
// of renderChunk series. The first chunk of a family is encoded with its
// HELP and TYPE; the encoder writes TYPE before the samples of every later
// chunk too (it cannot be told not to), and that line is cut.
func writeFamilies(w io.Writer, s *Snapshot, encode func(io.Writer, *dto.MetricFamily) (int, error)) error {
	var b familyBuilder
	var scratch bytes.Buffer
	for _, id := range renderOrder {
		ss := s.series[id]
		// A family with no series is left out, as Gather leaves it out.
		for start := 0; start < len(ss); start += renderChunk {
			mf := b.build(id, ss[start:min(start+renderChunk, len(ss))], start == 0)
			if start == 0 {
				if _, err := encode(w, mf); err != nil {
					return fmt.Errorf("render %s: %w", families[id].name, err)
				}
				continue
			}
			scratch.Reset()
			if _, err := encode(&scratch, mf); err != nil {
				return fmt.Errorf("render %s: %w", families[id].name, err)
			}
			samples := scratch.Bytes()
			typeLine, rest, ok := bytes.Cut(samples, []byte("\n"))
			if !ok || !bytes.HasPrefix(typeLine, []byte("# TYPE ")) {
				return fmt.Errorf("render %s: a chunk does not start with its TYPE line", families[id].name)
			}
			if _, err := w.Write(rest); err != nil {
				return fmt.Errorf("render %s: %w", families[id].name, err)
			}
		}
	}
	return nil
}

// familyBuilder turns a chunk of a family's series into a
// dto.MetricFamily, reusing its arrays from one chunk to the next.
type familyBuilder struct {
	mf      dto.MetricFamily
	metrics []dto.Metric
	ptrs    []*dto.Metric
	pairs   []dto.LabelPair
	pairPtr []*dto.LabelPair
	gauges  []dto.Gauge
	names   [4]string
}

func (b *familyBuilder) build(id familyID, ss []series, withHelp bool) *dto.MetricFamily {
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
	b.mf.Name, b.mf.Help = &f.name, nil
	if withHelp {
		b.mf.Help = &f.help
	}
	b.mf.Type = dto.MetricType_GAUGE.Enum()
	b.mf.Metric = b.ptrs[:n]
	return &b.mf
}

// deflateOpen deflates b and leaves the stream open; see deflated.
func deflateOpen(b []byte, level int) (deflated, error) {
	d, err := newDeflater(level, len(b)/8+1024)
	if err != nil {
		return deflated{}, fmt.Errorf("compress exposition: %w", err)
	}
	if _, err := d.Write(b); err != nil {
		return deflated{}, fmt.Errorf("compress exposition: %w", err)
	}
	out, err := d.finish()
	if err != nil {
		return deflated{}, fmt.Errorf("compress exposition: %w", err)
	}
	return out, nil
}

// gzipHeader starts a gzip member: deflate, no flags, no time, unknown OS.
var gzipHeader = []byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255}

// tailWriters keeps deflate writers for the scrapes' tails: a new one
// allocates up to a megabyte, more than the tail costs to send.
var tailWriters = sync.Pool{New: func() any {
	w, err := flate.NewWriter(io.Discard, tailGzipLevel)
	if err != nil {
		panic(err) // tailGzipLevel is a valid constant
	}
	return w
}}

// appendGzipTail appends to buf what completes a gzip stream that starts
// with gzipHeader and d.body: tail deflated (ending in a final block) and
// the trailer with the CRC-32 and length of d's data and tail together.
func appendGzipTail(buf *bytes.Buffer, d deflated, tail []byte) error {
	fw := tailWriters.Get().(*flate.Writer)
	defer tailWriters.Put(fw)
	fw.Reset(buf)
	if _, err := fw.Write(tail); err != nil {
		return err
	}
	if err := fw.Close(); err != nil {
		return err
	}
	var trailer [8]byte
	binary.LittleEndian.PutUint32(trailer[:4], crc32.Update(d.crc, crc32.IEEETable, tail))
	binary.LittleEndian.PutUint32(trailer[4:], d.size+uint32(len(tail)))
	buf.Write(trailer[:])
	return nil
}
