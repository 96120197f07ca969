package activities

import (
	"context"

	"github.com/cardflow/cardflow/payment"
)

// Authenticator is the processor's 3-D Secure side, beside the Processor: it
// authenticates the cardholder before a customer-initiated charge, answers
// the result of an authentication server-side (the workflows never take a
// browser's word for it) and verifies a card for zero. Failed
// authentications are values (Authentication.Status); errors are as the
// Processor's.
type Authenticator interface {
	Authenticate(ctx context.Context, req payment.AuthenticationRequest) (payment.Authentication, error)
	AuthenticationResult(ctx context.Context, id string) (payment.Authentication, error)
	// Verify is a zero-amount authorization of the card (a subscription's
	// start with a trial), voided with Processor.Void.
	Verify(ctx context.Context, c payment.Charge) (payment.Outcome, error)
}

// Authenticate asks the processor to authenticate the cardholder. The
// return URL is the worker's (ReturnURL): it carries the signed key of this
// authentication, so the API's return endpoint can route the browser back to
// the workflow without secrets in workflow state.
func (a *Activities) Authenticate(ctx context.Context, req payment.AuthenticationRequest) (payment.Authentication, error) {
	if a.ReturnURL != nil {
		req.ReturnURL = a.ReturnURL(req.Key)
	}
	r, err := a.Authenticator.Authenticate(ctx, req)
	return r, classify(err)
}

// AuthenticationResult asks the processor how an authentication ended.
func (a *Activities) AuthenticationResult(ctx context.Context, id string) (payment.Authentication, error) {
	r, err := a.Authenticator.AuthenticationResult(ctx, id)
	return r, classify(err)
}

// Verify authorizes zero on the card.
func (a *Activities) Verify(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	o, err := a.Authenticator.Verify(ctx, c)
	return o, classify(err)
}
