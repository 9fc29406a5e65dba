package trend

import (
	"errors"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseQuery feeds the API's parameter parsing any query string: it
// never panics; it refuses with ErrInvalid, in one line of bounded length
// in valid UTF-8; and a query it accepts holds only text a store can
// take. Run it with go test -fuzz=FuzzParseQuery ./collector/trend.
func FuzzParseQuery(f *testing.F) {
	for _, seed := range []string{
		"indicator=industrial_value_added&zone=大同经开区&measure=city_share",
		"indicator=gdp&from=2023-01&to=2023-06&format=csv",
		"indicator=gdp&from=2023-13",
		"indicator=gdp&zone=%00",
		"indicator=gdp&zone=%FF",
		"zome=x&indicator=gdp",
		"indicator=gdp&indicator=gdp",
		"%zz",
		"indicator=" + strings.Repeat("区", 100),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return // the handler answers 400 before parsing
		}
		err = CheckParams(v)
		var q Query
		if err == nil {
			q, err = ParseQuery(v)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v is not ErrInvalid", err)
			}
			msg := err.Error()
			if len(msg) > 400 || strings.ContainsAny(msg, "\r\n") || !utf8.ValidString(msg) {
				t.Fatalf("error message not one bounded line of UTF-8 (%d bytes): %q", len(msg), msg)
			}
			return
		}
		for _, s := range []string{q.City, q.Zone, q.Indicator, q.Measure} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				t.Fatalf("accepted a field a store cannot take: %q", s)
			}
		}
		if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
			t.Fatalf("accepted from %s after to %s", q.From, q.To)
		}
	})
}
