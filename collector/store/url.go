package store

import (
	"fmt"
	"net/url"
)

// WithPassword returns the PostgreSQL URL raw with its password set to pw,
// so that the password can live in a file rather than on a command line.
func WithPassword(raw, pw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("database URL: %w", redactErr(err, raw))
	}
	if u.User == nil {
		return "", fmt.Errorf("database URL %s names no user to give the password to", redactURL(raw))
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String(), nil
}
