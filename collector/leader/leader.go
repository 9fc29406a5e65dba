// Package leader elects one ingesting replica among exporters that share a
// PostgreSQL store, with a session advisory lock and no coordinator of our
// own. The lock is held on a dedicated connection: through a pool it would
// be released silently whenever the pool closed or swapped the connection
// that took it. PostgreSQL releases it when its holder dies, and the next
// replica to ask takes over.
package leader

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Key is the advisory lock key for ingestion: "devzone" in ASCII, so that
// it does not collide with another application's small integers.
const Key int64 = 0x6465767a6f6e65

// Lock is the ingestion lock of one replica. The zero value is not usable;
// use New.
type Lock struct {
	db  *sql.DB
	key int64

	mu   sync.Mutex
	conn *sql.Conn // holds the lock while non-nil
}

// KeyFor returns the lock key of the store db reaches: Key mixed with the
// database and schema, because advisory locks span a whole database and
// two stores in two schemas of one database must not share a leader.
func KeyFor(ctx context.Context, db *sql.DB) (int64, error) {
	var k int64
	err := db.QueryRowContext(ctx,
		`SELECT hashtextextended('devzone_exporter ingest ' || current_database() || '.' || current_schema(), $1)`, Key).Scan(&k)
	if err != nil {
		return 0, fmt.Errorf("leader lock key: %w", err)
	}
	return k, nil
}

// New returns a lock on db with the given key.
func New(db *sql.DB, key int64) *Lock { return &Lock{db: db, key: key} }

// Acquire makes this replica the leader if no other is, or confirms that it
// still is. It returns false, nil when another replica holds the lock. A
// leader whose connection died has lost the lock (the server released it)
// and tries to take it again on a new connection.
func (l *Lock) Acquire(ctx context.Context) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn != nil {
		if err := l.conn.PingContext(ctx); err == nil {
			var held bool
			// The lock is ours only while the server says so.
			err = l.conn.QueryRowContext(ctx, `SELECT EXISTS (
				SELECT 1 FROM pg_locks
				WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
				  AND ((classid::bigint << 32) | objid::bigint) = $1)`, l.key).Scan(&held)
			if err == nil && held {
				return true, nil
			}
		}
		l.conn.Close()
		l.conn = nil
	}
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return false, fmt.Errorf("leader lock: %w", err)
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1)`, l.key).Scan(&got); err != nil {
		conn.Close()
		return false, fmt.Errorf("leader lock: %w", err)
	}
	if !got {
		conn.Close()
		return false, nil
	}
	l.conn = conn
	return true, nil
}

// Held reports whether this replica held the lock at its last Acquire.
func (l *Lock) Held() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.conn != nil
}

// Release gives the lock up, so that another replica can take over at once
// (on a graceful shutdown, say).
func (l *Lock) Release(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conn == nil {
		return nil
	}
	_, err := l.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1)`, l.key)
	cerr := l.conn.Close()
	l.conn = nil
	return errors.Join(err, cerr)
}
