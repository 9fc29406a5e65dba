package testexporter

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// sample is the corpus bulletin the whole project is tested on, or our own
// example carrying its figures when the shared corpus is not beside the
// checkout.
var sample = func() string {
	const shared = "../../../shared/corpus/shanxi-devzones-2023h1.txt"
	if _, err := os.Stat(shared); err == nil {
		return shared
	}
	return "../../examples/inbox/taiyuan-jinzhong-2023h1.txt"
}()

func TestStartScrapeStop(t *testing.T) {
	inbox := t.TempDir()
	b, err := os.ReadFile(sample)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(inbox, "sample.txt"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	e := Start(t, Options{InboxDir: inbox})
	if code, _ := e.Get(t, "/-/ready"); code != http.StatusOK {
		t.Errorf("/-/ready = %d after Start, want 200", code)
	}
	names := e.FamilyNames(t)
	for _, want := range []string{"devzone_yoy_growth_ratio", "devzone_store_reachable", "devzone_job_failures_total"} {
		if !slices.Contains(names, want) {
			t.Errorf("FamilyNames lacks %s; has %v", want, names)
		}
	}
	if !strings.Contains(e.Scrape(t), `devzone_yoy_growth_ratio{city="太原市",indicator="industrial_investment",zone="中北高新区、清徐开发区"} -0.1485`) {
		t.Error("scrape lacks the sample's industrial investment growth")
	}
	e.Stop(t)
	if !strings.Contains(e.Logs(), "shutting down") {
		t.Errorf("log after SIGTERM lacks %q:\n%s", "shutting down", e.Logs())
	}
}

func TestStartWithoutWaitingForReady(t *testing.T) {
	// A store URL nothing listens on: healthy, never ready.
	e := Start(t, Options{DBURL: "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=1", NoWaitReady: true})
	if code, _ := e.Get(t, "/-/ready"); code != http.StatusServiceUnavailable {
		t.Errorf("/-/ready = %d with the store down, want 503", code)
	}
}

// TestKill kills the exporter the way a crash would: the process is gone
// when Kill returns, its port no longer answers, and it had no chance to
// shut down gracefully.
func TestKill(t *testing.T) {
	e := Start(t, Options{})
	pid := e.Pid()
	e.Kill(t)
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d after Kill: signal 0 gives %v, want ESRCH", pid, err)
	}
	if _, _, err := e.get("/-/healthy"); err == nil {
		t.Error("the killed exporter still answers")
	}
	if strings.Contains(e.Logs(), "shutting down") {
		t.Errorf("SIGKILL ran the graceful shutdown:\n%s", e.Logs())
	}
	e.Stop(t) // nothing left to stop: a no-op, not a failure
}
