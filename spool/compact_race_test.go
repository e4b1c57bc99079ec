package spool

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestOpenWaitingThroughACompact: a program that waits for the spool's
// lock while `spool compact` renames its new file over the old one must
// open the new file. It got the lock of the old, deleted one, and every
// message it acknowledged was written there and lost.
func TestOpenWaitingThroughACompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.db")
	holder, err := Open(path, Options{}) // as compact holds the old file
	if err != nil {
		t.Fatal(err)
	}
	opened := make(chan *Store, 1)
	go func() {
		s, err := Open(path, Options{LockTimeout: 20 * time.Second})
		if err != nil {
			t.Error(err)
		}
		opened <- s
	}()
	// Wait until the second Open has the old file open (and waits for
	// its lock): two descriptors in this process name it.
	for deadline := time.Now().Add(10 * time.Second); openCount(t, path) < 2; {
		if time.Now().After(deadline) {
			t.Fatal("the second Open never opened the file")
		}
		time.Sleep(time.Millisecond) // polling: the waiting is in the kernel
	}
	// What compact does: a new file renamed over the path, then the
	// old one's lock released.
	fresh, err := Open(path+".new", Options{})
	if err != nil {
		t.Fatal(err)
	}
	fresh.Close()
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	holder.Close()
	s := <-opened
	if s == nil {
		t.FailNow()
	}
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	s.Close()
	again, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.Get(id); err != nil {
		t.Fatalf("a message acknowledged after the compact is not in the spool: %v", err)
	}
}

// openCount counts this process's descriptors open on the file at path
// (not a file that was deleted from it).
func openCount(t *testing.T, path string) int {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	n := 0
	for _, fd := range fds {
		if target, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && target == path && !strings.HasSuffix(target, " (deleted)") {
			n++
		}
	}
	return n
}

// TestCompactKeepsOwnerAndMode: the compacted file has the old one's
// mode, and its owner when compact runs as root: `sudo smsgw spool
// compact` left a root-owned 0600 file that the gateway's own user could
// not open, and the gateway did not start.
func TestCompactKeepsOwnerAndMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.db")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, s, msg("+13195550001"))
	s.Close()
	if err := os.Chmod(path, 0o640); err != nil {
		t.Fatal(err)
	}
	root := os.Geteuid() == 0
	if root {
		if err := os.Chown(path, 65534, 65534); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := Compact(path, time.Second); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o640 {
		t.Errorf("mode %v after compact, want 0640", fi.Mode().Perm())
	}
	if st := fi.Sys().(*syscall.Stat_t); root && (st.Uid != 65534 || st.Gid != 65534) {
		t.Errorf("owner %d:%d after compact, want 65534:65534", st.Uid, st.Gid)
	}
}

// TestCompactOfNoSpool: compact where there is no spool says so; it made
// an empty file that was no spool and printed "compacted".
func TestCompactOfNoSpool(t *testing.T) {
	path := filepath.Join(t.TempDir(), "spool.db")
	if _, _, err := Compact(path, time.Second); err == nil || !strings.Contains(err.Error(), "no spool at") {
		t.Fatalf("Compact of nothing: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("Compact made %s: %v", path, err)
	}
}
