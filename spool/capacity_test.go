package spool

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSpoolFullRefusesBeforeAcknowledging(t *testing.T) {
	s, _ := openTest(t, Options{MaxQueued: 3})
	for i := range 3 {
		mustEnqueue(t, s, msg(fmt.Sprintf("+1319555000%d", i)))
	}
	_, _, err := s.Enqueue(bg, msg("+13195550009"))
	if !errors.Is(err, ErrSpoolFull) || !strings.Contains(err.Error(), "3 messages queued (limit 3)") {
		t.Fatalf("err = %v", err)
	}
	if st, _ := s.Stats(); st.States["queued"] != 3 || st.AuditSeq != 3 {
		t.Fatalf("a refused message left traces: %+v", st)
	}
	// An emergency message is never refused for the queue limit.
	urgent := msg("+13195550008")
	urgent.Priority = PriorityEmergency
	if _, _, err := s.Enqueue(bg, urgent); err != nil {
		t.Fatalf("an emergency message past the queue limit: %v", err)
	}
	if got := mustLease(t, s, 1); len(got) != 1 || got[0].Priority != PriorityEmergency {
		t.Fatalf("leased %+v, want the emergency message first", got)
	} else if err := s.Complete(bg, got[0].ID, 1, Result{Connector: "c", ProviderIDs: []string{"0"}}); err != nil {
		t.Fatal(err)
	}
	// Sending frees room.
	got := mustLease(t, s, 1)
	if err := s.Complete(bg, got[0].ID, 1, Result{Connector: "c", ProviderIDs: []string{"1"}}); err != nil {
		t.Fatal(err)
	}
	mustEnqueue(t, s, msg("+13195550009"))
}

func TestFileSizeLimitKeepsRoomForInFlight(t *testing.T) {
	s, _ := openTest(t, Options{MaxFileSize: 16 << 20})
	// Fill from 16 submitters until the spool refuses.
	var mu sync.Mutex
	var ids []string
	var refused error
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				m := msg("+13195550001")
				m.Body = strings.Repeat("y", 20000)
				stored, _, err := s.Enqueue(bg, m)
				mu.Lock()
				if err != nil {
					refused = err
				} else {
					ids = append(ids, stored.ID)
				}
				mu.Unlock()
				if err != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	if !errors.Is(refused, ErrSpoolFull) || !strings.Contains(refused.Error(), "kept for messages in flight") {
		t.Fatalf("after %d messages: err = %v", len(ids), refused)
	}
	// Emergency messages still go in, into a quarter of the reserve, and
	// then are refused too.
	urgent := 0
	for range 1000 {
		m := msg("+13195550002")
		m.Body, m.Priority = strings.Repeat("y", 20000), PriorityEmergency
		stored, _, err := s.Enqueue(bg, m)
		if err != nil {
			if !errors.Is(err, ErrSpoolFull) {
				t.Fatalf("emergency in a full spool: %v", err)
			}
			break
		}
		ids = append(ids, stored.ID)
		urgent++
	}
	if urgent == 0 || urgent == 1000 {
		t.Fatalf("%d emergency messages taken once ordinary ones were refused; want some, then a refusal", urgent)
	}
	// Everything accepted can still be sent and reach a final state.
	for {
		got := mustLease(t, s, 100)
		if len(got) == 0 {
			break
		}
		for _, m := range got {
			if err := s.Complete(bg, m.ID, m.Attempts, Result{Connector: "c", ProviderIDs: []string{m.ID}}); err != nil {
				t.Fatalf("completing an accepted message in a full spool: %v", err)
			}
			if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: m.ID, State: StateDelivered}); err != nil {
				t.Fatalf("a receipt in a full spool: %v", err)
			}
		}
	}
	if st, _ := s.Stats(); st.States["delivered"] != int64(len(ids)) {
		t.Fatalf("delivered %d of %d", st.States["delivered"], len(ids))
	}
}

