package configs

import "time"

// Connector is one way out: an SMPP carrier or a modem. It is never used
// unless Enabled (fail closed). Exactly one of SMPP and Modem is set,
// by Type.
type Connector struct {
	Name    string `yaml:"name"`    // required, unique; routes name it
	Type    string `yaml:"type"`    // smpp or modem; required
	Enabled bool   `yaml:"enabled"` // default false: the connector is not used

	SMPP  *SMPPConnector  `yaml:"-"` // the type's keys, when Type is "smpp"
	Modem *ModemConnector `yaml:"-"` // the type's keys, when Type is "modem"
}

// Connector types.
const (
	TypeSMPP  = "smpp"
	TypeModem = "modem"
)

// SMPPConnector is an ESME bind to a carrier's SMSC (smpp.CarrierOptions).
// Its keys sit beside name, type and enabled in the connector's mapping.
type SMPPConnector struct {
	Host       string    `yaml:"host"` // required
	Port       int       `yaml:"port"` // default 2775
	TLS        ClientTLS `yaml:"tls"`
	SystemID   string    `yaml:"system_id"`       // required; up to 15 characters
	Password   Secret    `yaml:"password,secret"` // password, password_env or password_file; required
	SystemType string    `yaml:"system_type"`     // up to 12 characters; default empty
	// Bind is transceiver (one bind both ways) or transmitter_receiver
	// (a transmitter and a receiver bind). Default transceiver.
	Bind     string `yaml:"bind"`
	Sessions int    `yaml:"sessions"` // binds kept open; default 1

	// TON and NPI of addresses; nil: chosen per address (international
	// E.164 is TON 1 NPI 1, alphanumeric TON 5 NPI 0, short codes TON 3).
	SourceTON *int `yaml:"source_ton"`
	SourceNPI *int `yaml:"source_npi"`
	DestTON   *int `yaml:"dest_ton"`
	DestNPI   *int `yaml:"dest_npi"`
	// AddressRange is the bind's address_range (inbound routing at the
	// SMSC); default empty.
	AddressRange string `yaml:"address_range"`

	Window          int           `yaml:"window"`           // submits outstanding at once; default 10
	TPS             float64       `yaml:"tps"`              // submit_sm per second; 0: no limit
	EnquireLink     time.Duration `yaml:"enquire_link"`     // enquire_link interval (sent on a timer, busy or not); default 30s; 0: never
	ResponseTimeout time.Duration `yaml:"response_timeout"` // default 10s
	Reconnect       Backoff       `yaml:"reconnect"`        // default 1s to 60s
	// ReassemblyTimeout is how long an inbound long message waits for
	// its missing parts before it is stored as it is, the gap named in
	// its reason; default 2m (Kannel's 30 minutes would hide a
	// caller's text that long).
	ReassemblyTimeout time.Duration `yaml:"reassembly_timeout"`

	// LongMessages is how a message longer than one part goes: udh
	// (default), sar or payload (see the Long* constants).
	LongMessages string `yaml:"long_messages"`
	// DataCoding is how text is encoded: gsm7_0 (default), gsm7_1,
	// latin1 or ucs2 (see the Coding* constants).
	DataCoding string `yaml:"data_coding"`
	// DefaultAlphabet is what data_coding 0x00 means in the carrier's MO:
	// gsm7 or latin1 (Kannel's alt-charset); "" (default) is latin1 with
	// data_coding gsm7_1, else gsm7. A text with an octet above 0x7F is
	// read as Latin-1 either way.
	DefaultAlphabet string `yaml:"default_alphabet"`
	// ReceiptIDs is how receipts spell the ids submit_sm_resp gave:
	// auto (default), exact, hex_to_decimal or decimal_to_hex (see the
	// ReceiptIDs* constants), as Kannel's msg-id-type.
	ReceiptIDs string `yaml:"receipt_ids"`
	// ValidityFormat is how a message's validity goes in validity_period:
	// absolute (default, UTC, as Kannel sends it) or relative (how long
	// from now: right whatever the carrier's clock and ours say, for
	// SMSCs that take SMPP 3.4's relative form).
	ValidityFormat string `yaml:"validity_format"`
}

