package main

import (
	"io"
	"os"
	"strings"
	"sync"

	"github.com/devzone/devzone_exporter/collector/store"
)

// scrubWriter writes what the program tells its user (log lines, command
// errors), with the database password removed in every form it may take:
// the last line of defence behind the store's own redaction, for a
// message some layer formed with the password in it.
type scrubWriter struct {
	w io.Writer

	mu      sync.Mutex
	secrets []string
}

func (s *scrubWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	secrets := s.secrets
	s.mu.Unlock()
	if len(secrets) == 0 {
		return s.w.Write(p)
	}
	if _, err := io.WriteString(s.w, store.Scrub(string(p), secrets)); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (s *scrubWriter) set(secrets []string) {
	s.mu.Lock()
	s.secrets = secrets
	s.mu.Unlock()
}

// secrets returns the passwords of the configured store: those in
// --db.url in every form, and the one in --db.password-file.
func (c dbConfig) secrets() []string {
	out := store.Secrets(c.url)
	if c.passwordFile != "" {
		if b, err := os.ReadFile(c.passwordFile); err == nil {
			if pw := strings.TrimRight(string(b), "\r\n"); pw != "" {
				out = append(out, pw)
				if dsn, err := store.WithPassword(c.url, pw); err == nil {
					out = append(out, store.Secrets(dsn)...)
				}
			}
		}
	}
	return out
}
