// Command grafana writes devzone_exporter's dashboards as JSON, one file
// per board named <uid>.json, into the directory -out. It holds no
// dashboard logic: the boards are built in package boards.
//
// Regenerate the committed JSON from the module root with
//
//	go generate ./grafana/...
//
// TestCommittedDashboardsAreCurrent fails until the JSON is regenerated.
package main

//go:generate go run . -out dashboards

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/devzone/devzone_exporter/grafana/boards"
)

func main() {
	out := flag.String("out", "dashboards", "directory to write <uid>.json into")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "grafana:", err)
		os.Exit(1)
	}
}

// write writes every board into dir.
func write(dir string) error {
	for _, b := range boards.All() {
		j, err := b.JSON()
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, b.FileName()), j, 0o644); err != nil {
			return err
		}
	}
	return nil
}