// TestDiskFull runs the spool on a 2 MiB tmpfs in a mount namespace of
// its own (unshare), fills the disk, and checks that a failed write
// acknowledges nothing, that every acknowledged message is there after
// reopening, and that the spool works again once space returns.
func TestDiskFull(t *testing.T) {
	if os.Getenv("SPOOL_DISKFULL_CHILD") != "" {
		diskFullChild(t)
		return
	}
	unshare, err := exec.LookPath("unshare")
	if err != nil {
		t.Skip("unshare not installed")
	}
	dir := t.TempDir()
	script := fmt.Sprintf("mount -t tmpfs -o size=2m tmpfs %s && exec %s -test.run '^TestDiskFull$' -test.v", dir, os.Args[0])
	cmd := exec.Command(unshare, "-Urm", "sh", "-c", script)
	cmd.Env = append(os.Environ(), "SPOOL_DISKFULL_CHILD="+filepath.Join(dir, "spool.db"))
	out, err := cmd.CombinedOutput()
	if err != nil && strings.Contains(string(out), "mount") && !strings.Contains(string(out), "--- FAIL") {
		t.Skipf("cannot mount a tmpfs in a user namespace here: %s", out)
	}
	if err != nil || !strings.Contains(string(out), "disk full reached after") {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("%s", grepLines(string(out), "disk full"))
}

func diskFullChild(t *testing.T) {
	path := os.Getenv("SPOOL_DISKFULL_CHILD")
	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ballast := filepath.Join(filepath.Dir(path), "ballast")
	var acked []string
	add := func(p Priority) error {
		m := msg("+13195550001")
		m.Body, m.Priority = strings.Repeat("z", 2000), p
		stored, _, err := s.Enqueue(bg, m)
		if err == nil {
			acked = append(acked, stored.ID)
		}
		return err
	}
	for range 200 {
		if err := add(PriorityNormal); err != nil {
			t.Fatalf("after %d messages on a 2 MiB disk: %v", len(acked), err)
		}
	}
	// Leave 112 KiB, counting the file's free pages: under the disk's
	// reserve for ordinary messages (128 KiB, a sixteenth of it), over
	// the emergency one's (96 KiB).
	var fs unix.Statfs_t
	if err := unix.Statfs(filepath.Dir(path), &fs); err != nil {
		t.Fatal(err)
	}
	inFile := int64(s.db.Stats().FreeAlloc)
	if err := os.WriteFile(ballast, make([]byte, int64(fs.Bavail)*int64(fs.Bsize)+inFile-112<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("disk reserve test: %d bytes free in the file", inFile)
	if err := add(PriorityNormal); !errors.Is(err, ErrSpoolFull) || !strings.Contains(err.Error(), "the disk has") {
		t.Fatalf("an ordinary message with the disk at its reserve: %v", err)
	}
	if st, err := s.Stats(); err != nil || st.Intake == "" || st.EmergencyIntake != "" || st.DiskFreeBytes > 112<<10-inFile {
		t.Fatalf("stats at the disk's reserve: intake %q, emergency %q, %d bytes free, %v", st.Intake, st.EmergencyIntake, st.DiskFreeBytes, err)
	}
	if err := add(PriorityEmergency); err != nil {
		t.Fatalf("an emergency message with the disk at the ordinary reserve: %v", err)
	}
	// What is in flight finishes on the reserve: leases, results, receipts.
	leased, err := s.Lease(bg, 5, PriorityNormal)
	if err != nil || len(leased) != 5 {
		t.Fatalf("lease on the reserve: %d %v", len(leased), err)
	}
	for _, m := range leased {
		if err := s.Complete(bg, m.ID, m.Attempts, Result{Connector: "c", ProviderIDs: []string{m.ID}}); err != nil {
			t.Fatalf("a result on the reserve: %v", err)
		}
		if _, err := s.ApplyReport(bg, Report{Connector: "c", ProviderID: m.ID, State: StateDelivered}); err != nil {
			t.Fatalf("a receipt on the reserve: %v", err)
		}
	}
	// Then the disk fills for good: the ballast takes all that is left.
	f, err := os.OpenFile(ballast, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	for range 1000 {
		if _, err := f.Write(make([]byte, 4096)); err != nil {
			break
		}
	}
	f.Close()
	var fullErr error
	for i := 0; i < 1000 && fullErr == nil; i++ {
		fullErr = add(PriorityEmergency)
	}
	if !errors.Is(fullErr, ErrSpoolFull) {
		t.Fatalf("after %d messages: err = %v, want ErrSpoolFull", len(acked), fullErr)
	}
	t.Logf("disk full reached after %d acknowledged messages: %v", len(acked), fullErr)
	if st, err := s.Stats(); err != nil || st.EmergencyIntake == "" {
		t.Fatalf("stats on a full disk: emergency intake %q, %v", st.EmergencyIntake, err)
	}
	// Work that has no reserve check (leases) meets the full disk in its
	// commit: refused as ErrSpoolFull and rolled back whole.
	var commitErr error
	for range 50 {
		if _, commitErr = s.Lease(bg, 20, PriorityNormal); commitErr != nil {
			break
		}
	}
	if !errors.Is(commitErr, ErrSpoolFull) || !strings.Contains(commitErr.Error(), "no space left") {
		t.Fatalf("a lease on a full disk: %v, want ErrSpoolFull from the commit (ENOSPC)", commitErr)
	}
	t.Logf("disk full: a lease's commit: %v", commitErr)
	// More writes on the full disk: each is either refused with
	// ErrSpoolFull or (when a freed page had room) acknowledged.
	for range 5 {
		if err := add(PriorityEmergency); err != nil && !errors.Is(err, ErrSpoolFull) {
			t.Fatalf("write on a full disk: %v", err)
		}
	}
	if st, err := s.Stats(); err != nil || st.States["queued"]+st.States["sending"]+st.States["delivered"] != int64(len(acked)) {
		t.Fatalf("stats on a full disk: %+v %v (acked %d)", st.States, err, len(acked))
	}
	// Space returns: the same open spool takes writes again.
	os.Remove(ballast)
	stored, _, err := s.Enqueue(bg, msg("+13195550004"))
	if err != nil {
		t.Fatalf("enqueue on the open spool once space returned: %v", err)
	}
	acked = append(acked, stored.ID)
	s.Close()
	// And after a restart everything acknowledged is there.
	s, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("reopen after disk full: %v", err)
	}
	defer s.Close()
	for _, id := range acked {
		if _, err := s.Get(id); err != nil {
			t.Fatalf("acknowledged %s lost: %v", id, err)
		}
	}
	if st, _ := s.Stats(); st.States["queued"]+st.States["delivered"] != int64(len(acked)) {
		t.Fatalf("queued %d and delivered %d, acknowledged %d (a refused write was kept)", st.States["queued"], st.States["delivered"], len(acked))
	}
	if _, _, err := s.Enqueue(bg, msg("+13195550003")); err != nil {
		t.Fatalf("enqueue once space returned: %v", err)
	}
	if _, err := s.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return strings.Join(out, "\n")
}

// TestOpenRefusesAnUnmappableSize: a MaxFileSize past what the system can
// map (1 GiB on 32-bit systems) is refused at Open, with the reason,
// rather than failing later with a mapping error when the file grows.
func TestOpenRefusesAnUnmappableSize(t *testing.T) {
	_, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{MaxFileSize: MaxMappable + 1})
	if err == nil || !strings.Contains(err.Error(), "this system can map") {
		t.Fatalf("Open: %v", err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "s.db"), Options{MaxFileSize: MaxMappable})
	if err != nil {
		t.Fatalf("Open at the limit: %v", err)
	}
	s.Close()
}
