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
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/consistency"
	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
	"github.com/devzone/devzone_exporter/collector/zones"
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
	// Pending: new or changed since the last run; read once two runs in a
	// row see the same size and modification time (Ingester.Settle).
	Pending Outcome = "pending"
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
	// Resolutions are what the zone registry made of each name the
	// bulletin writes; nil without a registry.
	Resolutions []zones.Resolution
	Err         error
	// Archived is where Dir moved the file (Ingester.Archive); "" when it
	// stayed in the inbox.
	Archived string
	// ArchiveErr says why a file to archive stayed in the inbox; the next
	// run tries again.
	ArchiveErr error
}

// Ingester ingests files into a store.
type Ingester struct {
	Store   *store.Store
	Options bulletin.Options
	// Now is the clock for received times; time.Now when nil.
	Now func() time.Time
	// FileTimeout bounds the parsing of one file; DefaultFileTimeout when
	// zero. A file that takes longer is kept as failed, and the next file
	// is read.
	FileTimeout time.Duration
	// Zones resolves the zones of the figures to canonical names before
	// they are stored (collector/zones); nil stores them as written.
	Zones *zones.Registry

	// Parse parses one bulletin; bulletin.Parse when nil. Tests replace it
	// with a parser that is slow on purpose.
	Parse func(ctx context.Context, name string, b []byte, opt bulletin.Options) (*bulletin.Result, error)
	// FollowSymlinks lets Dir read a symbolic link that points out of the
	// directory it reads; without it such a link is a failed report, so
	// that a link in the inbox cannot make the exporter read any file of
	// the machine.
	FollowSymlinks bool
	// Seen, when set, lets Dir skip the files it settled in earlier runs
	// and that have not changed since.
	Seen *Seen
	// Archive makes Dir move each settled file out of the inbox once the
	// store has it: to processed/ when its bytes are stored, to failed/
	// with its error in <name>.error.txt when it is kept as failed (see
	// archive).
	Archive bool
	// crashAt, in tests, stops an archive move at the named step as a
	// crash would.
	crashAt func(step string) error
	// Settle, with Seen, makes Dir read a new or changed file only once
	// two runs in a row saw it with the same stat (size, modification
	// time, …): a file still being copied into the inbox is Pending, not
	// a report of its first half.
	Settle bool
}

// File ingests one file. A file whose bytes were seen before is not parsed
// again: ingested bytes are a Duplicate, failed bytes are Skipped until
// they change.
func (in *Ingester) File(ctx context.Context, path string) Result {
	res := Result{Path: path}
	name := DisplayName(path)
	b, err := readFile(path)
	if err != nil {
		return in.unreadable(ctx, res, path, err)
	}
	rep := store.Report{Name: filepath.Base(path), Checksum: store.Checksum(b), ReceivedAt: in.now()}
	prev, found, err := in.Store.LookupReport(ctx, rep.Checksum)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", name, err)
		return res
	}
	if found {
		switch prev.Status {
		case store.StatusIngested, store.StatusHeld:
			res.Outcome = Duplicate
			res.Stored = store.IngestResult{ReportID: prev.ID, Figures: prev.Figures, Unchanged: prev.Figures, Duplicate: true}
			return res
		case store.StatusFailed:
			res.Outcome, res.Err = Skipped, fmt.Errorf("%s: failed before and unchanged since: %s", name, prev.Error)
			return res
		}
	}
	parse := parseFunc(in.Parse)
	if parse == nil {
		parse = bulletin.Parse
	}
	timeout := in.FileTimeout
	if timeout <= 0 {
		timeout = DefaultFileTimeout
	}
	opt := in.Options
	if opt.City == "" {
		opt.City = CityOfPath(path)
	}
	parsed, timedOut, err := parseWithin(ctx, timeout, parse, name, b, opt)
	if err == nil && opt.City == "" {
		// With a city given, the figures still without one are the
		// province's (a 全省 column): the parser's choice, not a gap.
		err = cityless(name, parsed)
	}
	if err != nil && !timedOut && ctx.Err() != nil {
		// Stopped (shutdown, the job's own timeout): not the file's fault.
		res.Outcome, res.Err = Error, err
		return res
	}
	if err != nil {
		res.Outcome, res.Err = Failed, err
		if parsed != nil { // a bulletin with no figures still says what it skipped
			res.Parsed = parsed
			rep.Period, rep.Diagnostics = parsed.Period, Diagnostics(parsed)
		}
		if rerr := in.Store.RecordFailure(ctx, rep, err); rerr != nil {
			// The failure could not be kept: report the file as not done so
			// that the next run tries again.
			res.Outcome, res.Err = Error, fmt.Errorf("%w (and recording the failure: %v)", err, rerr) //nolint:errorlint // callers match the ingest error; the recording error is context
		}
		return res
	}
	res.Parsed = parsed
	rep.Period = parsed.Period
	stated := parsed.Figures
	var zoneFindings []figure.Finding
	if in.Zones != nil {
		// Between parsing and storing: the store, the metrics and the
		// API see canonical names; each figure keeps its names as written.
		text, _ := bulletin.Decode(b) // Parse decoded it already
		applied := in.Zones.Apply(parsed.Figures, text)
		stated, res.Resolutions = applied.Figures, applied.Resolutions
		parsed.Warnings = append(parsed.Warnings, applied.Warnings...)
		if zoneFindings, err = in.newNames(ctx, applied.Findings); err != nil {
			res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", name, err)
			return res
		}
	}
	lastYear, err := in.lastYear(ctx, stated)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", name, err)
		return res
	}
	rep.Findings = append(consistency.Check(stated, lastYear), zoneFindings...)
	res.Findings = rep.Findings
	figs := append(append([]figure.Figure(nil), stated...), consistency.Derive(stated)...)
	rep.Diagnostics = Diagnostics(parsed)
	stored, err := in.Store.Ingest(ctx, rep, figs)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", name, err)
		return res
	}
	res.Outcome, res.Stored = Ingested, stored
	if stored.Duplicate {
		res.Outcome = Duplicate
	}
	return res
}

