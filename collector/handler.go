package collector

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/prometheus/common/expfmt"
)

// offeredFormats are the formats /metrics serves, in order of preference
// when a client accepts several. Protocol buffers are not offered: a
// client that asks only for them gets the text format, which Prometheus
// reads by its Content-Type.
var offeredFormats = []expfmt.Format{expfmt.FmtOpenMetrics_1_0_0, expfmt.FmtOpenMetrics_0_0_1, expfmt.FmtText}

// MetricsHandler serves /metrics: the exposition rendered at the last
// refresh, in the format the Accept header asks for and gzipped when
// Accept-Encoding allows, followed by the self-metrics encoded for this
// scrape.
func (e *Exporter) MetricsHandler() http.Handler {
	return http.HandlerFunc(e.serveMetrics)
}

func (e *Exporter) serveMetrics(w http.ResponseWriter, r *http.Request) {
	exp := e.current.Load().exp
	format := expfmt.NegotiateAccept(r.Header, offeredFormats...)
	om := format.FormatType() == expfmt.TypeOpenMetrics
	gz := exp.textGzip
	if om {
		gz = exp.openMetricsGzip
	}
	compress := acceptsGzip(r.Header.Get("Accept-Encoding"))

	// The self-metrics are gathered (reading /proc and the Go runtime),
	// encoded and compressed while the pre-rendered bytes are on their way:
	// the scrape then costs little more than sending those bytes.
	tail := buffers.Get().(*bytes.Buffer)
	defer func() { tail.Reset(); buffers.Put(tail) }()
	done := make(chan struct{})
	go func() {
		defer close(done)
		e.encodeTail(tail, format, compress, gz)
	}()

	h := w.Header()
	h.Set("Content-Type", string(format))
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	switch {
	case compress:
		h.Set("Content-Encoding", "gzip")
		w.Write(gzipHeader)
		w.Write(gz.body)
	case om:
		// OpenMetrics is kept deflated only; a client that asks for it
		// without gzip is rare enough to pay for inflating it.
		if _, err := io.Copy(w, gz.inflate()); err != nil {
			e.logger.Debug("send OpenMetrics", "err", err)
		}
	case exp.text == nil:
		// A refresh is loading and let the plain copy go for the while.
		if _, err := io.Copy(w, exp.textGzip.inflate()); err != nil {
			e.logger.Debug("send text", "err", err)
		}
	default:
		w.Write(exp.text)
	}
	<-done
	w.Write(tail.Bytes())
}

// encodeTail writes the self-metrics in format into tail; with compress,
// as the deflate blocks and trailer that close the gzip stream begun with
// gzipHeader and gz.body. Errors are logged: the response has begun, and
// what was gathered is served (as promhttp's ContinueOnError does).
func (e *Exporter) encodeTail(tail *bytes.Buffer, format expfmt.Format, compress bool, gz deflated) {
	plain := tail
	if compress {
		plain = buffers.Get().(*bytes.Buffer)
		defer func() { plain.Reset(); buffers.Put(plain) }()
	}
	mfs, err := e.reg.Gather()
	if err != nil {
		e.logger.Error("gather self-metrics", "err", err)
	}
	enc := expfmt.NewEncoder(plain, format)
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			e.logger.Error("encode self-metrics", "family", mf.GetName(), "err", err)
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		if err := c.Close(); err != nil { // writes OpenMetrics' "# EOF"
			e.logger.Error("encode self-metrics", "err", err)
		}
	}
	if !compress {
		return
	}
	if err := appendGzipTail(tail, gz, plain.Bytes()); err != nil {
		// Cannot happen writing to memory; close the stream regardless.
		e.logger.Error("compress self-metrics", "err", err)
		tail.Reset()
		_ = appendGzipTail(tail, gz, nil)
	}
}

// buffers holds the buffers of the scrapes' tails.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// acceptsGzip reports whether an Accept-Encoding header value accepts
// gzip (or any encoding) with a quality above zero.
func acceptsGzip(header string) bool {
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		coding = strings.TrimSpace(coding)
		if !strings.EqualFold(coding, "gzip") && coding != "*" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil {
					q = f
				}
			}
		}
		return q > 0
	}
	return false
}
