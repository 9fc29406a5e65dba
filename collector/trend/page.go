package trend

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
)

// Page sizes of the list endpoints. A request without limit gets the
// default; none may ask for more than the maximum, so that no request
// makes the exporter hold an unbounded answer.
const (
	DefaultFindings = 1000
	MaxFindings     = 10000
	DefaultZones    = 10000
	MaxZones        = 10000
	DefaultReports  = 100
	MaxReports      = 1000
)

// pageParams reads limit and cursor from v; any other parameter is an
// error. The cursor is what the previous page's next said: opaque to the
// caller, a JSON array of strings to us.
func pageParams(v url.Values, def, maxLimit int) (limit int, cursor []string, err error) {
	for k, vs := range v {
		if k != "limit" && k != "cursor" {
			return 0, nil, invalid("unknown parameter %q (this endpoint takes limit and cursor)", k)
		}
		if len(vs) > 1 {
			return 0, nil, invalid("parameter %s given %d times", k, len(vs))
		}
	}
	if limit, err = parseLimit(v.Get("limit"), def, maxLimit); err != nil {
		return 0, nil, err
	}
	cursor, err = decodeCursor(v.Get("cursor"))
	return limit, cursor, err
}

// parseLimit reads a limit between 1 and maxLimit; def when s is empty.
func parseLimit(s string, def, maxLimit int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxLimit {
		return 0, invalid("limit %q: want a number from 1 to %d", s, maxLimit)
	}
	return n, nil
}

// encodeCursor makes the opaque cursor of a position.
func encodeCursor(parts ...string) string {
	b, _ := json.Marshal(parts)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor encodeCursor made; nil for none.
func decodeCursor(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	var parts []string
	if err == nil {
		err = json.Unmarshal(b, &parts)
	}
	if err != nil || len(parts) == 0 {
		return nil, invalid("cursor %q: not one this API gave", s)
	}
	return parts, nil
}

// setNext adds a Link header (RFC 8288) to the next page: the request's
// URL with the cursor replaced. The JSON bodies carry the cursor as next.
func setNext(w http.ResponseWriter, r *http.Request, next string) {
	if next == "" {
		return
	}
	u := url.URL{Path: r.URL.Path}
	q := r.URL.Query()
	q.Set("cursor", next)
	u.RawQuery = q.Encode()
	w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
}
