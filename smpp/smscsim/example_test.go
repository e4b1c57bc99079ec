package smscsim_test

import (
	"fmt"
	"time"

	"github.com/smsgw/smsgw/smpp/smscsim"
)

func Example() {
	sim, err := smscsim.New(smscsim.Options{
		Accounts:        []smscsim.Account{{SystemID: "carrier", Password: "pw"}},
		IDFormat:        smscsim.IDHexLower,
		ReceiptIDFormat: smscsim.IDDecimal,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer sim.Close()
	// A gateway would bind to sim.Addr() as "carrier"/"pw". An MO queued
	// before it binds waits for its receiver.
	err = sim.DeliverMO(smscsim.MO{
		Source:   smscsim.Address{TON: 1, NPI: 1, Addr: "4917012345678"},
		Dest:     smscsim.Address{TON: 3, Addr: "12345"},
		Text:     "two parts, second first",
		PartSize: 12,
		Order:    []int{2, 1},
	})
	fmt.Println(err)
	for _, d := range sim.Deliveries() {
		fmt.Printf("part %d/%d udh % x acked %v\n", d.Part, d.Parts, d.ShortMessage[:6], d.Acked)
	}
	at := time.Date(2026, 11, 22, 6, 30, 0, 0, time.UTC)
	fmt.Println(smscsim.ReceiptText("42", smscsim.Undelivered, at, at.Add(time.Minute), []byte("hello")))
	// Output:
	// <nil>
	// part 2/2 udh 05 00 03 00 02 02 acked false
	// part 1/2 udh 05 00 03 00 02 01 acked false
	// id:42 sub:001 dlvrd:000 submit date:2611220630 done date:2611220631 stat:UNDELIV err:001 text:hello
}
