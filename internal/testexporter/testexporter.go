// Package testexporter starts the real devzone_exporter binary for tests:
// built once per test process, listening on a free loopback port, with a
// temporary data directory, and stopped with SIGTERM when the test ends
// (or killed with SIGKILL earlier by a test that wants it to crash).
// Tests of alert rules and dashboards use it to check that their queries
// name only metric families the exporter really exposes:
//
//	e := testexporter.Start(t, testexporter.Options{InboxDir: "testdata/inbox"})
//	names := e.FamilyNames(t) // devzone_yoy_growth_ratio, …
//
// A package that wants the built binary removed when its tests end calls
// Main from its TestMain; otherwise the binary stays in the system's
// temporary directory.
package testexporter

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/lib/pq" // the postgres driver, for PostgresDatabase
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Environment variables the package reads.
const (
	// EnvBinary names a devzone_exporter binary to run instead of building
	// one (CI may build it once for all packages).
	EnvBinary = "DEVZONE_EXPORTER_BINARY"
	// EnvDatabaseURL names the PostgreSQL server tests may use, e.g.
	// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
	EnvDatabaseURL = "DEVZONE_TEST_DATABASE_URL"
)

// Package is the import path of the command Start builds.
const Package = "github.com/devzone/devzone_exporter/cmd/devzone_exporter"

// Timeouts of waiting for the exporter. They bound a broken run; a passing
// run takes a fraction of them.
const (
	StartTimeout = 60 * time.Second // until /-/ready (or /-/healthy)
	StopTimeout  = 15 * time.Second // from SIGTERM until the process exits
	WaitTimeout  = 60 * time.Second // WaitForMetrics
)

// FastSchedule runs a job every second: tests see a dropped bulletin or a
// database that came back within about a second.
const FastSchedule = "@every 1s"

// Options configures one exporter.
type Options struct {
	// InboxDir is --inbox.dir; empty means a new empty temporary directory
	// (Exporter.InboxDir names it, to drop bulletins into).
	InboxDir string
	// DBURL is --db.url; empty means the embedded SQLite store in DataDir.
	DBURL string
	// DataDir is --data.dir; empty means a new temporary directory.
	DataDir string
	// IngestSchedule and RefreshSchedule are --schedule.ingest and
	// --schedule.refresh; empty means FastSchedule.
	IngestSchedule, RefreshSchedule string
	// Args are further flags, e.g. "--log.level=debug".
	Args []string
	// Env is added to the process's environment.
	Env []string
	// NoWaitReady makes Start return once /-/healthy answers instead of
	// /-/ready: for an exporter whose store is down at start.
	NoWaitReady bool
	// User is sent with every request of Start and of the Exporter's
	// methods: the basic auth user of a --web.config.file in Args.
	User *url.Userinfo
}

// Exporter is a running devzone_exporter process.
type Exporter struct {
	// URL is the base URL, http://127.0.0.1:PORT, without a trailing slash.
	URL string
	// InboxDir and DataDir are the directories it was given.
	InboxDir, DataDir string
	// Args are the arguments it was started with.
	Args []string

	user    *url.Userinfo
	cmd     *exec.Cmd
	logs    *SyncBuffer
	exited  chan struct{}
	waitErr error
	stopped bool
}

var build struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// Binary returns the path of the devzone_exporter binary: $EnvBinary when
// set, otherwise one built with `go build` the first time a test of this
// process asks.
func Binary(tb testing.TB) string {
	tb.Helper()
	if p := os.Getenv(EnvBinary); p != "" {
		return p
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "devzone_exporter-testexporter-")
		if build.err != nil {
			return
		}
		build.path = filepath.Join(build.dir, "devzone_exporter")
		cmd := exec.Command("go", "build", "-o", build.path, Package)
		if out, err := cmd.CombinedOutput(); err != nil {
			build.err = fmt.Errorf("go build %s: %w\n%s", Package, err, out)
		}
	})
	if build.err != nil {
		tb.Fatal(build.err)
	}
	return build.path
}

// Main runs a package's tests and then removes the binary Binary built.
// Call it from TestMain: func TestMain(m *testing.M) { os.Exit(testexporter.Main(m)) }.
func Main(m *testing.M) int {
	code := m.Run()
	if build.dir != "" {
		os.RemoveAll(build.dir)
	}
	return code
}

// Start starts an exporter and waits until it is ready (or only healthy,
// with NoWaitReady). It is stopped with SIGTERM when tb ends, and the test
// fails if it then does not exit cleanly. Its log is written to the test
// log when the test fails.
func Start(tb testing.TB, o Options) *Exporter {
	tb.Helper()
	bin := Binary(tb)
	if o.InboxDir == "" {
		o.InboxDir = tb.TempDir()
	}
	if o.DataDir == "" {
		o.DataDir = tb.TempDir()
	}
	if o.IngestSchedule == "" {
		o.IngestSchedule = FastSchedule
	}
	if o.RefreshSchedule == "" {
		o.RefreshSchedule = FastSchedule
	}
	// A free port may be taken between our probe and the exporter's
	// listen: try again with another.
	var lastErr error
	for range 5 {
		e, err := start(tb, bin, o)
		if err == nil {
			return e
		}
		lastErr = err
		if !errors.Is(err, errAddrInUse) {
			break
		}
	}
	tb.Fatalf("start devzone_exporter: %v", lastErr)
	return nil
}

