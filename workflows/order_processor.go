package workflows

import (
	"context"
	"errors"
	"math"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// orderActs names the activities the SDK-samples way: a nil receiver, used only for
// its methods' names. The worker registers the real *activities.Activities.
var orderActs *activities.Activities

// orderProcessorOptions are those of every money call (authorize, sale,
// capture, void, refund) of a run from before ChangeProcessorOutage. They retry
// without a limit, backing off to a minute: each call carries an idempotency key,
// so retrying can never move money twice, while giving up could leave money moved
// that the order does not know of. Contract errors (4xx: the same request cannot
// succeed) arrive as non-retryable ApplicationErrors and fail at once.
//
// StartToClose 30s: one try is one HTTP call, which the processor client bounds
// itself (CARDFLOW_PROCESSOR_TIMEOUT, 10s); the activity's limit only catches a
// worker that died mid-call. Backoff 1s doubling to 1m: a blip costs a second,
// an outage one call a minute per order, which a recovering processor survives.
func orderProcessorOptions(summary string) workflow.ActivityOptions {
	return workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
		Summary: summary,
	}
}

// processorOptions are the options of a money call. With ChangeProcessorOutage
// the retries are bounded: ScheduleToClose OrderSettings.ProcessorGiveUpAfter
// (default 1h) and, if set, ProcessorMaxAttempts. Giving up does not forget the
// call: it stays pending, with the order's attention set, until an operator's
// retry-operation sends it again under the same key (attention.go).
func (o *order) processorOptions(summary string) workflow.ActivityOptions {
	opts := orderProcessorOptions(summary)
	if o.ops.enabled {
		opts.ScheduleToCloseTimeout = o.settings.ProcessorGiveUpAfter
		opts.RetryPolicy.MaximumAttempts = int32(min(o.settings.ProcessorMaxAttempts, math.MaxInt32))
	}
	return opts
}

// checkOptions are those of the validity check and the fraud screen: short local
// activities (rules and a lookup), retried for a minute. Giving up is safe, as
// nothing has moved yet: an order's attempt fails soft and the customer may
// retry; a subscription's bill falls back to the regular activity (charge).
func checkOptions(summary string) workflow.LocalActivityOptions {
	return workflow.LocalActivityOptions{
		StartToCloseTimeout:    10 * time.Second,
		ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    10 * time.Second,
		},
		Summary: summary,
	}
}

// chargeCall authorizes (or sells) amount on the order's card.
func (o *order) chargeCall(ctx workflow.Context, op payment.OrderMoney, amount int64) (payment.Outcome, error) {
	fn := orderActs.Authorize
	if op == payment.MoneySale {
		fn = orderActs.Sale
	}
	c := payment.Charge{Key: o.key(string(op)), Token: o.card.Token, Amount: o.money(amount)}
	summary := string(op) + " " + c.Amount.String() + " on " + string(o.card.Brand) + " ••" + o.card.Last4
	var out payment.Outcome
	a := Attention{Operation: string(op), IdempotencyKey: c.Key, Amount: amount}
	err := o.ops.call(ctx, o.processorOptions(summary), a, o.raiseAttention, o.resolveAttention, fn, c, &out)
	return out, err
}

// operate captures, voids or refunds amount of the payment.
func (o *order) operate(ctx workflow.Context, op payment.OrderMoney, paymentID string, amount int64) (payment.Outcome, error) {
	var fn func(context.Context, payment.Operation) (payment.Outcome, error)
	switch op {
	case payment.MoneyCapture:
		fn = orderActs.Capture
	case payment.MoneyVoid:
		fn = orderActs.Void
	case payment.MoneyRefund:
		fn = orderActs.Refund
	default:
		panic("order: operate cannot " + string(op))
	}
	req := payment.Operation{Key: o.key(string(op)), PaymentID: paymentID, Amount: o.money(amount)}
	var out payment.Outcome
	a := Attention{Operation: string(op), IdempotencyKey: req.Key, Amount: amount}
	err := o.ops.call(ctx, o.processorOptions(string(op)+" "+req.Amount.String()), a, o.raiseAttention, o.resolveAttention, fn, req, &out)
	return out, err
}

// approvedAmount is what the processor says it moved; the requested amount if it did
// not say (the contract has no partial approvals).
func approvedAmount(out payment.Outcome, requested int64) int64 {
	if out.Amount.Amount > 0 {
		return out.Amount.Amount
	}
	return requested
}

// orderDecline is the failure of a declined outcome, in the contract's shape.
func orderDecline(out payment.Outcome) *payment.Failure {
	f := payment.Failure{Stage: payment.StageProcessor, Code: "declined", Class: payment.Soft,
		Message: "Your payment was declined. Please try again or use another card."}
	if out.Failure != nil {
		f = *out.Failure
		if f.Stage == "" {
			f.Stage = payment.StageProcessor
		}
	}
	return &f
}

// orderErrorFailure is the failure of a processor call that failed for good: a
// contract error, which no retry can fix.
func orderErrorFailure(err error) *payment.Failure {
	code := "processor_error"
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() != "" {
		code = app.Type()
	}
	return &payment.Failure{Stage: payment.StageProcessor, Code: code, Class: payment.Hard,
		Message: "We could not process your payment. Please try again or use another card."}
}

// orderMoneyError is what a command answers when its processor call failed for good:
// the update fails and the order stays where it was.
func orderMoneyError(op payment.OrderMoney, err error) error {
	return temporal.NewNonRetryableApplicationError("the processor refused to "+string(op)+": "+err.Error(), ErrTypeProcessor, err)
}
