package collector

import (
	"compress/flate"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/leader"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
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
	// FileTimeout bounds the parsing of one bulletin within an ingest run
	// (inbox.DefaultFileTimeout when zero): a file that takes longer is
	// kept as failed and the run goes on to the next.
	FileTimeout time.Duration
	// InboxSettle makes the ingest job read a new or changed inbox file
	// only once two runs in a row saw the same size and modification time
	// (inbox.Ingester.Settle), so that a file still being copied is not
	// stored half.
	InboxSettle bool
	// InboxFollowSymlinks lets the ingest job read symbolic links that
	// point out of the inbox (inbox.Ingester.FollowSymlinks).
	InboxFollowSymlinks bool
	// InboxArchive makes the ingest job move each settled file to the
	// inbox's processed/ or failed/ (inbox.Ingester.Archive).
	InboxArchive bool
	// Derived exposes the figures derived from stated ones (implied city
	// totals and growth) in families of their own; off by default, as they
	// add up to two series per zone and indicator.
	Derived bool
	// LeaderLease is how long a replica that stops (frozen, hung, cut
	// off) keeps the ingestion lock; leader.DefaultLease when zero.
	LeaderLease time.Duration
	// APIMaxInFlight caps the /api/v1 requests served at once;
	// trend.DefaultMaxInFlight when zero.
	APIMaxInFlight int
	// GzipLevel is the compress/flate level of the pre-rendered exposition;
	// DefaultGzipLevel when zero.
	GzipLevel int
	// OnLoad, when set, is called as a refresh starts reading every figure
	// from the store, and the function it returns when that load is over,
	// published or failed. The program tunes its garbage collector there
	// (cmd/devzone_exporter's --runtime.load-gogc): the collector is the
	// process's, not this package's to retune.
	OnLoad func() (done func())
	// Zones resolves the zones of ingested figures to canonical names and
	// is exposed as devzone_zone_info; nil stores zones as written. The
	// first ingest run re-resolves what the store holds (inbox.Reresolve).
	Zones *zones.Registry
}

// DefaultJobTimeout bounds a job run when Config.JobTimeout is zero.
const DefaultJobTimeout = 5 * time.Minute

// DefaultGzipLevel compresses the pre-rendered exposition once per
// refresh; it costs the refresh a little time and every gzip scrape
// (Prometheus always asks for gzip) a few times less to send.
const DefaultGzipLevel = flate.BestSpeed

// tailGzipLevel is the deflate level of the live self-metrics appended to
// each gzip scrape: stored blocks, not compressed. They are about 15 KB
// against the snapshot's megabyte; compressing them would cost each scrape
// more time than sending them does.
const tailGzipLevel = flate.NoCompression

// published is what scrapes and the landing page read: a snapshot and its
// rendered exposition, swapped in together.
type published struct {
	snap *Snapshot
	exp  *exposition
}

// light returns p without what a scrape or the landing page can do
// without for the second a refresh takes: the plain text (a scrape
// inflates the gzip copy) and the series (only Collector reads them).
func (p *published) light() *published {
	snap, exp := *p.snap, *p.exp
	snap.series = [numFamilies][]series{}
	exp.text = nil
	return &published{snap: &snap, exp: &exp}
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
	// starting is true while Run's start-up runs go on: a snapshot loaded
	// from the store is served, but the inbox found at start is not in it
	// yet.
	starting atomic.Bool
	// parse is the inbox's parser; nil for bulletin.Parse (tests set it).
	parse func(ctx context.Context, name string, b []byte, opt bulletin.Options) (*bulletin.Result, error)
	// reachable is the store's last ping: 1 answered, 0 did not, -1 not
	// tried yet.
	reachable atomic.Int32
	// textSize is the size of the last rendered text exposition, the next
	// render's first guess.
	textSize atomic.Int64

	// reloadMu serialises refreshes; loaded is the store version the
	// snapshot in service was read at, loadedAt when.
	reloadMu sync.Mutex
	loaded   store.State
	loadedAt time.Time

	// seen spares the ingest job reading the files it settled before.
	seen inbox.Seen

	storeMu sync.Mutex
	st      *store.Store
	lock    *leader.Lock // ingestion lock on a PostgreSQL store; nil on SQLite

	statusMu sync.Mutex
	status   map[string]*JobStatus

	// members are the members of the snapshot's zone labels, for
	// devzone_zone_group_info; reresolved is set once the store's zones
	// were resolved with Config.Zones.
	members    atomic.Pointer[[]zoneMember]
	reresolved atomic.Bool
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
	e.reg.MustRegister(newZoneCollector(cfg.Zones, &e.members))
	e.reachable.Store(-1)
	exp, err := render(emptySnapshot, cfg.GzipLevel, 0)
	if err != nil {
		return nil, fmt.Errorf("new exporter: %w", err)
	}
	e.current.Store(&published{snap: emptySnapshot, exp: exp})
	return e, nil
}

