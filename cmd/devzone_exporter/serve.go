package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
	_ "time/tzdata" // --schedule.timezone must work where the system has no zoneinfo

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/devzone/devzone_exporter/collector"
	"github.com/devzone/devzone_exporter/collector/inbox"
	"github.com/devzone/devzone_exporter/collector/leader"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/trend"
)

// defaultListenAddress is the exporter's port: 9866, unclaimed on the
// Prometheus default port allocations page.
const defaultListenAddress = ":9866"

// shutdownTimeout bounds how long SIGTERM waits for scrapes in progress.
const shutdownTimeout = 10 * time.Second

// Server limits (docs/OPERATIONS.md, "Connections"). A national /metrics
// is 16.5 MB as text and 1.5 MB gzipped (what Prometheus asks for):
// defaultWriteTimeout lets the gzipped one through at 128 kbit/s (94 s)
// and the text one at 1.2 Mbit/s (110 s), far beyond any scrape_timeout,
// and still ends a connection whose reader never reads
// (TestWriteTimeoutCoversNationalScale measures the sizes).
const (
	defaultReadTimeout    = 30 * time.Second // a GET has no body; headers have readHeaderTimeout
	readHeaderTimeout     = 10 * time.Second
	defaultWriteTimeout   = 2 * time.Minute
	defaultIdleTimeout    = 30 * time.Second // keep-alive between scrapes 15 s apart, not for ever
	defaultMaxHeaderBytes = 64 << 10
)

// serveConfig is the exporter's configuration.
type serveConfig struct {
	web         *web.FlagConfig
	inboxDir    string
	inboxSettle bool
	// inboxFollowSymlinks lets the ingest job read links out of the inbox.
	inboxFollowSymlinks bool
	// inboxArchive moves settled files to processed/ and failed/.
	inboxArchive bool
	ingest       string
	refresh      string
	timezone     string
	jobTimeout   time.Duration
	derived      bool
	// fileTimeout bounds the parsing of one bulletin in an ingest run.
	fileTimeout time.Duration
	// Limits of the web server.
	readTimeout, writeTimeout, idleTimeout time.Duration
	maxAPIRequests                         int
	// leaderLease is how long a frozen leader keeps the ingestion lock.
	leaderLease time.Duration
	loadGOGC    int
}

func (m *Main) addServeFlags(c *kingpin.CmdClause) {
	m.addDBFlags(c)
	// The toolkit's flags (--web.listen-address, --web.config.file) go on
	// the application: kingpin reads the default command's own flags only
	// when the command is named, and `devzone_exporter --web.listen-address=…`
	// must work.
	m.srv.web = kingpinflag.AddFlags(m.app, defaultListenAddress)
	c.Flag("inbox.dir", "Directory the ingest job reads bulletins (.txt, .docx, .pdf, .html, .xlsx) from; a file is stored once, by checksum.").
		Default("inbox").Envar("DEVZONE_INBOX_DIR").StringVar(&m.srv.inboxDir)
	c.Flag("inbox.settle", "Read a new or changed inbox file only once two ingest runs in a row saw the same size and modification time, so that a file still being copied is not stored half (--no-inbox.settle reads it at once; then copy as a dot-file or .tmp and rename).").
		Default("true").BoolVar(&m.srv.inboxSettle)
	c.Flag("inbox.follow-symlinks", "Read symbolic links in the inbox that point out of it; without it such a link is kept as a failed bulletin and not read.").
		Default("false").BoolVar(&m.srv.inboxFollowSymlinks)
	c.Flag("inbox.archive", "Move each file out of the inbox once the store has it: to processed/ when its figures are stored, to failed/ with its error in <name>.error.txt when it is kept as failed (both under --inbox.dir, never read as inbox; names are not overwritten).").
		Default("false").BoolVar(&m.srv.inboxArchive)
	c.Flag("schedule.ingest", "When the ingest job reads the inbox: a cron spec of five fields, or @every 30s, @hourly, ….").
		Default(collector.DefaultSchedule.Ingest).StringVar(&m.srv.ingest)
	c.Flag("schedule.refresh", "When the refresh job rebuilds the metrics from the store: a cron spec of five fields, or @every 30s, @hourly, ….").
		Default(collector.DefaultSchedule.Refresh).StringVar(&m.srv.refresh)
	c.Flag("schedule.timezone", "Time zone of the schedules.").
		Default("Asia/Shanghai").StringVar(&m.srv.timezone)
	c.Flag("schedule.timeout", "Longest a job run may take before it is cancelled and counted as failed.").
		Default(collector.DefaultJobTimeout.String()).DurationVar(&m.srv.jobTimeout)
	c.Flag("ingest.file-timeout", "Longest the parsing of one bulletin may take; a file that takes longer is kept as failed, and the ingest run goes on to the next file. Must be shorter than --schedule.timeout.").
		Default(inbox.DefaultFileTimeout.String()).DurationVar(&m.srv.fileTimeout)
	c.Flag("ingest.leader-lease", "On PostgreSQL: how long a replica that stops showing signs of life (frozen, hung, cut off) keeps the ingestion lock before another takes over; needs PostgreSQL 14 or later.").
		Default(leader.DefaultLease.String()).DurationVar(&m.srv.leaderLease)
	c.Flag("web.read-timeout", "Longest the server waits for a whole request.").
		Default(defaultReadTimeout.String()).DurationVar(&m.srv.readTimeout)
	c.Flag("web.write-timeout", "Longest the server spends writing one response; ends connections whose client stopped reading. The default sends a national /metrics gzipped at 128 kbit/s.").
		Default(defaultWriteTimeout.String()).DurationVar(&m.srv.writeTimeout)
	c.Flag("web.idle-timeout", "Longest an idle keep-alive connection stays open.").
		Default(defaultIdleTimeout.String()).DurationVar(&m.srv.idleTimeout)
	c.Flag("web.max-api-requests", "Most /api/v1 requests served at once; more get 503 with Retry-After.").
		Default(strconv.Itoa(trend.DefaultMaxInFlight)).IntVar(&m.srv.maxAPIRequests)
	c.Flag("metrics.derived", "Expose the figures derived from stated ones (implied city totals and growth) as devzone_derived_* families.").
		Default("false").BoolVar(&m.srv.derived)
	m.addZonesFlag(c)
	m.addRuntimeFlags(c)
}

