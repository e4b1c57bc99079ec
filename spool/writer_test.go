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

// slowArrivals is others' writes arriving at one per 10 s: with a long
// CommitDelay a background write is held, and the hold does not end for
// quiet until 20 s without one, far past within's limit.
var slowArrivals = arrivalRate{ops: 1, dur: 10}

// A caller alone, waiting for each commit before its next write, is never
// held: no one else's writes are coming to share the commit.
func TestCommitHoldNeverDelaysALoneCaller(t *testing.T) {
	s, _ := openTest(t, Options{CommitDelay: time.Hour})
	holds := 0
	s.onHold = func([]*op) { holds++ }
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
	s.rate = slowArrivals // others' writes arriving, slowly (see slowArrivals)
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func([]*op) { once.Do(func() { close(holding) }) }
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
	s.rate = slowArrivals
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func([]*op) { once.Do(func() { close(holding) }) }
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
	s.rate = slowArrivals
	holding := make(chan struct{})
	var once sync.Once
	s.onHold = func([]*op) { once.Do(func() { close(holding) }) }
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

// holdSpy records, for each hold, whether its batch had an ordinary
// submit, and signals the first hold.
type holdSpy struct {
	mu      sync.Mutex
	holds   int
	submits int // holds of a batch with an ordinary submit in it
	first   chan struct{}
	once    sync.Once
}

func spyOnHolds(s *Store) *holdSpy {
	h := &holdSpy{first: make(chan struct{})}
	s.onHold = func(batch []*op) {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.holds++
		for _, o := range batch {
			if o.class == opIntake {
				h.submits++
				break
			}
		}
		h.once.Do(func() { close(h.first) })
	}
	return h
}

func (h *holdSpy) counts() (holds, submits int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.holds, h.submits
}

// A lone submitter (an SMPP client with a window of 1) is never held,
// even though it sends each submit while background work commits (the
// dispatcher's lease of its last message): only submits that arrive
// while a submit commits show that submitters could share commits.
func TestCommitHoldNeverDelaysALoneSubmitter(t *testing.T) {
	// A short hold: the background work may be held (for company that
	// does not come); a held submit shows in the spy.
	s, _ := openTest(t, Options{CommitDelay: 20 * time.Millisecond})
	submitted := make(chan struct{}, 1)
	s.onQueued = func(o *op) {
		if o.class == opIntake {
			submitted <- struct{}{}
		}
	}
	spy := spyOnHolds(s)
	ctx := context.Background()
	for i := range 20 {
		running := make(chan struct{})
		var once sync.Once
		bg := make(chan error, 1)
		go func() {
			bg <- s.background(ctx, func(*wtx) error {
				once.Do(func() { close(running) })
				select { // the next submit arrives while this commits
				case <-submitted:
				case <-time.After(10 * time.Second):
				}
				return nil
			})
		}()
		<-running
		m := msg(fmt.Sprintf("+1415555%04d", i))
		within(t, 10*time.Second, "submit", func() error { _, _, err := s.Enqueue(ctx, m); return err })
		within(t, 10*time.Second, "background write", func() error { return <-bg })
	}
	if holds, submits := spy.counts(); submits != 0 {
		t.Errorf("%d of %d holds were of a lone submitter's submit", submits, holds)
	}
	if err := s.Close(); err != nil { // the writer's last observation is done
		t.Fatal(err)
	}
	if e := s.intakeRate.expect(time.Second); e != 0 {
		t.Errorf("a lone submitter: %.1f submits expected from others within a second, want 0", e)
	}
}

// While other submitters' submits are arriving, an ordinary submit waits
// for them; an emergency message's submit is never held, ends the hold,
// and they share one commit.
func TestCommitHoldSharesSubmitsButNotAnEmergency(t *testing.T) {
	s, _ := openTest(t, Options{CommitDelay: time.Hour})
	// Others' submits at one per 10 s: a hold waits for them up to an
	// hour, and ends after 20 s without one (far past within's limit).
	s.intakeRate = arrivalRate{ops: 1, dur: 10}
	s.rate = s.intakeRate
	spy := spyOnHolds(s)
	ctx := context.Background()
	before := s.commits.Load()
	errs := make(chan error, 1)
	submit := func(m *Message) { _, _, err := s.Enqueue(ctx, m); errs <- err }
	go submit(msg("+14155550001"))
	select {
	case <-spy.first:
	case err := <-errs:
		t.Fatalf("the first submit was committed at once (%v), not held", err)
	case <-time.After(10 * time.Second):
		t.Fatal("the writer never held the first submit")
	}
	e := msg("+14155550003")
	e.Priority = PriorityEmergency
	within(t, 10*time.Second, "emergency submit", func() error { _, _, err := s.Enqueue(ctx, e); return err })
	within(t, 10*time.Second, "held submit", func() error { return <-errs })
	if n := s.commits.Load() - before; n != 1 {
		t.Errorf("%d commits for the held submit and the emergency; want 1 shared", n)
	}
	if _, submits := spy.counts(); submits == 0 {
		t.Error("no hold had an ordinary submit in it")
	}
}

// A hold ends when writes stop arriving, long before CommitDelay: a
// hold of submits when a client with a window of 10 has sent them all,
// a hold of background work when the outbox's workers are all in it.
func TestCommitHoldEndsWhenWritesStop(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		rate  func(*Store) *arrivalRate
		write func(*Store, int) error
		held  func(holds, submits int) int
	}{
		{"submits", func(s *Store) *arrivalRate { return &s.intakeRate },
			func(s *Store, i int) error {
				_, _, err := s.Enqueue(ctx, msg(fmt.Sprintf("+1415555%04d", i)))
				return err
			},
			func(_, submits int) int { return submits }},
		{"background work", func(s *Store) *arrivalRate { return &s.rate },
			func(s *Store, _ int) error { return s.background(ctx, nothing) },
			func(holds, _ int) int { return holds }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := openTest(t, Options{CommitDelay: time.Hour})
			// Expected at 1,000/s: quiet for 2/1,000 s ends the hold.
			*tc.rate(s) = arrivalRate{ops: 1, dur: 1e-3}
			spy := spyOnHolds(s)
			for i := range 3 {
				within(t, 10*time.Second, tc.name, func() error { return tc.write(s, i) })
			}
			if tc.held(spy.counts()) == 0 {
				t.Errorf("no %s was held: the test shows nothing", tc.name)
			}
		})
	}
}
