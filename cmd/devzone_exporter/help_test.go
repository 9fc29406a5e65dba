package main

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

// builtinFlags are kingpin's own, which the README need not list.
var builtinFlags = []string{"help", "help-long", "help-man", "version", "completion-bash", "completion-script-bash", "completion-script-zsh"}

// serveFlags returns the flags that configure the exporter: the
// application's (exporter-toolkit's web flags, logging) and serve's.
func serveFlags(t *testing.T) []*kingpin.FlagModel {
	t.Helper()
	app := NewMain(os.Stdout, os.Stderr).app.Model()
	var flags []*kingpin.FlagModel
	for _, f := range app.Flags {
		if !slices.Contains(builtinFlags, f.Name) {
			flags = append(flags, f)
		}
	}
	for _, c := range app.Commands {
		if c.Name == "serve" {
			if !c.Default {
				t.Fatal("serve is not the default command")
			}
			flags = append(flags, c.Flags...)
		}
	}
	return flags
}

// TestHelpShowsEveryServeFlag pins that `devzone_exporter --help` lists
// the flags of serve, the default command; it listed only the
// application's, and `--inbox.dir` was nowhere to be found.
func TestHelpShowsEveryServeFlag(t *testing.T) {
	code, out, errs := run(t, "--help")
	if code != 0 {
		t.Fatalf("--help: exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "Flags of serve, the default command:") {
		t.Errorf("--help has no section for serve's flags (did kingpin's usage template change?):\n%s", out)
	}
	for _, f := range serveFlags(t) {
		if f.Hidden {
			continue
		}
		if !strings.Contains(out, "--"+f.Name) && !strings.Contains(out, "--[no-]"+f.Name) {
			t.Errorf("--help does not show --%s", f.Name)
		}
	}
}

// TestVersionNamesTheProgram: --version prints what prometheus/common's
// version holds (the Makefile stamps it) and exits 0.
func TestVersionNamesTheProgram(t *testing.T) {
	code, out, errs := run(t, "--version")
	if code != 0 || !strings.HasPrefix(out, "devzone_exporter, version ") || !strings.Contains(out, "build date:") {
		t.Errorf("--version: exit %d, %q %q", code, out, errs)
	}
}

// flagRow finds the flags and the environment variable of a row of the
// README's configuration table.
var (
	flagName = regexp.MustCompile("`--([a-z0-9.-]+)`")
	envName  = regexp.MustCompile("`([A-Z][A-Z0-9_]+)`")
)

// TestREADMEFlagTableIsComplete: the Configuration table of README.md
// names every flag of the exporter with its environment variable, and no
// flag that the program does not have. It lacked --web.systemd-socket.
func TestREADMEFlagTableIsComplete(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("README.md has no ## Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	documented := map[string]string{} // flag → env
	for line := range strings.Lines(section) {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.HasPrefix(line, "| `--") {
			continue
		}
		env := ""
		if m := envName.FindStringSubmatch(cells[2]); m != nil {
			env = m[1]
		}
		for _, m := range flagName.FindAllStringSubmatch(cells[1], -1) {
			documented[m[1]] = env
		}
	}
	if len(documented) == 0 {
		t.Fatal("no flag rows found in README.md's configuration table")
	}
	for _, f := range serveFlags(t) {
		env, ok := documented[f.Name]
		switch {
		case !ok:
			t.Errorf("README's configuration table lacks --%s", f.Name)
		case env != f.Envar:
			t.Errorf("README gives --%s the environment variable %q, the program %q", f.Name, env, f.Envar)
		}
	}
	known := map[string]bool{}
	app := NewMain(os.Stdout, os.Stderr).app.Model()
	for _, f := range app.Flags {
		known[f.Name] = true
	}
	for _, c := range app.Commands {
		for _, f := range c.Flags {
			known[f.Name] = true
		}
	}
	for name := range documented {
		if !known[name] {
			t.Errorf("README's configuration table names --%s, which no command has", name)
		}
	}
}
