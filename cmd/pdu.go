package cmd

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/pdu"
)

func newPduCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "pdu",
		Short: "Encode and decode GSM 03.40 PDUs as modems take and print them",
	}
	c.AddCommand(newPduEncodeCmd(), newPduDecodeCmd(), newPduPlanCmd())
	return c
}

// textFlags are the flags that choose an encoding.
type textFlags struct {
	ucs2      bool
	gsm7      bool
	languages []string
	ref16     bool
}

func (f *textFlags) register(c *cobra.Command) {
	c.Flags().BoolVar(&f.ucs2, "ucs2", false, "force UCS-2 (default: the encoding with the fewest segments)")
	c.Flags().BoolVar(&f.gsm7, "gsm7", false, "force GSM 7-bit (fails if a character has no GSM code)")
	c.Flags().StringSliceVar(&f.languages, "languages", nil, "national shift tables that may be used (turkish,spanish,portuguese,bengali,gujarati,hindi,kannada,malayalam,oriya,punjabi,tamil,telugu,urdu)")
	c.Flags().BoolVar(&f.ref16, "ref16", false, "use 16-bit concatenation references")
	c.MarkFlagsMutuallyExclusive("ucs2", "gsm7")
}

func (f *textFlags) options() (pdu.Options, error) {
	o := pdu.Options{Ref16: f.ref16}
	switch {
	case f.ucs2:
		o.Encoding = pdu.UCS2
	case f.gsm7:
		o.Encoding = pdu.GSM7
	}
	for _, name := range f.languages {
		l, err := pdu.ParseLanguage(strings.TrimSpace(name))
		if err != nil {
			return o, withCode(ExitUsage, err)
		}
		o.Languages = append(o.Languages, l)
	}
	return o, nil
}

func newPduEncodeCmd() *cobra.Command {
	var (
		tf       textFlags
		to, text string
		smsc     string
		srr      bool
		mr, ref  uint16
		vp       string
		class    int
		asJSON   bool
	)
	c := &cobra.Command{
		Use:   "encode --to N --text T",
		Short: "Print one SMS-SUBMIT PDU per segment, as AT+CMGS takes it",
		Long: `Print one SMS-SUBMIT PDU per segment, in hex, SMSC part first ("00": use the
SIM's SMSC). The encoding with the fewest segments is chosen unless --ucs2 or
--gsm7 forces one. Standard error gets a summary with the length to give
AT+CMGS for each segment; --json prints [{"pdu": HEX, "tpdu_length": N}, ...].`,
		Example: `  smsgw pdu encode --to +13195550100 --text "Help is on the way"
  smsgw pdu encode --to +905321234567 --text "Yardım yolda" --languages turkish --json
  smsgw pdu encode --to 112 --text "TEST" --class 0 --srr --vp 4h`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o, err := tf.options()
			if err != nil {
				return err
			}
			dest, err := pdu.ParseAddress(to)
			if err != nil {
				return withCode(ExitUsage, fmt.Errorf("--to: %w", err))
			}
			var sca pdu.Address
			if smsc != "" {
				if sca, err = pdu.ParseAddress(smsc); err != nil {
					return withCode(ExitUsage, fmt.Errorf("--smsc: %w", err))
				}
			}
			so := pdu.SubmitOptions{Options: o, StatusReportRequest: srr, MR: byte(mr), Ref: ref}
			if mr > 255 {
				return withCode(ExitUsage, fmt.Errorf("--mr %d: want 0 to 255", mr))
			}
			if !o.Ref16 && ref > 255 {
				return withCode(ExitUsage, fmt.Errorf("--ref %d: want 0 to 255 (or pass --ref16)", ref))
			}
			if class >= 0 {
				if so.Class, err = pdu.ClassFromNumber(class); err != nil {
					return withCode(ExitUsage, fmt.Errorf("--class: %w", err))
				}
			}
			if vp != "" {
				if so.Validity, err = parseValidity(vp); err != nil {
					return withCode(ExitUsage, fmt.Errorf("--vp: %w", err))
				}
			}
			subs, plan, err := pdu.EncodeText(dest, text, so)
			if err != nil {
				return err
			}
			return printSubmits(c.OutOrStdout(), c.ErrOrStderr(), sca, subs, plan, asJSON)
		},
	}
	tf.register(c)
	fl := c.Flags()
	fl.StringVar(&to, "to", "", "destination: +E.164, national digits, or a short code")
	fl.StringVar(&text, "text", "", "message text (UTF-8)")
	fl.StringVar(&smsc, "smsc", "", "SMSC number to put in the PDU (default: 00, the SIM's SMSC)")
	fl.BoolVar(&srr, "srr", false, "request a status report (TP-SRR)")
	fl.Uint16Var(&mr, "mr", 0, "TP-MR of the first segment (0-255); the next segments count up")
	fl.Uint16Var(&ref, "ref", 0, "concatenation reference (0-255, or 0-65535 with --ref16)")
	fl.StringVar(&vp, "vp", "", "validity: relative (90m, 24h, 3d, 2w) or absolute (RFC 3339)")
	fl.IntVar(&class, "class", -1, "message class 0-3 (0: flash, shown at once and not stored)")
	fl.BoolVar(&asJSON, "json", false, `print [{"pdu": HEX, "tpdu_length": N}, ...]`)
	_ = c.MarkFlagRequired("to")
	_ = c.MarkFlagRequired("text")
	return c
}

