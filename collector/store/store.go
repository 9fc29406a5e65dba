// Package store keeps reports and their figures in PostgreSQL or in an
// embedded SQLite file, behind one API. Every figure has one current row;
// a value a later report changes is copied to figure_revisions first, so
// nothing is overwritten silently. The store knows nothing of Prometheus:
// the collector reads it through Latest and Figures.
package store

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/crc64"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // registers the "postgres" driver
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Dialects Store.Dialect reports.
const (
	DialectPostgres = "postgres"
	DialectSQLite   = "sqlite"
)

// FileName is the SQLite file Open creates in the data directory.
const FileName = "devzone.db"

// sqliteOptions makes modernc write times in a format SQLite's date
// functions read, enforce foreign keys, wait instead of failing on a locked
// file, let readers run beside the writer, and take the write lock when a
// transaction begins (so two writers queue instead of deadlocking).
const sqliteOptions = "_time_format=sqlite&_txlock=immediate" +
	"&_pragma=foreign_keys(1)&_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)"

//go:embed migrations
var migrations embed.FS

func init() {
	// sqlx knows lib/pq's bind type but not modernc's.
	sqlx.BindDriver(DialectSQLite, sqlx.QUESTION)
}

// Store is the figure store. It is safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	dialect string
	// now is the clock for received_at and replaced_at; tests replace it.
	now func() time.Time
}

// Open opens PostgreSQL when url is a postgres:// or postgresql:// URL or
// a key=value connection string (see IsPostgres), otherwise (url == "") the SQLite file filepath.Join(dataDir, "devzone.db")
// (creating dataDir). It applies migrations. Errors are wrapped with context
// and never print the password.
func Open(ctx context.Context, url, dataDir string) (*Store, error) {
	var (
		s   *Store
		err error
	)
	switch {
	case url == "":
		s, err = openSQLite(ctx, dataDir)
	case IsPostgres(url):
		if err := checkDSN(url); err != nil {
			return nil, fmt.Errorf("open store: %w", err)
		}
		s, err = openPostgres(ctx, url)
	default:
		return nil, fmt.Errorf("open store %s: want a postgres:// URL, a key=value connection string or none for SQLite", redactURL(url))
	}
	if err != nil {
		return nil, redactErr(err, url)
	}
	return s, nil
}

func openPostgres(ctx context.Context, rawURL string) (*Store, error) {
	where := redactURL(rawURL)
	db, err := sqlx.Open(DialectPostgres, rawURL)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	s := &Store{db: db, dialect: DialectPostgres, now: time.Now}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", where, err)
	}
	return s, nil
}

func openSQLite(ctx context.Context, dataDir string) (*Store, error) {
	if dataDir == "" {
		return nil, errors.New("open store: no PostgreSQL URL and no data directory for SQLite")
	}
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	path := filepath.Join(dataDir, FileName)
	db, err := sqlx.Open(DialectSQLite, "file:"+path+"?"+sqliteOptions)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, dialect: DialectSQLite, now: time.Now}
	if err := s.Ping(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// migrate applies the embedded migrations of the store's dialect. On
// PostgreSQL an advisory lock keyed by database and schema keeps two
// exporters starting together from migrating the same schema at once.
func (s *Store) migrate(ctx context.Context) error { return s.migrateTo(ctx, 0) }

// migrateTo is migrate up to a version (all of them when version is 0), so
// that a test can fill an older schema and watch a migration carry it on.
func (s *Store) migrateTo(ctx context.Context, version int64) error {
	dir, err := fs.Sub(migrations, "migrations/"+s.dialect)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if s.dialect == DialectPostgres {
		dialect = goose.DialectPostgres
		var where string
		if err := s.db.GetContext(ctx, &where, `SELECT current_database() || '.' || coalesce(current_schema(), '')`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		id := int64(crc64.Checksum([]byte("devzone_exporter migrations "+where), crc64.MakeTable(crc64.ECMA)) >> 1)
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(id), lock.WithLockTimeout(1, 600))
		if err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(dialect, s.db.DB, dir, opts...)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	if version > 0 {
		_, err = p.UpTo(ctx, version)
	} else {
		_, err = p.Up(ctx)
	}
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return nil
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// Ping checks that the database answers; the exporter reports it as
// devzone_store_reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.PingContext(ctx); err != nil {
		return fmt.Errorf("ping %s store: %w", s.dialect, err)
	}
	return nil
}

// Dialect returns "postgres" or "sqlite".
func (s *Store) Dialect() string { return s.dialect }

// DB returns the database handle, for tests and the Grafana SQL checks that
// run dashboard queries against the real schema.
func (s *Store) DB() *sqlx.DB { return s.db }

// redactURL renders a database URL for messages, with its password masked.
func redactURL(raw string) string { return RedactDSN(raw) }

// redactErr makes sure no error out of Open names the password, whichever
// layer (net/url, lib/pq, goose) produced it, and that it is one line.
func redactErr(err error, rawURL string) error { return ScrubError(err, Secrets(rawURL)) }

// redactedError is an error whose message was scrubbed; errors.Is and
// errors.As still see the original.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }
