package collector

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"

	"github.com/devzone/devzone_exporter/collector/inbox"
)

// Job names, the values of the job label of the self-metrics.
const (
	JobIngest  = "ingest"
	JobRefresh = "refresh"
)

// reportResults are the values of devzone_reports_ingested_total's result
// label: what became of a bulletin the ingest job tried. A file already
// ingested, or already failed with the same bytes, is not counted again.
var reportResults = []inbox.Outcome{inbox.Ingested, inbox.Failed, inbox.Error}

// selfMetrics are the exporter's own metrics, kept live (not from the
// snapshot) and encoded on every scrape after the rendered figures.
type selfMetrics struct {
	lastSuccess *prometheus.GaugeVec
	duration    *prometheus.GaugeVec
	failures    *prometheus.CounterVec
	panics      *prometheus.CounterVec
	reports     *prometheus.CounterVec

	storeFigures      prometheus.Gauge
	storeReachable    prometheus.Gauge
	ingestLeader      prometheus.Gauge
	snapshotSeries    prometheus.Gauge
	snapshotTimestamp prometheus.Gauge
}

// newSelfMetrics registers the self-metrics, and the Go, process and build
// collectors, with reg. Every job and result starts at zero, so that each
// series exists from the first scrape.
func newSelfMetrics(reg prometheus.Registerer) *selfMetrics {
	m := &selfMetrics{
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "job_last_success_timestamp_seconds",
			Help: "Unix time the job last completed without error; 0 if it has not since the exporter started.",
		}, []string{"task"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "job_duration_seconds",
			Help: "Duration of the job's last run, successful or not.",
		}, []string{"task"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_failures_total",
			Help: "Runs of the job that failed (an error or a panic); each is logged in one line.",
		}, []string{"task"}),
		panics: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "job_panics_total",
			Help: "Runs of the job that panicked; the panic was recovered and counted as a failure too.",
		}, []string{"task"}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "reports_ingested_total",
			Help: "Bulletin files the ingest job tried, by result: ingested (stored), failed (cannot be parsed; kept with its error, retried when it changes), error (the store failed; retried next run).",
		}, []string{"result"}),
		storeFigures: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "store_figures",
			Help: "Current figures in the store, all periods, as counted by the last successful refresh.",
		}),
		storeReachable: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "store_reachable",
			Help: "1 if the store answered the refresh job's last ping, 0 if it did not or could not be opened.",
		}),
		ingestLeader: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "ingest_leader",
			Help: "1 if this replica runs ingestion: always on SQLite; on PostgreSQL while it holds the store's advisory lock (one replica of those sharing a store at a time).",
		}),
		snapshotSeries: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "snapshot_series",
			Help: "Series of figures in the snapshot being served.",
		}),
		snapshotTimestamp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "snapshot_timestamp_seconds",
			Help: "Unix time the snapshot being served was last read from the store; 0 before the first refresh.",
		}),
	}
	for _, job := range []string{JobIngest, JobRefresh} {
		m.lastSuccess.WithLabelValues(job)
		m.duration.WithLabelValues(job)
		m.failures.WithLabelValues(job)
		m.panics.WithLabelValues(job)
	}
	for _, r := range reportResults {
		m.reports.WithLabelValues(string(r))
	}
	reg.MustRegister(
		m.lastSuccess, m.duration, m.failures, m.panics, m.reports,
		m.storeFigures, m.storeReachable, m.ingestLeader, m.snapshotSeries, m.snapshotTimestamp,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		versioncollector.NewCollector("devzone_exporter"),
	)
	return m
}
