package inbox

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"syscall"
	"unicode"
	"unicode/utf8"

	"github.com/devzone/devzone_exporter/collector/bulletin"
)

// ReadFile reads a bulletin, refusing before it reads a byte anything that
// is not a regular file (a FIFO would block the reader forever, /dev/zero
// never end) or is larger than bulletin.MaxSize, and reading no more than
// that even from a file that grows meanwhile. Its errors name the file as
// DisplayName does.
func ReadFile(path string) ([]byte, error) {
	name := DisplayName(path)
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err // *PathError names the file
	}
	if err := regular(name, fi); err != nil {
		return nil, err
	}
	if fi.Size() > bulletin.MaxSize {
		return nil, &bulletin.Error{File: name, Err: bulletin.ErrTooLarge}
	}
	// O_NONBLOCK: should the path have been swapped for a FIFO since the
	// Stat, opening it does not wait for a writer; Fstat then refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close() //nolint:errcheck // read only: a failed close loses nothing
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(name, fi); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(f, bulletin.MaxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(b) > bulletin.MaxSize {
		return nil, &bulletin.Error{File: name, Err: bulletin.ErrTooLarge}
	}
	return b, nil
}

func regular(name string, fi os.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch m := fi.Mode(); {
	case m.IsDir():
		kind = "a directory"
	case m&os.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&os.ModeSocket != 0:
		kind = "a socket"
	case m&os.ModeDevice != 0:
		kind = "a device"
	}
	return fmt.Errorf("%s: %s, not a bulletin file; not read", name, kind)
}

// DisplayName is path as messages print it: as it is, unless it holds a
// control character (a newline would split a one-line error in two) or
// bytes that are not UTF-8; then quoted in Go syntax.
func DisplayName(path string) string {
	if !utf8.ValidString(path) {
		return strconv.Quote(path)
	}
	for _, r := range path {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return strconv.Quote(path)
		}
	}
	return path
}
