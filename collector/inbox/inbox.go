// Package inbox ingests bulletin files: it reads each file, parses it and
// stores its figures in one transaction, and keeps a file that fails with
// its error. It is the one place where the parser and the store meet, used
// alike by the ingest command and the exporter's scheduled ingest job.
package inbox

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// Outcome says what became of a file.
type Outcome string

// Outcomes of one file.
const (
	Ingested  Outcome = "ingested"  // parsed and stored
	Duplicate Outcome = "duplicate" // these bytes were ingested before
	Failed    Outcome = "failed"    // cannot be parsed; kept with its error
	Skipped   Outcome = "skipped"   // failed before with these bytes; retried when they change
	Error     Outcome = "error"     // the store could not be reached; retried next run
)

// Result is what became of one file.
type Result struct {
	Path    string
	Outcome Outcome
	Stored  store.IngestResult
	Parsed  *bulletin.Result // nil unless parsed in this run
	// Findings are the inconsistencies among the file's figures, stored
	// with its report.
	Findings []figure.Finding
	Err      error
}

// Ingester ingests files into a store.
type Ingester struct {
	Store   *store.Store
	Options bulletin.Options
	// Now is the clock for received times; time.Now when nil.
	Now func() time.Time
	// Seen, when set, lets Dir skip the files it settled in earlier runs
	// and that have not changed since.
	Seen *Seen
}

// File ingests one file. A file whose bytes were seen before is not parsed
// again: ingested bytes are a Duplicate, failed bytes are Skipped until
// they change.
func (in *Ingester) File(ctx context.Context, path string) Result {
	res := Result{Path: path}
	b, err := readFile(path)
	if err != nil {
		res.Outcome, res.Err = Failed, err
		return res
	}
	name := filepath.Base(path)
	rep := store.Report{Name: name, Checksum: store.Checksum(b), ReceivedAt: in.now()}
	prev, found, err := in.Store.LookupReport(ctx, rep.Checksum)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", path, err)
		return res
	}
	if found {
		switch prev.Status {
		case store.StatusIngested:
			res.Outcome = Duplicate
			res.Stored = store.IngestResult{ReportID: prev.ID, Figures: prev.Figures, Unchanged: prev.Figures, Duplicate: true}
			return res
		case store.StatusFailed:
			res.Outcome, res.Err = Skipped, fmt.Errorf("%s: failed before and unchanged since: %s", path, prev.Error)
			return res
		}
	}
	parsed, err := bulletin.Parse(ctx, path, b, in.Options)
	if err != nil {
		res.Outcome, res.Err = Failed, err
		if rerr := in.Store.RecordFailure(ctx, rep, err); rerr != nil {
			// The failure could not be kept: report the file as not done so
			// that the next run tries again.
			res.Outcome, res.Err = Error, fmt.Errorf("%w (and recording the failure: %v)", err, rerr)
		}
		return res
	}
	res.Parsed = parsed
	rep.Period = parsed.Period
	lastYear, err := in.lastYear(ctx, parsed.Figures)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", path, err)
		return res
	}
	rep.Findings = consistency.Check(parsed.Figures, lastYear)
	res.Findings = rep.Findings
	figs := append(append([]figure.Figure(nil), parsed.Figures...), consistency.Derive(parsed.Figures)...)
	stored, err := in.Store.Ingest(ctx, rep, figs)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", path, err)
		return res
	}
	res.Outcome, res.Stored = Ingested, stored
	if stored.Duplicate {
		res.Outcome = Duplicate
	}
	return res
}

// lastYear returns a lookup of the stated values the store holds for the
// same month a year before the figures' periods, for checking stated
// growth against them; one query per city and period.
func (in *Ingester) lastYear(ctx context.Context, figs []figure.Figure) (func(figure.Key) (figure.Figure, bool), error) {
	type scope struct {
		city   string
		period figure.Period
	}
	seen := map[scope]bool{}
	found := map[figure.Key]figure.Figure{}
	for _, f := range figs {
		if f.Measure != figure.MeasureYoYGrowth {
			continue
		}
		sc := scope{f.City, figure.Period{Year: f.Period.Year - 1, Month: f.Period.Month}}
		if seen[sc] {
			continue
		}
		seen[sc] = true
		prev, err := in.Store.Figures(ctx, store.Filter{City: sc.city, Measure: figure.MeasureValue, From: sc.period, To: sc.period})
		if err != nil {
			return nil, err
		}
		for _, p := range prev {
			if !p.Derived {
				found[p.Key()] = p.Figure
			}
		}
	}
	return func(k figure.Key) (figure.Figure, bool) {
		f, ok := found[k]
		return f, ok
	}, nil
}

// readFile reads a bulletin, refusing anything that is not a regular file
// or is too large to be one before reading it.
func readFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	if fi.Size() > bulletin.MaxSize {
		return nil, &bulletin.Error{File: path, Err: bulletin.ErrTooLarge}
	}
	return os.ReadFile(path)
}

func (in *Ingester) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

// Files lists the bulletin files under the given paths: files as given,
// directories walked for .txt and .docx files, in name order. Hidden files
// and directories are skipped.
func Files(paths ...string) ([]string, error) {
	var out []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		if !fi.IsDir() {
			out = append(out, p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path != p && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if !d.IsDir() && IsBulletin(d.Name()) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("walk %s: %w", p, err)
		}
		sort.Strings(found)
		out = append(out, found...)
	}
	return out, nil
}

// IsBulletin reports whether a file name is one the inbox reads.
func IsBulletin(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".docx":
		return true
	}
	return false
}

// IsTransient reports whether a result's error is the store's, not the
// file's, so that the file is tried again on the next run.
func IsTransient(r Result) bool { return r.Outcome == Error }

// errs joins the errors of results, for a one-line summary.
func errs(rs []Result) error {
	var es []error
	for _, r := range rs {
		if r.Err != nil && r.Outcome != Skipped {
			es = append(es, r.Err)
		}
	}
	return errors.Join(es...)
}

// Dir ingests every bulletin file under dir, in name order, and returns
// each file's result and the joined errors of those that failed. A
// result's Parsed holds the period and warnings only, and its Findings
// are left out: they are stored, and a run over many files would hold
// them all.
func (in *Ingester) Dir(ctx context.Context, dir string) ([]Result, error) {
	files, err := Files(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Result, 0, len(files))
	for _, f := range files {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		out = append(out, in.fileOnce(ctx, f))
	}
	in.Seen.retain(files)
	return out, errs(out)
}
