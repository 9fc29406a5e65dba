package main

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// hardPassword holds every character that breaks a DSN written by hand.
const hardPassword = "Pw/a#b?c@d%e:f=g h"

// leaks returns the longest pieces of pw, four bytes or more, that s shows.
func leaks(s, pw string) []string {
	for n := len(pw); n >= 4; n-- {
		var out []string
		for i := 0; i+n <= len(pw); i++ {
			if strings.Contains(s, pw[i:i+n]) {
				out = append(out, pw[i:i+n])
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// secretForms are --db.url values (and a --db.password-file) with
// hardPassword, pointing at a port nobody listens on.
func secretForms(t *testing.T) []struct {
	name string
	args []string
} {
	pwFile := filepath.Join(t.TempDir(), "password")
	if err := os.WriteFile(pwFile, []byte(hardPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	pw := hardPassword
	return []struct {
		name string
		args []string
	}{
		{"URL, password not encoded", []string{"--db.url=postgres://devzone:" + pw + "@127.0.0.1:1/devzone?sslmode=disable"}},
		{"URL, password encoded", []string{"--db.url=postgres://" + url.UserPassword("devzone", pw).String() + "@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=1"}},
		{"?password=", []string{"--db.url=postgres://devzone@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=1&password=" + url.QueryEscape(pw)}},
		{"key=value", []string{"--db.url=host=127.0.0.1 port=1 user=devzone password='" + pw + "' sslmode=disable connect_timeout=1"}},
		{"key=value, space not quoted", []string{"--db.url=host=127.0.0.1 port=1 user=devzone password=" + pw + " sslmode=disable"}},
		{"password file", []string{"--db.url=postgres://devzone@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=1", "--db.password-file=" + pwFile}},
	}
}

// TestCommandsNeverPrintThePassword pins issue 13: CLI errors showed the
// password of a URL with an unencoded / or #, of ?password= and of a
// key=value string.
func TestCommandsNeverPrintThePassword(t *testing.T) {
	for _, f := range secretForms(t) {
		for _, cmd := range [][]string{
			{"ingest", bulletins + "datong-2023q1.txt"},
			{"trend", "--indicator", "gdp"},
			{"backfill", "--out", filepath.Join(t.TempDir(), "h.om")},
			{"generate", "--zones", "1", "--cities", "1", "--periods", "1"},
		} {
			t.Run(f.name+"/"+cmd[0], func(t *testing.T) {
				args := append(append([]string{cmd[0]}, f.args...), cmd[1:]...)
				code, stdout, stderr := run(t, args...)
				if code == 0 {
					t.Fatalf("exit 0 against a store that is not there: %s", stdout)
				}
				if l := leaks(stdout+stderr, hardPassword); l != nil {
					t.Errorf("output shows %q:\n%s%s", l, stdout, stderr)
				}
				if strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
					t.Errorf("error is not one line: %q", stderr)
				}
			})
		}
	}
}

// TestServeNeverShowsThePassword runs the exporter against each form of a
// store that is not there: neither its log nor its landing page shows the
// password (the job error was shown on the page, and logged on every run).
func TestServeNeverShowsThePassword(t *testing.T) {
	t.Parallel()
	for _, f := range secretForms(t) {
		t.Run(f.name, func(t *testing.T) {
			e := testexporter.Start(t, testexporter.Options{Args: f.args, NoWaitReady: true})
			e.WaitForMetrics(t, "a failed ingest run", func(m string) bool {
				v, _ := testexporter.MetricValue(m, `devzone_job_failures_total{task="ingest"}`)
				return v >= 1
			})
			_, page := e.Get(t, "/")
			if !strings.Contains(page, "open store") {
				t.Errorf("landing page does not show the store's error")
			}
			if l := leaks(page, hardPassword); l != nil {
				t.Errorf("landing page shows %q", l)
			}
			e.Stop(t)
			if l := leaks(e.Logs(), hardPassword); l != nil {
				t.Errorf("log shows %q:\n%s", l, e.Logs())
			}
			if !strings.Contains(e.Logs(), "job failed") {
				t.Errorf("log has no failed job:\n%s", e.Logs())
			}
		})
	}
}
