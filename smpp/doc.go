// Package smpp is smsgw's SMPP 3.4 side: one session layer for both
// roles (our carrier connector binds as an ESME; our server accepts
// upstream applications), on github.com/fiorix/go-smpp's PDU codec. The
// codec's own session layer (Transmitter, Receiver, Transceiver, smpptest)
// is not used.
//
// # Basics
//
// A Session is one connection: Run reads; Request sends a request and
// waits for its response, at most SessionOptions.Window at once; the
// Handler answers the peer's requests (Respond, RespondStatus), and past
// SessionOptions.Inbound in hand the peer gets ESME_RTHROTTLED. The
// session answers enquire_link and unbind itself, sends enquire_link every
// SessionOptions.EnquireLink, and writes with a deadline.
//
//	c := smpp.NewCarrier(smpp.CarrierOptions{Name: "carrier-a",
//		Addr: "smsc.example:2775", SystemID: "smsgw", Password: pw,
//		TLS: tlsConf}, sink)   // TLS nil: plain TCP; sink: a route.Sink
//	go c.Run(ctx)             // binds, rebinds with backoff; unbinds at the end
//	// c is a route.Connector: the router calls c.Send
//
//	srv := smpp.NewServer(smpp.ServerOptions{Accounts: accts,
//		Lookup: store, Parts: store}, submitter)
//	go srv.Serve(ctx, ln)     // SMPP over TLS: tls.NewListener(ln, conf)
//	// srv.Deliver is the spool.Deliverer of outbox items "smpp:<system_id>"
//
// The Carrier keeps CarrierOptions.Sessions binds up (transceivers, or
// transmitter and receiver pairs) and sends one submit_sm per part, round
// robin and paced (TPS, and slower while the carrier answers
// ESME_RTHROTTLED or ESME_RMSGQFUL). Long messages go with a UDH, the SAR
// TLVs or message_payload (LongMessages). It answers a deliver_sm or
// data_sm only after the Sink has it: a receipt (by its
// receipted_message_id and message_state TLVs, else its text) goes to
// Sink.Report; an MO part is joined in a route.Reassembly, then stored.
//
// The Server checks binds against Accounts (bcrypt or plain passwords,
// MaxBinds, a TPS per account) and answers submit_sm and submit_multi
// once the Submitter has the message on disk; query_sm and cancel_sm see
// the account's tenant only. With Parts, the parts of a long message are
// held in the spool and joined into one message. Receipts (ReceiptText and
// TLVs) and MO go back as deliver_sm through Deliver, which returns once
// deliver_sm_resp came. The subpackage smscsim is a simulated carrier SMSC.
//
// # Caveats
//
//   - A submit_sm whose response does not come in time, or whose bind
//     drops first, may have been delivered: it is retried as a possible
//     duplicate (CarrierHealth.PossibleDuplicates), a timed-out session
//     first draining its window and unbinding. A request already written
//     waits for its response even when its context ends (a shutdown), up
//     to ResponseTimeout, so that its outcome is known.
//   - go-smpp's NewDeliverSM writes a corrupt PDU (LIBRARIES.md S3), so
//     deliver_sm goes out as a relabelled submit_sm; its constructors take
//     sequence numbers from a process-wide counter, so each is overwritten.
//   - go-smpp decodes cut-short bodies without error and leaves fields
//     out: fields are read through helpers that take a missing one as
//     empty, mandatory fields are checked here, and a codec panic is a
//     decode error.
//   - go-smpp decodes no data_sm, cancel_sm, replace_sm, alert_notification
//     or outbind. The Carrier parses data_sm and the Server cancel_sm from
//     the raw octets, the Server reads an application's data_sm as the
//     submit_sm it amounts to (answered with a data_sm_resp), and the Carrier logs alert_notification (which has
//     no response); the rest get generic_nack ESME_RINVCMDID. A
//     command_length under 16 or over 64 KiB closes the session.
//   - go-smpp reads a deliver_sm's UDH past sm_length: one with the UDHI
//     flag is decoded with it cleared, then the flag put back. It reads a
//     submit_sm_resp message_id without its NUL as empty: the octets are
//     taken as the id.
//   - Receipts can overtake submit_sm_resp (the spool parks them). Ids that
//     the carrier spells in hex in one and decimal in the other match only
//     when one has a hex letter, unless CarrierOptions.ReceiptIDs says so.
//   - data_coding 0x00 is GSM 7-bit, in the carrier's MO unless
//     CarrierOptions.DefaultAlphabet says Latin-1, and in submits unless
//     the Account's DefaultAlphabet does; a text with an octet above 0x7F
//     (no GSM septet) is read as Latin-1 either way. Of go-smpp's
//     pdutext only Raw is used (its codecs fall back to UTF-8 silently).
//   - Tests run against smscsim and, when node is installed, the npm smpp
//     package; no real carrier SMSC.
package smpp
