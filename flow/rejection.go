package flow

import (
	"errors"

	"go.temporal.io/sdk/temporal"
)

// Error types of update rejections. Update validators return them, so a rejected
// command never enters history; the API maps them to 409 and 422.
const (
	ErrTypeInvalidState   = "invalid_state"   // the command is not allowed in the current status: 409
	ErrTypeInvalidRequest = "invalid_request" // well-formed but invalid (amounts, quantities): 422
)

// InvalidState rejects a command the current status does not allow.
func InvalidState(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalidState, nil)
}

// InvalidRequest rejects a command whose content is invalid; field names the culprit
// in the API's terms (e.g. "items[0].quantity").
func InvalidRequest(field, msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, ErrTypeInvalidRequest, nil, field)
}

// Rejection unpacks an error returned through an update or query: its type
// (ErrTypeInvalidState, ErrTypeInvalidRequest, ErrTypeTooManyAttempts,
// ErrTypeKeyReused), message and field. ok is false for any other error.
func Rejection(err error) (typ, msg, field string, ok bool) {
	var app *temporal.ApplicationError
	if !errors.As(err, &app) {
		return "", "", "", false
	}
	switch app.Type() {
	case ErrTypeInvalidState, ErrTypeInvalidRequest, ErrTypeTooManyAttempts, ErrTypeKeyReused:
	default:
		return "", "", "", false
	}
	if app.HasDetails() {
		_ = app.Details(&field)
	}
	return app.Type(), app.Message(), field, true
}
