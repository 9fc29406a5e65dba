// Package collector is the Prometheus side of devzone_exporter: the
// immutable Snapshot of the store's latest figures, the prometheus.Collector
// over it, the exposition rendered from it once per refresh, the scheduled
// ingest and refresh jobs, the exporter's own metrics and its web pages.
//
// Data flows one way: the refresh job reads the store, builds a Snapshot,
// renders it and swaps it in; a scrape only copies rendered bytes and
// appends the live self-metrics. No scrape ever queries the database.
package collector

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Collector is a prometheus.Collector over one Snapshot: const gauges,
// built on every Collect, without sample timestamps. The exporter does not
// register it for scraping (it serves the exposition rendered from the same
// snapshot, which is identical and far cheaper); it is the reference that
// the rendered exposition is tested against, and what a program embedding
// the figures in its own registry would use.
type Collector struct {
	snap *Snapshot
}

// NewCollector returns a collector over s.
func NewCollector(s *Snapshot) *Collector { return &Collector{snap: s} }

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for i := range families {
		ch <- families[i].desc
	}
}

// Collect implements prometheus.Collector.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	for id := range families {
		f := &families[id]
		for _, s := range c.snap.series[id] {
			ch <- prometheus.MustNewConstMetric(f.desc, prometheus.GaugeValue, s.value, s.labels[:len(f.labels)]...)
		}
	}
}
