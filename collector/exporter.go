package collector

import (
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/store"
)

// Config is what an Exporter needs.
type Config struct {
	// Open opens the store. The exporter calls it from its jobs, again on
	// every run until it succeeds, so that a database that is down when the
	// exporter starts does not keep it from starting.
	Open func(ctx context.Context) (*store.Store, error)
	// InboxDir is the directory the ingest job reads bulletins from; empty
	// turns ingesting off.
	InboxDir string
	// Bulletin is what the parser needs to know that a bulletin may not say.
	Bulletin bulletin.Options
	// Logger receives one line per failed job run; nil discards.
	Logger *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// JobTimeout bounds one run of a job; DefaultJobTimeout when zero.
	JobTimeout time.Duration
	// GzipLevel is the compress/flate level of the pre-rendered exposition;
	// DefaultGzipLevel when zero.
	GzipLevel int
}

// DefaultJobTimeout bounds a job run when Config.JobTimeout is zero.
const DefaultJobTimeout = 5 * time.Minute

// DefaultGzipLevel compresses the pre-rendered exposition once per
// refresh; it costs the refresh a little time and every gzip scrape
// (Prometheus always asks for gzip) a few times less to send.
const DefaultGzipLevel = flate.BestSpeed

// tailGzipLevel compresses the live self-metrics of each scrape.
const tailGzipLevel = flate.BestSpeed

// published is what scrapes and the landing page read: a snapshot and its
// rendered exposition, swapped in together.
type published struct {
	snap *Snapshot
	exp  *exposition
}

// JobStatus is what the landing page says about a job.
type JobStatus struct {
	Job         string
	LastRun     time.Time
	LastSuccess time.Time
	Duration    time.Duration
	LastError   string // of the last run; empty if it succeeded
}

// Exporter runs the ingest and refresh jobs and serves what they produce.
// Its methods are safe for concurrent use.
type Exporter struct {
	cfg    Config
	logger *slog.Logger
	reg    *prometheus.Registry
	self   *selfMetrics

	current atomic.Pointer[published]
	ready   atomic.Bool
	// reachable is the store's last ping: 1 answered, 0 did not, -1 not
	// tried yet.
	reachable atomic.Int32

	storeMu sync.Mutex
	st      *store.Store

	statusMu sync.Mutex
	status   map[string]*JobStatus
}