var errAddrInUse = errors.New("address already in use")

func start(tb testing.TB, bin string, o Options) (*Exporter, error) {
	tb.Helper()
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{
		"--web.listen-address=" + addr,
		"--data.dir=" + o.DataDir,
		"--inbox.dir=" + o.InboxDir,
		"--schedule.ingest=" + o.IngestSchedule,
		"--schedule.refresh=" + o.RefreshSchedule,
	}
	if o.DBURL != "" {
		args = append(args, "--db.url="+o.DBURL)
	}
	args = append(args, o.Args...)
	e := &Exporter{
		URL:      "http://" + addr,
		InboxDir: o.InboxDir,
		DataDir:  o.DataDir,
		Args:     args,
		user:     o.User,
		logs:     &SyncBuffer{},
		exited:   make(chan struct{}),
	}
	e.cmd = exec.Command(bin, args...)
	// Keep the caller's DEVZONE_DB_URL and the like from reaching it.
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, "DEVZONE_") && !strings.HasPrefix(kv, EnvDatabaseURL+"=")
	})
	e.cmd.Env = append(env, o.Env...)
	e.cmd.Stdout, e.cmd.Stderr = e.logs, e.logs
	if err := e.cmd.Start(); err != nil {
		return nil, fmt.Errorf("run %s: %w", bin, err)
	}
	go func() {
		e.waitErr = e.cmd.Wait()
		close(e.exited)
	}()
	tb.Cleanup(func() {
		if !e.stopped {
			if err := e.stop(); err != nil {
				tb.Errorf("devzone_exporter %s: %v", e.URL, err)
			}
		}
		if tb.Failed() {
			tb.Logf("devzone_exporter %s log:\n%s", strings.Join(args, " "), e.Logs())
		}
	})

	path := "/-/ready"
	if o.NoWaitReady {
		path = "/-/healthy"
	}
	deadline := time.Now().Add(StartTimeout)
	for {
		select {
		case <-e.exited:
			e.stopped = true
			if strings.Contains(e.Logs(), "address already in use") {
				return nil, errAddrInUse
			}
			return nil, fmt.Errorf("exited before it was ready (%w); log:\n%s", e.waitErr, e.Logs())
		default:
		}
		if code, _, err := e.get(path); err == nil && code == http.StatusOK {
			return e, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s not 200 after %s; log:\n%s", path, StartTimeout, e.Logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// FreeAddr returns a loopback address with a port nobody listens on, for
// a server a test starts.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	addr, err := freeAddr()
	if err != nil {
		tb.Fatal(err)
	}
	return addr
}

// freeAddr returns a loopback address with a port nobody listens on.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// Stop sends SIGTERM and waits for the process to exit; it fails the test
// if the process does not exit in time or exits with an error. Tests of
// graceful shutdown call it; others let Start's cleanup do it.
func (e *Exporter) Stop(tb testing.TB) {
	tb.Helper()
	if e.stopped {
		return
	}
	if err := e.stop(); err != nil {
		tb.Fatalf("devzone_exporter %s: %v", e.URL, err)
	}
}

func (e *Exporter) stop() error {
	e.stopped = true
	select {
	case <-e.exited:
		return fmt.Errorf("had exited already: %w", e.waitErr)
	default:
	}
	if err := e.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("SIGTERM: %w", err)
	}
	select {
	case <-e.exited:
		if e.waitErr != nil {
			return fmt.Errorf("exit after SIGTERM: %w", e.waitErr)
		}
		return nil
	case <-time.After(StopTimeout):
		e.cmd.Process.Kill()
		<-e.exited
		return fmt.Errorf("still running %s after SIGTERM; killed", StopTimeout)
	}
}

// Kill sends SIGKILL and waits for the process to exit, as a crash or the
// OOM killer would end it: nothing runs on its way out, so it releases
// nothing itself, and its database sessions end only because the server
// sees their connections close. Tests of what survives a replica's death
// call it; Start's cleanup then has nothing left to stop.
func (e *Exporter) Kill(tb testing.TB) {
	tb.Helper()
	if e.stopped {
		return
	}
	e.stopped = true
	select {
	case <-e.exited:
		tb.Fatalf("devzone_exporter %s had exited before SIGKILL: %v", e.URL, e.waitErr)
	default:
	}
	if err := e.cmd.Process.Kill(); err != nil {
		tb.Fatalf("devzone_exporter %s: SIGKILL: %v", e.URL, err)
	}
	select {
	case <-e.exited:
	case <-time.After(StopTimeout):
		tb.Fatalf("devzone_exporter %s still running %s after SIGKILL", e.URL, StopTimeout)
	}
}

