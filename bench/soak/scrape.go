package main

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
)

// prometheusAccept is the Accept header of a Prometheus 2 scrape: the
// exporter answers it with OpenMetrics.
const prometheusAccept = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

// scrapeTimeout is Prometheus's default scrape_timeout: a scrape slower
// than this would have failed in Prometheus.
const scrapeTimeout = 10 * time.Second

// Series the soak reads from each scrape.
var (
	seriesGoroutines = labels.FromStrings(model.MetricNameLabel, "go_goroutines").String()
	seriesRSS        = labels.FromStrings(model.MetricNameLabel, "process_resident_memory_bytes").String()
	seriesReachable  = labels.FromStrings(model.MetricNameLabel, "devzone_store_reachable").String()
	seriesLeader     = labels.FromStrings(model.MetricNameLabel, "devzone_ingest_leader").String()
	seriesSeries     = labels.FromStrings(model.MetricNameLabel, "devzone_snapshot_series").String()
	seriesIngested   = labels.FromStrings(model.MetricNameLabel, "devzone_reports_ingested_total", "result", "ingested").String()
	seriesFailed     = labels.FromStrings(model.MetricNameLabel, "devzone_reports_ingested_total", "result", "failed").String()
	seriesIngestErrs = labels.FromStrings(model.MetricNameLabel, "devzone_job_failures_total", "task", "ingest").String()
	seriesRefErrs    = labels.FromStrings(model.MetricNameLabel, "devzone_job_failures_total", "task", "refresh").String()
)

var wantedSeries = map[string]bool{
	seriesGoroutines: true, seriesRSS: true, seriesReachable: true, seriesLeader: true, seriesSeries: true,
	seriesIngested: true, seriesFailed: true, seriesIngestErrs: true, seriesRefErrs: true,
}

// sample is one scrape.
type sample struct {
	at      time.Duration // since the run began, at the request
	latency time.Duration // until the body was read and parsed
	gzipped int           // bytes on the wire
	err     error
	values  map[string]float64 // the wanted series, when err is nil
}

// scraper scrapes one URL as Prometheus does, at a steady rate.
type scraper struct {
	url    string
	client *http.Client

	mu      sync.Mutex
	samples []sample
}

func newScraper(url string) *scraper {
	return &scraper{
		url: url,
		// Compression is asked for and undone here, as Prometheus does,
		// so that a broken gzip stream counts as a failed scrape.
		client: &http.Client{Timeout: scrapeTimeout, Transport: &http.Transport{DisableCompression: true, Proxy: nil}},
	}
}

// run scrapes every 1/rate seconds from start until ctx ends, each scrape
// in its own goroutine so that a slow one does not shift the schedule, and
// waits for the scrapes in flight.
func (s *scraper) run(ctx context.Context, start time.Time, rate float64) {
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			wg.Go(func() {
				smp := s.scrape(start)
				s.mu.Lock()
				s.samples = append(s.samples, smp)
				s.mu.Unlock()
			})
		}
	}
}

// all returns the samples in the order they were taken.
func (s *scraper) all() []sample {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]sample(nil), s.samples...)
	sortSamples(out)
	return out
}

// scrape makes one scrape; any error, a status other than 200, a broken
// gzip stream or an exposition Prometheus's parser rejects fails it.
func (s *scraper) scrape(start time.Time) sample {
	begin := time.Now()
	smp := sample{at: begin.Sub(start)}
	smp.values, smp.gzipped, smp.err = s.get()
	smp.latency = time.Since(begin)
	return smp
}

func (s *scraper) get() (map[string]float64, int, error) {
	req, err := http.NewRequest(http.MethodGet, s.url, nil)
	if err != nil {
		return nil, 0, err
	}
	req.Header.Set("Accept", prometheusAccept)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return nil, 0, fmt.Errorf("status %d", resp.StatusCode)
	}
	if resp.Header.Get("Content-Encoding") != "gzip" {
		return nil, 0, errors.New("asked for gzip, got none")
	}
	wire := &countingReader{r: resp.Body}
	zr, err := gzip.NewReader(wire)
	if err != nil {
		return nil, 0, fmt.Errorf("gzip: %w", err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		return nil, wire.n, fmt.Errorf("read body: %w", err)
	}
	values, err := parse(body, resp.Header.Get("Content-Type"))
	return values, wire.n, err
}

// parse parses an exposition with Prometheus's own parser, chosen by
// Content-Type as Prometheus chooses it, and returns the wanted series.
func parse(body []byte, contentType string) (map[string]float64, error) {
	p, err := textparse.New(body, contentType, labels.NewSymbolTable(), textparse.ParserOptions{})
	if err != nil {
		return nil, fmt.Errorf("parser for %q: %w", contentType, err)
	}
	out := map[string]float64{}
	var l labels.Labels
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("parse %q: %w", contentType, err)
		}
		if entry != textparse.EntrySeries {
			continue
		}
		_, _, v := p.Series()
		p.Labels(&l)
		if k := l.String(); wantedSeries[k] {
			out[k] = v
		}
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