// Snapshot returns the snapshot being served. While a refresh loads
// figures it is a copy without series, which a Collector over it would
// not expose.
func (e *Exporter) Snapshot() *Snapshot { return e.current.Load().snap }

// Ready reports whether a snapshot has been loaded from the store and
// Run's start-up ingest of the inbox is done.
func (e *Exporter) Ready() bool { return e.ready.Load() && !e.starting.Load() }

// NotReadyReason says what Ready waits for, in one line; "" when ready.
func (e *Exporter) NotReadyReason() string {
	if e.Ready() {
		return ""
	}
	if e.ready.Load() {
		return fmt.Sprintf("the start-up ingest of the inbox is running; meanwhile serving the %d series loaded from the store", e.Snapshot().Series)
	}
	e.statusMu.Lock()
	lastErr := e.status[JobRefresh].LastError
	e.statusMu.Unlock()
	if e.reachable.Load() == 0 || lastErr != "" {
		if lastErr == "" {
			lastErr = "unreachable"
		}
		return "waiting for the store to answer, to load the first snapshot (last error: " + lastErr + ")"
	}
	return "loading the first snapshot from the store"
}

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
	if e.lock != nil {
		// Hand ingestion over at once rather than when the session times out.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e.lock.Release(ctx) //nolint:errcheck // closing the store ends the session anyway
		cancel()
		e.lock = nil
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
	if st.Dialect() == store.DialectPostgres {
		key, err := leader.KeyFor(ctx, st.DB().DB)
		if err != nil {
			st.Close()
			return nil, err
		}
		e.lock = leader.New(st.DB().DB, key)
		e.lock.Lease = e.cfg.LeaderLease
	}
	e.st = st
	return st, nil
}

// leads reports whether this replica is to ingest: on PostgreSQL only the
// one holding the advisory lock does, so that replicas sharing a store
// never ingest a bulletin twice at once; SQLite has one exporter.
func (e *Exporter) leads(ctx context.Context) (bool, error) {
	e.storeMu.Lock()
	lock := e.lock
	e.storeMu.Unlock()
	held := true
	if lock != nil {
		var err error
		if held, err = lock.Acquire(ctx); err != nil {
			e.self.ingestLeader.Set(0)
			return false, err
		}
	}
	if held {
		e.self.ingestLeader.Set(1)
	} else {
		e.self.ingestLeader.Set(0)
	}
	return held, nil
}

