package leader

import (
	"context"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/internal/pgtest"
)

// TestSilentHolderLosesTheLock pins issue 13: a frozen leader (SIGSTOP)
// kept the advisory lock, and no replica ingested while it hung. Here the
// holder's heartbeat stops, as every goroutine of a stopped process does,
// while its connection stays open: the server ends the session after the
// lease and the other replica takes over. (TestReplicasFrozenLeader in
// cmd/devzone_exporter does it with SIGSTOP.)
func TestSilentHolderLosesTheLock(t *testing.T) {
	url := pgtest.URL(t)
	key := Key + 1300 // its own: TestPoolDoesNotHoldTheLock (Key + 2) may run beside it from another checkout
	a, b := New(open(t, url), key), New(open(t, url), key)
	a.Lease, b.Lease = time.Second, time.Second
	mustAcquire(t, a, true)
	mustAcquire(t, b, false)

	// A live holder keeps it past the lease: its heartbeat runs.
	time.Sleep(2500 * time.Millisecond)
	mustAcquire(t, b, false)
	mustAcquire(t, a, true)

	// Silence: the heartbeat stops, the connection stays.
	a.mu.Lock()
	close(a.stop)
	a.stop = make(chan struct{})
	a.mu.Unlock()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := b.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if got {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the silent holder still holds the lock 15 s after its heartbeat stopped (lease 1 s)")
		}
		time.Sleep(100 * time.Millisecond)
	}
	mustAcquire(t, a, false) // it learns it lost the lead
}
