package policy_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/smsgw/smsgw/spool"
	"github.com/smsgw/smsgw/spool/policy"
)

// An ingress checks a submission, enqueues what the Decision says, and
// gives the quota unit back if the enqueue fails. A handset's STOP
// suppresses it.
func Example() {
	dir, _ := os.MkdirTemp("", "policy-example")
	defer os.RemoveAll(dir)
	store, err := spool.Open(filepath.Join(dir, "spool.db"), spool.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	ctx := context.Background()

	p, err := policy.New(store, []policy.Tenant{{
		ID:            "psap-north",
		DefaultRegion: "US",
		Senders:       []string{"+13195550100", "PSAPNORTH"},
		DefaultSender: "+13195550100",
		QuotaPerDay:   10000,
		OptOut:        policy.OptOut{HelpText: "PSAP North callbacks. Reply STOP to opt out."},
	}}, policy.Options{})
	if err != nil {
		log.Fatal(err)
	}

	d, err := p.Check(ctx, policy.Submission{Tenant: "psap-north", To: "(319) 555-0123", Source: "http:cad-1"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("allowed:", d.To, "from", d.From, "in", d.Country)
	if _, _, err := store.Enqueue(ctx, &spool.Message{Tenant: d.Tenant, From: d.From, To: d.To,
		Body: "Help is on the way.", Source: "http:cad-1"}); err != nil {
		p.Release(d)
	}

	a, _ := p.Inbound(ctx, "psap-north", "+13195550123", "+13195550100", "Stop")
	fmt.Println("inbound:", a.Action, a.Recipient, "line", a.Line)

	_, err = p.Check(ctx, policy.Submission{Tenant: "psap-north", To: "+1 319 555 0123", Source: "smpp:cad"})
	var pe *policy.Error
	if errors.As(err, &pe) {
		fmt.Println("refused:", pe.ErrorCode(), pe.ErrorField(), "-", pe)
	}
	_, err = p.Check(ctx, policy.Submission{Tenant: "psap-north", To: "+44 7400 123456", From: "psapnorth"})
	if errors.As(err, &pe) {
		fmt.Println("refused:", pe.ErrorCode(), pe.ErrorField(), "-", pe)
	}
	// Output:
	// allowed: +13195550123 from +13195550100 in US
	// inbound: stop +13195550123 line +13195550100
	// refused: suppressed to - recipient +13195550123 opted out of messages from +13195550100
	// refused: country_not_allowed to - recipient +447400123456 is in GB, which tenant psap-north may not send to
}
