package spool_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/smsgw/smsgw/spool"
)

// A message goes in, is leased by a sender, handed to a carrier, and its
// receipt (with the id written differently) closes it.
func Example() {
	dir, _ := os.MkdirTemp("", "spool-example")
	defer os.RemoveAll(dir)
	s, err := spool.Open(filepath.Join(dir, "spool.db"), spool.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()

	m, _, err := s.Enqueue(ctx, &spool.Message{Tenant: "psap-north", To: "+13195550123",
		Body: "Help is on the way.", Priority: spool.PriorityEmergency, Source: "http:cad-1"})
	if err != nil {
		log.Fatal(err) // spool.ErrSpoolFull: answer "try later", nothing was stored
	}
	fmt.Println("acknowledged:", m.State)

	leased, _ := s.Lease(ctx, 10, spool.PriorityNormal)
	fmt.Println("leased:", leased[0].State, "attempt", leased[0].Attempts)

	_ = s.Complete(ctx, m.ID, 1, spool.Result{Connector: "carrier-a", ProviderIDs: []string{"1A2B"}})
	got, _ := s.ApplyReport(ctx, spool.Report{Connector: "carrier-a", ProviderID: "6699", State: spool.StateDelivered})
	fmt.Println("receipt:", got.State, got.State.Stat(), "message_state", got.State.SMPPState())
	for _, e := range got.Timeline {
		fmt.Println(" ", e.State, e.Actor)
	}
	// Output:
	// acknowledged: queued
	// leased: sending attempt 1
	// receipt: delivered DELIVRD message_state 2
	//   accepted http:cad-1
	//   queued spool
	//   sending spool
	//   sent connector:carrier-a
	//   delivered connector:carrier-a
}
