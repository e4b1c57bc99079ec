package adminui

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"
)

// defaultReadTimeout applies when Options.ReadTimeout is not set.
const defaultReadTimeout = 30 * time.Second

// Form body limits. The send form is the largest: a text of 255 UCS-2
// segments is under 100 KiB once URL-encoded.
const (
	maxFormBytes  = 256 << 10
	maxLoginBytes = maxFormBytes // room for a draft carried across a new login (draftOf)
)

// readForm reads a POST's URL-encoded form, at most limit bytes (a
// multipart body is not read: its CSRF token is then missing). On failure
// it has answered 413, 408 or 400 and returns false.
func (u *UI) readForm(w http.ResponseWriter, r *http.Request, s *session, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	err := r.ParseForm()
	if err == nil {
		return true
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		u.errorPage(w, r, s, http.StatusRequestEntityTooLarge, "Form too large",
			fmt.Sprintf("The form is larger than %d KiB: shorten the text and try again.", limit>>10))
	case errors.Is(err, os.ErrDeadlineExceeded):
		u.errorPage(w, r, s, http.StatusRequestTimeout, "Form too slow", "The form did not arrive in time: try again.")
	default:
		u.errorPage(w, r, s, http.StatusBadRequest, "Form not readable", "The form could not be read: reload the page and try again.")
	}
	return false
}
