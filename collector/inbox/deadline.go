package inbox

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/devzone/devzone_exporter/collector/bulletin"
)

// DefaultFileTimeout bounds the parsing of one bulletin when
// Ingester.FileTimeout is zero. A monthly bulletin parses in milliseconds;
// a file that takes this long is not one, and the files after it must
// not wait for it.
const DefaultFileTimeout = 30 * time.Second

// ErrFileTimeout marks a file whose parsing took longer than the
// Ingester's FileTimeout.
var ErrFileTimeout = errors.New("parsing took too long")

// parseFunc is bulletin.Parse; tests replace it.
type parseFunc func(ctx context.Context, name string, b []byte, opt bulletin.Options) (*bulletin.Result, error)

// parseWithin parses b, giving up after d. The parser runs in a goroutine
// of its own, so that a parser that does not yet look at ctx everywhere
// (a pass over the whole text) cannot hold up the caller: when ctx is
// done or d passes, parseWithin returns at once and leaves the goroutine
// to stop at the parser's next check of its context. timedOut reports
// that d passed (the file's fault) rather than ctx ending (the caller's).
func parseWithin(ctx context.Context, d time.Duration, parse parseFunc, name string, b []byte, opt bulletin.Options) (res *bulletin.Result, timedOut bool, err error) {
	fctx, cancel := context.WithCancel(ctx)
	if d > 0 {
		fctx, cancel = context.WithTimeout(ctx, d)
	}
	defer cancel()
	type result struct {
		res *bulletin.Result
		err error
	}
	done := make(chan result, 1)
	go func() {
		r, err := parse(fctx, name, b, opt)
		done <- result{r, err}
	}()
	select {
	case r := <-done:
		if r.err != nil && ctx.Err() == nil && errors.Is(r.err, context.DeadlineExceeded) {
			return nil, true, timeoutError(name, d)
		}
		return r.res, false, r.err
	case <-fctx.Done():
		if ctx.Err() != nil {
			return nil, false, fmt.Errorf("%s: %w", name, ctx.Err())
		}
		return nil, true, timeoutError(name, d)
	}
}

func timeoutError(name string, d time.Duration) error {
	return &bulletin.Error{File: name, Err: fmt.Errorf("%w: over %s (--ingest.file-timeout); not a bulletin of usual size", ErrFileTimeout, d)}
}

// ParseFile reads and parses one bulletin file for a command that prints
// its figures, with no time limit but ctx: it returns as soon as ctx is
// done (SIGINT), even from the middle of a long file. Its errors name the
// file as DisplayName does.
func ParseFile(ctx context.Context, path string, opt bulletin.Options) (*bulletin.Result, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	res, _, err := parseWithin(ctx, 0, bulletin.Parse, DisplayName(path), b, opt)
	return res, err
}
