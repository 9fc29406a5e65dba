//go:build !unix

package inbox

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs here") }