// parseValidity reads a relative validity (a Go duration, or a whole
// number of days "3d" or weeks "2w") or an absolute RFC 3339 time.
func parseValidity(s string) (pdu.Validity, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return pdu.AbsoluteValidity(t), nil
	}
	d, err := parseDuration(s)
	if err != nil {
		return pdu.Validity{}, fmt.Errorf("%q is neither a duration (90m, 24h, 3d, 2w) nor an RFC 3339 time", s)
	}
	return pdu.RelativeValidity(d)
}

// parseDuration reads a Go duration or a whole number of days ("3d") or
// weeks ("2w"), as the configuration does.
func parseDuration(s string) (time.Duration, error) {
	d, err := configs.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration (90m, 24h, 3d, 2w)", s)
	}
	return d, nil
}

type encodedPDU struct {
	PDU        string `json:"pdu"`
	TPDULength int    `json:"tpdu_length"`
}

func printSubmits(out, errOut io.Writer, smsc pdu.Address, subs []pdu.Submit, plan pdu.Plan, asJSON bool) error {
	list := make([]encodedPDU, 0, len(subs))
	for i := range subs {
		tpdu, err := subs[i].AppendBinary(nil)
		if err != nil {
			return fmt.Errorf("segment %d: %w", i+1, err)
		}
		frame, err := pdu.AppendFrame(nil, smsc, tpdu)
		if err != nil {
			return err
		}
		list = append(list, encodedPDU{PDU: strings.ToUpper(hex.EncodeToString(frame)), TPDULength: len(tpdu)})
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	lens := make([]string, len(list))
	for i, e := range list {
		if _, err := fmt.Fprintln(out, e.PDU); err != nil {
			return err
		}
		lens[i] = fmt.Sprint(e.TPDULength)
	}
	_, err := fmt.Fprintf(errOut, "# %s; AT+CMGS length per segment: %s\n", plan, strings.Join(lens, ", "))
	return err
}

func newPduPlanCmd() *cobra.Command {
	var (
		tf     textFlags
		text   string
		asJSON bool
	)
	c := &cobra.Command{
		Use:     "plan --text T",
		Short:   "Show the encoding and segment count a text needs, without encoding it",
		Example: `  smsgw pdu plan --text "Çok teşekkürler, yardım geliyor" --languages turkish`,
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			o, err := tf.options()
			if err != nil {
				return err
			}
			p, err := pdu.PlanText(text, o)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(c.OutOrStdout()).Encode(planJSON(p))
			}
			_, err = fmt.Fprintf(c.OutOrStdout(), "encoding:    %s\nlocking:     %s\nsingle:      %s\nsegments:    %d\nunits:       %d\nper_segment: %d\nfree:        %d\n",
				p.Encoding, p.Locking, p.Single, p.Segments, p.Units, p.PerSegment, p.Free)
			return err
		},
	}
	tf.register(c)
	c.Flags().StringVar(&text, "text", "", "message text (UTF-8)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	_ = c.MarkFlagRequired("text")
	return c
}

func planJSON(p pdu.Plan) map[string]any {
	return map[string]any{
		"encoding": p.Encoding, "locking": p.Locking.String(), "single": p.Single.String(),
		"segments": p.Segments, "units": p.Units, "per_segment": p.PerSegment, "free": p.Free,
	}
}

