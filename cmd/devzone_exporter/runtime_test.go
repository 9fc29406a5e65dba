package main

import (
	"runtime/debug"
	"testing"
)

// TestLoadTuningSetsGOGCForTheLoadOnly: GOGC is --runtime.load-gogc while
// the figures load and what it was before once they are loaded.
func TestLoadTuningSetsGOGCForTheLoadOnly(t *testing.T) {
	if loadTuning(0) != nil {
		t.Error("--runtime.load-gogc=0 still tunes the garbage collector")
	}
	orig := debug.SetGCPercent(150)
	defer debug.SetGCPercent(orig)

	done := loadTuning(25)()
	if during := debug.SetGCPercent(25); during != 25 {
		t.Errorf("GOGC during the load = %d, want 25", during)
	}
	done()
	if after := debug.SetGCPercent(150); after != 150 {
		t.Errorf("GOGC after the load = %d, want the 150 it was", after)
	}
}
