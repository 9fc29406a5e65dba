package inbox

import (
	"context"
	"fmt"
	"os"
	"sync"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/store"
)

// Seen remembers the files an Ingester has settled — stored, found stored
// before, or kept as failed — by path and by what stat says of them (size,
// modification time, and on Linux device, inode and change time), so that
// a run that finds nothing new stats each file and reads none: without it
// every run reads and hashes every file of the inbox to learn from the
// store that it has them (issue 17: 10,000 files cost 2 s a run). A file
// that stat shows changed in any of these is read again, and the store
// still decides by checksum. A file is stat'ed before it is read, so a
// write that lands while it is read changes what the next run sees.
//
// The zero value is ready to use. The memory is the process's: a restart
// reads every file once more. A store emptied behind a running exporter
// (restored from an older backup) gets the files it lost only after a
// restart, or when they change.
type Seen struct {
	mu    sync.Mutex
	files map[string]seenFile
	// pending is what the last run saw of the files Settle held back.
	pending map[string]stamp
	// scanned is set once a run has listed the inbox: the first run of a
	// process reads what it finds, there being no earlier run to compare
	// with (the files were there before the exporter started).
	scanned bool
}

// seenFile is a settled file: what stat said before it was read, and what
// a later run reports for it unread.
type seenFile struct {
	stamp   stamp
	outcome Outcome // Duplicate or Skipped
	stored  storeResult
	err     string
}

// storeResult is the part of a store.IngestResult a later run reports.
type storeResult struct {
	reportID int64
	figures  int
}

// fileOnce is File, skipped for a file Seen has settled in the state stat
// shows now. Of what the parser made of the file it keeps the period and
// the warnings only: Dir holds every file's result until the run ends,
// and a first run over 10,000 bulletins held all their figures and
// findings at once (2.3 GB).
func (in *Ingester) fileOnce(ctx context.Context, path string) Result {
	r := in.fileSeen(ctx, path)
	if r.Parsed != nil {
		r.Parsed = &bulletin.Result{Period: r.Parsed.Period, Warnings: r.Parsed.Warnings}
	}
	r.Findings = nil
	return r
}

func (in *Ingester) fileSeen(ctx context.Context, path string) Result {
	if in.Seen == nil {
		return in.File(ctx, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return in.File(ctx, path) // File says what is wrong with it
	}
	st := stampOf(fi)
	if r, ok := in.Seen.lookup(path, st); ok {
		return r
	}
	if in.Settle && !in.Seen.settled(path, st) {
		return Result{Path: path, Outcome: Pending}
	}
	r := in.File(ctx, path)
	in.Seen.remember(path, st, r)
	return r
}

// settled reports whether the last run saw path with the same stamp, and
// notes the stamp for the next run when it did not.
func (s *Seen) settled(path string, st stamp) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.scanned {
		return true
	}
	if prev, ok := s.pending[path]; ok && prev == st {
		delete(s.pending, path)
		return true
	}
	if s.pending == nil {
		s.pending = make(map[string]stamp)
	}
	s.pending[path] = st
	return false
}

// lookup returns what a run reports for a settled, unchanged file.
func (s *Seen) lookup(path string, st stamp) (Result, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.files[path]
	if !ok || f.stamp != st {
		return Result{}, false
	}
	r := Result{Path: path, Outcome: f.outcome}
	if f.outcome == Duplicate {
		r.Stored = storeResultOf(f.stored)
	} else {
		r.Err = fmt.Errorf("%s: failed before and unchanged since: %s", path, f.err)
	}
	return r, true
}

func storeResultOf(s storeResult) store.IngestResult {
	return store.IngestResult{ReportID: s.reportID, Figures: s.figures, Unchanged: s.figures, Duplicate: true}
}

// remember keeps a file's result if it is settled: anything but a store
// error, which is retried next run.
func (s *Seen) remember(path string, st stamp, r Result) {
	f := seenFile{stamp: st}
	switch r.Outcome {
	case Ingested, Duplicate:
		f.outcome = Duplicate
		f.stored = storeResult{reportID: r.Stored.ReportID, figures: r.Stored.Figures}
	case Failed, Skipped:
		f.outcome = Skipped
		if r.Err != nil {
			f.err = r.Err.Error()
		}
	default:
		s.mu.Lock()
		delete(s.files, path)
		s.mu.Unlock()
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.files == nil {
		s.files = make(map[string]seenFile)
	}
	s.files[path] = f
}

// retain forgets the files not in paths (gone from the inbox).
func (s *Seen) retain(paths []string) {
	if s == nil {
		return
	}
	keep := make(map[string]bool, len(paths))
	for _, p := range paths {
		keep[p] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scanned = true
	for p := range s.files {
		if !keep[p] {
			delete(s.files, p)
		}
	}
	for p := range s.pending {
		if !keep[p] {
			delete(s.pending, p)
		}
	}
}