func newPduDecodeCmd() *cobra.Command {
	var noSCA, asJSON bool
	c := &cobra.Command{
		Use:   "decode [HEX]",
		Short: "Decode an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT PDU",
		Long: `Decode a PDU as AT+CMGR, AT+CMGL or +CMT print it: SMSC part first. Use
--no-sca for a bare TPDU, as some modems print +CDS. Spaces and line breaks in
HEX are ignored; with no argument the PDU is read from standard input.`,
		Example: `  smsgw pdu decode 07917283010010F5040BC87238880900F10000993092516195800AE8329BFD4697D9EC37
  smsgw pdu decode --json 0011000B916407281553F80000AA0AE8329BFD4697D9EC37`,
		Args: cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			in := strings.Join(args, "")
			if len(args) == 0 {
				b, err := io.ReadAll(io.LimitReader(c.InOrStdin(), 1<<16))
				if err != nil {
					return err
				}
				in = string(b)
			}
			raw, err := parseHex(in)
			if err != nil {
				return withCode(ExitUsage, err)
			}
			s, err := decodeSummary(raw, noSCA)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(s)
			}
			return printSummary(c.OutOrStdout(), s)
		},
	}
	c.Flags().BoolVar(&noSCA, "no-sca", false, "the PDU has no SMSC part (a bare TPDU)")
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

// parseHex reads hex digits, ignoring white space.
func parseHex(s string) ([]byte, error) {
	clean := strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\r', '\n':
			return -1
		}
		return r
	}, s)
	if clean == "" {
		return nil, errors.New("no PDU given: pass the hex as an argument or on standard input")
	}
	b, err := hex.DecodeString(clean)
	if err != nil {
		var ie hex.InvalidByteError
		if errors.As(err, &ie) {
			return nil, fmt.Errorf("PDU is not hexadecimal: %q at position %d", rune(ie), strings.IndexRune(clean, rune(ie))+1)
		}
		return nil, fmt.Errorf("PDU has an odd number of hex digits (%d)", len(clean))
	}
	return b, nil
}

// decodeSummary decodes with or without the SMSC part. Without --no-sca,
// a PDU that fails with one but decodes as a bare TPDU is shown with a
// warning, since modems differ in what +CDS prints.
func decodeSummary(raw []byte, noSCA bool) (pdu.Summary, error) {
	if noSCA {
		m, err := pdu.DecodeTPDU(raw)
		if err != nil {
			return pdu.Summary{}, err
		}
		return pdu.Summarize(pdu.Address{}, m, len(raw)), nil
	}
	smsc, m, err := pdu.Decode(raw)
	if err == nil {
		n, _ := smsc.AppendSMSC(nil)
		return pdu.Summarize(smsc, m, len(raw)-len(n)), nil
	}
	if m2, err2 := pdu.DecodeTPDU(raw); err2 == nil {
		s := pdu.Summarize(pdu.Address{}, m2, len(raw))
		s.Warning = "decoded as a bare TPDU (no SMSC part); pass --no-sca to say so"
		return s, nil
	}
	return pdu.Summary{}, err
}

func printSummary(w io.Writer, s pdu.Summary) error {
	var b strings.Builder
	line := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%-10s %s\n", k+":", v)
		}
	}
	line("type", s.Type)
	line("smsc", s.SMSC)
	role := map[string]string{"SMS-DELIVER": "from", "SMS-SUBMIT": "to", "SMS-STATUS-REPORT": "recipient"}[s.Type]
	line(role, fmt.Sprintf("%s (%s)", s.Address, s.TON))
	if s.MR != nil {
		line("mr", fmt.Sprint(*s.MR))
	}
	if s.Status != nil {
		line("status", fmt.Sprintf("%s: %s (0x%02X)", s.Status.Outcome, s.Status.Text, s.Status.Code))
	}
	line("scts", s.SCTS)
	line("discharge", s.Discharge)
	line("validity", s.Validity)
	if s.SRR {
		line("srr", "status report requested")
	}
	enc := s.Encoding
	if s.Locking != "" {
		enc += fmt.Sprintf(" (locking %s, single %s)", s.Locking, s.Single)
	}
	line("encoding", enc)
	if s.Class != nil {
		line("class", fmt.Sprint(*s.Class))
	}
	if s.Concat != nil {
		line("concat", fmt.Sprintf("part %d of %d, ref %d", s.Concat.Seq, s.Concat.Total, s.Concat.Ref))
	}
	if s.Ports != nil {
		line("ports", fmt.Sprintf("%d <- %d", s.Ports.Dst, s.Ports.Src))
	}
	if s.MessageWaiting != nil {
		line("waiting", fmt.Sprintf("%s active=%v store=%v", s.MessageWaiting.Kind, s.MessageWaiting.Active, s.MessageWaiting.Store))
	}
	if s.Text != nil {
		line("text", *s.Text)
	}
	line("data", s.Data)
	line("warning", s.Warning)
	_, err := io.WriteString(w, b.String())
	return err
}
