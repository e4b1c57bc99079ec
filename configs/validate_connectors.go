package configs

import (
	"strconv"
	"strings"
)

func (d *decoder) validateConnectors(c *Config) {
	names := map[string]string{}
	ports := map[string]string{}
	if len(c.Connectors) == 0 {
		d.warnf("connectors", "no connectors: nothing can be sent")
	}
	for i := range c.Connectors {
		k, p := &c.Connectors[i], index("connectors", i)
		if d.name(join(p, "name"), k.Name) {
			d.unique(names, join(p, "name"), "connector", k.Name)
		}
		switch {
		case k.Type == "":
			d.errorf(join(p, "type"), "required (smpp or modem)")
		case k.SMPP != nil:
			d.validateSMPP(k.SMPP, p)
		case k.Modem != nil:
			d.validateModem(k.Modem, p)
			if k.Modem.Port != "" {
				d.unique(ports, join(p, "port"), "modem port", k.Modem.Port)
			}
		default:
			d.errorf(join(p, "type"), "%q is not one of smpp, modem", k.Type)
		}
	}
}

func (d *decoder) validateSMPP(s *SMPPConnector, p string) {
	if s.Host == "" {
		d.errorf(join(p, "host"), "required")
	} else if msg := hostProblem(s.Host); msg != "" {
		d.errorf(join(p, "host"), "%s", msg)
	}
	if msg := portProblem(strconv.Itoa(s.Port)); msg != "" {
		d.errorf(join(p, "port"), "%s", msg)
	}
	tp := join(p, "tls")
	if s.TLS.InsecureSkipVerify {
		d.warnf(join(tp, "insecure_skip_verify"), "the carrier's certificate is not checked: for tests only")
	}
	d.readableFile(join(tp, "ca_file"), &s.TLS.CAFile, false)
	if s.SystemID == "" {
		d.errorf(join(p, "system_id"), "required")
	}
	d.maxLen(join(p, "system_id"), s.SystemID, 15)
	d.required(p, "password", false, s.Password)
	d.longPassword(p, s.Password)
	d.maxLen(join(p, "system_type"), s.SystemType, 12)
	d.maxLen(join(p, "address_range"), s.AddressRange, 40)
	d.enum(join(p, "bind"), s.Bind, BindTransceiver, BindTransmitterReceiver)
	d.between(join(p, "sessions"), s.Sessions, 1, 16)
	for _, ton := range []struct {
		key string
		v   *int
	}{{"source_ton", s.SourceTON}, {"dest_ton", s.DestTON}} {
		if ton.v != nil {
			d.between(join(p, ton.key), *ton.v, 0, 6)
		}
	}
	for _, npi := range []struct {
		key string
		v   *int
	}{{"source_npi", s.SourceNPI}, {"dest_npi", s.DestNPI}} {
		if npi.v != nil && !validNPI[*npi.v] {
			d.errorf(join(p, npi.key), "%d is not an SMPP NPI (0, 1, 3, 4, 6, 8, 9, 10, 14 or 18)", *npi.v)
		}
	}
	d.between(join(p, "window"), s.Window, 1, 1000)
	d.rate(join(p, "tps"), s.TPS)
	d.notNegative(join(p, "enquire_link"), s.EnquireLink)
	d.positive(join(p, "response_timeout"), s.ResponseTimeout)
	d.positive(join(p, "reassembly_timeout"), s.ReassemblyTimeout)
	d.backoff(join(p, "reconnect"), s.Reconnect)
	d.enum(join(p, "long_messages"), s.LongMessages, LongUDH, LongSAR, LongPayload)
	d.enum(join(p, "data_coding"), s.DataCoding, CodingGSM7Default, CodingGSM7IA5, CodingLatin1, CodingUCS2)
	if s.DefaultAlphabet != "" {
		d.enum(join(p, "default_alphabet"), s.DefaultAlphabet, AlphabetGSM7, AlphabetLatin1)
	}
	d.enum(join(p, "receipt_ids"), s.ReceiptIDs, ReceiptIDsAuto, ReceiptIDsExact, ReceiptIDsHexToDecimal, ReceiptIDsDecimalToHex)
	d.enum(join(p, "validity_format"), s.ValidityFormat, ValidityAbsolute, ValidityRelative)
}

func (d *decoder) validateModem(m *ModemConnector, p string) {
	pp := join(p, "port")
	switch addr, isTCP := strings.CutPrefix(m.Port, "tcp://"); {
	case m.Port == "":
		d.errorf(pp, "required (a device such as /dev/serial/by-id/…, or tcp://host:port)")
	case isTCP:
		if msg := addrProblem(addr); msg != "" {
			d.errorf(pp, "%s", msg)
		}
	case !strings.HasPrefix(m.Port, "/"):
		d.errorf(pp, "%q: want a device path (/dev/…) or tcp://host:port", m.Port)
	}
	d.atLeast(join(p, "baud"), m.Baud, 1)
	if v := m.PIN.Value; v != "" && !pinRE.MatchString(v) {
		d.errorf(join(p, "pin"), "the SIM PIN must be 4 to 8 digits")
	}
	for _, num := range []struct{ key, v string }{{"smsc", m.SMSC}, {"number", m.Number}} {
		if num.v != "" && !e164RE.MatchString(num.v) {
			d.errorf(join(p, num.key), "%q is not an E.164 number (+, country code, up to 15 digits)", num.v)
		}
	}
	if !storageRE.MatchString(m.Storage) {
		d.errorf(join(p, "storage"), "%q is not a message storage (SM, ME, MT, …)", m.Storage)
	}
	d.positive(join(p, "command_timeout"), m.CommandTimeout)
	d.positive(join(p, "reassembly_timeout"), m.ReassemblyTimeout)
	d.positive(join(p, "send_timeout"), m.SendTimeout)
	d.positive(join(p, "poll_interval"), m.PollInterval)
	d.notNegative(join(p, "min_gap"), m.MinGap)
	d.backoff(join(p, "reconnect"), m.Reconnect)
	if m.ResetAfter < 0 {
		d.errorf(join(p, "reset_after"), "want zero (never reset) or more, got %d", m.ResetAfter)
	}
	for j, l := range m.Languages {
		if !languages[strings.ToLower(l)] {
			d.errorf(index(join(p, "languages"), j), "%q is not a national language table (turkish, spanish, portuguese, bengali, gujarati, hindi, kannada, malayalam, oriya, punjabi, tamil, telugu, urdu)", l)
		}
	}
}

func (d *decoder) backoff(p string, b Backoff) {
	d.positive(join(p, "initial"), b.Initial)
	if b.Max < b.Initial {
		d.errorf(join(p, "max"), "shorter than initial (%s)", b.Initial)
	}
}
