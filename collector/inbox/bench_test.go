package inbox

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkIdleRun is an ingest run that finds nothing new over an inbox
// of 10,000 bulletins the store has: left in the inbox, settled in Seen
// (a stat each, nothing read), or moved out by Archive (processed/, which
// the run does not walk). The store is never asked in either case.
func BenchmarkIdleRun(b *testing.B) {
	const n = 10000
	for _, archived := range []bool{false, true} {
		b.Run(fmt.Sprintf("archive=%v", archived), func(b *testing.B) {
			dir := b.TempDir()
			under := dir
			if archived {
				under = filepath.Join(dir, ProcessedDir)
			}
			for i := range n {
				sub := filepath.Join(under, fmt.Sprintf("%03d市", i%300))
				if err := os.MkdirAll(sub, 0o755); err != nil {
					b.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("%d.txt", i)), []byte(good), 0o644); err != nil {
					b.Fatal(err)
				}
			}
			in := &Ingester{Seen: &Seen{}, Archive: archived}
			paths, err := Files(dir)
			if err != nil {
				b.Fatal(err)
			}
			for _, p := range paths {
				fi, err := os.Stat(p)
				if err != nil {
					b.Fatal(err)
				}
				in.Seen.remember(p, stampOf(fi), Result{Path: p, Outcome: Ingested})
			}
			in.Seen.retain(paths)
			ctx := context.Background()
			b.ResetTimer()
			for b.Loop() {
				results, err := in.Dir(ctx, dir)
				if err != nil {
					b.Fatal(err)
				}
				want := n
				if archived {
					want = 0
				}
				if len(results) != want {
					b.Fatalf("%d results, want %d", len(results), want)
				}
			}
		})
	}
}
