package inbox

import (
	"os"
	"syscall"
)

// stamp is what stat says of a file that a rewrite changes: its size and
// modification time, and the device, inode and change time (which no
// one can set back: a file replaced by rename, or rewritten and touched
// back to its old time, still shows changed).
type stamp struct {
	size, mtime, ctime int64
	dev, ino           uint64
}

func stampOf(fi os.FileInfo) stamp {
	s := stamp{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		s.dev, s.ino = st.Dev, st.Ino
		s.ctime = st.Ctim.Nano()
	}
	return s
}
