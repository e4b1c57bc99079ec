package configs

import "errors"

// Errors returned by the package. Callers compare with errors.Is.
var (
	// ErrRestartRequired is matched by the error Reloadable returns when
	// a change cannot be applied to the running gateway.
	ErrRestartRequired = errors.New("configs: change needs a restart")

	errSecretTooLarge = errors.New("secret file larger than 64 KiB")
	errSecretEmpty    = errors.New("secret file is empty")
)
