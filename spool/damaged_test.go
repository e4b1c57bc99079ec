package spool

import (
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// damagedSpool writes a spool of n messages and returns its path and the
// ids of the pages in use (not free, not the two meta pages, not the
// continuation of an overflow page).
func damagedSpool(t *testing.T, n int) (string, []int) {
	t.Helper()
	s, _ := openTest(t, Options{})
	for i := range n {
		m := msg(fmt.Sprintf("+1319555%04d", i))
		m.Body = fmt.Sprintf("Evacuate zone %d now.", i)
		mustEnqueue(t, s, m)
	}
	path := s.Path()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var used []int
	err = db.View(func(tx *bolt.Tx) error {
		for id := 2; ; id++ {
			p, err := tx.Page(id)
			if err != nil || p == nil {
				return err
			}
			if p.Type != "free" && p.Type != "freelist" {
				used = append(used, id)
			}
			id += p.OverflowCount
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return path, used
}

// TestDamagedPagesAreReported: every page in use of a spool file is
// damaged in turn (its header overwritten, as a disk that lost a write
// leaves it). Open or Check says ErrDamaged each time; nothing panics.
// Before, Open panicked with bbolt's "assertion failed" and a stack
// trace, and `smsgw serve` crashed at every restart.
func TestDamagedPagesAreReported(t *testing.T) {
	path, used := damagedSpool(t, 200)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(used) < 4 {
		t.Fatalf("only %d pages in use", len(used))
	}
	const pageSize = 4096
	for _, id := range used {
		t.Run(fmt.Sprint("page ", id), func(t *testing.T) {
			b := append([]byte(nil), clean...)
			for i := range 16 {
				b[id*pageSize+i] ^= 0xA5
			}
			p := filepath.Join(t.TempDir(), "spool.db")
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
			// Compact of a copy: ErrDamaged or done, never a panic
			// (it panicked with bbolt's "assertion failed"), and no
			// temporary file left.
			cp := filepath.Join(t.TempDir(), "copy.db")
			if err := os.WriteFile(cp, b, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, _, err := Compact(cp, time.Second); err != nil && !errors.Is(err, ErrDamaged) {
				t.Fatalf("Compact: %v, want ErrDamaged", err)
			}
			if _, err := os.Stat(cp + ".compact"); err == nil {
				t.Fatal("Compact left its temporary file")
			}
			s, err := Open(p, Options{})
			if err != nil {
				if !errors.Is(err, ErrDamaged) {
					t.Fatalf("Open: %v, want ErrDamaged", err)
				}
				return
			}
			defer s.Close()
			if err := s.Check(); !errors.Is(err, ErrDamaged) {
				t.Fatalf("Check of a file with page %d damaged: %v, want ErrDamaged", id, err)
			}
		})
	}
}

// TestSalvageIntact: salvaging an undamaged spool copies every message,
// what is owed to applications and the key-value records; the copy
// passes Check, and its audit trail starts with the salvage.
func TestSalvageIntact(t *testing.T) {
	s, _ := openTest(t, Options{})
	for i := range 50 {
		mustEnqueue(t, s, msg(fmt.Sprintf("+1319555%04d", i)))
	}
	if _, err := s.Receive(bg, &Message{Tenant: "psap-north", From: "+13195550123", To: "+13195550100", Body: "STOP", Connector: "modem-1"}, "smpp:cad"); err != nil {
		t.Fatal(err)
	}
	if err := s.KVPut(bg, "optout", "psap-north/+13195550123", []byte("*")); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveState(bg, "modem-1/reassembly", []byte(`{"parts":[]}`)); err != nil {
		t.Fatal(err)
	}
	want, _ := s.Stats()
	path := s.Path()
	s.Close()
	target := filepath.Join(t.TempDir(), "salvaged.db")
	rep, err := Salvage(bg, path, target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Messages != 51 || rep.Outbox != 1 || rep.State != 2 || rep.Unreadable != 0 || rep.SkippedRuns != 0 {
		t.Fatalf("report %+v", rep)
	}
	got, err := Open(target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if err := got.Check(); err != nil {
		t.Fatal(err)
	}
	st, _ := got.Stats()
	if !maps.Equal(st.Queued, want.Queued) || !maps.Equal(st.States, want.States) || st.Outbox != want.Outbox {
		t.Fatalf("stats %+v, want %+v", st, want)
	}
	if v, _ := got.LoadState("modem-1/reassembly"); string(v) != `{"parts":[]}` {
		t.Fatalf("state %q", v)
	}
	if kv, _ := got.KVList("optout", "", "", 0); len(kv) != 1 {
		t.Fatalf("opt-outs %v", kv)
	}
	log, _ := got.AuditLog(0, 10)
	if len(log) != 1 || log[0].Action != "salvaged" {
		t.Fatalf("audit %+v", log)
	}
	if _, err := Salvage(bg, path, target, Options{}); err == nil {
		t.Fatal("salvage over an existing file")
	}
}

// TestSalvageKeepsReportOrder: a report of "sent" still owed when the
// spool was salvaged is still the one the final report follows.
func TestSalvageKeepsReportOrder(t *testing.T) {
	s, _ := openTest(t, Options{})
	m := msg("+13195550001")
	m.ReportReq, m.ReportAccepted = true, true
	sendOne(t, s, m, "c", "1")
	path := s.Path()
	s.Close()
	target := filepath.Join(t.TempDir(), "salvaged.db")
	if _, err := Salvage(bg, path, target, Options{}); err != nil {
		t.Fatal(err)
	}
	got, err := Open(target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer got.Close()
	if _, err := got.ApplyReport(bg, Report{Connector: "c", ProviderID: "1", State: StateDelivered}); err != nil {
		t.Fatal(err)
	}
	leaseOneOutbox(t, got, StateSent, "after the salvage")
}

// TestSalvageDamaged: with any one page in use damaged, Salvage copies
// the rest into a spool that passes Check; where the damage is in the
// messages, only the messages on that page are lost.
func TestSalvageDamaged(t *testing.T) {
	const n = 300
	path, used := damagedSpool(t, n)
	clean, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	partial, named := 0, 0
	for _, id := range used {
		b := append([]byte(nil), clean...)
		for i := range 16 {
			b[id*4096+i] ^= 0xA5
		}
		dir := t.TempDir()
		p := filepath.Join(dir, "spool.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := Salvage(bg, p, filepath.Join(dir, "new.db"), Options{})
		if err != nil {
			t.Fatalf("page %d: %v", id, err)
		}
		got, err := Open(filepath.Join(dir, "new.db"), Options{})
		if err != nil {
			t.Fatalf("page %d: the salvaged file: %v", id, err)
		}
		if err := got.Check(); err != nil {
			t.Errorf("page %d: the salvaged file: %v", id, err)
		}
		got.Close()
		if rep.Messages < n {
			partial++
			if rep.SkippedRuns == 0 && rep.Unreadable == 0 {
				t.Errorf("page %d: %d of %d messages and no damage reported", id, rep.Messages, n)
			}
			// One leaf holds a handful of messages: only those may be lost,
			// also when the page is a branch or the bucket's root (the
			// leaves behind it are read directly).
			if rep.Messages < n-10 {
				t.Errorf("page %d: only %d of %d messages salvaged", id, rep.Messages, n)
			}
		}
		// The lost are named by id when the state index still has
		// them: copied and named add up, and no copied one is named.
		if rep.Messages+len(rep.Lost) != n && len(rep.Lost) > 0 {
			t.Errorf("page %d: %d copied and %d named lost, of %d", id, rep.Messages, len(rep.Lost), n)
		}
		if rep.Messages < n && len(rep.Lost) > 0 {
			named++
		}
	}
	if named == 0 {
		t.Error("no lost message was named by id")
	}
	if partial == 0 {
		t.Fatal("no damaged page held messages: the test damaged nothing that matters")
	}
}

// seedSpool is the spool file FuzzDamagedSpool damages: a file in
// testdata, so that an input found once damages the same bytes again
// (a fresh spool has fresh random ids). SPOOL_WRITE_SEED=1 go test -run
// TestWriteSeedSpool ./spool/ writes it again.
const seedSpool = "testdata/damaged/seed.db"

func TestWriteSeedSpool(t *testing.T) {
	if os.Getenv("SPOOL_WRITE_SEED") == "" {
		t.Skip("SPOOL_WRITE_SEED=1 writes " + seedSpool)
	}
	s, err := Open(filepath.Join(t.TempDir(), "seed.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 40 {
		m := msg(fmt.Sprintf("+1319555%04d", i))
		m.ReportReq, m.Source, m.ClientRef = true, "smpp:cad", fmt.Sprint("ref-", i)
		mustEnqueue(t, s, m)
	}
	if _, err := s.Receive(bg, &Message{Tenant: "psap-north", From: "+13195550123", To: "+13195550100", Body: "STOP", Connector: "modem-1"}, "smpp:cad"); err != nil {
		t.Fatal(err)
	}
	if err := s.KVPut(bg, "optout", "psap-north/+13195550123", []byte("*")); err != nil {
		t.Fatal(err)
	}
	path := s.Path()
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(seedSpool), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(seedSpool, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// FuzzDamagedSpool damages the seed spool file anywhere (a run of bytes
// XORed at an offset) and opens, checks and salvages it: nothing may
// panic or hang, Open and Check fail only with ErrDamaged, and Salvage
// (of a file that bbolt can open at all) gives a spool that passes Check.
func FuzzDamagedSpool(f *testing.F) {
	f.Add(uint32(2*4096), []byte{0xA5, 0xA5, 0xA5, 0xA5})
	f.Add(uint32(5*4096+40), []byte{0xff})
	f.Add(uint32(9*4096+300), []byte{1, 2, 3, 4, 5, 6, 7, 8})
	f.Add(uint32(0), []byte{0x10})
	f.Add(uint32(4096+20), []byte{0x01})
	clean, err := os.ReadFile(seedSpool)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, off uint32, x []byte) {
		b := append([]byte(nil), clean...)
		for i, v := range x {
			if p := int(off) + i; p < len(b) {
				b[p] ^= v
			}
		}
		tmp := t.TempDir()
		p := filepath.Join(tmp, "spool.db")
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if s, err := Open(p, Options{ReadOnly: true}); err == nil {
			if err := s.Check(); err != nil && !errors.Is(err, ErrDamaged) && !strings.Contains(err.Error(), "message ") {
				t.Errorf("Check: %v", err)
			}
			s.Close()
		} else if !errors.Is(err, ErrDamaged) && !strings.Contains(err.Error(), "schema version") && !strings.Contains(err.Error(), "not a spool file") {
			t.Errorf("Open: %v", err)
		}
		rep, err := Salvage(bg, p, filepath.Join(tmp, "new.db"), Options{})
		if err != nil {
			if strings.Contains(err.Error(), "cannot be opened at all") {
				return
			}
			t.Fatalf("Salvage: %v", err)
		}
		got, err := Open(filepath.Join(tmp, "new.db"), Options{})
		if err != nil {
			t.Fatalf("the salvaged file: %v", err)
		}
		defer got.Close()
		if err := got.Check(); err != nil {
			t.Fatalf("the salvaged file (%+v): %v", rep, err)
		}
	})
}

// TestUncleanStopIsChecked: a page tree that loops back on itself would
// make bbolt recurse until the stack overflows (no recover catches that,
// and every restart would crash the same way). After an unclean stop
// (the open marker still there), Open reads the tree from the file first
// and says ErrDamaged. A clean Close removes the marker, so a clean start
// skips the read.
func TestUncleanStopIsChecked(t *testing.T) {
	path, used := damagedSpool(t, 300)
	if _, err := os.Stat(openMarker(path)); !os.IsNotExist(err) {
		t.Fatalf("marker after a clean Close: %v", err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	looped := false
	for _, id := range used {
		p := b[id*4096:]
		if binary.LittleEndian.Uint16(p[8:]) == branchPage {
			binary.LittleEndian.PutUint64(p[pageHeader+8:], uint64(id)) // its first child is itself
			looped = true
			break
		}
	}
	if !looped {
		t.Fatal("no branch page to loop")
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(openMarker(path), []byte("1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "unclean stop") || !strings.Contains(err.Error(), "loops back") {
		t.Fatalf("Open after an unclean stop: %v", err)
	}
	// Salvage reads the leaves directly, and the copy opens and checks.
	target := filepath.Join(t.TempDir(), "new.db")
	rep, err := Salvage(bg, path, target, Options{})
	if err != nil || !rep.TreeLoops || rep.Messages < 290 {
		t.Fatalf("salvage %+v: %v", rep, err)
	}
	s, err := Open(target, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(openMarker(target)); err != nil {
		t.Fatalf("no marker while open: %v", err)
	}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	s.Close()
}

// TestEmptiedSpoolAfterUncleanStop: a spool file cut to nothing (or
// removed) while the last process had it open is refused, not made into
// a new, empty spool: the gateway started as if it never had messages.
// A new spool with no marker opens; removing the marker is the way to
// start empty on purpose.
func TestEmptiedSpoolAfterUncleanStop(t *testing.T) {
	for _, gone := range []bool{false, true} {
		path := filepath.Join(t.TempDir(), "spool.db")
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustEnqueue(t, s, msg("+13195550001"))
		// Copy the marker away and back: Close removes it, as the crash
		// did not.
		marker, _ := os.ReadFile(openMarker(path))
		s.Close()
		if err := os.WriteFile(openMarker(path), marker, 0o600); err != nil {
			t.Fatal(err)
		}
		if gone {
			err = os.Remove(path)
		} else {
			err = os.Truncate(path, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = Open(path, Options{})
		if !errors.Is(err, ErrDamaged) || !strings.Contains(err.Error(), "did not close it") {
			t.Fatalf("gone=%v: Open of an emptied spool: %v", gone, err)
		}
		if err := os.Remove(openMarker(path)); err != nil {
			t.Fatal(err)
		}
		s, err = Open(path, Options{})
		if err != nil {
			t.Fatalf("gone=%v: start empty on purpose: %v", gone, err)
		}
		s.Close()
	}
}
