package spool

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestListFiltersAndPages(t *testing.T) {
	s, clk := openTest(t, Options{})
	var all []string
	for i := range 25 {
		m := msg(fmt.Sprintf("+131955500%02d", i%5))
		if i%2 == 0 {
			m.Tenant = "council"
		}
		m.ClientRef = fmt.Sprintf("ref-%d", i)
		all = append(all, mustEnqueue(t, s, m).ID)
		clk.Add(time.Second)
	}
	// Newest first, in pages, with no gaps or repeats.
	var seen []string
	cursor := ""
	for {
		p, err := s.List(Filter{}, cursor, 10)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range p.Messages {
			seen = append(seen, m.ID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	if len(seen) != 25 || seen[0] != all[24] || seen[24] != all[0] {
		t.Fatalf("paged %d, first %s last %s", len(seen), seen[0], seen[len(seen)-1])
	}
	check := func(name string, f Filter, want int) {
		t.Helper()
		p, err := s.List(f, "", 100)
		if err != nil || len(p.Messages) != want {
			t.Errorf("%s: %d messages, want %d (%v)", name, len(p.Messages), want, err)
		}
		for _, m := range p.Messages {
			if !f.match(m) {
				t.Errorf("%s: %s does not match", name, m.ID)
			}
		}
	}
	check("recipient", Filter{To: "+13195550003"}, 5)
	check("tenant", Filter{Tenant: "council"}, 13)
	check("tenant+recipient", Filter{Tenant: "council", To: "+13195550000"}, 3)
	check("client ref", Filter{Tenant: "council", ClientRef: "ref-4"}, 1)
	check("state", Filter{State: StateQueued}, 25)
	check("delivered", Filter{State: StateDelivered}, 0)
	start := clk.Now().Add(-25 * time.Second)
	check("since", Filter{Since: start.Add(20 * time.Second)}, 5)
	check("until", Filter{Until: start.Add(5 * time.Second)}, 5)
	check("window", Filter{Since: start.Add(5 * time.Second), Until: start.Add(10 * time.Second), Tenant: "council"}, 2)
	if _, err := s.List(Filter{}, "not-a-cursor", 10); err == nil {
		t.Error("a bad cursor was accepted")
	}
}

// TestReadersWhileWriting reads (List, Get, Stats) from several
// goroutines while others enqueue and lease; run with -race.
func TestReadersWhileWriting(t *testing.T) {
	s, _ := openTest(t, Options{})
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 50 {
				mustEnqueue(t, s, msg(fmt.Sprintf("+1319555%02d%02d", w, i)))
			}
		}()
	}
	var readers sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				p, err := s.List(Filter{State: StateQueued}, "", 20)
				if err == nil {
					for _, m := range p.Messages {
						if _, err = s.Get(m.ID); err != nil {
							break
						}
					}
				}
				if err == nil {
					_, err = s.Stats()
				}
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	leased := 0
	for leased < 400 {
		got, err := s.Lease(bg, 50, PriorityNormal)
		if err != nil {
			t.Fatal(err)
		}
		leased += len(got)
		if len(got) == 0 {
			select {
			case <-s.Wake():
			case <-time.After(5 * time.Second):
				t.Fatalf("no new work signalled; leased %d of 400", leased)
			}
		}
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if st, _ := s.Stats(); st.States["sending"] != 400 {
		t.Fatalf("sending = %d", st.States["sending"])
	}
}
