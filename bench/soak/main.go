// Command soak runs devzone_exporter for a bounded time on a fresh
// PostgreSQL database while it is scraped at a steady rate, good bulletins
// arrive, one corrupt bulletin is dropped in and the database server is
// restarted twice. Then it checks that every good bulletin was stored
// exactly once, the corrupt one kept with its error, no scrape failed, and
// goroutines and memory stayed flat, and prints one table.
//
// It restarts the whole PostgreSQL cluster, so it is not a test that
// `go test ./...` may run beside others: bench/soak.sh builds the exporter
// and runs it. It sends traffic to 127.0.0.1 only: to the exporter it
// starts and to the database server, which must listen on the loopback
// interface. It stops by itself: the run is at most 10 minutes and
// everything around it is bounded by overhead, so that the whole, clean-up
// included, takes under 15.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// maxDuration bounds -duration, and overhead bounds the rest of a run:
// start-up (≤ 1 min), settling (≤ 1 min), shutdown (≤ 15 s) and the
// restarts' own time. Past duration+overhead the run is abandoned; its
// clean-up (start the database if down, drop the soak's database) takes
// well under the minute and a half that leaves before 15 minutes.
const (
	maxDuration = 10 * time.Minute
	overhead    = 3*time.Minute + 30*time.Second
)

// config is the soak's flags.
type config struct {
	bin       string
	serverURL string
	duration  time.Duration
	rate      float64
	bulletins int
	zones     int
	restarts  int
	outage    time.Duration
	pgVersion string
	pgCluster string
	warmup    time.Duration
	samples   string
	keep      bool
}

func main() {
	var c config
	defaultURL := os.Getenv("DEVZONE_TEST_DATABASE_URL")
	if defaultURL == "" {
		defaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	}
	flag.StringVar(&c.bin, "bin", "", "devzone_exporter binary to run (bench/soak.sh builds one)")
	flag.StringVar(&c.serverURL, "db", defaultURL, "PostgreSQL server URL on the loopback interface; the soak creates and drops a database of its own there")
	flag.DurationVar(&c.duration, "duration", 3*time.Minute, "how long to scrape, drop bulletins and restart the database (at most 10m)")
	flag.Float64Var(&c.rate, "rate", 4, "scrapes per second")
	flag.IntVar(&c.bulletins, "bulletins", 12, "good bulletins, one period each; one per restart is dropped while the database is down")
	flag.IntVar(&c.zones, "zones", 40, "zones of the synthetic city (60 figures each)")
	flag.IntVar(&c.restarts, "restarts", 2, "database restarts, spread evenly over the run")
	flag.DurationVar(&c.outage, "outage", 3*time.Second, "how long each restart keeps the database down")
	flag.StringVar(&c.pgVersion, "pg.version", "", "PostgreSQL major version of the cluster to restart; empty: the one directory in /etc/postgresql")
	flag.StringVar(&c.pgCluster, "pg.cluster", "main", "name of the cluster to restart (pg_ctlcluster VERSION NAME)")
	flag.DurationVar(&c.warmup, "warmup", 15*time.Second, "start of the run left out of the flatness comparison")
	flag.StringVar(&c.samples, "samples", "", "write every scrape's time, latency, goroutines and RSS to this CSV file")
	flag.BoolVar(&c.keep, "keep", false, "keep the database, the inbox and the exporter's log afterwards")
	flag.Parse()
	if err := c.validate(); err != nil {
		fmt.Fprintf(os.Stderr, "soak: %v\n", err)
		os.Exit(2)
	}
	// SIGINT or SIGTERM end the run early; the deferred clean-up still
	// starts the database again if it is down.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, c.duration+overhead)
	defer cancel()
	ok, err := run(ctx, c, os.Stdout)
	if err != nil {
		fmt.Fprintf(os.Stderr, "soak: %v\n", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// validate checks the flags, and that the database server is local.
func (c *config) validate() error {
	if c.bin == "" {
		return fmt.Errorf("-bin is required (bench/soak.sh builds the exporter)")
	}
	if c.duration <= 0 || c.duration > maxDuration {
		return fmt.Errorf("-duration %s: want more than 0 and at most %s", c.duration, maxDuration)
	}
	if c.warmup < 0 || c.warmup >= c.duration/2 {
		return fmt.Errorf("-warmup %s: want at least 0 and under half of -duration", c.warmup)
	}
	if c.rate <= 0 || c.rate > 50 {
		return fmt.Errorf("-rate %v: want more than 0 and at most 50 scrapes/s", c.rate)
	}
	if c.restarts < 0 || c.bulletins <= c.restarts {
		return fmt.Errorf("-bulletins %d, -restarts %d: want more bulletins than restarts (one arrives during each outage)", c.bulletins, c.restarts)
	}
	if c.zones < 1 {
		return fmt.Errorf("-zones %d: want at least 1", c.zones)
	}
	if c.outage < 2*time.Second {
		return fmt.Errorf("-outage %s: want at least 2s, so that the refresh job (every second) sees the database down", c.outage)
	}
	u, err := url.Parse(c.serverURL)
	if err != nil {
		return fmt.Errorf("-db: %w", err)
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return fmt.Errorf("-db %s: want a postgres:// URL", u.Redacted())
	}
	switch u.Hostname() {
	case "127.0.0.1", "::1", "localhost":
	default:
		return fmt.Errorf("-db %s: the soak restarts the database; want a server on 127.0.0.1", u.Redacted())
	}
	return nil
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
