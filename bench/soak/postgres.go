package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	_ "github.com/lib/pq" // the postgres driver
)

// cluster is the PostgreSQL cluster the soak restarts, through
// pg_ctlcluster (Debian's postgresql-common), which needs root or the
// postgres user.
type cluster struct {
	version, name string
}

// findCluster returns the cluster to restart: version as given, or the
// only directory in /etc/postgresql.
func findCluster(version, name string) (cluster, error) {
	if version == "" {
		entries, err := os.ReadDir("/etc/postgresql")
		if err != nil {
			return cluster{}, fmt.Errorf("find the PostgreSQL version: %w (pass -pg.version)", err)
		}
		var versions []string
		for _, e := range entries {
			if e.IsDir() {
				versions = append(versions, e.Name())
			}
		}
		if len(versions) != 1 {
			return cluster{}, fmt.Errorf("find the PostgreSQL version: /etc/postgresql holds %v; pass -pg.version", versions)
		}
		version = versions[0]
	}
	return cluster{version: version, name: name}, nil
}

func (c cluster) String() string { return c.version + "/" + c.name }

// ctl runs pg_ctlcluster with an action (start, stop, status).
func (c cluster) ctl(ctx context.Context, action string) error {
	out, err := exec.CommandContext(ctx, "pg_ctlcluster", "--skip-systemctl-redirect", c.version, c.name, action).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_ctlcluster %s %s %s: %w: %s", c.version, c.name, action, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// running reports whether the cluster is up (pg_ctlcluster status exits 0).
func (c cluster) running(ctx context.Context) bool { return c.ctl(ctx, "status") == nil }

// ensureRunning starts the cluster if it is down: the soak must never
// leave the shared database stopped, whatever ended it.
func (c cluster) ensureRunning() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if c.running(ctx) {
		return nil
	}
	return c.ctl(ctx, "start")
}

// server is the PostgreSQL server and the soak's database on it.
type server struct {
	base   *url.URL // as given, any database
	dbName string   // the soak's own, created by createDatabase
}

// withDatabase returns the server's URL naming another database.
func (s *server) withDatabase(name string) string {
	u := *s.base
	u.Path = "/" + name
	return u.String()
}

// dbURL is the URL of the soak's database.
func (s *server) dbURL() string { return s.withDatabase(s.dbName) }

// exec runs one statement on a new connection to the server's maintenance
// database: the soak's connections do not survive the restarts, so it
// keeps none open.
func (s *server) exec(ctx context.Context, query string) error {
	db, err := sql.Open("postgres", s.base.String())
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, query)
	return err
}

// createDatabase creates a fresh database with a random name.
func (s *server) createDatabase(ctx context.Context) error {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return err
	}
	s.dbName = "devzone_soak_" + hex.EncodeToString(b[:])
	if err := s.exec(ctx, `CREATE DATABASE `+s.dbName); err != nil {
		return fmt.Errorf("create database on %s: %w", s.base.Redacted(), err)
	}
	return nil
}

// dropDatabase drops the soak's database and any session left on it.
func (s *server) dropDatabase(ctx context.Context) error {
	if err := s.exec(ctx, `DROP DATABASE IF EXISTS `+s.dbName+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("drop database %s: %w", s.dbName, err)
	}
	return nil
}

// startTime returns when the server's postmaster started: a restart
// changes it, which proves the restart hit the server the exporter uses.
func (s *server) startTime(ctx context.Context) (time.Time, error) {
	db, err := sql.Open("postgres", s.base.String())
	if err != nil {
		return time.Time{}, err
	}
	defer db.Close()
	var t time.Time
	err = db.QueryRowContext(ctx, `SELECT pg_postmaster_start_time()`).Scan(&t)
	return t, err
}

// waitUp polls the server until it answers or ctx ends.
func (s *server) waitUp(ctx context.Context) error {
	for {
		_, err := s.startTime(ctx)
		if err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// report is a row of the reports table.
type report struct {
	name, status, errText, period string
	figures                       int
	stated                        int // stated (not derived) figures in the figures table from it
}

// reports reads the reports table, with the stated figures each report
// holds in the figures table.
func (s *server) reports(ctx context.Context) ([]report, error) {
	db, err := sql.Open("postgres", s.dbURL())
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, `
		SELECT r.name, r.status, r.error, r.period, r.figures,
		       (SELECT count(*) FROM figures f WHERE f.report_id = r.id AND NOT f.derived)
		FROM reports r ORDER BY r.id`)
	if err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	defer rows.Close()
	var out []report
	for rows.Next() {
		var r report
		if err := rows.Scan(&r.name, &r.status, &r.errText, &r.period, &r.figures, &r.stated); err != nil {
			return nil, fmt.Errorf("read reports: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
