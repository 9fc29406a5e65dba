package inbox

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/collector/bulletin"
	"github.com/devzone/devzone_exporter/collector/store"
)

// stuckParser is a parser that, given a file whose name says "slow",
// neither returns nor looks at its context until the test ends: a pass
// that grows with the square of the file, as paragraph assembly did.
func stuckParser(t *testing.T) parseFunc {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	return func(ctx context.Context, name string, b []byte, opt bulletin.Options) (*bulletin.Result, error) {
		if strings.Contains(name, "slow") {
			<-release
			return nil, errors.New("released")
		}
		return bulletin.Parse(ctx, name, b, opt)
	}
}

// TestFileTimeout pins issue 13: one file that parses forever stopped
// ingestion for good (every run hit the job timeout on it, and the files
// after it were never read). Now it fails alone, with its name and the
// limit in the error, is kept as failed and not read again, and the next
// file is stored in the same run.
func TestFileTimeout(t *testing.T) {
	st := openStore(t)
	dir := t.TempDir()
	slow := write(t, dir, "1-slow.txt", "太原市开发区\n\n"+strings.Repeat("短\n", 1000))
	write(t, dir, "2-good.txt", good)
	in := &Ingester{Store: st, FileTimeout: 50 * time.Millisecond, Parse: stuckParser(t)}

	res, err := in.Dir(context.Background(), dir)
	if len(res) != 2 {
		t.Fatalf("results: %+v", res)
	}
	if r := res[0]; r.Outcome != Failed || !errors.Is(r.Err, ErrFileTimeout) {
		t.Errorf("slow file: %s %v, want failed with ErrFileTimeout", r.Outcome, r.Err)
	}
	if msg := res[0].Err.Error(); !strings.HasPrefix(msg, slow+": ") || !strings.Contains(msg, "50ms") {
		t.Errorf("error %q does not name the file and the limit", msg)
	}
	if res[1].Outcome != Ingested {
		t.Errorf("good file after the slow one: %s %v", res[1].Outcome, res[1].Err)
	}
	if !errors.Is(err, ErrFileTimeout) {
		t.Errorf("Dir's error %v does not carry the timeout", err)
	}
	rep, found, err := st.LookupReport(context.Background(), store.Checksum(readBytes(t, slow)))
	if err != nil || !found || rep.Status != store.StatusFailed || !strings.Contains(rep.Error, "50ms") {
		t.Errorf("slow file not kept as failed: %+v %v %v", rep, found, err)
	}
	// The next run does not wait for it again.
	res, _ = in.Dir(context.Background(), dir)
	if res[0].Outcome != Skipped || res[1].Outcome != Duplicate {
		t.Errorf("second run: %s, %s; want skipped, duplicate", res[0].Outcome, res[1].Outcome)
	}
}

// TestFileStoppedIsNotFailed stops a run (shutdown, the job's timeout)
// while a file parses: that is not the file's fault, so it is not kept as
// failed but tried again next run.
func TestFileStoppedIsNotFailed(t *testing.T) {
	st := openStore(t)
	slow := write(t, t.TempDir(), "slow.txt", good)
	in := &Ingester{Store: st, FileTimeout: time.Hour, Parse: stuckParser(t)}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r := in.File(ctx, slow)
	if r.Outcome != Error || !errors.Is(r.Err, context.DeadlineExceeded) || !strings.HasPrefix(r.Err.Error(), slow+": ") {
		t.Errorf("stopped file: %s %v, want error naming it, retried", r.Outcome, r.Err)
	}
	if _, found, err := st.LookupReport(context.Background(), store.Checksum([]byte(good))); err != nil || found {
		t.Errorf("a stopped file was recorded (found %v, %v)", found, err)
	}
}

func readBytes(t *testing.T, path string) []byte {
	t.Helper()
	b, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestReadFileRefuses pins issue 13: `parse` of a FIFO hung until SIGKILL
// and `parse /dev/zero` grew by a gigabyte a second. Neither is read.
func TestReadFileRefuses(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.txt")
	if err := mkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	tests := []struct {
		name, path, want string
	}{
		{"FIFO", fifo, "a named pipe (FIFO), not a bulletin file; not read"},
		{"device", "/dev/zero", "a device, not a bulletin file; not read"},
		{"directory", t.TempDir(), "a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() { _, err := ReadFile(tt.path); done <- err }()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("ReadFile(%s) = %v, want %q", tt.path, err, tt.want)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("ReadFile(%s) still reading after 10 s", tt.path)
			}
		})
	}
}

func TestDisplayName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"inbox/太原市-2023-06.txt", "inbox/太原市-2023-06.txt"},
		{"inbox/a\nb.txt", `"inbox/a\nb.txt"`},
		{"inbox/\xff.txt", `"inbox/\xff.txt"`},
	}
	for _, tt := range tests {
		if got := DisplayName(tt.in); got != tt.want {
			t.Errorf("DisplayName(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// TestNewlineInFileName keeps the error about a file named with a newline
// on one line.
func TestNewlineInFileName(t *testing.T) {
	p := write(t, t.TempDir(), "a\nb.txt", "太原市开发区\n\n中北高新区工业投资完成21.05亿元。\n")
	r := (&Ingester{Store: openStore(t)}).File(context.Background(), p)
	if r.Outcome != Failed || strings.Contains(r.Err.Error(), "\n") {
		t.Errorf("%s: %q", r.Outcome, r.Err)
	}
}
