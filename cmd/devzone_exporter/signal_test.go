package main

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// signalBound is how long a command may take to exit after SIGINT before
// the test calls it stuck. The promise is a second; the bound is wider so
// that a loaded machine does not fail the test, and far below the time
// the commands below would run if they ignored the signal.
const signalBound = 5 * time.Second

// blackHole accepts TCP connections and never answers: a database host
// that has stopped responding.
func blackHole(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}

// bigBulletin writes a bulletin of about 15 MB (the sample, repeated),
// which takes the parser about a second and a half.
func bigBulletin(t *testing.T, dir, name string) string {
	t.Helper()
	sample, err := os.ReadFile(sampleBulletin)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	for b.Len() < 15<<20 {
		b.Write(sample)
		b.WriteString("\n\n")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestCommandsStopOnSIGINT pins issue 13: parse, generate and ingest
// ignored SIGINT and SIGTERM inside a file, and a command waiting on a
// database that does not answer could not be stopped. Each command here
// would run for many seconds (or for ever); it must exit within
// signalBound of SIGINT, non-zero, saying it was interrupted.
func TestCommandsStopOnSIGINT(t *testing.T) {
	t.Parallel()
	bin := testexporter.Binary(t)
	dir := t.TempDir()
	big := bigBulletin(t, dir, "big.txt")
	inboxDir := filepath.Join(dir, "inbox")
	if err := os.Mkdir(inboxDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 6 {
		b, err := os.ReadFile(big)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(inboxDir, fmt.Sprintf("big-%d.txt", i)), append(b, fmt.Sprintf("（第%d期）\n", i)...), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hole := "postgres://devzone@" + blackHole(t) + "/devzone?sslmode=disable"
	tests := []struct {
		name string
		args []string
	}{
		{"parse, inside a long file", []string{"parse", big, big, big, big, big, big, big, big, big, big}},
		{"ingest, inside a long file", []string{"ingest", "--data.dir", t.TempDir(), inboxDir}},
		{"generate into the store", []string{"generate", "--data.dir", t.TempDir()}},
		{"generate files", []string{"generate", "--out", t.TempDir()}},
		{"trend, database not answering", []string{"trend", "--db.url", hole, "--indicator", "gdp"}},
		{"backfill, database not answering", []string{"backfill", "--db.url", hole, "--out", filepath.Join(t.TempDir(), "h.om")}},
		{"ingest, database not answering", []string{"ingest", "--db.url", hole, big}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var out testexporter.SyncBuffer
			cmd := exec.Command(bin, tt.args...)
			cmd.Stdout, cmd.Stderr = &out, &out
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			select {
			case err := <-exited:
				t.Fatalf("exited before the signal (%v): %s", err, out.String())
			case <-time.After(time.Second):
			}
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			sent := time.Now()
			select {
			case err := <-exited:
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() <= 0 {
					t.Errorf("exit %v after SIGINT, want a non-zero exit code", err)
				}
				if !strings.Contains(out.String(), "interrupted") {
					t.Errorf("output does not say it was interrupted:\n%.2000s", out.String())
				}
				t.Logf("exited %s after SIGINT", time.Since(sent).Round(time.Millisecond))
			case <-time.After(signalBound):
				cmd.Process.Kill()
				<-exited
				t.Fatalf("still running %s after SIGINT; killed. Output:\n%.2000s", signalBound, out.String())
			}
		})
	}
}

// TestParseRefusesWhatIsNotAFile pins issue 13: `parse` of a FIFO hung
// until SIGKILL, and `parse /dev/zero` grew by a gigabyte a second.
func TestParseRefusesWhatIsNotAFile(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "pipe.txt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	for _, tt := range []struct{ path, want string }{
		{fifo, "pipe.txt: a named pipe (FIFO), not a bulletin file; not read"},
		{"/dev/zero", "/dev/zero: a device, not a bulletin file; not read"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			done := make(chan struct{})
			var code int
			var stderr string
			go func() {
				defer close(done)
				code, _, stderr = run(t, "parse", tt.path)
			}()
			select {
			case <-done:
			case <-time.After(signalBound):
				t.Fatalf("parse %s still running after %s", tt.path, signalBound)
			}
			if code != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, stderr, tt.want)
			}
		})
	}
}