// Pid returns the process id.
func (e *Exporter) Pid() int { return e.cmd.Process.Pid }

// Logs returns what the process has written to stdout and stderr so far.
func (e *Exporter) Logs() string { return e.logs.String() }

// client is the HTTP client of all requests; it asks for no compression,
// so that bodies arrive as the exporter writes them for a plain client.
var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{DisableCompression: true, Proxy: nil},
}

func (e *Exporter) get(path string) (int, string, error) {
	u := e.URL + path
	if e.user != nil {
		pu, err := url.Parse(u)
		if err != nil {
			return 0, "", err
		}
		pu.User = e.user
		u = pu.String()
	}
	return Get(u, nil)
}

// Get fetches a URL (which may carry a user and password) with the given
// extra headers and returns the status and body.
func Get(rawURL string, header http.Header) (int, string, error) {
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		return 0, "", err
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("read %s: %w", rawURL, err)
	}
	return resp.StatusCode, string(b), nil
}

// Get fetches a path of the exporter (e.g. "/-/ready") and returns the
// status and body; it fails the test only when the request fails.
func (e *Exporter) Get(tb testing.TB, path string) (int, string) {
	tb.Helper()
	code, body, err := e.get(path)
	if err != nil {
		tb.Fatalf("GET %s: %v", path, err)
	}
	return code, body
}

// Scrape returns /metrics in the Prometheus text format, failing the test
// unless the status is 200.
func (e *Exporter) Scrape(tb testing.TB) string {
	tb.Helper()
	code, body := e.Get(tb, "/metrics")
	if code != http.StatusOK {
		tb.Fatalf("GET /metrics: status %d: %s", code, body)
	}
	return body
}

// Families parses a scrape into metric families by name.
func (e *Exporter) Families(tb testing.TB) map[string]*dto.MetricFamily {
	tb.Helper()
	return Parse(tb, e.Scrape(tb))
}

// FamilyNames returns the sorted names of the metric families a scrape
// holds. A family of figures appears only when the store holds a figure of
// it, so start the exporter on bulletins that have every kind you query.
func (e *Exporter) FamilyNames(tb testing.TB) []string {
	tb.Helper()
	var names []string
	for name := range e.Families(tb) {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Parse parses an exposition in the Prometheus text format.
func Parse(tb testing.TB, text string) map[string]*dto.MetricFamily {
	tb.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(strings.NewReader(text))
	if err != nil {
		tb.Fatalf("parse exposition: %v", err)
	}
	return mfs
}

// WaitForMetrics scrapes until cond holds for the scrape and returns that
// scrape; it fails the test after WaitTimeout, or at once if the process
// exits. what says what is awaited, for the failure message.
func (e *Exporter) WaitForMetrics(tb testing.TB, what string, cond func(metrics string) bool) string {
	tb.Helper()
	deadline := time.Now().Add(WaitTimeout)
	var last string
	for {
		select {
		case <-e.exited:
			tb.Fatalf("waiting for %s: devzone_exporter exited (%v)", what, e.waitErr)
		default:
		}
		if code, body, err := e.get("/metrics"); err == nil && code == http.StatusOK {
			last = body
			if cond(body) {
				return body
			}
		}
		if time.Now().After(deadline) {
			tb.Fatalf("waiting for %s: not there after %s; last scrape:\n%s", what, WaitTimeout, last)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// PostgresDatabase creates a new database on the server named by
// $EnvDatabaseURL and returns its URL; the database is dropped (with any
// connections to it) when tb ends. It skips tb when the variable is unset.
func PostgresDatabase(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvDatabaseURL)
	if base == "" {
		tb.Skipf("%s not set: PostgreSQL tests skipped", EnvDatabaseURL)
	}
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("%s: %v", EnvDatabaseURL, err)
	}
	admin, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("open %s: %v", u.Redacted(), err)
	}
	var b [6]byte
	rand.Read(b[:])
	name := "devzone_test_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		admin.Close()
		tb.Fatalf("create database on %s: %v", u.Redacted(), err)
	}
	// Registered after the caller's earlier cleanups, so it runs before
	// them; Start's cleanup (registered later) stops the exporter first.
	tb.Cleanup(func() {
		defer admin.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			tb.Errorf("drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// SyncBuffer is a bytes.Buffer safe for a process's writers and the
// test's readers: the output of a command a test runs.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// MetricValue returns the value of one series (name and labels as the
// exposition writes them) in a text exposition, and whether it is there.
func MetricValue(exposition, series string) (float64, bool) {
	for line := range strings.Lines(exposition) {
		if rest, ok := strings.CutPrefix(line, series+" "); ok {
			v, err := strconv.ParseFloat(strings.TrimSpace(rest), 64)
			return v, err == nil
		}
	}
	return 0, false
}
