package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readmeExample is one command of a console block of README.md and the
// output the README shows for it.
type readmeExample struct {
	line int // of the command in README.md
	cmd  string
	want []string
}

// readmeExamples returns the commands of README.md's ```console blocks in
// order. A block holds "$ command" lines, each followed by its output; a
// line "..." stands for any number of lines.
func readmeExamples(t *testing.T, readme string) []readmeExample {
	t.Helper()
	var out []readmeExample
	in := false
	for i, line := range strings.Split(readme, "\n") {
		switch {
		case line == "```console":
			in = true
		case in && line == "```":
			in = false
		case in && strings.HasPrefix(line, "$ "):
			out = append(out, readmeExample{line: i + 1, cmd: strings.TrimPrefix(line, "$ ")})
		case in:
			if len(out) == 0 {
				t.Fatalf("README.md:%d: console block output before any $ command", i+1)
			}
			out[len(out)-1].want = append(out[len(out)-1].want, line)
		}
	}
	return out
}

// matchOutput reports whether got has the lines of want, "..." in want
// matching any number of lines; trailing blanks do not count.
func matchOutput(want, got []string) bool {
	if len(want) == 0 {
		return len(got) == 0
	}
	if want[0] == "..." {
		for i := 0; i <= len(got); i++ {
			if matchOutput(want[1:], got[i:]) {
				return true
			}
		}
		return false
	}
	return len(got) > 0 && strings.TrimRight(want[0], " ") == strings.TrimRight(got[0], " ") && matchOutput(want[1:], got[1:])
}

// splitCommand splits a README command line into words: no shell, only
// words separated by spaces, and a final "> FILE" that sends standard
// output to a file.
func splitCommand(cmd string) (args []string, redirect string) {
	words := strings.Fields(cmd)
	if n := len(words); n >= 2 && words[n-2] == ">" {
		return words[:n-2], words[n-1]
	}
	return words, ""
}

// TestREADMEExamples runs every console example of README.md, in order, in
// a directory holding a copy of examples/ (what a newcomer's clone has:
// no ../shared, no database server), and compares what it prints (standard
// output, then standard error) with what the README shows. The README's
// trend example once named a zone that none of the bundled bulletins has.
// With -update it rewrites the README's outputs from what the commands
// print (keeping as many lines before a final "..." as there were):
// review the diff, as for any golden file.
func TestREADMEExamples(t *testing.T) {
	readmePath, err := filepath.Abs("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS(examples)); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DEVZONE_DB_URL", "")
	t.Setenv("DEVZONE_DATA_DIR", "")
	t.Chdir(dir)

	all := readmeExamples(t, string(readme))
	lines := strings.Split(string(readme), "\n")
	var rewritten []string // README lines with the outputs -update writes
	next := 0              // first line of lines not yet in rewritten
	if len(all) < 7 {
		t.Fatalf("%d console examples in README.md; it has more than that", len(all))
	}
	for _, ex := range all {
		args, redirect := splitCommand(ex.cmd)
		if args[0] != "devzone_exporter" {
			t.Errorf("README.md:%d: %q is not a devzone_exporter command; put other commands in sh blocks", ex.line, ex.cmd)
			continue
		}
		code, stdout, stderr := run(t, args[1:]...)
		if redirect != "" {
			if err := os.WriteFile(redirect, []byte(stdout), 0o644); err != nil {
				t.Fatal(err)
			}
			stdout = ""
		}
		got := strings.Split(strings.TrimSuffix(stdout+stderr, "\n"), "\n")
		if stdout+stderr == "" {
			got = nil
		}
		if *update {
			rewritten = append(rewritten, lines[next:ex.line]...) // up to and with the command
			rewritten = append(rewritten, updatedOutput(ex.want, got)...)
			next = ex.line + len(ex.want)
			continue
		}
		if !matchOutput(ex.want, got) {
			t.Errorf("README.md:%d: $ %s\nexit %d, printed:\n%s\nthe README shows:\n%s",
				ex.line, ex.cmd, code, strings.Join(got, "\n"), strings.Join(ex.want, "\n"))
		}
	}
	if *update {
		rewritten = append(rewritten, lines[next:]...)
		if err := os.WriteFile(readmePath, []byte(strings.Join(rewritten, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// updatedOutput is what -update writes for an example that showed want and
// printed got: all of got, or as many lines as want showed before a final
// "...", and the "...".
func updatedOutput(want, got []string) []string {
	if n := len(want) - 1; n >= 0 && want[n] == "..." && len(got) > n {
		return append(slices.Clone(got[:n]), "...")
	}
	return got
}

func TestMatchOutput(t *testing.T) {
	tests := []struct {
		name      string
		want, got []string
		ok        bool
	}{
		{"same", []string{"a", "b"}, []string{"a", "b"}, true},
		{"trailing blanks", []string{"a"}, []string{"a   "}, true},
		{"a line more", []string{"a"}, []string{"a", "b"}, false},
		{"a line less", []string{"a", "b"}, []string{"a"}, false},
		{"elided tail", []string{"a", "..."}, []string{"a", "b", "c"}, true},
		{"elided middle", []string{"a", "...", "d"}, []string{"a", "b", "c", "d"}, true},
		{"elided middle, wrong end", []string{"a", "...", "d"}, []string{"a", "b", "c"}, false},
		{"nothing", nil, nil, true},
		{"nothing expected", nil, []string{"x"}, false},
	}
	for _, tt := range tests {
		if got := matchOutput(tt.want, tt.got); got != tt.ok {
			t.Errorf("%s: matchOutput(%q, %q) = %v, want %v", tt.name, tt.want, tt.got, got, tt.ok)
		}
	}
}
