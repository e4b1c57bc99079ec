package gateway

import (
	"crypto/tls"
	"fmt"
	"net"

	"github.com/nyaruka/phonenumbers"

	"github.com/smsgw/smsgw/configs"
)

// listenTLS opens the SMPP-over-TLS listener.
func listenTLS(t *configs.TLSListener) (net.Listener, error) {
	cert, err := serverCert(t)
	if err != nil {
		return nil, err
	}
	ln, err := tls.Listen("tcp", t.Listen, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12})
	if err != nil {
		return nil, fmt.Errorf("listen %s: %w", t.Listen, err)
	}
	return ln, nil
}

// serverCert loads the SMPP-over-TLS listener's key pair.
func serverCert(t *configs.TLSListener) (tls.Certificate, error) {
	cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
	if err != nil {
		return cert, fmt.Errorf("listen.smpp_tls: %w", err)
	}
	return cert, nil
}

// countryOf is the ISO region of an E.164 number, for routes by country.
func countryOf(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return ""
	}
	return phonenumbers.GetRegionCodeForNumber(n)
}
