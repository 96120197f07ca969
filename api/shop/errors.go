package shop

import (
	"context"
	"errors"
	"fmt"

	"github.com/cardflow/cardflow/flow"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// The statuses API.md gives failures. They are plain numbers here so that the
// package stays free of net/http; the starter prints them as the API answers them.
const (
	StatusNotFound     = 404
	StatusConflict     = 409
	StatusInvalid      = 422
	StatusInternal     = 500
	StatusBadGateway   = 502
	StatusTimeout      = 504
	codeNotFound       = "not_found"
	codeTimeout        = "timeout"
	codeInternal       = "internal"
	codeSubscriptionEx = "subscription_exists"
)

// Error is a failed request in the contract's terms: the status and error body
// (code, message, field) the API answers.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string // the request field at fault, as the body names it; "" for none
	// Err is the fault behind an internal or unavailable answer, for logs and
	// the operator's terminal; a shop never sees it.
	Err error
}

func (e *Error) Error() string {
	s := fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message)
	if e.Field != "" {
		s += " [field " + e.Field + "]"
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// InvalidState is a command the current status does not allow: 409.
func InvalidState(msg string) *Error {
	return &Error{Status: StatusConflict, Code: flow.ErrTypeInvalidState, Message: msg}
}

// Rejected classifies an error of a request's own checks (CheckRequest, the
// duration parsing): a workflows rejection keeps its type, message and field
// (invalid_state 409, invalid_request 422); anything else is a 422 too, since
// nothing was started.
func Rejected(err error) *Error {
	if typ, msg, field, ok := flow.Rejection(err); ok {
		return &Error{Status: rejectionStatus(typ), Code: typ, Message: msg, Field: field}
	}
	return &Error{Status: StatusInvalid, Code: flow.ErrTypeInvalidRequest, Message: err.Error()}
}

// Classify maps an error of a Temporal call (update, query, start) about one
// order or subscription (what, id): 502 when the command's processor call
// failed for good (the workflow shows it as its attention), 409/422 for an
// update validator's rejection, 404 unknown workflow, 504 when the workflow did
// not answer in time, else 500 with the error kept in Err. An *Error passes
// through unchanged.
func Classify(err error, what, id string) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == flow.ErrTypeProcessor {
		return &Error{Status: StatusBadGateway, Code: flow.ErrTypeProcessor, Message: app.Message()}
	}
	if _, _, _, ok := flow.Rejection(err); ok {
		return Rejected(err)
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return &Error{Status: StatusNotFound, Code: codeNotFound, Message: "no such " + what + ": " + id}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Status: StatusTimeout, Code: codeTimeout, Message: what + " " + id + " did not answer in time"}
	}
	return &Error{Status: StatusInternal, Code: codeInternal, Message: "could not reach the workflow of " + what + " " + id, Err: err}
}
