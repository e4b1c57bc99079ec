// Package pdu is smsgw's GSM SMS codec: the alphabets of 3GPP TS 23.038
// (GSM 03.38) and the TPDUs of TS 23.040 (GSM 03.40), in the PDU-mode
// framing of TS 27.005 that modems speak. It does no I/O.
//
// # Basics
//
// To send, plan the text and build one SMS-SUBMIT per segment:
//
//	to, _ := pdu.ParseAddress("+13195550100")
//	subs, plan, err := pdu.EncodeText(to, "Help is on the way", pdu.SubmitOptions{
//		Options:             pdu.Options{Languages: []pdu.Language{pdu.LangSpanish}},
//		StatusReportRequest: true,
//		Ref:                 refs.Next(to.String()), // a *pdu.RefCounter
//	})
//	for _, s := range subs {
//		tpdu, _ := s.AppendBinary(nil)
//		frame, _ := pdu.AppendFrame(nil, pdu.Address{}, tpdu) // "00": the SIM's SMSC
//		// AT+CMGS=<len(tpdu)>, then hex(frame) and Ctrl-Z
//	}
//
// PlanText answers "how many segments, in which encoding" without encoding,
// for previews and billing. The planner picks the fewest segments among
// GSM 7-bit, GSM 7-bit with the national shift tables the caller allows,
// and UCS-2; on a tie the default alphabet wins, then UCS-2, then the
// shift tables. An escape pair or a UTF-16 surrogate pair is never split.
//
// To receive, Decode a PDU as AT+CMGR prints it (SMSC part first) or
// DecodeTPDU a bare TPDU, then read the *Deliver or *StatusReport. Feed
// the parts of concatenated messages to a Reassembler (DeliverPart makes
// one from a Deliver); Export and Restore let the spool keep its state.
//
// # Caveats
//
//   - Decoders never panic and return a *DecodeError naming the TS 23.040
//     field and the byte offset. A TP-UD shorter than its TP-UDL is decoded
//     as far as it goes and flagged Truncated rather than refused.
//   - Compressed user data (TS 23.042) is recognised but not decompressed.
//   - TP-MR counts up per segment from SubmitOptions.MR; modems usually
//     replace it, so match status reports on the MR the modem reports.
//   - Two-digit years 90-99 decode as 199x (published vectors are that
//     old), 00-89 as 20xx.
//   - The national language tables follow TS 23.038 Annex A; see
//     internal/charset for the few places where transcriptions of the
//     specification disagree and what was chosen.
package pdu
