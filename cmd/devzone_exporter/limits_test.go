package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// generatedStore generates a synthetic country of one period into a new
// SQLite data directory and returns it.
func generatedStore(t *testing.T, zones, cities int) string {
	t.Helper()
	dir := t.TempDir()
	code, out, errs := run(t, "generate", "--zones", fmt.Sprint(zones), "--cities", fmt.Sprint(cities), "--periods", "1", "--data.dir", dir)
	if code != 0 {
		t.Fatalf("generate: %s %s", out, errs)
	}
	return dir
}

// dialSmallBuffer connects with a receive buffer of a few kilobytes, so
// that a response the client does not read stalls the server's writes.
func dialSmallBuffer(t *testing.T, addr string) net.Conn {
	t.Helper()
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestServerLimits pins issue 13: 500 keep-alive connections stayed open
// after 65 s, and clients that never read /metrics were held for ever;
// only ReadHeaderTimeout was set. With short limits, the exporter closes
// idle connections and those whose reader stopped, and keeps serving.
func TestServerLimits(t *testing.T) {
	t.Parallel()
	// 600 zones: about 4 MB of text, more than the socket buffers hold.
	e := testexporter.Start(t, testexporter.Options{
		DataDir: generatedStore(t, 600, 20),
		Args:    []string{"--web.idle-timeout=1s", "--web.write-timeout=2s", "--web.read-timeout=2s"},
	})
	full := len(e.Scrape(t))
	addr := strings.TrimPrefix(e.URL, "http://")
	request := "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n"

	t.Run("idle keep-alive connections are closed", func(t *testing.T) {
		const n = 50
		conns := make([]net.Conn, n)
		for i := range conns {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			fmt.Fprint(c, "GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			conns[i] = c
		}
		// Idle now. The server must hang up: a read sees EOF, not our
		// deadline.
		open, deadline := 0, time.Now().Add(10*time.Second)
		for _, c := range conns {
			c.SetReadDeadline(deadline)
			if _, err := c.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
				open++
			}
		}
		if open > 0 {
			t.Errorf("%d of %d idle connections not closed by the server within 10 s (--web.idle-timeout=1s)", open, n)
		}
	})

	t.Run("a reader that never reads is let go", func(t *testing.T) {
		c := dialSmallBuffer(t, addr)
		fmt.Fprint(c, request)
		time.Sleep(4 * time.Second) // past --web.write-timeout=2s, reading nothing
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		got, err := io.Copy(io.Discard, c)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatalf("connection still open 14 s after the request (read %d bytes)", got)
		}
		if got >= int64(full) {
			t.Errorf("read %d bytes, the whole exposition (%d): the server waited for the reader", got, full)
		}
		t.Logf("server hung up after %d of %d bytes", got, full)
	})

	t.Run("a request that never ends is let go", func(t *testing.T) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprint(c, "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nonly a little")
		c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err = io.Copy(io.Discard, c)
		if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
			t.Fatal("connection with an unfinished body still open after 10 s (--web.read-timeout=2s)")
		}
	})

	// Still serving after all that.
	if got := len(e.Scrape(t)); got < full*9/10 {
		t.Errorf("scrape after the tests: %d bytes, want about %d", got, full)
	}
}

// TestWriteTimeoutCoversNationalScale measures /metrics at national scale
// (2,500 zones, 150,000 series): the default --web.write-timeout must let
// the gzipped exposition through on a link of 128 kbit/s and the text one
// at 1.2 Mbit/s.
func TestWriteTimeoutCoversNationalScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a national store")
	}
	t.Parallel()
	e := testexporter.Start(t, testexporter.Options{DataDir: generatedStore(t, 2500, 300)})
	sizes := map[string]int{}
	for _, enc := range []string{"identity", "gzip"} {
		req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, e.URL+"/metrics", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Accept-Encoding", enc)
		start := time.Now()
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		n, err := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		sizes[enc] = int(n)
		t.Logf("/metrics %s: %.1f MB in %s on loopback", enc, float64(n)/1e6, time.Since(start).Round(time.Millisecond))
		if enc == "gzip" && resp.Header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("asked for gzip, got %q", resp.Header.Get("Content-Encoding"))
		}
	}
	for _, c := range []struct {
		enc  string
		kbps float64
	}{{"gzip", 128}, {"identity", 1200}} {
		need := time.Duration(float64(sizes[c.enc]) * 8 / (c.kbps * 1000) * float64(time.Second))
		t.Logf("%s at %.0f kbit/s: %s (write timeout %s)", c.enc, c.kbps, need.Round(time.Second), defaultWriteTimeout)
		if need > defaultWriteTimeout {
			t.Errorf("%s /metrics (%d bytes) needs %s at %.0f kbit/s, over the default write timeout %s", c.enc, sizes[c.enc], need, c.kbps, defaultWriteTimeout)
		}
	}
}
