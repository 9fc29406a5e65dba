package store

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// hardPassword holds every character that breaks a DSN written by hand:
// / # ? @ % : = and a space.
const hardPassword = "Pw/a#b?c@d%e:f=g h"

// leaks returns the pieces of pw, four bytes or longer, that s shows.
func leaks(s, pw string) []string {
	var out []string
	for n := len(pw); n >= 4; n-- {
		for i := 0; i+n <= len(pw); i++ {
			if strings.Contains(s, pw[i:i+n]) {
				out = append(out, pw[i:i+n])
			}
		}
		if len(out) > 0 {
			return out
		}
	}
	return nil
}

// dsnForms are the ways lib/pq accepts a password, each with hardPassword,
// pointing at a port nobody listens on.
func dsnForms() []struct{ name, dsn string } {
	pw := hardPassword
	enc := url.UserPassword("devzone", pw).String()
	return []struct{ name, dsn string }{
		{"URL, password not encoded", "postgres://devzone:" + pw + "@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=2"},
		{"URL, password encoded", "postgres://" + enc + "@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=2"},
		{"postgresql URL, password not encoded", "postgresql://devzone:" + pw + "@127.0.0.1:1/devzone"},
		{"?password= not encoded", "postgres://devzone@127.0.0.1:1/devzone?sslmode=disable&password=" + pw},
		{"?password= encoded, first", "postgres://devzone@127.0.0.1:1/devzone?password=" + url.QueryEscape(pw) + "&sslmode=disable&connect_timeout=2"},
		{"key=value, quoted", "host=127.0.0.1 port=1 user=devzone password='" + pw + "' dbname=devzone sslmode=disable connect_timeout=2"},
		{"key=value, backslash before the space", "host=127.0.0.1 port=1 user=devzone password=" + strings.ReplaceAll(pw, " ", `\ `) + " sslmode=disable connect_timeout=2"},
		{"key=value, space not quoted", "host=127.0.0.1 port=1 user=devzone password=" + pw + " sslmode=disable"},
		{"key=value, quote never closed", "host=127.0.0.1 port=1 password='" + pw},
	}
}

// TestRedactDSN pins issue 13: the password leaked into messages when it
// held an unencoded / or #, came as ?password=, or in a key=value string.
func TestRedactDSN(t *testing.T) {
	tests := []struct {
		name, dsn, want string
	}{
		{"password", "postgres://u:pw@h/db", "postgres://u:xxxxx@h/db"},
		{"no password", "postgres://u@h/db?sslmode=disable", "postgres://u@h/db?sslmode=disable"},
		{"unparsable", "postgres://u:pw@h:port/db", "postgres://u:xxxxx@h:port/db"},
		{"@ in the query", "postgres://u:pw@h/db?sslrootcert=/etc/a@b.pem", "postgres://u:xxxxx@h/db?sslrootcert=/etc/a@b.pem"},
		{"@ in the password", "postgres://u:p@w@h/db", "postgres://u:xxxxx@h/db"},
		{"/ in the password", "postgres://u:p/w@h/db", "postgres://u:xxxxx@h/db"},
		{"?password=", "postgres://u@h/db?sslmode=disable&password=pw&application_name=x", "postgres://u@h/db?sslmode=disable&password=xxxxx&application_name=x"},
		{"key=value", "host=h password='a b' user=u", "host=h password=xxxxx user=u"},
		{"key=value, unquoted", "host=h password=pw user=u", "host=h password=xxxxx user=u"},
		{"key=value, no password", "host=h user=u", "host=h user=u"},
		{"not a DSN", "mysql://u:pw@h/db", "mysql://u:xxxxx@h/db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := RedactDSN(tt.dsn); got != tt.want {
				t.Errorf("RedactDSN(%q) = %q, want %q", tt.dsn, got, tt.want)
			}
		})
	}
	for _, f := range dsnForms() {
		t.Run(f.name, func(t *testing.T) {
			got := RedactDSN(f.dsn)
			if l := leaks(got, hardPassword); l != nil {
				t.Errorf("RedactDSN(%q) = %q shows %q", f.dsn, got, l)
			}
			if !strings.Contains(got, "xxxxx") {
				t.Errorf("RedactDSN(%q) = %q masks nothing", f.dsn, got)
			}
		})
	}
}

// TestOpenHidesEveryPasswordForm opens each form (the server is not
// there, or the DSN does not parse): the error names the store, shows no
// piece of the password, and is one line.
func TestOpenHidesEveryPasswordForm(t *testing.T) {
	forms := dsnForms()
	withFile, err := WithPassword("postgres://devzone@127.0.0.1:1/devzone?sslmode=disable&connect_timeout=2", hardPassword)
	if err != nil {
		t.Fatal(err)
	}
	forms = append(forms, struct{ name, dsn string }{"URL with the password from a file", withFile})
	withFile, err = WithPassword("host=127.0.0.1 port=1 user=devzone sslmode=disable connect_timeout=2", hardPassword)
	if err != nil {
		t.Fatal(err)
	}
	forms = append(forms, struct{ name, dsn string }{"key=value with the password from a file", withFile})
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			s, err := Open(context.Background(), f.dsn, t.TempDir())
			if err == nil {
				s.Close()
				t.Fatal("Open succeeded, want an error")
			}
			msg := err.Error()
			if l := leaks(msg, hardPassword); l != nil {
				t.Errorf("error shows %q: %s", l, msg)
			}
			if strings.ContainsAny(msg, "\r\n") {
				t.Errorf("error is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "open store") {
				t.Errorf("error %q lacks context, want it to start with \"open store\"", msg)
			}
			t.Log(msg)
		})
	}
}

func TestWithPasswordKeyValue(t *testing.T) {
	got, err := WithPassword("host=h user=u", `it's a\b`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `host=h user=u password='it\'s a\\b'`; got != want {
		t.Errorf("WithPassword = %q, want %q", got, want)
	}
	secrets := Secrets(got)
	if s := Scrub(`pq: said "it's a\b"`, secrets); strings.Contains(s, "it's") {
		t.Errorf("Scrub left the password: %s (secrets %q)", s, secrets)
	}
}

func TestScrub(t *testing.T) {
	secrets := Secrets("postgres://u:" + url.PathEscape(hardPassword) + "@h/db")
	for _, msg := range []string{
		"failed: " + hardPassword,
		"failed: " + url.PathEscape(hardPassword),
		"failed: " + url.QueryEscape(hardPassword),
	} {
		if got := Scrub(msg, secrets); strings.Contains(got, "Pw/a") || strings.Contains(got, "Pw%2Fa") {
			t.Errorf("Scrub(%q) = %q", msg, got)
		}
	}
	if got := Scrub("ab cd", []string{"ab"}); got != "ab cd" {
		t.Errorf("Scrub masks a two-character secret in free text: %q", got)
	}
}
