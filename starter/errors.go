package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/adapters/processor"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// apiError is a failed command in the API's terms (API.md: status, code,
// message, field), so an operator reads the same words in the terminal as a shop
// reads in an HTTP answer.
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("%s (%d): %s", e.Code, e.Status, e.Message)
	if e.Field != "" {
		s += " [field " + e.Field + "]"
	}
	return s
}

// usageError is a command line that cannot be run: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Sprintf(format, args...)}
}

func invalidRequest(field, msg string) *apiError {
	return &apiError{Status: http.StatusUnprocessableEntity, Code: workflows.ErrTypeInvalidRequest, Message: msg, Field: field}
}

func invalidState(msg string) *apiError {
	return &apiError{Status: http.StatusConflict, Code: workflows.ErrTypeInvalidState, Message: msg}
}

// fromRejection turns a workflows rejection (an update validator's or a
// CheckRequest's) into the API's 409 or 422; other errors come back unchanged.
func fromRejection(err error) error {
	typ, msg, field, ok := workflows.Rejection(err)
	if !ok {
		return err
	}
	if typ == workflows.ErrTypeInvalidState {
		return &apiError{Status: http.StatusConflict, Code: typ, Message: msg, Field: field}
	}
	return invalidRequest(field, msg)
}

// fromWorkflowError maps an error of a Temporal call about one order or
// subscription (what, id) the way the API's writeWorkflowError does.
func fromWorkflowError(err error, what, id string) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case workflows.ErrTypeOrderExists:
			return &apiError{Status: http.StatusConflict, Code: app.Type(), Message: app.Message(), Field: "order_id"}
		case "processor_error":
			return &apiError{Status: http.StatusBadGateway, Code: app.Type(), Message: app.Message()}
		}
	}
	if r := fromRejection(err); r != err {
		return r
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: "no such " + what + ": " + id}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &apiError{Status: http.StatusGatewayTimeout, Code: "timeout", Message: what + " " + id + " did not answer in time"}
	}
	return fmt.Errorf("%s %s: %w", what, id, err)
}

// fromCardError maps a failed card check or tokenization. Neither error carries
// card data (payment.FieldError and processor errors are written that way).
func fromCardError(err error) error {
	var fe *payment.FieldError
	if errors.As(err, &fe) {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: fe.Code, Message: fe.Message, Field: fe.Field}
	}
	var perr *processor.Error
	if errors.As(err, &perr) && perr.Status == http.StatusUnprocessableEntity {
		return &apiError{Status: http.StatusUnprocessableEntity, Code: perr.Code, Message: "the card was refused by the processor", Field: "card.number"}
	}
	return &apiError{Status: http.StatusBadGateway, Code: "processor_unavailable", Message: "the card vault is not reachable; try again (" + err.Error() + ")"}
}
