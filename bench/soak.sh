#!/usr/bin/env bash
# Soak: runs devzone_exporter on a fresh PostgreSQL database for a few
# minutes (default 3m, at most 10m; -duration) while it is scraped 4 times
# a second as Prometheus scrapes, good bulletins arrive, a corrupt one is
# dropped in and the database server is restarted twice; then checks that
# every good bulletin was stored once, the corrupt one kept with its error,
# no scrape failed and goroutines and memory stayed flat, and prints a
# table. Exits non-zero if a check failed. Flags go to the program:
#
#   bench/soak.sh -duration 10m -rate 10
#
# It RESTARTS the local PostgreSQL cluster (pg_ctlcluster, so run it as
# root or postgres), which breaks any test using that server meanwhile:
# never run it beside `go test ./...`. Traffic goes to 127.0.0.1 only.
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/devzone_exporter" ./cmd/devzone_exporter
go build -o "$work/soak" ./bench/soak
"$work/soak" -bin "$work/devzone_exporter" "$@"