// New returns an exporter serving an empty snapshot until its first
// refresh.
func New(cfg Config) (*Exporter, error) {
	if cfg.Open == nil {
		return nil, errors.New("new exporter: no way to open the store")
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.JobTimeout <= 0 {
		cfg.JobTimeout = DefaultJobTimeout
	}
	if cfg.GzipLevel == 0 {
		cfg.GzipLevel = DefaultGzipLevel
	}
	if cfg.GzipLevel < flate.HuffmanOnly || cfg.GzipLevel > flate.BestCompression {
		return nil, fmt.Errorf("new exporter: gzip level %d out of range", cfg.GzipLevel)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	e := &Exporter{
		cfg:    cfg,
		logger: logger,
		reg:    prometheus.NewRegistry(),
		status: map[string]*JobStatus{JobIngest: {Job: JobIngest}, JobRefresh: {Job: JobRefresh}},
	}
	e.self = newSelfMetrics(e.reg)
	e.reachable.Store(-1)
	exp, err := render(emptySnapshot, cfg.GzipLevel)
	if err != nil {
		return nil, fmt.Errorf("new exporter: %w", err)
	}
	e.current.Store(&published{snap: emptySnapshot, exp: exp})
	return e, nil
}

// Snapshot returns the snapshot being served.
func (e *Exporter) Snapshot() *Snapshot { return e.current.Load().snap }

// Ready reports whether a snapshot has been loaded from the store.
func (e *Exporter) Ready() bool { return e.ready.Load() }

// Registry returns the registry of the exporter's own metrics (Go,
// process, build and devzone_ job and store metrics), which every scrape
// encodes after the rendered figures.
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }

// Jobs returns the status of each job, ingest first.
func (e *Exporter) Jobs() []JobStatus {
	e.statusMu.Lock()
	defer e.statusMu.Unlock()
	return []JobStatus{*e.status[JobIngest], *e.status[JobRefresh]}
}

// Close closes the store if a job opened it.
func (e *Exporter) Close() error {
	e.storeMu.Lock()
	defer e.storeMu.Unlock()
	if e.st == nil {
		return nil
	}
	err := e.st.Close()
	e.st = nil
	if err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// store returns the open store, opening it if no run has managed to yet.
func (e *Exporter) store(ctx context.Context) (*store.Store, error) {
	e.storeMu.Lock()
	defer e.storeMu.Unlock()
	if e.st != nil {
		return e.st, nil
	}
	st, err := e.cfg.Open(ctx)
	if err != nil {
		return nil, err // store.Open says "open store ..." and hides the password
	}
	e.st = st
	return st, nil
}

// execute runs one job run: it bounds it by the job timeout, times it,
// recovers and counts a panic, counts a failure and logs it in one line,
// and records the time of a success. Every job runs through it, so that
// every job reports alike.
func (e *Exporter) execute(ctx context.Context, job string, run func(context.Context) error) (err error) {
	start := time.Now()
	defer func() {
		if r := recover(); r != nil {
			e.self.panics.WithLabelValues(job).Inc()
			err = fmt.Errorf("panic: %v", r)
			e.logger.Debug("job panicked", "job", job, "stack", string(debug.Stack()))
		}
		d := time.Since(start)
		e.self.duration.WithLabelValues(job).Set(d.Seconds())
		now := e.cfg.Now()
		e.statusMu.Lock()
		st := e.status[job]
		st.LastRun, st.Duration, st.LastError = now, d, ""
		if err != nil {
			st.LastError = err.Error()
		} else {
			st.LastSuccess = now
		}
		e.statusMu.Unlock()
		if err != nil {
			e.self.failures.WithLabelValues(job).Inc()
			e.logger.Error("job failed", "job", job, "duration", d.Round(time.Millisecond), "err", err)
			return
		}
		e.self.lastSuccess.WithLabelValues(job).Set(float64(now.UnixNano()) / 1e9)
		e.logger.Debug("job done", "job", job, "duration", d.Round(time.Millisecond))
	}()
	ctx, cancel := context.WithTimeout(ctx, e.cfg.JobTimeout)
	defer cancel()
	return run(ctx)
}

// ingest stores the bulletins of the inbox that the store has not seen,
// one transaction each. A bulletin that cannot be parsed is recorded with
// its error and logged, and does not fail the run; the run fails when the
// store cannot be reached, so that the file is tried again. changed
// reports whether any bulletin was stored.
func (e *Exporter) ingest(ctx context.Context) (changed bool, err error) {
	if e.cfg.InboxDir == "" {
		return false, nil
	}
	// List first: a missing inbox is a configuration error, whatever the
	// state of the store.
	if _, err := inbox.Files(e.cfg.InboxDir); err != nil {
		return false, fmt.Errorf("inbox: %w", err)
	}
	st, err := e.store(ctx)
	if err != nil {
		return false, err
	}
	in := &inbox.Ingester{Store: st, Options: e.cfg.Bulletin, Now: e.cfg.Now}
	results, _ := in.Dir(ctx, e.cfg.InboxDir) // errors are per result
	var storeErrs []error
	for _, r := range results {
		switch r.Outcome {
		case inbox.Ingested:
			changed = true
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			e.logger.Info("bulletin ingested", "file", r.Path, "period", r.Parsed.Period,
				"figures", r.Stored.Figures, "new", r.Stored.New, "revised", r.Stored.Revised)
		case inbox.Failed:
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			e.logger.Warn("bulletin failed; kept with its error, retried when it changes", "file", r.Path, "err", r.Err)
		case inbox.Error:
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			storeErrs = append(storeErrs, r.Err)
		}
	}
	if err := ctx.Err(); err != nil {
		return changed, fmt.Errorf("ingest %s: %w", e.cfg.InboxDir, err)
	}
	if len(storeErrs) > 0 {
		return changed, fmt.Errorf("%d of %d bulletins not stored, retried next run: %w",
			len(storeErrs), len(results), storeErrs[0])
	}
	return changed, nil
}

// refresh reads the store's latest figures into a new snapshot, renders
// it and swaps it in. A failed refresh leaves the last good snapshot in
// service. The store's reachability is its ping.
func (e *Exporter) refresh(ctx context.Context) error {
	st, err := e.store(ctx)
	if err == nil {
		err = st.Ping(ctx)
	}
	if err != nil {
		e.setReachable(false)
		return err
	}
	e.setReachable(true)
	figs, err := st.Latest(ctx)
	if err != nil {
		return err
	}
	count, err := st.CountFigures(ctx)
	if err != nil {
		return err
	}
	now := e.cfg.Now()
	snap := NewSnapshot(figs, now) // figs is dead from here: the GC may take it while rendering
	cur := e.current.Load()
	next := &published{snap: snap, exp: cur.exp}
	if !e.ready.Load() || snap.digest != cur.snap.digest {
		exp, err := render(snap, e.cfg.GzipLevel)
		if err != nil {
			return err
		}
		next.exp = exp
		if snap.Unexposed > 0 {
			e.logger.Warn("figures with no metric family", "count", snap.Unexposed, "example", snap.Example.String())
		}
		e.logger.Info("snapshot loaded", "figures", snap.Figures, "series", snap.Series, "bytes", exp.size())
	} else {
		// Same figures: keep the rendered bytes, and the old snapshot's
		// series, so that only one copy stays alive.
		kept := *cur.snap
		kept.Loaded = now
		next.snap = &kept
	}
	e.current.Store(next)
	e.ready.Store(true)
	e.self.storeFigures.Set(float64(count))
	e.self.snapshotSeries.Set(float64(next.snap.Series))
	e.self.snapshotTimestamp.Set(float64(now.UnixNano()) / 1e9)
	return nil
}

// setReachable records the outcome of the refresh job's ping.
func (e *Exporter) setReachable(ok bool) {
	v := int32(0)
	if ok {
		v = 1
	}
	e.reachable.Store(v)
	e.self.storeReachable.Set(float64(v))
}