// execute runs one job run: it bounds it by the job timeout, times it,
// recovers and counts a panic, counts a failure and logs it in one line,
// and records the time of a success. Every job runs through it, so that
// every job reports alike.
func (e *Exporter) execute(ctx context.Context, job string, run func(context.Context) error) (err error) {
	start := time.Now()
	defer func() {
		var stack string
		if r := recover(); r != nil {
			e.self.panics.WithLabelValues(job).Inc()
			err = fmt.Errorf("panic: %v", r)
			stack = string(debug.Stack())
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
			attrs := []any{"job", job, "duration", d.Round(time.Millisecond), "err", err}
			if stack != "" {
				attrs = append(attrs, "stack", stack) // where it panicked, for the bug report
			}
			e.logger.Error("job failed", attrs...)
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
	// Look first: a missing inbox is a configuration error, whatever the
	// state of the store. (A stat, not a listing: Dir lists it once below.)
	if _, err := os.Stat(e.cfg.InboxDir); err != nil {
		return false, fmt.Errorf("inbox: %w", err)
	}
	st, err := e.store(ctx)
	if err != nil {
		return false, err
	}
	if lead, err := e.leads(ctx); err != nil || !lead {
		return false, err // another replica ingests; this one serves
	}
	if e.cfg.Zones != nil && !e.reresolved.Load() {
		moves, err := inbox.Reresolve(ctx, st, e.cfg.Zones)
		if err != nil {
			return false, fmt.Errorf("re-resolve zones with %s: %w", e.cfg.Zones.File, err)
		}
		for _, m := range moves {
			changed = true
			e.logger.Info("zone moved to its canonical name", "city", m.City, "from", m.From, "to", m.To, "moved", m.Moved, "merged", m.Merged)
		}
		e.reresolved.Store(true)
	}
	in := &inbox.Ingester{Store: st, Options: e.cfg.Bulletin, Now: e.cfg.Now, FileTimeout: e.cfg.FileTimeout, Parse: e.parse, Zones: e.cfg.Zones, Seen: &e.seen, Settle: e.cfg.InboxSettle, FollowSymlinks: e.cfg.InboxFollowSymlinks, Archive: e.cfg.InboxArchive}
	results, err := in.Dir(ctx, e.cfg.InboxDir) // errors are per result,
	if err != nil && results == nil && ctx.Err() == nil {
		return false, fmt.Errorf("inbox: %w", err) // but for a listing that failed
	}
	var storeErrs []error
	for _, r := range results {
		if r.ArchiveErr != nil {
			e.logger.Warn("bulletin left in the inbox; moved next run", "file", r.Path, "err", r.ArchiveErr)
		}
		switch r.Outcome {
		case inbox.Ingested:
			changed = true
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			if r.Stored.HeldBy != 0 {
				e.logger.Warn("bulletin held: a pinned report of its city and period is current; its figures are not written",
					"file", r.Path, "period", r.Parsed.Period, "pinned_report", r.Stored.HeldBy, "figures", r.Stored.Figures)
				continue
			}
			e.logger.Info("bulletin ingested", "file", r.Path, "period", r.Parsed.Period,
				"figures", r.Stored.Figures, "new", r.Stored.New, "revised", r.Stored.Revised, "withdrawn", r.Stored.Withdrawn,
				"warnings", len(r.Parsed.Warnings), "unmatched", len(r.Parsed.Unmatched))
			e.logDiagnostics(r)
		case inbox.Failed:
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			e.logger.Warn("bulletin failed; kept with its error, retried when it changes", "file", r.Path, "err", r.Err)
			e.logDiagnostics(r)
		case inbox.Pending:
			e.logger.Debug("bulletin new or changed since the last run; read once unchanged for a run", "file", r.Path)
		case inbox.Error:
			e.self.reports.WithLabelValues(string(r.Outcome)).Inc()
			storeErrs = append(storeErrs, r.Err)
		}
	}
	if err := ctx.Err(); err != nil {
		if n := len(results); n > 0 && results[n-1].Outcome == inbox.Error {
			// The file it was on when it stopped; its error names it.
			return changed, fmt.Errorf("ingest %s: stopped after %d files: %w", e.cfg.InboxDir, n-1, results[n-1].Err)
		}
		return changed, fmt.Errorf("ingest %s: stopped after %d files: %w", e.cfg.InboxDir, len(results), err)
	}
	if len(storeErrs) > 0 {
		return changed, fmt.Errorf("%d of %d bulletins not stored, retried next run: %w",
			len(storeErrs), len(results), storeErrs[0])
	}
	return changed, nil
}

// logDiagnostics logs what the parser could not read in a bulletin, as
// ingest prints it: each warning and each sentence that gave no figure.
func (e *Exporter) logDiagnostics(r inbox.Result) {
	if r.Parsed == nil {
		return
	}
	for _, w := range r.Parsed.Warnings {
		e.logger.Warn("bulletin warning", "file", r.Path, "warning", w)
	}
	for _, u := range r.Parsed.Unmatched {
		e.logger.Info("sentence yielded no figure", "file", r.Path, "line", u.Line, "text", u.Text)
	}
}

// refresh reads the store's latest figures into a new snapshot, renders
// it and swaps it in. A failed refresh leaves the last good snapshot in
// service. The store's reachability is its ping.
func (e *Exporter) refresh(ctx context.Context) error { return e.reload(ctx, false) }

// fullReloadAfter bounds how long the refresh job trusts the store's
// version (see store.State) and skips reading its figures: a snapshot
// older than this is read again even when the version did not move.
const fullReloadAfter = 10 * time.Minute

// reload is refresh; force reads and renders the figures even when the
// store did not change (the benchmark measures the whole path with it).
func (e *Exporter) reload(ctx context.Context, force bool) error {
	e.reloadMu.Lock()
	defer e.reloadMu.Unlock()
	// The store's state, one row by primary key, is the whole cost of a
	// refresh that finds nothing new; it is the ping, too.
	st, err := e.store(ctx)
	var ver store.State
	if err == nil {
		ver, err = st.State(ctx)
	}
	if err != nil {
		e.setReachable(false)
		return err
	}
	e.setReachable(true)
	start, now := time.Now(), e.cfg.Now()
	cur := e.current.Load()
	// Unchanged, recently read, and not left light by a failed load: keep.
	if !force && e.ready.Load() && ver == e.loaded && now.Sub(e.loadedAt) < fullReloadAfter && cur.exp.text != nil {
		e.keep(cur, now, ver.Figures)
		return nil
	}

	// Loading holds the old snapshot, every figure (with its sentence) and
	// the new snapshot at once. Keep the peak low: serve a light copy of
	// the old snapshot from now on (without the plain text, which a plain
	// scrape inflates from the gzip copy, and without the series, which
	// only Collector reads), so that the full one can go; and let the
	// program tune its collector for the load (Config.OnLoad). A load that
	// fails leaves the light copy in service, serving the same.
	e.current.Store(cur.light())
	cur = nil
	if e.cfg.OnLoad != nil {
		defer e.cfg.OnLoad()()
	}

	figs, err := st.LatestValues(ctx, false)
	if err != nil {
		return err
	}
	members := membersOf(figs)
	e.members.Store(&members)
	if e.cfg.Derived {
		derived, err := st.LatestValues(ctx, true)
		if err != nil {
			return err
		}
		figs = append(figs, derived...)
	}
	counts, err := st.LatestFindingCounts(ctx)
	if err != nil {
		return err
	}
	findings := make(map[findingCount]int, len(counts))
	for _, c := range counts {
		findings[findingCount{c.City, c.Period, c.Kind}] = c.Count
	}
	snap := newSnapshot(figs, findings, now) // figs is dead from here: the GC may take it while rendering
	reports, err := st.Reports(ctx)
	if err != nil {
		return err
	}
	snap.addFailedReports(failedReports(reports, snap.Cities))
	snap.addDiagnostics(cityDiagnostics(reports, snap.Cities))
	snap.Notes = reportNotes(reports, snap.Cities)
	exp, err := render(snap, e.cfg.GzipLevel, int(e.textSize.Load()))
	if err != nil {
		return err
	}
	e.textSize.Store(int64(len(exp.text)))
	if snap.Unexposed > 0 {
		e.logger.Warn("figures with no metric family", "count", snap.Unexposed, "example", snap.Example.String())
	}
	e.publish(&published{snap: snap, exp: exp}, now, ver.Figures)
	e.loaded, e.loadedAt = ver, now
	e.logger.Info("snapshot loaded", "figures", snap.Figures, "series", snap.Series, "bytes", exp.size(),
		"duration", time.Since(start).Round(time.Millisecond))
	return nil
}

// keep confirms the snapshot in service as current at now, keeping its
// series and rendered bytes.
func (e *Exporter) keep(cur *published, now time.Time, storeFigures int64) {
	kept := *cur.snap
	kept.Loaded = now
	e.publish(&published{snap: &kept, exp: cur.exp}, now, storeFigures)
}

// publish swaps p in and updates the snapshot's self-metrics.
func (e *Exporter) publish(p *published, now time.Time, storeFigures int64) {
	e.current.Store(p)
	e.ready.Store(true)
	e.self.storeFigures.Set(float64(storeFigures))
	e.self.snapshotSeries.Set(float64(p.snap.Series))
	e.self.snapshotTimestamp.Set(float64(now.UnixNano()) / 1e9)
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
