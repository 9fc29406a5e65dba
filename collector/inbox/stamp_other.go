//go:build !linux

package inbox

import "os"

// stamp is what stat says of a file that a rewrite changes: its size and
// modification time (Linux adds device, inode and change time).
type stamp struct{ size, mtime int64 }

func stampOf(fi os.FileInfo) stamp { return stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()} }
