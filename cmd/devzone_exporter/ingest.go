package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/devzone/devzone_exporter/collector/inbox"
)

// runIngest stores bulletins and prints, per file, what was stored and
// which sentences with numbers yielded no figure. It exits 1 when any file
// failed.
func (m *Main) runIngest(ctx context.Context) int {
	opt, err := m.bulletinOptions()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	reg, err := m.loadZones()
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 2
	}
	files, err := inbox.Files(m.ingestIn.paths...)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	st, err := m.openStore(ctx)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: %v\n", err)
		return 1
	}
	defer st.Close()

	moves, err := inbox.Reresolve(ctx, st, reg)
	if err != nil {
		fmt.Fprintf(m.Stderr, "devzone_exporter: re-resolve zones: %v\n", err)
		return 1
	}
	for _, mv := range moves {
		fmt.Fprintf(m.Stdout, "%s %s: moved to %s (%d figures renamed, %d merged; revisions kept)\n", mv.City, mv.From, mv.To, mv.Moved, mv.Merged)
	}
	in := &inbox.Ingester{Store: st, Options: opt, Now: m.Now, FileTimeout: m.ingestIn.fileTimeout, Zones: reg}
	progress := newProgress(m.Stderr, isTerminal(m.Stdout) && len(files) >= progressMin, len(files))
	code := 0
	for i, f := range files {
		if ctx.Err() != nil {
			fmt.Fprintf(m.Stderr, "devzone_exporter: interrupted after %d of %d files\n", i, len(files))
			return 1
		}
		r := in.File(ctx, f)
		progress.step(i+1, f)
		if r.Err != nil && r.Outcome != inbox.Skipped {
			code = 1
		}
		printResult(m.Stdout, r)
	}
	progress.done()
	return code
}

// printResult writes one file's outcome: a line of counts, then what the
// parser did not understand, indented.
func printResult(w io.Writer, r inbox.Result) {
	s := r.Stored
	switch {
	case r.Outcome == inbox.Ingested && s.HeldBy != 0:
		fmt.Fprintf(w, "%s: held, pinned report %d is current: its %d figures are not written (reports unpin %d applies the newest held bulletin), period %s\n",
			r.Path, s.HeldBy, s.Figures, s.HeldBy, r.Parsed.Period)
	case r.Outcome == inbox.Ingested:
		fmt.Fprintf(w, "%s: %d figures stored (%d new, %d revised, %d unchanged), %d derived, period %s\n",
			r.Path, s.Figures, s.New, s.Revised, s.Unchanged, s.Derived, r.Parsed.Period)
		if s.Withdrawn > 0 {
			fmt.Fprintf(w, "  supersedes the earlier bulletins of its city and period: %d figures they stated and it does not withdrawn\n", s.Withdrawn)
		}
	case r.Outcome == inbox.Duplicate:
		fmt.Fprintf(w, "%s: already ingested, nothing changed\n", r.Path)
	default:
		// The error names the file already.
		fmt.Fprintf(w, "%s: %v\n", r.Outcome, r.Err)
	}
	if r.Parsed == nil {
		return
	}
	for _, warn := range r.Parsed.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", warn)
	}
	for _, f := range r.Findings {
		fmt.Fprintf(w, "  check: %s\n", f.Message)
	}
	for _, u := range r.Parsed.Unmatched {
		fmt.Fprintf(w, "  no figure from line %d: %s\n", u.Line, u.Text)
	}
	if n := len(r.Parsed.Skipped); n > 0 {
		fmt.Fprintf(w, "  %d numbers skipped, each with its reason (parse --explain, /api/v1/reports)\n", n)
	}
}

// progressMin is how many files make a progress bar worth showing.
const progressMin = 20

// progress draws a one-line progress bar on a terminal.
type progress struct {
	w       io.Writer
	on      bool
	total   int
	started bool
}

func newProgress(w io.Writer, on bool, total int) *progress {
	return &progress{w: w, on: on, total: total}
}

func (p *progress) step(n int, name string) {
	if !p.on {
		return
	}
	const width = 30
	filled := width * n / p.total
	fmt.Fprintf(p.w, "\r[%-*s] %d/%d", width, string(repeat('#', filled)), n, p.total)
	p.started = true
}

func (p *progress) done() {
	if p.on && p.started {
		fmt.Fprintln(p.w)
	}
}

func repeat(r rune, n int) []rune {
	out := make([]rune, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
