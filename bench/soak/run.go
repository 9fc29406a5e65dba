package main

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"syscall"
	"time"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/synth"
)

// Bounds of the steps around the run, so that the soak stops by itself.
const (
	readyTimeout  = time.Minute      // exporter start until /-/ready
	settleTimeout = time.Minute      // after the run, until every bulletin is stored
	stopTimeout   = 15 * time.Second // SIGTERM until the exporter exits
)

// corruptName is the corrupt bulletin: a .docx cut short in transfer.
const corruptName = "corrupt-truncated.docx"

// eventKind is what the timeline does at a moment of the run.
type eventKind int

const (
	dropGood eventKind = iota
	dropCorrupt
	restartDB // stop the server, drop a good bulletin, wait, start it
)

type event struct {
	at   time.Duration
	kind eventKind
}

// timeline spreads the run's events: the good bulletins not kept for the
// outages evenly over the first 80% (so that the last is stored well
// before the end), the restarts evenly over the whole, and the corrupt
// bulletin a quarter in.
func timeline(c config) []event {
	var ev []event
	scheduled := c.bulletins - c.restarts
	for i := range scheduled {
		ev = append(ev, event{at: time.Duration(float64(c.duration) * 0.8 * float64(i) / float64(scheduled)), kind: dropGood})
	}
	for k := 1; k <= c.restarts; k++ {
		ev = append(ev, event{at: c.duration * time.Duration(k) / time.Duration(c.restarts+1), kind: restartDB})
	}
	ev = append(ev, event{at: c.duration / 4, kind: dropCorrupt})
	sort.SliceStable(ev, func(i, j int) bool { return ev[i].at < ev[j].at })
	return ev
}

// good is a good bulletin of the run.
type good struct {
	name    string
	period  figure.Period
	figures int // figures the parser reads from it
	at      time.Duration
}

// outage is one restart of the database as the soak did it.
type outage struct {
	at, down        time.Duration
	before, after   time.Time // postmaster start times
	seenUnreachable int       // scrapes that saw devzone_store_reachable 0 meanwhile
}

// soak is one run.
type soak struct {
	c       config
	cl      cluster
	srv     *server
	work    string
	inbox   string
	logPath string
	start   time.Time
	country *synth.Country
	periods []figure.Period
	goods   []good
	outages []outage
}

// run runs the soak and prints its report to w; ok is false when a check
// failed, err when the soak itself could not run.
func run(ctx context.Context, c config, w io.Writer) (ok bool, err error) {
	cl, err := findCluster(c.pgVersion, c.pgCluster)
	if err != nil {
		return false, err
	}
	base, err := url.Parse(c.serverURL)
	if err != nil {
		return false, err
	}
	s := &soak{c: c, cl: cl, srv: &server{base: base}}
	// A run cut short must not leave the shared server down.
	defer func() {
		if rerr := cl.ensureRunning(); rerr != nil {
			err = errors.Join(err, fmt.Errorf("database left down, start it by hand: %w", rerr))
		}
	}()
	if !cl.running(ctx) {
		return false, fmt.Errorf("cluster %s is not running", cl)
	}
	if s.work, err = os.MkdirTemp("", "devzone-soak-"); err != nil {
		return false, err
	}
	s.inbox = filepath.Join(s.work, "inbox")
	s.logPath = filepath.Join(s.work, "exporter.log")
	if err := os.Mkdir(s.inbox, 0o755); err != nil {
		return false, err
	}
	if err := s.srv.createDatabase(ctx); err != nil {
		return false, err
	}
	defer func() {
		if !ok || c.keep {
			fmt.Fprintf(w, "\nkept: database %s, work directory %s (exporter.log)\n", s.srv.dbName, s.work)
			return
		}
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		err = errors.Join(err, s.srv.dropDatabase(dctx), os.RemoveAll(s.work))
	}()
	s.country = synth.New(synth.Config{Cities: 1, Zones: c.zones, Periods: c.bulletins, End: figure.MustPeriod("2024-12"), Seed: 1})
	s.periods = s.country.Periods()
	return s.run(ctx, w)
}

func (s *soak) run(ctx context.Context, w io.Writer) (bool, error) {
	exp, err := startExporter(ctx, s.c.bin, s.srv.dbURL(), s.inbox, filepath.Join(s.work, "data"), s.logPath)
	if err != nil {
		return false, err
	}
	defer exp.kill()

	s.start = time.Now()
	sc := newScraper(exp.url + "/metrics")
	sctx, stopScraping := context.WithCancel(ctx)
	scraped := make(chan struct{})
	go func() {
		sc.run(sctx, s.start, s.c.rate)
		close(scraped)
	}()
	defer func() { stopScraping(); <-scraped }()

	for _, ev := range timeline(s.c) {
		if err := sleepUntil(ctx, s.start.Add(ev.at)); err != nil {
			return false, err
		}
		switch ev.kind {
		case dropGood:
			if err := s.dropGood(); err != nil {
				return false, err
			}
		case dropCorrupt:
			if err := drop(s.inbox, corruptName, corruptDocx(s.country.Bulletin(0, s.periods[0]))); err != nil {
				return false, err
			}
		case restartDB:
			if err := s.restart(ctx); err != nil {
				return false, err
			}
		}
	}
	if err := sleepUntil(ctx, s.start.Add(s.c.duration)); err != nil {
		return false, err
	}
	stopScraping()
	<-scraped
	samples := sc.all()

	settled, err := s.settle(ctx)
	if err != nil {
		return false, err
	}
	final, _, ferr := newScraper(exp.url + "/metrics").get()
	stopErr := exp.stop()
	reports, err := s.srv.reports(ctx)
	if err != nil {
		return false, err
	}
	return s.report(w, samples, final, ferr, stopErr, reports, settled), nil
}