// runServe runs the exporter until ctx is done (SIGTERM or SIGINT), then
// stops the scheduler, lets scrapes in progress finish and closes the
// store. The database need not be up: the jobs open the store and keep
// trying on every run.
func (m *Main) runServe(ctx context.Context) int {
	fail := func(code int, err error) int {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return code
	}
	loc, err := time.LoadLocation(m.srv.timezone)
	if err != nil {
		return fail(2, fmt.Errorf("--schedule.timezone: %w", err))
	}
	sched := collector.Schedule{Ingest: m.srv.ingest, Refresh: m.srv.refresh, Location: loc}
	if err := sched.Validate(); err != nil {
		return fail(2, err)
	}
	for _, d := range []struct {
		flag string
		d    time.Duration
	}{{"--web.read-timeout", m.srv.readTimeout}, {"--web.write-timeout", m.srv.writeTimeout}, {"--web.idle-timeout", m.srv.idleTimeout}} {
		if d.d <= 0 {
			return fail(2, fmt.Errorf("%s %s: want more than 0", d.flag, d.d))
		}
	}
	if m.srv.leaderLease < time.Second {
		return fail(2, fmt.Errorf("--ingest.leader-lease %s: want at least 1s", m.srv.leaderLease))
	}
	if m.srv.maxAPIRequests < 1 {
		return fail(2, fmt.Errorf("--web.max-api-requests %d: want at least 1", m.srv.maxAPIRequests))
	}
	if m.srv.fileTimeout <= 0 || m.srv.fileTimeout >= m.srv.jobTimeout {
		return fail(2, fmt.Errorf("--ingest.file-timeout %s: want more than 0 and less than --schedule.timeout %s, so that one file cannot use a whole run",
			m.srv.fileTimeout, m.srv.jobTimeout))
	}
	url, err := m.db.resolve()
	if err != nil {
		return fail(2, err)
	}
	reg, err := m.loadZones()
	if err != nil {
		return fail(2, err)
	}
	dataDir, secrets := m.db.dataDir, m.db.secrets()
	exp, err := collector.New(collector.Config{
		Open: func(ctx context.Context) (*store.Store, error) {
			// Scrubbed once more: the error shows on the landing page.
			st, err := store.Open(ctx, url, dataDir)
			return st, store.ScrubError(err, secrets)
		},
		InboxDir:            m.srv.inboxDir,
		Logger:              m.logger,
		Now:                 m.Now,
		JobTimeout:          m.srv.jobTimeout,
		FileTimeout:         m.srv.fileTimeout,
		InboxSettle:         m.srv.inboxSettle,
		InboxFollowSymlinks: m.srv.inboxFollowSymlinks,
		InboxArchive:        m.srv.inboxArchive,
		APIMaxInFlight:      m.srv.maxAPIRequests,
		LeaderLease:         m.srv.leaderLease,
		Derived:             m.srv.derived,
		OnLoad:              loadTuning(m.srv.loadGOGC),
		Zones:               reg,
	})
	if err != nil {
		return fail(1, err)
	}
	defer func() {
		if err := exp.Close(); err != nil {
			m.logger.Error("close", "err", err)
		}
	}()

	jobsCtx, stopJobs := context.WithCancel(ctx)
	defer stopJobs()
	jobsDone := make(chan struct{})
	go func() {
		defer close(jobsDone)
		if err := exp.Run(jobsCtx, sched); err != nil {
			m.logger.Error("scheduler", "err", err)
		}
	}()

	srv := &http.Server{
		Handler:           exp.Handler(),
		ReadHeaderTimeout: min(readHeaderTimeout, m.srv.readTimeout),
		ReadTimeout:       m.srv.readTimeout,
		WriteTimeout:      m.srv.writeTimeout,
		IdleTimeout:       m.srv.idleTimeout,
		MaxHeaderBytes:    defaultMaxHeaderBytes,
	}
	served := make(chan error, 1)
	go func() { served <- web.ListenAndServe(srv, m.srv.web, m.logger) }()

	code := 0
	select {
	case <-ctx.Done():
		m.logger.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		if err := srv.Shutdown(sctx); err != nil {
			m.logger.Error("shut down web server", "err", err)
		}
		cancel()
		if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.logger.Error("web server", "err", err)
		}
	case err := <-served:
		m.logger.Error("web server", "err", err)
		code = 1
	}
	stopJobs()
	<-jobsDone
	return code
}
