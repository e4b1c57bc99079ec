// Package route chooses the connector for each message and defines the
// seams between the spool and the connectors: Connector (the way out:
// an SMPP carrier or a modem) and Sink (the way back in: receipts,
// inbound messages, and a connector's small durable state). Connectors
// never hold the spool.
//
// # Basics
//
//	r, err := route.New(rules, []route.Entry{
//		{Connector: carrier, Enabled: true, MaxInFlight: 10},
//		{Connector: mdm, Enabled: true, MaxInFlight: 1},
//	}, route.Options{CountryOf: countryOf})
//	d := &spool.Dispatcher{Store: store, Sender: r} // a Router is a spool.Sender
//	err = r.SetRules(next)                           // a reload
//	changed, err := r.SetEnabled("carrier-a", false) // close a gate live
//
// A Router holds Rules, tried in order (tenant, recipient prefixes,
// countries, minimum priority; the first match wins), and the connectors.
// A rule's connectors are tried in order (failover), by fewest sends in
// flight (Balance), or with one drawn at random in proportion to Weights
// first and the rest after it in order. A connector is usable when its
// gate is open (Entry.Enabled, then SetEnabled) and it reports Ready: the
// Router fails closed. Each connector takes at most MaxInFlight sends at
// once (default 4). An emergency message waits up to 30 s for a busy
// connector's slot, and while it waits no lower-priority send takes one.
//
// A message is deferred, never failed, by the Router itself: when no rule
// matches it or no connector of its rule is usable (Options.NoRouteWait,
// default 5 s), when every usable one is busy (BusyWait, 200 ms), or when
// its rule is at its TPS. The spool expires it when its validity ends.
// Usable, Health and Capacity describe the state for status pages and
// for sizing the dispatcher.
//
// StoreSink is the Sink over a *spool.Store. Reassembly joins the parts
// of concatenated inbound messages (from a modem or a carrier) and saves
// its state through a StateStore after every change, before the caller
// lets go of the part, so that a restart loses none. Readiness is a
// connector's ready flag that can be waited on.
//
// # Caveats
//
// Failover happens between attempts, not within one: a connector that
// returns an error gives the message back to the spool, which retries it
// with backoff; by then an unhealthy connector reports not ready and the
// next one in the rule is used. Sending the same attempt through a second
// connector at once would risk a duplicate when the first error was
// ambiguous (a timeout).
//
// SetEnabled closes a gate to new sends only: sends in flight finish.
// Connectors are fixed at New; SetRules replaces the rules whole, and
// refuses the lot if one names an unknown connector.
//
// A connector with weight 0 is not drawn first while one with a weight
// is usable, but it is still tried when the drawn one is busy.
//
// A rule's TPS gives each message past the rate a turn and defers it
// there; it takes that turn when it comes back (the pacer remembers up to
// 100,000 turns). An emergency message takes the next token at once and
// the turns booked after it move back by one. A high-priority message
// that must wait takes the earliest turn a normal message booked, and
// that message is given a new turn at the end: a long backlog of normal
// messages delays a high one by one turn, not the whole backlog.
//
// Reassembly releases an incomplete message as partial when its timeout
// (default 30 minutes) runs out: RunExpiry, which the carrier and the
// modem run beside their sessions, does it on time. Add and RunExpiry
// both hand what they release to the caller's store and save the state
// only after it succeeded; a failed store puts the parts back, so the
// part comes again rather than the message being lost. A store that
// fails part way through several messages stores the first ones twice.
// Past 10,000 incomplete messages the oldest is released early.
package route
