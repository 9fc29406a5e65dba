package main

import (
	"context"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/devzone/devzone_exporter/internal/testexporter"
)

// browserTimeout bounds the whole browser session of a test.
const browserTimeout = 90 * time.Second

// browser starts headless Chromium for the test, or skips it, saying why,
// where Chromium is not installed.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install -y chromium; .ci/run installs it): landing page browser test skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Headless,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
	)
	ctx, cancel := context.WithTimeout(context.Background(), browserTimeout)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(cancelBrowser)
	return ctx
}

// TestServeLandingPageInBrowser renders the landing page in real headless
// Chromium: it lists 中北高新区、清徐开发区 among the zones whose growth is
// negative with -14.85%, and every link on it answers 200.
func TestServeLandingPageInBrowser(t *testing.T) {
	ctx := browser(t)
	e := testexporter.Start(t, testexporter.Options{InboxDir: inboxOf(t, sampleBulletin)})

	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(e.URL+"/"))
	if err != nil {
		t.Fatalf("open the landing page: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("landing page status %d", resp.Status)
	}
	title, err := chromedp.Run(ctx, chromedp.Title())
	if err != nil || !strings.Contains(title, "开发区") {
		t.Errorf("title %q (%v), want one naming 开发区", title, err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#declines"))); err != nil {
		t.Fatalf("negative growth table not shown: %v", err)
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[][]string](
		`[...document.querySelectorAll("#declines tbody tr")].map(tr => [...tr.cells].map(td => td.innerText.trim()))`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"太原市", "中北高新区、清徐开发区", "工业投资", "-14.85%", "21.05亿元", "2023年1-6月"}
	if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Equal(r, want) }) {
		t.Errorf("negative growth rows lack %q; rows: %q", want, rows)
	}
	cities, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](
		`[...document.querySelectorAll("#cities tbody tr")].map(tr => tr.cells[0].innerText + " " + tr.cells[1].innerText)`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(cities, []string{"太原市 2023年1-6月", "晋中市 2023年1-6月"}) {
		t.Errorf("latest period per city = %q", cities)
	}

	links, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("a")].map(a => a.href)`))
	if err != nil {
		t.Fatal(err)
	}
	// The sample's 前五次 batches do not add up: the page lists the city
	// and links the findings.
	wantLinks := []string{e.URL + "/metrics", e.URL + "/-/healthy", e.URL + "/-/ready", e.URL + "/api/v1/findings"}
	if !slices.Equal(links, wantLinks) {
		t.Errorf("links = %q, want %q", links, wantLinks)
	}
	// Follow each link: 200, and the page the browser shows says what the
	// link promises.
	shows := map[string]string{e.URL + "/metrics": growthLine, e.URL + "/-/healthy": "Healthy", e.URL + "/-/ready": "Ready",
		e.URL + "/api/v1/findings": "三批合计 312(97+106+109),与所报总数 216 不符"}
	for _, link := range links {
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(link))
		if err != nil {
			t.Errorf("follow %s: %v", link, err)
			continue
		}
		if resp.Status != http.StatusOK {
			t.Errorf("follow %s: status %d", link, resp.Status)
		}
		body, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(body, shows[link]) {
			t.Errorf("%s shows no %q", link, shows[link])
		}
	}
}
