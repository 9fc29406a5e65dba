// Command scrapeload scrapes a URL from a fixed number of concurrent
// clients, as Prometheus servers would, for a bounded number of requests,
// and prints the latency distribution. It sends traffic to the URL it is
// given only; bench/run points it at a loopback exporter.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"
)

func main() {
	url := flag.String("url", "http://127.0.0.1:9866/metrics", "URL to scrape")
	clients := flag.Int("c", 1, "concurrent clients")
	requests := flag.Int("n", 200, "requests per client")
	gzip := flag.Bool("gzip", false, "ask for gzip, as Prometheus does")
	openMetrics := flag.Bool("openmetrics", false, "ask for OpenMetrics, as Prometheus does")
	flag.Parse()

	var mu sync.Mutex
	var lat []time.Duration
	var bytes int64
	var failed int
	var wg sync.WaitGroup
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}
			client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
			for range *requests {
				req, _ := http.NewRequest(http.MethodGet, *url, nil)
				if *gzip {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				if *openMetrics {
					req.Header.Set("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
				}
				start := time.Now()
				resp, err := client.Do(req)
				var n int64
				if err == nil {
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				d := time.Since(start)
				mu.Lock()
				if err != nil {
					failed++
				} else {
					lat = append(lat, d)
					bytes += n
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if len(lat) == 0 {
		fmt.Fprintln(os.Stderr, "scrapeload: every request failed")
		os.Exit(1)
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))] }
	fmt.Printf("requests=%d failed=%d bytes/req=%d median=%s p99=%s max=%s\n",
		len(lat), failed, bytes/int64(len(lat)), ms(q(0.5)), ms(q(0.99)), ms(lat[len(lat)-1]))
	if failed > 0 {
		os.Exit(1)
	}
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }
