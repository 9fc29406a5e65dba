package collector

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Schedule says when the jobs run: cron specs of five fields (minute hour
// day-of-month month day-of-week), or descriptors such as "@hourly" and
// "@every 30s", in Location.
type Schedule struct {
	Ingest, Refresh string
	Location        *time.Location
}

// DefaultSchedule checks the inbox and refreshes the snapshot every
// minute. Both are cheap when nothing changed: the inbox by checksum, the
// refresh by keeping the rendered exposition of unchanged figures.
var DefaultSchedule = Schedule{Ingest: "* * * * *", Refresh: "* * * * *"}

// Run runs each job once (refresh, then ingest), then on its schedule,
// until ctx is done; then it waits for the runs in progress (their context
// is ctx, so they stop early) and returns. Overlapping runs of a job are skipped; a run that
// panics is recovered. An ingest run that stores a bulletin is followed by
// a refresh, so that new figures need not wait for the refresh schedule.
func (e *Exporter) Run(ctx context.Context, s Schedule) error {
	loc := s.Location
	if loc == nil {
		loc = time.Local
	}
	logger := cronLogger{e.logger}
	c := cron.New(
		cron.WithLocation(loc),
		cron.WithLogger(logger),
		cron.WithChain(cron.Recover(logger), cron.SkipIfStillRunning(logger)),
	)
	var refresh cron.Job
	refreshID, err := c.AddJob(s.Refresh, cron.FuncJob(func() {
		e.execute(ctx, JobRefresh, e.refresh)
	}))
	if err != nil {
		return fmt.Errorf("refresh schedule %q: %w", s.Refresh, err)
	}
	ingestID, err := c.AddJob(s.Ingest, cron.FuncJob(func() {
		var changed bool
		err := e.execute(ctx, JobIngest, func(ctx context.Context) error {
			var err error
			changed, err = e.ingest(ctx)
			return err
		})
		if changed && ctx.Err() == nil {
			refresh.Run()
		}
		_ = err // execute has counted and logged it
	}))
	if err != nil {
		return fmt.Errorf("ingest schedule %q: %w", s.Ingest, err)
	}
	// The jobs as the chain wraps them: running these rather than the bare
	// functions keeps a start-up or triggered run from overlapping a
	// scheduled one.
	refresh = c.Entry(refreshID).WrappedJob
	ingest := c.Entry(ingestID).WrappedJob

	// The start-up runs come before the schedule. The refresh first: after
	// a restart /metrics serves what the store holds at once, rather than
	// an empty set until the inbox is read (every series would vanish for
	// Prometheus, every alert resolve). Readiness waits for both, so that
	// it means the inbox found at start is in the snapshot.
	e.starting.Store(true)
	refresh.Run()
	ingest.Run() // and a refresh if it stored anything
	e.starting.Store(false)
	if ctx.Err() != nil {
		return nil
	}
	c.Start()
	e.logger.Info("scheduler started", "ingest", s.Ingest, "refresh", s.Refresh, "location", loc.String())
	<-ctx.Done()
	<-c.Stop().Done()
	return nil
}

// cronLogger passes cron's messages to slog: its routine messages (wake,
// run, skip) at debug level, its errors as errors.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, keysAndValues ...any) {
	c.l.Debug("cron: "+msg, keysAndValues...)
}

func (c cronLogger) Error(err error, msg string, keysAndValues ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, keysAndValues...)...)
}

// Validate checks both specs, so that a typo stops the exporter at start
// rather than in the scheduler.
func (s Schedule) Validate() error {
	for _, spec := range []struct{ flag, spec string }{{"ingest", s.Ingest}, {"refresh", s.Refresh}} {
		if _, err := cron.ParseStandard(spec.spec); err != nil {
			return fmt.Errorf("%s schedule %q: %w", spec.flag, spec.spec, err)
		}
	}
	return nil
}
