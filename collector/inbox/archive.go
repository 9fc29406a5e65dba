package inbox

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// The directories of the inbox that Ingester.Archive moves files into.
// Dir never reads them, archiving or not: they are not the inbox.
const (
	// ProcessedDir holds the files whose bytes the store has: ingested,
	// held, or found stored before.
	ProcessedDir = "processed"
	// FailedDir holds the files kept as failed reports, each with its
	// error beside it in <name>.error.txt.
	FailedDir = "failed"
)

// ErrorSuffix is appended to a failed file's archived name to name the
// file holding its error.
const ErrorSuffix = ".error.txt"

// maxArchiveNames bounds the names tried for one file when earlier ones
// are taken (a.txt, a-1.txt, a-2.txt, …).
const maxArchiveNames = 10000

// archive moves a settled file out of the inbox, dir: its bytes stored
// (Ingested, Duplicate) to processed/, kept as failed (Failed, Skipped) to
// failed/ with its error beside it, under the same path relative to the
// inbox (inbox/太原市/a.txt → inbox/processed/太原市/a.txt). A file still
// Pending, or that the store could not take (Error), stays.
//
// It runs after the store committed and may be stopped at any point
// (crash, kill) without loss or double storage: until the file is gone
// from the inbox, the next run finds its checksum stored and archives it
// then; the file is linked to its new name before it is removed from the
// inbox, and a new name already linked to the same file is finished, not
// taken again. A name in the archive is never overwritten: a file of the
// same name and other bytes gets the first free a-N.txt.
func (in *Ingester) archive(dir string, r Result) Result {
	var sub, errText string
	switch r.Outcome {
	case Ingested, Duplicate:
		sub = ProcessedDir
	case Failed, Skipped:
		sub = FailedDir
		errText = "unknown error"
		if r.Err != nil {
			errText = r.Err.Error()
		}
	default:
		return r
	}
	rel, err := filepath.Rel(dir, r.Path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		r.ArchiveErr = fmt.Errorf("%s: not under the inbox %s", DisplayName(r.Path), DisplayName(dir))
		return r
	}
	dest, err := in.move(r.Path, filepath.Join(dir, sub, rel), errText)
	if err != nil {
		r.ArchiveErr = fmt.Errorf("%s: archive to %s/: %w", DisplayName(r.Path), sub, err)
		return r
	}
	r.Archived = dest
	return r
}

// move gives src the first free name of want, want-1, … (or one already
// naming the same file, left by a move that was stopped), writes errText
// beside it when it is not empty, and removes src. It returns the name.
func (in *Ingester) move(src, want, errText string) (string, error) {
	if err := os.MkdirAll(filepath.Dir(want), 0o755); err != nil {
		return "", err
	}
	fi, err := os.Lstat(src)
	if err != nil {
		return "", err
	}
	ext := filepath.Ext(want)
	stem := strings.TrimSuffix(want, ext)
	for i := range maxArchiveNames {
		dest := want
		if i > 0 {
			dest = stem + "-" + strconv.Itoa(i) + ext
		}
		if di, err := os.Lstat(dest); err == nil {
			if !os.SameFile(fi, di) {
				continue // another file's name: never overwritten
			}
			// Linked by a move that was stopped before it removed src.
		} else if !errors.Is(err, fs.ErrNotExist) {
			return "", err
		} else {
			if errText != "" {
				if err := writeFileAtomic(dest+ErrorSuffix, []byte(errText+"\n")); err != nil {
					return "", err
				}
			}
			if err := in.step("before link"); err != nil {
				return "", err
			}
			switch err := os.Link(src, dest); {
			case errors.Is(err, fs.ErrExist):
				continue // taken since Lstat
			case err != nil:
				// No hard links here: a rename onto the name found free.
				if err := os.Rename(src, dest); err != nil {
					return "", err
				}
				return dest, nil
			}
			if err := in.step("linked"); err != nil {
				return "", err
			}
		}
		if errText != "" {
			if _, err := os.Lstat(dest + ErrorSuffix); errors.Is(err, fs.ErrNotExist) {
				if err := writeFileAtomic(dest+ErrorSuffix, []byte(errText+"\n")); err != nil {
					return "", err
				}
			}
		}
		if err := os.Remove(src); err != nil {
			return "", err
		}
		return dest, nil
	}
	return "", fmt.Errorf("%d names taken", maxArchiveNames)
}

// step is the test hook between the steps of a move: a crash simulated
// there stops the move as a killed process would.
func (in *Ingester) step(name string) error {
	if in.crashAt != nil {
		return in.crashAt(name)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file in its
// directory and a rename, so that path is whole or absent.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
