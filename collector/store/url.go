package store

import (
	"fmt"
	"net/url"
	"strings"
)

// WithPassword returns the PostgreSQL DSN raw with its password set to pw,
// so that the password can live in a file rather than on a command line:
// in a URL's user information (encoded), or as password='…' appended to a
// key=value string (quoted and escaped as lib/pq reads it).
func WithPassword(raw, pw string) (string, error) {
	if err := checkDSN(raw); err != nil {
		return "", err
	}
	if !isURL(raw) {
		return raw + " password='" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(pw) + "'", nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("database URL %s: %w", redactURL(raw), errEncodePassword)
	}
	if u.User == nil {
		return "", fmt.Errorf("database URL %s names no user to give the password to", redactURL(raw))
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}
