package spool

// parseMessage decodes a message record's JSON in the form appendMessage
// writes (no spaces, its keys in its order, escapes as encoding/json
// writes them),
// without reflection. Anything else (a space, an unknown key, a \u
// surrogate, invalid UTF-8, a number with a fraction) makes it report
// false, and encoding/json decodes the record instead: both give the same
// Message for whatever this one accepts (FuzzParseMessage checks it).
func parseMessage(b []byte, m *Message) bool {
	d := jsonScan{b: b}
	return d.object(messageKeys, func(k string) bool {
		switch k {
		case "id":
			m.ID = d.str()
		case "tenant":
			m.Tenant = d.str()
		case "direction":
			m.Direction = Direction(d.str())
		case "from":
			m.From = d.str()
		case "to":
			m.To = d.str()
		case "body":
			m.Body = d.str()
		case "binary":
			m.Binary = d.bytes()
		case "udh":
			m.UDH = d.bytes()
		case "flash":
			m.Class0 = d.bool()
		case "redacted":
			m.Redacted = d.bool()
		case "priority":
			p, err := ParsePriority(d.str())
			m.Priority, d.bad = p, d.bad || err != nil
		case "valid_until":
			m.ValidUntil = d.time()
		case "send_at":
			m.SendAt = d.time()
		case "received_at":
			m.ReceivedAt = d.time()
		case "client_ref":
			m.ClientRef = d.str()
		case "report":
			m.ReportReq = d.bool()
		case "report_fail_only":
			m.ReportFailOnly = d.bool()
		case "report_accepted":
			m.ReportAccepted = d.bool()
		case "source":
			m.Source = d.str()
		case "source_addr":
			m.SourceAddr = d.str()
		case "encoding":
			m.Encoding = d.str()
		case "segments":
			m.Segments = d.int()
		case "route":
			m.Route = d.str()
		case "connector":
			m.Connector = d.str()
		case "state":
			m.State = d.state()
		case "reason":
			m.Reason = d.str()
		case "attempts":
			m.Attempts = d.int()
		case "max_attempts":
			m.MaxAttempts = d.int()
		case "next_at":
			m.NextAt = d.time()
		case "parts":
			m.Parts = parseArray(&d, func(p *Part) bool {
				return d.object(partKeys, func(k string) bool {
					switch k {
					case "seq":
						p.Seq = d.int()
					case "provider_id":
						p.ProviderID = d.str()
					case "state":
						p.State = d.state()
					case "error":
						p.Error = d.str()
					case "updated_at":
						p.UpdatedAt = d.time()
					default:
						return false
					}
					return !d.bad
				})
			})
		case "timeline":
			m.Timeline = parseArray(&d, func(e *Event) bool {
				return d.object(eventKeys, func(k string) bool {
					switch k {
					case "at":
						e.At = d.time()
					case "state":
						e.State = d.state()
					case "detail":
						e.Detail = d.str()
					case "actor":
						e.Actor = d.str()
					default:
						return false
					}
					return !d.bad
				})
			})
		case "updated_at":
			m.UpdatedAt = d.time()
		case "idempotency":
			m.Idempotency = d.str()
		case "retry_of":
			m.RetryOf = d.str()
		case "callback":
			m.Callback = d.str()
		default:
			return false
		}
		return !d.bad
	}) && d.i == len(d.b)
}

// parseArray reads null or an array of objects, each by one.
func parseArray[T any](d *jsonScan, one func(*T) bool) []T {
	if d.null() {
		return nil
	}
	if !d.byte('[') {
		return nil
	}
	out := []T{}
	if d.peek(']') {
		d.i++
		return out
	}
	for {
		var v T
		if !one(&v) {
			d.bad = true
			return nil
		}
		out = append(out, v)
		if d.peek(',') {
			d.i++
			continue
		}
		if !d.byte(']') {
			return nil
		}
		return out
	}
}
