package stripeapi

import (
	"errors"
	"fmt"
	"net/http"

	stripe "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/payment"
)

// ErrUnavailable is wrapped by errors Stripe may answer differently later
// (rate limits, 5xx, lock timeouts, a network fault): the same request with
// the same idempotency key may be retried.
var ErrUnavailable = errors.New("stripe unavailable")

// Decline is a card_error answer: the decline as the catalogue words it, and the
// PaymentIntent Stripe created for the attempt ("" when Stripe sent none).
type Decline struct {
	Failure       *payment.Failure
	PaymentIntent string
}

// Classify sorts an error of a stripe-go call:
//   - a card_error is a decline (a value, not an error): decline set, err nil;
//   - rate limits, 5xx, lock_timeout, 401/403 and network faults wrap
//     ErrUnavailable (retryable: a key is fixed by an operator, and no money has
//     moved on a refused key);
//   - every other 4xx, idempotency errors included, is a *payment.ProcessorError
//     (not retryable: the same request cannot succeed).
//
// what names the call for the error message (ids and keys only, never card data).
func Classify(err error, what string) (*Decline, error) {
	if err == nil {
		return nil, nil
	}
	var se *stripe.Error
	if !errors.As(err, &se) {
		return nil, fmt.Errorf("stripe: %s: %w: %v", what, ErrUnavailable, err)
	}
	status := se.HTTPStatusCode
	switch {
	case se.Type == stripe.ErrorTypeCard:
		d := declineFor(string(se.DeclineCode), string(se.Code)).Failure(payment.StageProcessor)
		out := &Decline{Failure: d}
		if se.PaymentIntent != nil {
			out.PaymentIntent = se.PaymentIntent.ID
		}
		return out, nil
	case status == http.StatusTooManyRequests || se.Code == stripe.ErrorCodeRateLimit || se.Code == stripe.ErrorCodeLockTimeout,
		status >= 500 || se.Type == stripe.ErrorTypeAPI,
		status == http.StatusUnauthorized || status == http.StatusForbidden:
		return nil, fmt.Errorf("stripe: %s: %w: %d %s: %s (request %s)", what, ErrUnavailable, status, codeOf(se), se.Msg, se.RequestID)
	}
	return nil, &payment.ProcessorError{Status: status, Code: codeOf(se), Message: what + ": " + se.Msg, Field: se.Param}
}

// codeOf is the error's code, or its type when Stripe sent no code.
func codeOf(se *stripe.Error) string {
	if se.Code != "" {
		return string(se.Code)
	}
	if se.Type != "" {
		return string(se.Type)
	}
	return fmt.Sprintf("http_%d", se.HTTPStatusCode)
}

// Err is Classify for calls that move no money (look-ups, customers, payment
// methods), where a card_error is a contract error like any other refusal. It
// is a 422 on card.number, as the vault port reports a card the processor
// refuses (the API answers it as such; Stripe's own status is 402).
func Err(err error, what string) error {
	d, err := Classify(err, what)
	if d != nil {
		return &payment.ProcessorError{Status: http.StatusUnprocessableEntity, Code: d.Failure.Code,
			Message: what + ": the card was refused", Field: "card.number"}
	}
	return err
}
