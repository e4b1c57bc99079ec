package spool

import (
	"os"
	"path/filepath"
	"testing"
)

// TestBackup: a backup taken while the store runs opens as a spool with
// the same messages, and its audit chain verifies.
func TestBackup(t *testing.T) {
	s, _ := openTest(t, Options{})
	var ids []string
	for _, to := range []string{"+13195550001", "+13195550002"} {
		m, _, err := s.Enqueue(bg, msg(to))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	path := filepath.Join(t.TempDir(), "backup.db")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := s.Backup(f); err != nil || n == 0 {
		t.Fatalf("backup: %d bytes, %v", n, err)
	}
	f.Close()
	b, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, id := range ids {
		if _, err := b.Get(id); err != nil {
			t.Fatalf("%s not in the backup: %v", id, err)
		}
	}
	if _, err := b.VerifyAudit(); err != nil {
		t.Fatal(err)
	}
}
