package main

import (
	"runtime"
	"runtime/debug"
	"strconv"

	"github.com/alecthomas/kingpin/v2"
)

// defaultLoadGOGC is the garbage collector's GOGC while the refresh job
// loads figures: the heap may outgrow what is live by a tenth only, so that
// the load's garbage (at national scale some 70 MB for 150,000 figures and
// their sentences) does not set the process's peak memory.
const defaultLoadGOGC = 10

func (m *Main) addRuntimeFlags(c *kingpin.CmdClause) {
	c.Flag("runtime.load-gogc", "GOGC while the refresh job reads every figure from the store, with a collection before and after, so that the load's garbage does not set the peak memory; 0 leaves the garbage collector alone.").
		Default(strconv.Itoa(defaultLoadGOGC)).IntVar(&m.srv.loadGOGC)
}

// loadTuning returns the exporter's OnLoad hook for --runtime.load-gogc,
// nil when it is 0. The hook starts the load from a collected heap and
// collects every GOGC percent of growth during it; when the load is over
// it restores GOGC and returns the freed pages to the system, or the
// process would keep the load's peak for minutes.
func loadTuning(gogc int) func() (done func()) {
	if gogc <= 0 {
		return nil
	}
	return func() func() {
		runtime.GC()
		old := debug.SetGCPercent(gogc)
		return func() {
			debug.SetGCPercent(old)
			debug.FreeOSMemory()
		}
	}
}
