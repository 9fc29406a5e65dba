package leader

import (
	"context"
	"database/sql"
	"testing"
	"time"

	_ "github.com/lib/pq"

	"github.com/devzone/devzone_exporter/internal/pgtest"
)

func open(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := sql.Open("postgres", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func mustAcquire(t *testing.T, l *Lock, want bool) {
	t.Helper()
	got, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if got != want || l.Held() != want {
		t.Fatalf("Acquire = %v (Held %v), want %v", got, l.Held(), want)
	}
}

// TestTakeover plays two replicas: one leads, the other waits; when the
// leader's session dies the other takes over, and the old leader learns it
// lost the lock.
func TestTakeover(t *testing.T) {
	url := pgtest.URL(t)
	key := Key + 1 // not the production key: tests may share the server with a running exporter
	a, b := New(open(t, url), key), New(open(t, url), key)
	mustAcquire(t, a, true)
	mustAcquire(t, a, true) // still the leader
	mustAcquire(t, b, false)

	// The leader dies: its session ends, PostgreSQL releases the lock.
	var pid int
	if err := a.conn.QueryRowContext(context.Background(), `SELECT pg_backend_pid()`).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := open(t, url).Exec(`SELECT pg_terminate_backend($1)`, pid); err != nil {
		t.Fatal(err)
	}
	// The backend exits (and releases the lock) a moment after the signal;
	// the next replica to ask gets it, as the ingest job's next tick would.
	for i := 0; ; i++ {
		got, err := b.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got {
			break
		}
		if i == 100 {
			t.Fatal("lock not released after its holder's session ended")
		}
		time.Sleep(50 * time.Millisecond)
	}
	mustAcquire(t, a, false)

	// A graceful release hands over at once.
	if err := b.Release(context.Background()); err != nil {
		t.Fatal(err)
	}
	mustAcquire(t, a, true)
	mustAcquire(t, b, false)
}

// TestPoolDoesNotHoldTheLock pins why the lock needs its own connection:
// taken through the pool, the lock belongs to whichever pooled connection
// ran the query, and closing idle connections releases it.
func TestPoolDoesNotHoldTheLock(t *testing.T) {
	url := pgtest.URL(t)
	key := Key + 2
	pool := open(t, url)
	var got bool
	if err := pool.QueryRow(`SELECT pg_try_advisory_lock($1)`, key).Scan(&got); err != nil || !got {
		t.Fatalf("pooled lock: %v %v", got, err)
	}
	pool.SetMaxIdleConns(0) // the pool drops its idle connection, and the lock with it
	other := New(open(t, url), key)
	mustAcquire(t, other, true)
}

// TestKeyForSchema gives two stores in two schemas of one database two
// keys, and one store one key however often it asks.
func TestKeyForSchema(t *testing.T) {
	a, b := open(t, pgtest.Fresh(t)), open(t, pgtest.Fresh(t))
	ka, err := KeyFor(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := KeyFor(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := KeyFor(context.Background(), a)
	if ka == kb || ka != again {
		t.Errorf("keys %d, %d, %d: want two different, the first stable", ka, kb, again)
	}
}
