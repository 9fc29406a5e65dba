package trend

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxEcho is the most bytes of a caller's input an error message repeats:
// a 1 MB parameter name is not echoed back in full.
const maxEcho = 64

// clip returns s cut to maxEcho bytes at a character boundary, marked with
// … when cut, for quoting in an error message.
func clip(s string) string {
	if len(s) <= maxEcho {
		return s
	}
	cut := maxEcho
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// quote is %q of clip(s), for messages.
func quote(s string) string { return strconv.Quote(clip(s)) }

// CheckParams refuses parameters no query can mean: names or values that
// are not UTF-8 or hold a NUL byte (PostgreSQL refuses to store either,
// and answered such a zone with an error where SQLite answered empty).
// The message does not repeat the offending text.
func CheckParams(v url.Values) error {
	for k, vs := range v {
		if !utf8.ValidString(k) || strings.IndexByte(k, 0) >= 0 {
			return invalid("a parameter name is not UTF-8 text or holds a NUL byte")
		}
		for _, s := range vs {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				return invalid("parameter %s is not UTF-8 text or holds a NUL byte", quote(k))
			}
		}
	}
	return nil
}

// DefaultMaxInFlight is how many API requests run at once when
// API.MaxInFlight is zero: each may hold a store connection for up to
// QueryTimeout, and the scrapes and jobs need theirs.
const DefaultMaxInFlight = 8

// guard wraps an endpoint: it refuses a request over the cap on requests
// in flight with 503 at once (rather than queueing it behind slow ones),
// and a request whose parameters CheckParams refuses with 400.
func (a *API) guard(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case a.inFlight <- struct{}{}:
			defer func() { <-a.inFlight }()
		default:
			w.Header().Set("Retry-After", "1")
			a.fail(w, r, errBusy)
			return
		}
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			a.fail(w, r, invalid("query string does not parse"))
			return
		}
		if err := CheckParams(q); err != nil {
			a.fail(w, r, err)
			return
		}
		next(w, r)
	}
}
