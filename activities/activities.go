package activities

import (
	"context"
	"errors"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
)

// Processor is what the activities need of a card processor: the money calls,
// each with its idempotency key, and the card account updater. Declines are
// values (payment.Outcome); errors are transport faults (retryable) or
// contract errors (*payment.ProcessorError, not retryable).
type Processor interface {
	Authorize(ctx context.Context, c payment.Charge) (payment.Outcome, error)
	Sale(ctx context.Context, c payment.Charge) (payment.Outcome, error)
	Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	Void(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error)
	// UpdateCard asks the account updater for news of the token's card.
	UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error)
}

// Validator is the validity check of account and payment method: nil means
// the charge may go ahead; a failure names its reason code.
type Validator interface {
	Validate(ctx context.Context, req payment.ValidationRequest) (*payment.Failure, error)
}

// Screener is the fraud screen.
type Screener interface {
	Screen(ctx context.Context, req payment.FraudRequest) (payment.FraudResult, error)
}

// Notifier delivers one notification; an error means it was not delivered.
type Notifier interface {
	Notify(ctx context.Context, n payment.Notification) error
}

// Activities holds the adapters. Register a *Activities with the worker; each
// method is one activity type named after the method.
type Activities struct {
	Processor     Processor
	Authenticator Authenticator
	Validator     Validator
	Fraud         Screener
	Notifier      Notifier
	// ReturnURL is where a challenge sends the browser back for the
	// authentication of an idempotency key (payment.ReturnURL).
	ReturnURL func(key string) string
}

// Validate runs the validity check. A nil failure means the charge may go ahead.
func (a *Activities) Validate(ctx context.Context, req payment.ValidationRequest) (*payment.Failure, error) {
	f, err := a.Validator.Validate(ctx, req)
	return f, classify(err)
}

// Screen runs the fraud screen.
func (a *Activities) Screen(ctx context.Context, req payment.FraudRequest) (payment.FraudResult, error) {
	r, err := a.Fraud.Screen(ctx, req)
	return r, classify(err)
}

// Authorize reserves the amount on the card.
func (a *Activities) Authorize(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	o, err := a.Processor.Authorize(ctx, c)
	return o, classify(err)
}

// Sale authorizes and captures in one step.
func (a *Activities) Sale(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	o, err := a.Processor.Sale(ctx, c)
	return o, classify(err)
}

// Capture takes (part of) an authorization.
func (a *Activities) Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	o, err := a.Processor.Capture(ctx, op)
	return o, classify(err)
}

// Void releases what was authorized and not captured.
func (a *Activities) Void(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	o, err := a.Processor.Void(ctx, op)
	return o, classify(err)
}

// Refund gives back (part of) what was captured.
func (a *Activities) Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	o, err := a.Processor.Refund(ctx, op)
	return o, classify(err)
}

// UpdateCardInput asks the account updater about a token.
type UpdateCardInput struct {
	Key   string `json:"idempotency_key"`
	Token string `json:"token"`
}

// UpdateCard asks the card account updater whether the token's card has news.
func (a *Activities) UpdateCard(ctx context.Context, in UpdateCardInput) (payment.CardUpdate, error) {
	u, err := a.Processor.UpdateCard(ctx, in.Key, in.Token)
	return u, classify(err)
}

// Notify sends one webhook; it fails (and is retried) until the receiver answers 2xx.
func (a *Activities) Notify(ctx context.Context, n payment.Notification) error {
	return a.Notifier.Notify(ctx, n)
}

// classify marks processor contract errors (4xx) non-retryable: the same request
// cannot succeed later. Everything else is a fault Temporal retries.
func classify(err error) error {
	if err == nil {
		return nil
	}
	var perr *payment.ProcessorError
	if errors.As(err, &perr) {
		return temporal.NewNonRetryableApplicationError(perr.Error(), perr.Code, err)
	}
	return err
}
