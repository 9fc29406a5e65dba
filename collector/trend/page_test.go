package trend

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/devzone/devzone_exporter/collector/figure"
	"github.com/devzone/devzone_exporter/collector/store"
)

// TestPages follows next through each list endpoint, a page of one or two
// at a time: the pages, joined, are the whole answer, and every page but
// the last says where the next one starts, in the JSON and in a Link
// header (issue 17: /api/v1/findings had no limit at all).
func TestPages(t *testing.T) {
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			mux := http.NewServeMux()
			(&API{Store: func() *store.Store { return st }, Logger: slog.New(slog.DiscardHandler)}).Register(mux)
			srv := httptest.NewServer(mux)
			defer srv.Close()
			get := func(path string, params url.Values) (map[string]json.RawMessage, string) {
				t.Helper()
				resp, err := http.Get(srv.URL + path + "?" + params.Encode())
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s?%s: status %d", path, params.Encode(), resp.StatusCode)
				}
				var body map[string]json.RawMessage
				if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
					t.Fatal(err)
				}
				return body, resp.Header.Get("Link")
			}
			// all reads the list under key from a single answer, then page
			// by page, and compares.
			all := func(path, key string, params url.Values, limit string) int {
				t.Helper()
				whole, _ := get(path, params)
				var want, got []json.RawMessage
				if err := json.Unmarshal(whole[key], &want); err != nil {
					t.Fatal(err)
				}
				if _, ok := whole["next"]; ok {
					t.Fatalf("%s: one page, yet a next", path)
				}
				p := url.Values{}
				for k, v := range params {
					p[k] = v
				}
				p.Set("limit", limit)
				for pages := 0; ; pages++ {
					if pages > len(want)+1 {
						t.Fatalf("%s: more pages than items", path)
					}
					body, link := get(path, p)
					var items []json.RawMessage
					if err := json.Unmarshal(body[key], &items); err != nil {
						t.Fatal(err)
					}
					got = append(got, items...)
					var next string
					if raw, ok := body["next"]; ok {
						json.Unmarshal(raw, &next)
					}
					if next == "" {
						if link != "" {
							t.Errorf("%s: last page has a Link header %q", path, link)
						}
						break
					}
					if !strings.Contains(link, "cursor="+url.QueryEscape(next)) || !strings.HasSuffix(link, `>; rel="next"`) {
						t.Errorf("%s: Link %q does not lead to cursor %q", path, link, next)
					}
					p.Set("cursor", next)
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s in pages of %s:\n%s\nwant\n%s", path, limit, got, want)
				}
				return len(want)
			}
			if n := all("/api/v1/zones", "zones", url.Values{}, "1"); n < 2 {
				t.Errorf("%d zones: too few to page", n)
			}
			rep := store.Report{Name: "findings.txt", Checksum: "findings " + dialect}
			for _, k := range []string{"a", "b", "c", "d", "e"} {
				rep.Findings = append(rep.Findings, figure.Finding{Kind: k, City: "大同市", Period: "2023-09", Numbers: []string{}, Sentences: []string{}})
			}
			if _, err := st.Ingest(context.Background(), rep, nil); err != nil {
				t.Fatal(err)
			}
			if n := all("/api/v1/findings", "findings", url.Values{}, "2"); n < 5 {
				t.Errorf("%d findings: too few to page", n)
			}
			if n := all("/api/v1/reports", "reports", url.Values{}, "2"); n < 4 {
				t.Errorf("%d reports: too few to page", n)
			}
			// A page of series may end inside a series: compare the points.
			q := url.Values{"city": {"大同市"}, "indicator": {"industrial_value_added"}}
			whole, _ := get("/api/v1/series", q)
			var want []Series
			json.Unmarshal(whole["series"], &want)
			var wantPoints, gotPoints []string
			for _, s := range want {
				for _, p := range s.Points {
					wantPoints = append(wantPoints, s.Zone+" "+p.Period.String())
				}
			}
			q.Set("limit", "2")
			for {
				body, _ := get("/api/v1/series", q)
				var page []Series
				json.Unmarshal(body["series"], &page)
				for _, s := range page {
					for _, p := range s.Points {
						gotPoints = append(gotPoints, s.Zone+" "+p.Period.String())
					}
				}
				var next string
				json.Unmarshal(body["next"], &next)
				if next == "" {
					break
				}
				q.Set("cursor", next)
			}
			if len(wantPoints) < 3 || !reflect.DeepEqual(gotPoints, wantPoints) {
				t.Errorf("series in pages of 2: %v, want %v", gotPoints, wantPoints)
			}

			for _, bad := range []string{
				"/api/v1/zones?limit=0", "/api/v1/zones?limit=10001", "/api/v1/findings?limit=x",
				"/api/v1/findings?cursor=nonsense", "/api/v1/zones?cursor=" + encodeCursor("only one part"),
				"/api/v1/findings?cursor=" + encodeCursor("abc"), "/api/v1/series?indicator=gdp&limit=20001",
				"/api/v1/series?indicator=gdp&cursor=" + encodeCursor("a", "b"),
			} {
				resp, err := http.Get(srv.URL + bad)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s: status %d, want 400", bad, resp.StatusCode)
				}
			}
		})
	}
}

// TestSeriesWithoutLimit keeps the answer before pages: a query matching
// more figures than one answer holds is refused, not cut.
func TestSeriesWithoutLimit(t *testing.T) {
	for dialect, st := range stores(t) {
		t.Run(dialect, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux := http.NewServeMux()
			(&API{Store: func() *store.Store { return st }, Logger: slog.New(slog.DiscardHandler)}).Register(mux)
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/series?indicator=industrial_value_added", nil))
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"next"`) {
				t.Errorf("a small answer without limit: %d, %s", rec.Code, rec.Body)
			}
		})
	}
}
