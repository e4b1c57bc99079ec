// Package smscsim is a simulated carrier SMSC, the server side of SMPP 3.4,
// for tests and the demo. It is shaped like net/http/httptest: New starts
// it on 127.0.0.1 at a free port, Addr says where, Close stops it, and the
// methods in between inspect it and inject faults. PDUs are encoded and
// decoded with github.com/fiorix/go-smpp's codec (smpp/pdu, pdufield,
// pdutlv) only.
//
// # Basics
//
//	sim, err := smscsim.New(smscsim.Options{
//		Accounts:        []smscsim.Account{{SystemID: "carrier", Password: "pw"}},
//		IDFormat:        smscsim.IDHexLower, // submit_sm_resp ids in hex,
//		ReceiptIDFormat: smscsim.IDDecimal,  // receipts in decimal, as some carriers do
//		ReceiptDelay:    50 * time.Millisecond,
//		Outcome:         func(smscsim.Submit) smscsim.Outcome { return smscsim.Undelivered },
//	})
//	defer sim.Close()
//	// the connector binds to sim.Addr()
//	subs, err := sim.WaitSubmits(ctx, 2) // every accepted submit_sm, decoded
//	sim.DeliverMO(smscsim.MO{Source: a, Dest: b, Text: long, PartSize: 153, Order: []int{2, 1}})
//	ds, err := sim.WaitAcked(ctx, 3)     // receipts and MO parts acknowledged
//
// The simulator accepts bind_transmitter, bind_receiver and
// bind_transceiver against Options.Accounts (ESME_RINVSYSID for an unknown
// system_id, ESME_RINVPASWD for a wrong password, ESME_RALYBND for a second
// bind on a bound session), answers enquire_link and unbind, and answers
// submit_sm with a new message id (a counter or random 64-bit number,
// printed in decimal or hex). Each accepted submit_sm is recorded (Submits,
// WaitSubmits) with its addresses, esm_class, data_coding,
// registered_delivery, short_message, UDH, SAR TLVs and message_payload.
//
// When registered_delivery asks for it (1: always, 2: on failure), a
// delivery receipt follows after Options.ReceiptDelay, with an outcome
// (Delivered, Undelivered, Expired or Rejected) from Options.Outcome or
// Options.Ratios: a deliver_sm with esm_class 0x04, the
// text of ReceiptText, and the TLVs receipted_message_id (0x001E) and
// message_state (0x0427). Receipts and MO (DeliverMO: single, or split into
// parts marked by UDH or SAR TLVs, in any order) go to a receiver or
// transceiver bind of the same system_id; they wait while none is bound.
// Deliveries records each with whether it was acknowledged (WaitDeliveries
// and WaitAcked wait for them); one not
// acknowledged when its session ends, or answered with an error, is sent
// again after the next bind, or after Options.Redeliver. Options.Window
// bounds the deliver_sm outstanding per session, as a real SMSC's window.
//
// Faults can be set at any time: SetThrottle (ESME_RTHROTTLED above a rate),
// SetQueueFull (ESME_RMSGQFUL for the next n), SetResponseDelay (slow
// submit_sm_resp), DropAfter (close the connection after n PDUs), Unbind
// (a server-initiated unbind) and IgnoreSubmits (never answer a submit_sm).
// An unknown command_id is answered with generic_nack ESME_RINVCMDID, a
// request whose body does not decode with generic_nack ESME_RINVMSGLEN and
// the request's sequence number; a command_length under 16 or over
// Options.MaxPDU closes the connection.
//
// # Caveats
//
//   - The codec's deliver_sm is broken (LIBRARIES.md S3): deliver_sm is
//     sent as a relabelled submit_sm, and read the same way. Its sequence
//     numbers are process-global, so every PDU's is overwritten with the
//     session's own (responses echo the request's).
//   - A PDU over 4096 bytes cannot be decoded by the codec, so MaxPDU is at
//     most 4096.
//   - Text is not encoded: MO.Text is sent as bytes with MO.DataCoding, and
//     the receipt's text: is the first 20 characters, printable ASCII only.
//   - The throttle counts accepted submits across all sessions in a sliding
//     second; throttled and queue-full submits are not recorded.
//   - Receipts are sent after the submit_sm_resp is written, so a client
//     never sees a receipt before its id; real SMSCs do not promise that.
//   - query_sm, submit_multi, cancel_sm, replace_sm and data_sm are not
//     served: they get generic_nack ESME_RINVCMDID.
//   - A session counts as bound from the moment its bind_resp is written;
//     deliver_sm never overtakes the bind_resp. Deliveries queued by two
//     goroutines at once (a receipt timer and DeliverMO) may interleave on
//     the wire; the parts of one DeliverMO call keep their order.
//   - There is no window: every pending deliver_sm is written at once, and
//     submit_sm is answered whatever the number outstanding.
//   - Delays are real time; tests should keep them in milliseconds and wait
//     with WaitSubmits, WaitDeliveries, WaitAcked, WaitBound and
//     WaitSessions, not sleeps.
package smscsim