// Values of SMPPConnector.Bind, LongMessages, DataCoding, DefaultAlphabet,
// ReceiptIDs and ValidityFormat.
const (
	BindTransceiver         = "transceiver"          // one bind_transceiver
	BindTransmitterReceiver = "transmitter_receiver" // a bind_transmitter and a bind_receiver

	LongUDH     = "udh"     // a concatenation header in each part's short_message
	LongSAR     = "sar"     // the sar_* TLVs, no header
	LongPayload = "payload" // one submit_sm, the whole text in message_payload

	CodingGSM7Default = "gsm7_0" // GSM 03.38 7-bit as data_coding 0x00 (the SMSC default alphabet)
	CodingGSM7IA5     = "gsm7_1" // GSM 03.38 7-bit as data_coding 0x01 (carriers that read 0x00 as Latin-1)
	CodingLatin1      = "latin1" // ISO-8859-1 as data_coding 0x03 where it suffices, else UCS-2
	CodingUCS2        = "ucs2"   // always UCS-2, data_coding 0x08 (carriers that mangle GSM 7-bit)

	AlphabetGSM7   = "gsm7"   // data_coding 0x00 in MO is GSM 03.38, one septet per octet
	AlphabetLatin1 = "latin1" // data_coding 0x00 in MO is ISO-8859-1

	ReceiptIDsAuto         = "auto"           // as given; matched across bases only where an id has a hex letter
	ReceiptIDsExact        = "exact"          // receipts spell ids as submit_sm_resp did
	ReceiptIDsHexToDecimal = "hex_to_decimal" // submit_sm_resp in hex, receipts in decimal
	ReceiptIDsDecimalToHex = "decimal_to_hex" // submit_sm_resp in decimal, receipts in hex

	ValidityAbsolute = "absolute" // validity_period as a UTC time (YYMMDDhhmmss000+)
	ValidityRelative = "relative" // validity_period as a span from now (YYMMDDhhmmss000R)
)

// ClientTLS configures TLS to a carrier (SMPP over TLS).
type ClientTLS struct {
	Enabled            bool   `yaml:"enabled"`              // default false
	ServerName         string `yaml:"server_name"`          // default the host
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"` // tests only; config check warns
	CAFile             string `yaml:"ca_file"`              // PEM roots; default the system's
}

// Backoff is a reconnect schedule: the wait doubles from Initial up to Max.
type Backoff struct {
	Initial time.Duration `yaml:"initial"` // default 1s
	Max     time.Duration `yaml:"max"`     // default 60s
}

// ModemConnector is a GSM/LTE modem driven over AT commands
// (modem.Options). Its keys sit beside name, type and enabled.
type ModemConnector struct {
	Port    string `yaml:"port"`       // device path or tcp://host:port; required
	Baud    int    `yaml:"baud"`       // default 115200
	PIN     Secret `yaml:"pin,secret"` // SIM PIN: pin, pin_env or pin_file; optional
	SMSC    string `yaml:"smsc"`       // SMSC number (E.164); default the SIM's
	Number  string `yaml:"number"`     // the line's own number (E.164), for inbound messages
	Storage string `yaml:"storage"`    // SMS storage; default SM

	CommandTimeout time.Duration `yaml:"command_timeout"` // per AT command; default 10s
	SendTimeout    time.Duration `yaml:"send_timeout"`    // per AT+CMGS; default 60s
	PollInterval   time.Duration `yaml:"poll_interval"`   // signal and registration; default 30s
	MinGap         time.Duration `yaml:"min_gap"`         // pause between two parts sent; default 0
	Reconnect      Backoff       `yaml:"reconnect"`       // reopening the port; default 1s to 60s
	ResetAfter     int           `yaml:"reset_after"`     // failed opens before a modem reset; default 5; 0: never
	// ReassemblyTimeout: as for a carrier; default 2m.
	ReassemblyTimeout time.Duration `yaml:"reassembly_timeout"`
	// Languages are the national shift tables the operator accepts
	// (turkish, spanish, portuguese, bengali, …); default none.
	Languages     []string `yaml:"languages"`
	StatusReports bool     `yaml:"status_reports"` // ask for a status report on every part; default true
	Trace         bool     `yaml:"trace"`          // log every AT line at debug level; default false
}