// ErrNoCity is why a bulletin whose figures have no city is not stored: it
// would be exported under city="" with no one to tell.
var ErrNoCity = errors.New("cannot tell the city: no city heading, title or trailer; put the file under inbox/<城市>/ or pass --city")

// cityless fails a bulletin with a figure of no city. A province's
// aggregate (全省工业园区) has none by design.
func cityless(name string, r *bulletin.Result) error {
	for _, f := range r.Figures {
		if f.City == "" && !strings.HasPrefix(f.Zone(), "全省") {
			return fmt.Errorf("%s: line %d: %w", name, f.Line, ErrNoCity)
		}
	}
	return nil
}

// CityOfPath is the city a bulletin's directory names (inbox/太原市/…):
// its parent directory's name when it ends in 市, 州, 盟 or 地区; "" when
// it does not.
func CityOfPath(path string) string {
	dir := filepath.Base(filepath.Dir(path))
	for _, suffix := range []string{"市", "州", "盟", "地区"} {
		if strings.HasSuffix(dir, suffix) && utf8.RuneCountInString(dir) >= 2 {
			return dir
		}
	}
	return ""
}

// Diagnostics is what the parser could not read in a bulletin, as the
// store keeps it with the report: warnings, unmatched sentences and
// skipped numbers with their reasons.
func Diagnostics(r *bulletin.Result) store.Diagnostics {
	var d store.Diagnostics
	d.Warnings = append(d.Warnings, r.Warnings...)
	for _, u := range r.Unmatched {
		d.Unmatched = append(d.Unmatched, store.Diagnostic{Line: u.Line, Text: u.Text, Reason: "no phrasing matched"})
	}
	for _, sk := range r.Skipped {
		d.Skipped = append(d.Skipped, store.Diagnostic{Line: sk.Line, Text: sk.Number + " in " + sk.Text, Reason: sk.Reason})
	}
	return d
}

