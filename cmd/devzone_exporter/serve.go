package main

import (
	"context"
	"fmt"

	"github.com/alecthomas/kingpin/v2"
)

// serveConfig is the exporter's configuration.
type serveConfig struct{}

func (m *Main) addServeFlags(c *kingpin.CmdClause) { m.addDBFlags(c) }

// runServe runs the exporter. (Being built: issue 3.)
func (m *Main) runServe(ctx context.Context) int {
	fmt.Fprintln(m.Stderr, "devzone_exporter: serve is not built yet; use parse or ingest")
	return 2
}
