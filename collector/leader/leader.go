// Package leader elects one ingesting replica among exporters that share a
// PostgreSQL store, with a session advisory lock and no coordinator of our
// own. The lock is held on a dedicated connection: through a pool it would
// be released silently whenever the pool closed or swapped the connection
// that took it. PostgreSQL releases it when its holder dies, or stops
// showing signs of life for a lease (see Lock), and the next replica to
// ask takes over.
package leader

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Key is the advisory lock key for ingestion: "devzone" in ASCII, so that
// it does not collide with another application's small integers.
const Key int64 = 0x6465767a6f6e65

// DefaultLease is Lock.Lease when it is zero.
const DefaultLease = 30 * time.Second

// Lock is the ingestion lock of one replica. The zero value is not usable;
// use New.
//
// The lock's session holds it only while the replica shows it is alive:
// the session is given idle_session_timeout = Lease, and a heartbeat of
// the replica's own runs a statement on it every Lease/3. A replica that
// stops (SIGSTOP, a hung VM, a host gone: the kernel of a stopped process
// still answers TCP, so keepalives alone do not see it) sends none, and
// the server ends its session, and so frees the lock, after Lease; the
// next replica to Acquire takes over.
type Lock struct {
	db  *sql.DB
	key int64
	// Lease is how long the lock outlives the last sign of life of its
	// holder; DefaultLease when zero. Set it before the first Acquire.
	Lease time.Duration

	mu   sync.Mutex
	conn *sql.Conn     // holds the lock while non-nil
	stop chan struct{} // ends conn's heartbeat
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
		l.drop()
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
	// PostgreSQL 14 and later; on older servers the SET fails, harmlessly
	// outside a transaction, and the lock lives as long as the session.
	lease := l.lease()
	conn.ExecContext(ctx, fmt.Sprintf(`SET idle_session_timeout = %d`, lease.Milliseconds())) //nolint:errcheck // see above
	l.conn, l.stop = conn, make(chan struct{})
	go l.heartbeat(conn, l.stop, lease/3)
	return true, nil
}

func (l *Lock) lease() time.Duration {
	if l.Lease > 0 {
		return l.Lease
	}
	return DefaultLease
}

// heartbeat runs a statement on the lock's session every interval until
// stop is closed or the session fails, so that the server does not end a
// live holder's session as idle.
func (l *Lock) heartbeat(conn *sql.Conn, stop chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		l.mu.Lock()
		if l.conn != conn {
			l.mu.Unlock()
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		_, err := conn.ExecContext(ctx, `SELECT 1`)
		cancel()
		l.mu.Unlock()
		if err != nil {
			return // the next Acquire finds the session gone and asks again
		}
	}
}

// drop forgets the lock's connection and ends its heartbeat; l.mu is held.
func (l *Lock) drop() {
	close(l.stop)
	l.conn.Close()
	l.conn, l.stop = nil, nil
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
	close(l.stop)
	cerr := l.conn.Close()
	l.conn, l.stop = nil, nil
	return errors.Join(err, cerr)
}
