// Package pgtest gives tests a fresh, empty PostgreSQL schema of their own
// on the server named by DEVZONE_TEST_DATABASE_URL, so that tests on one
// database do not see each other's rows.
package pgtest

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/lib/pq" // the postgres driver
)

// EnvURL names the environment variable holding the test server's URL,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvURL = "DEVZONE_TEST_DATABASE_URL"

// URL returns the test server's URL, skipping tb when it is not set.
func URL(tb testing.TB) string {
	tb.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		tb.Skipf("%s not set: PostgreSQL tests skipped (.ci/run sets it)", EnvURL)
	}
	return base
}

// Fresh creates a new schema on the test server and returns a URL whose
// search_path is that schema. The schema is dropped when tb ends.
func Fresh(tb testing.TB) string {
	tb.Helper()
	base := URL(tb)
	admin, err := sql.Open("postgres", base)
	if err != nil {
		tb.Fatalf("open test database: %v", err)
	}
	tb.Cleanup(func() { admin.Close() })
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatal(err)
	}
	schema := "devzone_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatalf("parse %s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("options", "-csearch_path="+schema)
	u.RawQuery = q.Encode()
	return u.String()
}