// unreadable keeps a file that failed before a byte of it was read (too
// large, a FIFO or device, a dangling symlink) as a failed report, so that
// it is listed with its error and counted once: its identity is what
// lstat says of it and the error, not its bytes, and it is tried again
// when either changes.
func (in *Ingester) unreadable(ctx context.Context, res Result, path string, cause error) Result {
	key := path
	if fi, err := os.Lstat(path); err == nil {
		key = fmt.Sprintf("%s|%d|%d|%s", path, fi.Size(), fi.ModTime().UnixNano(), fi.Mode())
	}
	rep := store.Report{Name: filepath.Base(path), Checksum: "unread-" + store.Checksum([]byte(key+"|"+cause.Error())), ReceivedAt: in.now()}
	prev, found, err := in.Store.LookupReport(ctx, rep.Checksum)
	if err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%s: %w", DisplayName(path), err)
		return res
	}
	if found && prev.Status == store.StatusFailed {
		res.Outcome, res.Err = Skipped, fmt.Errorf("%s: failed before and unchanged since: %s", DisplayName(path), prev.Error)
		return res
	}
	if err := in.Store.RecordFailure(ctx, rep, cause); err != nil {
		res.Outcome, res.Err = Error, fmt.Errorf("%w (and recording the failure: %v)", cause, err) //nolint:errorlint // as in File
		return res
	}
	res.Outcome, res.Err = Failed, cause
	return res
}

// newNames keeps the unknown zone names the store has no finding of yet:
// a name is 新出现 once, in the report it first appears in, not in every
// report after (at national scale, before the registry is filled in,
// that would be thousands of findings a month).
func (in *Ingester) newNames(ctx context.Context, fs []figure.Finding) ([]figure.Finding, error) {
	known := map[string]map[string]bool{}
	var out []figure.Finding
	for _, f := range fs {
		seen, ok := known[f.City]
		if !ok {
			var err error
			if seen, err = in.Store.FindingZonesOf(ctx, f.Kind, f.City); err != nil {
				return nil, err
			}
			known[f.City] = seen
		}
		if !seen[f.Zone] {
			out = append(out, f)
		}
	}
	return out, nil
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

// readFile reads a bulletin file; see ReadFile.
func readFile(path string) ([]byte, error) { return ReadFile(path) }

func (in *Ingester) now() time.Time {
	if in.Now != nil {
		return in.Now()
	}
	return time.Now()
}

// Files lists the bulletin files under the given paths: files as given,
// directories walked for the files IsBulletin names, in name order. Hidden files
// and directories are skipped.
//
// The archive directories at the top of a directory (ProcessedDir,
// FailedDir) are not walked: what Ingester.Archive moved there is not
// inbox, and a failed file's error beside it is no bulletin. Name one of
// them to read it.
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
			if d.IsDir() && filepath.Dir(path) == filepath.Clean(p) && (d.Name() == ProcessedDir || d.Name() == FailedDir) {
				return filepath.SkipDir
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

// outside says why path, a symbolic link, may not be read: it points out
// of root, the inbox. It is nil for anything else (a dangling link is
// File's to report).
func outside(root, path string) error {
	fi, err := os.Lstat(path)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return nil
	}
	if rel, err := filepath.Rel(root, target); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return nil
	}
	return fmt.Errorf("%s: a symbolic link to %s, outside the inbox; not read (--inbox.follow-symlinks reads it)", DisplayName(path), DisplayName(target))
}

// IsBulletin reports whether a file name is one the inbox reads: text,
// Word, PDF, a saved web page or an Excel workbook. The parser tells the
// form by content; the name only picks the files.
func IsBulletin(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".txt", ".docx", ".pdf", ".html", ".htm", ".xlsx":
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
// each file's result and the joined errors of those that failed. The
// archive directories at its top (ProcessedDir, FailedDir) are not read;
// with Archive, each settled file is moved there (archive). A
// result's Parsed holds the period and warnings only, and its Findings
// are left out: they are stored, and a run over many files would hold
// them all.
func (in *Ingester) Dir(ctx context.Context, dir string) ([]Result, error) {
	paths, err := Files(dir)
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return nil, fmt.Errorf("inbox %s: %w", DisplayName(dir), err)
	}
	out := make([]Result, 0, len(paths))
	for _, f := range paths {
		if ctx.Err() != nil {
			return out, ctx.Err()
		}
		var r Result
		if !in.FollowSymlinks {
			if err := outside(root, f); err != nil {
				r = in.unreadable(ctx, Result{Path: f}, f, err)
			}
		}
		if r.Path == "" {
			r = in.fileOnce(ctx, f)
		}
		if in.Archive {
			r = in.archive(dir, r)
		}
		out = append(out, r)
	}
	in.Seen.retain(paths)
	return out, errs(out)
}
