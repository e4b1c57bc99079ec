package pdu_test

import (
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/smsgw/smsgw/pdu"
)

func ExampleEncodeText() {
	to, _ := pdu.ParseAddress("+46708251358")
	vp, _ := pdu.RelativeValidity(96 * 60 * 60 * 1e9) // 4 days
	subs, plan, _ := pdu.EncodeText(to, "hellohello", pdu.SubmitOptions{Validity: vp})
	tpdu, _ := subs[0].AppendBinary(nil)
	frame, _ := pdu.AppendFrame(nil, pdu.Address{}, tpdu)
	fmt.Println(plan.Encoding, plan.Segments, len(tpdu))
	fmt.Println(strings.ToUpper(hex.EncodeToString(frame)))
	// Output:
	// gsm7 1 23
	// 0011000B916407281553F80000AA0AE8329BFD4697D9EC37
}

func ExamplePlanText() {
	// 155 letters and three extension characters (two septets each).
	p, _ := pdu.PlanText(strings.Repeat("a", 155)+"€{}", pdu.Options{})
	fmt.Println(p.Encoding, p.Segments, p.Units, p.PerSegment, p.Free)
	// Output: gsm7 2 161 153 145
}

func ExampleDecode() {
	raw, _ := hex.DecodeString("07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37")
	smsc, m, _ := pdu.Decode(raw)
	d := m.(*pdu.Deliver)
	text, _ := d.Text()
	fmt.Println(smsc, d.Originator, d.SCTS.Format("2006-01-02 15:04:05 -07:00"), text)
	// Output: +27381000015 27838890001 1999-03-29 15:16:59 +02:00 hellohello
}

func ExampleUserData_AppendText() {
	// The text of a message in two parts, decoded into one buffer.
	subs, _, _ := pdu.EncodeText(pdu.Address{}, strings.Repeat("Ж", 70)+"!", pdu.SubmitOptions{})
	var text []byte
	for _, s := range subs {
		text, _ = s.AppendText(text)
	}
	fmt.Println(len(subs), len([]rune(string(text))), string(text[len(text)-3:]))
	// Output: 2 71 Ж!
}
