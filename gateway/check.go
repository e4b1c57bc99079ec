package gateway

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/smsgw/smsgw/configs"
	"github.com/smsgw/smsgw/spool/policy"
)

// Check makes the checks New makes of cfg beyond configs.Load's, without
// opening anything: the tenants' rules as the policy compiles them
// (countries with a numbering plan, opt-out keywords of one meaning),
// the connectors' TLS roots and modem languages, and the SMPP TLS
// listener's key pair. smsgw config check calls it, so that a file it
// passes does not stop smsgw serve.
func Check(cfg *configs.Config) error {
	var errs []error
	if err := policy.CheckTenants(policyTenants(cfg)); err != nil {
		errs = append(errs, fmt.Errorf("tenants: %w", err))
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range cfg.Connectors {
		var err error
		switch {
		case c.SMPP != nil:
			_, err = carrierOptions(cfg, c, quiet)
		case c.Modem != nil:
			_, err = modemOptions(cfg, c, quiet)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if t := cfg.Listen.SMPPTLS; t != nil {
		if _, err := serverCert(t); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
