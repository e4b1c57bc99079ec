package spool

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// within runs fn in a goroutine and fails the test if it has not returned
// within limit (far more than a commit takes; far less than the hold).
func within(t *testing.T, limit time.Duration, what string, fn func() error) {
	t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- fn() }()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	case <-time.After(limit):
		t.Fatalf("%s: not done after %s: its commit was held", what, limit)
	}
}

func nothing(*wtx) error { return nil }

// A caller alone, waiting for each commit before its next write, is never
// held: no one else's writes are coming to share the commit.
func TestCommitHoldNeverDelaysALoneCaller(t *testing.T) {
	s, _ := openTest(t, Options{CommitDelay: time.Hour})
	holds := 0
	s.onHold = func() { holds++ }
	ctx := context.Background()
	for i := range 50 {
		within(t, 10*time.Second, "background write", func() error { return s.background(ctx, nothing) })
		if holds != 0 {
			t.Fatalf("write %d: the writer held a commit for a lone caller", i)
		}
	}
}

// A held commit of background work is ended at once by a write someone
// waits on (a submit), and both share that one commit.
func TestCommitHoldEndsForASubmit(t *testing.T) {
	s, _ := openTest(t, Options{CommitDelay: time.Hour})
	s.rate = arrivalRate{ops: 1000, dur: 1} // others' writes arriving at 1,000/s
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func() { once.Do(func() { close(holding) }) }
	ctx := context.Background()
	before := s.commits.Load()

	bg := make(chan error, 1)
	go func() { bg <- s.background(ctx, nothing) }()
	select {
	case <-holding:
	case err := <-bg:
		t.Fatalf("the background write was committed at once (%v), not held", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never held the background write")
	}
	within(t, 10*time.Second, "submit", func() error { return s.update(ctx, nothing) })
	within(t, 10*time.Second, "held background write", func() error { return <-bg })
	if n := s.commits.Load() - before; n != 1 {
		t.Errorf("%d commits for the held write and the submit; want 1 shared", n)
	}
}

// A hold ends when holdBatch writes are in it, long before CommitDelay,
// and they share one commit.
func TestCommitHoldEndsWhenTheBatchIsFull(t *testing.T) {
	s, _ := openTest(t, Options{CommitDelay: time.Hour})
	s.rate = arrivalRate{ops: 1000, dur: 1}
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func() { once.Do(func() { close(holding) }) }
	ctx := context.Background()
	before := s.commits.Load()
	errs := make(chan error, holdBatch)
	go func() { errs <- s.background(ctx, nothing) }()
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never held the first background write")
	}
	for range holdBatch - 1 {
		go func() { errs <- s.background(ctx, nothing) }()
	}
	for i := range holdBatch {
		within(t, 10*time.Second, fmt.Sprintf("held write %d of %d", i+1, holdBatch), func() error { return <-errs })
	}
	if n := s.commits.Load() - before; n != 1 {
		t.Errorf("%d commits for %d held writes; want 1", n, holdBatch)
	}
}

func TestArrivalRate(t *testing.T) {
	var r arrivalRate
	if r.expect(time.Second) != 0 {
		t.Error("no commits yet: want 0 expected")
	}
	for range 50 {
		r.observe(1, time.Millisecond) // one op queued during each 1 ms commit
	}
	if got := r.expect(2 * time.Millisecond); got < 1.9 || got > 2.1 {
		t.Errorf("1 op per ms: expect(2ms) = %.2f, want 2", got)
	}
	for range 50 {
		r.observe(0, time.Millisecond)
	}
	if got := r.expect(2 * time.Millisecond); got > 0.01 {
		t.Errorf("after 50 commits with nothing queued: expect(2ms) = %.3f, want about 0", got)
	}
}

// Close does not wait out a held commit: what is held is committed.
func TestCloseEndsAHold(t *testing.T) {
	// 30 s: well past within's 10 s, and the cleanup's Close of a broken
	// writer still ends.
	s, _ := openTest(t, Options{CommitDelay: 30 * time.Second})
	s.rate = arrivalRate{ops: 1000, dur: 1}
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func() { once.Do(func() { close(holding) }) }
	bg := make(chan error, 1)
	go func() { bg <- s.background(context.Background(), nothing) }()
	select {
	case <-holding:
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never held the background write")
	}
	within(t, 10*time.Second, "Close during a hold", s.Close)
	within(t, 10*time.Second, "the held write", func() error { return <-bg })
}