// dropGood drops the next good bulletin.
func (s *soak) dropGood() error {
	i := len(s.goods)
	p := s.periods[i]
	name := fmt.Sprintf("%s-%s.txt", s.country.Cities[0].Name, p)
	b := s.country.Bulletin(0, p)
	// The store must hold what the parser reads from the file, which is
	// not always every figure the generator meant (a zone name the parser
	// does not take for a subject loses its figures to 全市开发区).
	parsed, err := bulletin.Parse(context.Background(), name, b, bulletin.Options{})
	if err != nil {
		return fmt.Errorf("synthetic bulletin %s: %w", name, err)
	}
	if err := drop(s.inbox, name, b); err != nil {
		return err
	}
	s.goods = append(s.goods, good{name: name, period: p, figures: len(parsed.Figures), at: time.Since(s.start)})
	return nil
}

// restart stops the database server, drops a good bulletin while it is
// down, keeps it down for the outage and starts it again. The server's
// start time must change: that proves the restart hit the server the
// exporter uses.
func (s *soak) restart(ctx context.Context) error {
	o := outage{at: time.Since(s.start)}
	var err error
	if o.before, err = s.srv.startTime(ctx); err != nil {
		return fmt.Errorf("before restart: %w", err)
	}
	began := time.Now()
	if err := s.cl.ctl(ctx, "stop"); err != nil {
		return err
	}
	if err := s.dropGood(); err != nil {
		return err
	}
	sleepErr := sleepUntil(ctx, began.Add(s.c.outage))
	// Start even when interrupted: the deferred check would too, but
	// sooner is kinder to whoever else uses the server.
	if err := s.cl.ctl(context.Background(), "start"); err != nil {
		return err
	}
	if sleepErr != nil {
		return sleepErr
	}
	wctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := s.srv.waitUp(wctx); err != nil {
		return fmt.Errorf("after restart: %w", err)
	}
	o.down = time.Since(began)
	if o.after, err = s.srv.startTime(ctx); err != nil {
		return fmt.Errorf("after restart: %w", err)
	}
	s.outages = append(s.outages, o)
	return nil
}

// settle waits until the reports table holds every good bulletin and the
// corrupt one, and returns how long that took after the run.
func (s *soak) settle(ctx context.Context) (time.Duration, error) {
	begin := time.Now()
	deadline := begin.Add(settleTimeout)
	for {
		reports, err := s.srv.reports(ctx)
		if err == nil && len(reports) >= len(s.goods)+1 {
			return time.Since(begin), nil
		}
		if time.Now().After(deadline) {
			return time.Since(begin), nil // the checks will say what is missing
		}
		if err := sleepUntil(ctx, time.Now().Add(500*time.Millisecond)); err != nil {
			return 0, err
		}
	}
}

// drop writes a bulletin into the inbox under a hidden name and renames
// it, so that the exporter never reads half a file.
func drop(inbox, name string, b []byte) error {
	tmp := filepath.Join(inbox, "."+name+".part")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(inbox, name))
}

// corruptDocx returns the first half of a .docx holding the bulletin: the
// zip's central directory, at its end, is gone, as in an upload cut short.
func corruptDocx(bulletin []byte) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("word/document.xml")
	if err != nil {
		panic(err) // writing to memory
	}
	fmt.Fprintf(f, `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:body></w:document>`, bulletin)
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()[:buf.Len()/2]
}

// sleepUntil sleeps until t or until ctx ends.
func sleepUntil(ctx context.Context, t time.Time) error {
	timer := time.NewTimer(time.Until(t))
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

func sortSamples(s []sample) {
	slices.SortFunc(s, func(a, b sample) int { return cmp.Compare(a.at, b.at) })
}

// exporter is the devzone_exporter process of the soak.
type exporter struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{}
	err    error
}

// startExporter starts the exporter on a free loopback port with jobs
// every second, its output to logPath, and waits until it is ready.
func startExporter(ctx context.Context, bin, dbURL, inbox, dataDir, logPath string) (*exporter, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logf.Close() // the child has its own descriptor
	e := &exporter{url: "http://" + addr, exited: make(chan struct{})}
	e.cmd = exec.Command(bin,
		"--web.listen-address="+addr, "--db.url="+dbURL, "--inbox.dir="+inbox, "--data.dir="+dataDir,
		"--schedule.ingest=@every 1s", "--schedule.refresh=@every 1s")
	e.cmd.Stdout, e.cmd.Stderr = logf, logf
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	go func() { e.err = e.cmd.Wait(); close(e.exited) }()
	deadline := time.Now().Add(readyTimeout)
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	for {
		select {
		case <-e.exited:
			return nil, fmt.Errorf("exporter exited before it was ready (%w); see %s", e.err, logPath)
		default:
		}
		if resp, err := client.Get(e.url + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return e, nil
			}
		}
		if time.Now().After(deadline) {
			e.kill()
			return nil, fmt.Errorf("exporter not ready after %s; see %s", readyTimeout, logPath)
		}
		if err := sleepUntil(ctx, time.Now().Add(100*time.Millisecond)); err != nil {
			e.kill()
			return nil, err
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (e *exporter) stop() error {
	select {
	case <-e.exited:
		return fmt.Errorf("exporter had exited: %w", e.err)
	default:
	}
	if err := e.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	select {
	case <-e.exited:
		return e.err
	case <-time.After(stopTimeout):
		e.kill()
		return fmt.Errorf("exporter still running %s after SIGTERM; killed", stopTimeout)
	}
}

// kill kills the exporter if it still runs.
func (e *exporter) kill() {
	select {
	case <-e.exited:
	default:
		e.cmd.Process.Kill()
		<-e.exited
	}
}
