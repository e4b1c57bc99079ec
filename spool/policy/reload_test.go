package policy

import (
	"errors"
	"sync"
	"testing"
)

func TestSetTenantsConcurrentWithChecks(t *testing.T) {
	a := psapNorth()
	b := psapNorth()
	b.AllowedCountries = []string{"US", "GB"}
	b.Senders = append(b.Senders, "+13195550102")
	e := newEnv(t, a)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				to := "+13195550123"
				if (i+w)%2 == 1 {
					to = "+447400123456"
				}
				_, err := e.check(Submission{To: to, From: "+13195550100"})
				var pe *Error
				if err != nil && (!errors.As(err, &pe) || pe.Code != CodeCountryNotAllowed) {
					t.Errorf("check: %v", err)
					return
				}
				if i%50 == 0 {
					_, _ = e.p.Inbound(t.Context(), "psap-north", "+13195550124", "+13195550100", []string{"STOP", "START"}[i/50%2])
				}
			}
		})
	}
	for i := range 200 {
		ts := []Tenant{a}
		if i%2 == 1 {
			ts = []Tenant{b}
		}
		if err := e.p.SetTenants(ts); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()

	// The last swap is the one in force.
	if _, err := e.check(Submission{To: "+447400123456", From: "+13195550102"}); err != nil {
		t.Fatalf("after reload to b: %v", err)
	}
}

func TestBadReloadKeepsOldTenants(t *testing.T) {
	e := newEnv(t)
	bad := psapNorth()
	bad.DefaultRegion = "XX"
	if err := e.p.SetTenants([]Tenant{bad, {ID: "new", DefaultRegion: "US"}}); err == nil {
		t.Fatal("bad reload accepted")
	}
	if _, err := e.check(Submission{To: "+13195550123"}); err != nil {
		t.Fatalf("old tenant lost: %v", err)
	}
	_, err := e.check(Submission{Tenant: "new", To: "+13195550123"})
	wantCode(t, err, CodeUnknownTenant, "tenant")
	// A tenant removed by a reload is refused.
	if err := e.p.SetTenants([]Tenant{{ID: "new", DefaultRegion: "US", DefaultSender: "NEW"}}); err != nil {
		t.Fatal(err)
	}
	_, err = e.check(Submission{To: "+13195550123"})
	wantCode(t, err, CodeUnknownTenant, "tenant")
	if _, err := New(e.store, []Tenant{bad}, Options{}); err == nil {
		t.Fatal("New with a bad tenant")
	}
}
