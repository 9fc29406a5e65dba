package collector

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"

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
	body, gz := exp.text, exp.textGzip
	if format.FormatType() == expfmt.TypeOpenMetrics {
		body, gz = exp.openMetrics, exp.openMetricsGzip
	}

	var tail bytes.Buffer
	mfs, err := e.reg.Gather()
	if err != nil {
		// Gather returns what it could; serve that, as promhttp's
		// ContinueOnError does.
		e.logger.Error("gather self-metrics", "err", err)
	}
	enc := expfmt.NewEncoder(&tail, format)
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

	h := w.Header()
	h.Set("Content-Type", string(format))
	h.Add("Vary", "Accept")
	h.Add("Vary", "Accept-Encoding")
	if !acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Length", strconv.Itoa(len(body)+tail.Len()))
		w.Write(body)
		w.Write(tail.Bytes())
		return
	}
	end, err := gzipTail(gz, tail.Bytes(), tailGzipLevel)
	if err != nil {
		e.logger.Error("compress self-metrics", "err", err)
		http.Error(w, "compress self-metrics: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h.Set("Content-Encoding", "gzip")
	h.Set("Content-Length", strconv.Itoa(len(gzipHeader)+len(gz.body)+len(end)))
	w.Write(gzipHeader)
	w.Write(gz.body)
	w.Write(end)
}

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
