package land

import (
	"errors"
	"fmt"
	"strings"
)

// Kind says what sort of failure an Error is; the web layer maps it to a status.
type Kind string

// Kinds of domain errors.
const (
	KindInvalid      Kind = "invalid"       // bad input: 422
	KindNotFound     Kind = "not-found"     // 404
	KindConflict     Kind = "conflict"      // clashes with stored data (overlap, duplicate): 409
	KindStale        Kind = "stale"         // If-Match does not match the stored version: 412
	KindForbidden    Kind = "forbidden"     // the actor has no right to this write: 403
	KindOutsideParks Kind = "outside-parks" // the parcel lies in no park: 422
)

// FieldError names one field at fault and why, in Chinese. Field is
// "geometry" for a spatial fault.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is a domain error a person can act on: a Chinese title, a detail, and
// the fields at fault.
type Error struct {
	Kind   Kind
	Title  string // Chinese, short
	Detail string // Chinese, what to do
	Fields []FieldError
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", e.Kind, e.Title)
	if e.Detail != "" {
		b.WriteString(": " + e.Detail)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	return b.String()
}

// Invalid builds a KindInvalid error from field errors.
func Invalid(title string, fields ...FieldError) *Error {
	return &Error{Kind: KindInvalid, Title: title, Fields: fields}
}

// ErrNotFound is returned (wrapped) by stores when a row does not exist.
var ErrNotFound = errors.New("not found")

// ErrVersionConflict is returned (wrapped) by stores when an update's
// expected version is not the stored one.
var ErrVersionConflict = errors.New("version conflict")

// ErrBusy is returned (wrapped) by stores when another process held the
// database's write lock longer than the store waits for it (a large import
// from the command line next to the server): the write can be tried again.
var ErrBusy = errors.New("database busy")

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
