package store

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// EnvTestDatabaseURL names the environment variable that turns on the
// PostgreSQL half of the tests and benchmarks, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test gets
// its own schema in that database, dropped when the test ends.
const EnvTestDatabaseURL = pgtest.EnvURL

// testDialects are the dialects the suite runs against: SQLite always,
// PostgreSQL when EnvTestDatabaseURL is set.
func testDialects() []string {
	d := []string{DialectSQLite}
	if os.Getenv(EnvTestDatabaseURL) != "" {
		d = append(d, DialectPostgres)
	}
	return d
}

// eachDialect runs fn as a parallel subtest per dialect.
func eachDialect(t *testing.T, fn func(t *testing.T, dialect string)) {
	t.Helper()
	for _, d := range testDialects() {
		t.Run(d, func(t *testing.T) {
			t.Parallel()
			fn(t, d)
		})
	}
}

// MustTarget returns the Open arguments of a fresh, empty store of the
// dialect: a temporary directory for SQLite, a new schema (reached through
// search_path in the URL) for PostgreSQL. Both are removed when tb ends.
func MustTarget(tb testing.TB, dialect string) (url, dataDir string) {
	tb.Helper()
	if dialect == DialectSQLite {
		return "", tb.TempDir()
	}
	return pgtest.Fresh(tb), ""
}

// MustOpen opens a fresh store of the dialect, closed when tb ends.
func MustOpen(tb testing.TB, dialect string) *Store {
	tb.Helper()
	url, dir := MustTarget(tb, dialect)
	s, err := Open(context.Background(), url, dir)
	if err != nil {
		tb.Fatalf("open %s store: %v", dialect, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("close: %v", err)
		}
	})
	return s
}

// fig builds a figure; zones are joined by 、 the way bulletins write them.
func fig(city, zone, indicator, measure, period string, value float64, unit figure.Unit) figure.Figure {
	var zones []string
	if zone != "" {
		zones = strings.Split(zone, figure.ZoneSep)
	}
	return figure.Figure{
		City: city, Zones: zones, Indicator: indicator, Measure: measure,
		Value: value, Unit: unit, Period: figure.MustPeriod(period),
		Text: city + zone + indicator + measure, Line: 1,
	}
}

// report builds a report whose checksum is that of its name.
func report(name string) Report {
	return Report{Name: name, Checksum: Checksum([]byte(name)), ReceivedAt: time.Date(2023, 7, 20, 8, 0, 0, 0, time.UTC)}
}

func mustIngest(tb testing.TB, s *Store, r Report, figs ...figure.Figure) IngestResult {
	tb.Helper()
	res, err := s.Ingest(context.Background(), r, figs)
	if err != nil {
		tb.Fatalf("ingest %s: %v", r.Name, err)
	}
	return res
}

// counts returns the rows of the three tables, to prove what a call did
// not write.
func counts(tb testing.TB, s *Store) [3]int {
	tb.Helper()
	var c [3]int
	for i, table := range []string{"reports", "figures", "figure_revisions"} {
		if err := s.DB().Get(&c[i], `SELECT count(*) FROM `+table); err != nil {
			tb.Fatalf("count %s: %v", table, err)
		}
	}
	return c
}

func TestOpenMigratesTwice(t *testing.T) {
	eachDialect(t, func(t *testing.T, dialect string) {
		ctx := context.Background()
		url, dir := MustTarget(t, dialect)
		for i := range 2 {
			s, err := Open(ctx, url, dir)
			if err != nil {
				t.Fatalf("open #%d: %v", i+1, err)
			}
			if s.Dialect() != dialect {
				t.Errorf("Dialect() = %q, want %q", s.Dialect(), dialect)
			}
			if err := s.Ping(ctx); err != nil {
				t.Errorf("ping: %v", err)
			}
			var versions []int64
			if err := s.DB().Select(&versions, `SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY id`); err != nil {
				t.Fatalf("read goose versions: %v", err)
			}
			files, err := os.ReadDir(filepath.Join("migrations", dialect))
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			for i := range files {
				want = append(want, int64(i+1))
			}
			if !slices.Equal(versions, want) {
				t.Errorf("open #%d: applied versions %v, want %v", i+1, versions, want)
			}
			if i == 0 {
				mustIngest(t, s, report("a.txt"), fig("太原市", "中北高新区", figure.GDP, figure.MeasureValue, "2023-06", 1e9, figure.UnitYuan))
			}
			if n, err := s.CountFigures(ctx); err != nil || n != 1 {
				t.Errorf("open #%d: CountFigures = %d, %v; want 1 (kept across opens)", i+1, n, err)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func TestOpenBadURL(t *testing.T) {
	const secret = "s3cr3t-pw"
	tests := []struct {
		name string
		url  string
	}{
		{"connection refused", "postgres://devzone:" + secret + "@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=2"},
		{"port not a number", "postgres://devzone:" + secret + "@127.0.0.1:port/devzone"},
		{"bad escape in password", "postgresql://devzone:" + secret + "%zz@127.0.0.1/devzone"},
		{"unknown sslmode", "postgres://devzone:" + secret + "@127.0.0.1/devzone?sslmode=bogus"},
		{"not a postgres URL", "mysql://devzone:" + secret + "@127.0.0.1/devzone"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Open(context.Background(), tt.url, t.TempDir())
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			msg := err.Error()
			if strings.Contains(msg, secret) {
				t.Errorf("error shows the password: %s", msg)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "open store") {
				t.Errorf("error %q lacks context, want it to start with \"open store\"", msg)
			}
			t.Log(msg)
		})
	}
}

func TestChecksum(t *testing.T) {
	// sha256("abc"), FIPS 180-2 appendix B.1.
	const want = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
	if got := Checksum([]byte("abc")); got != want {
		t.Errorf("Checksum(abc) = %s, want %s", got, want)
	}
}
