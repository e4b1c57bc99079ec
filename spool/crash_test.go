package spool

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashLosesNothingAcknowledged proves the spool's promise. A child
// process enqueues from 32 goroutines (and leases and sends some) and
// writes each acknowledged id to a pipe; the parent SIGKILLs it at a
// random moment, reopens the spool, and checks that every acknowledged
// id is there, that the indexes agree with the records, that no leases
// are left, and that nothing is stored twice. SPOOL_CRASH_ROUNDS sets
// the number of kills (default 5; `make crash` runs 100).
func TestCrashLosesNothingAcknowledged(t *testing.T) {
	if os.Getenv("SPOOL_CRASH_CHILD") != "" {
		t.Skip("in the child")
	}
	rounds := 5
	if v, err := strconv.Atoi(os.Getenv("SPOOL_CRASH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	path := filepath.Join(t.TempDir(), "spool.db")
	acked := map[string]bool{}
	for round := range rounds {
		killAfter := 20 + rand.IntN(400) // acknowledgements before the kill
		got, leased := crashChild(t, path, killAfter)
		for _, id := range got {
			acked[id] = true
		}
		s, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen: %v", round, err)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("round %d: inconsistent after kill: %v", round, err)
		}
		st, _ := s.Stats()
		if st.States["sending"] != 0 {
			t.Fatalf("round %d: %d leases not recovered", round, st.States["sending"])
		}
		total := int64(0)
		for _, n := range st.States {
			total += n
		}
		n := 0
		seen := map[string]bool{}
		_, err = s.Export(writerFunc(func(line []byte) {
			n++
			id := line[7:33] // {"id":"<26>"
			if seen[string(id)] {
				t.Errorf("round %d: %s stored twice", round, id)
			}
			seen[string(id)] = true
		}), Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if int64(n) != total {
			t.Fatalf("round %d: %d records, state counts say %d", round, n, total)
		}
		for id := range acked {
			if !seen[id] {
				t.Fatalf("round %d: acknowledged message %s lost", round, id)
			}
		}
		if _, err := s.VerifyAudit(); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		s.Close()
		t.Logf("round %d: killed after %d acks (%d leased); %d acknowledged so far, %d stored",
			round, len(got), leased, len(acked), n)
	}
}

// writerFunc adapts a function to io.Writer (Export writes one line per
// call).
type writerFunc func([]byte)

func (f writerFunc) Write(p []byte) (int, error) { f(p); return len(p), nil }

// crashChild runs the child until it has acknowledged killAfter messages
// (or exits), then kills it. It returns the acknowledged ids.
func crashChild(t *testing.T, path string, killAfter int) (acked []string, leased int) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run", "^TestCrashChild$")
	cmd.Env = append(os.Environ(), "SPOOL_CRASH_CHILD="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "A "):
			acked = append(acked, line[2:])
		case strings.HasPrefix(line, "L "):
			leased++
		}
		if !killed && len(acked) >= killAfter {
			_ = cmd.Process.Signal(syscall.SIGKILL)
			killed = true
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("the child exited by itself after %d acks", len(acked))
	}
	return acked, leased
}

// TestCrashChild is the child process of the crash test.
func TestCrashChild(t *testing.T) {
	path := os.Getenv("SPOOL_CRASH_CHILD")
	if path == "" {
		t.Skip("run by TestCrashLosesNothingAcknowledged")
	}
	s, err := Open(path, Options{Lease: time.Hour})
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(3)
	}
	var mu sync.Mutex
	say := func(kind, id string) {
		mu.Lock()
		fmt.Fprintf(os.Stdout, "%s %s\n", kind, id) // unbuffered: one write per line
		mu.Unlock()
	}
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second) // bounded even if nobody kills it
	var wg sync.WaitGroup
	for g := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; time.Now().Before(deadline); i++ {
				m := msg(fmt.Sprintf("+1319%03d%04d", g, i%10000))
				m.Priority = Priority(i % 3)
				m.Idempotency = fmt.Sprintf("g%d-%d-%d", g, os.Getpid(), i)
				stored, _, err := s.Enqueue(ctx, m)
				if err != nil {
					fmt.Fprintln(os.Stderr, "child enqueue:", err)
					os.Exit(4)
				}
				say("A", stored.ID)
			}
		}()
	}
	// A sender that leases and completes, so kills land mid-send too.
	go func() {
		for time.Now().Before(deadline) {
			got, err := s.Lease(ctx, 8, PriorityNormal)
			if err != nil {
				os.Exit(5)
			}
			for _, m := range got {
				say("L", m.ID)
				_ = s.Complete(ctx, m.ID, m.Attempts, Result{Connector: "c", ProviderIDs: []string{m.ID}})
			}
			if len(got) == 0 {
				<-s.Wake()
			}
		}
	}()
	wg.Wait()
	os.Exit(0)
}

func TestCheckFindsDamage(t *testing.T) {
	s, _ := openTest(t, Options{})
	id := mustEnqueue(t, s, msg("+13195550001")).ID
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	uid, _ := parseID(id)
	err := s.update(bg, func(w *wtx) error {
		return w.tx.Bucket(bState).Delete(stateKey(StateQueued, uid))
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); err == nil || !strings.Contains(err.Error(), "state: 1 entries missing") {
		t.Fatalf("Check after deleting an index entry: %v", err)
	}
}
