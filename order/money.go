package order

import (
	"context"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// acts names the activities the SDK-samples way: a nil receiver, used only for
// its methods' names. The worker registers the real *activities.Activities.
var acts *activities.Activities

// key is the idempotency key of the next processor call of the operation:
// order/<order id>/<operation>/<sequence>. It comes from workflow state, so an
// activity retried after a crash or a timeout sends the same key.
func (o *order) key(operation string) string {
	o.seq[operation]++
	return fmt.Sprintf("%s/%s/%d", WorkflowID(o.in.OrderID), operation, o.seq[operation])
}

// processorOptions are the options of a money call (flow.Calls.Options):
// StartToClose 30s, one HTTP call that the processor client bounds itself
// (CARDFLOW_PROCESSOR_TIMEOUT, 10s); since RevAttention bounded by
// Settings.ProcessorGiveUpAfter (default 1h) and ProcessorMaxAttempts.
func (o *order) processorOptions(summary string) workflow.ActivityOptions {
	return o.calls.Options(summary, 30*time.Second, o.settings.Limits)
}

// chargeCall authorizes (or sells) amount on the order's card. Since
// RevThreeDS it carries the attempt's authentication, or for a
// re-authorization (reauth: the customer is not there) is merchant-initiated
// with the network transaction id of the authorization it replaces.
func (o *order) chargeCall(ctx workflow.Context, op payment.OrderMoney, amount int64, reauth bool) (payment.Outcome, error) {
	fn := acts.Authorize
	if op == payment.MoneySale {
		fn = acts.Sale
	}
	c := payment.Charge{Key: o.key(string(op)), Token: o.card.Token, Amount: o.money(amount)}
	switch {
	case !o.rev.ThreeDS():
	case reauth:
		c.Initiator, c.NetworkTransactionID = payment.InitiatorMerchant, o.auth.NetworkTxnID
	default:
		c.Authentication = o.tds.data
	}
	summary := string(op) + " " + c.Amount.String() + " on " + string(o.card.Brand) + " ••" + o.card.Last4
	var out payment.Outcome
	a := flow.Attention{Operation: string(op), IdempotencyKey: c.Key, Amount: amount}
	err := o.calls.Do(ctx, o.processorOptions(summary), a, fn, c, &out)
	return out, err
}

// operate captures, voids or refunds amount of the payment.
func (o *order) operate(ctx workflow.Context, op payment.OrderMoney, paymentID string, amount int64) (payment.Outcome, error) {
	var fn func(context.Context, payment.Operation) (payment.Outcome, error)
	switch op {
	case payment.MoneyCapture:
		fn = acts.Capture
	case payment.MoneyVoid:
		fn = acts.Void
	case payment.MoneyRefund:
		fn = acts.Refund
	default:
		panic("order: operate cannot " + string(op))
	}
	req := payment.Operation{Key: o.key(string(op)), PaymentID: paymentID, Amount: o.money(amount)}
	var out payment.Outcome
	a := flow.Attention{Operation: string(op), IdempotencyKey: req.Key, Amount: amount}
	err := o.calls.Do(ctx, o.processorOptions(string(op)+" "+req.Amount.String()), a, fn, req, &out)
	return out, err
}

// firstOf is the first of ids that is not empty.
func firstOf(ids ...string) string {
	for _, id := range ids {
		if id != "" {
			return id
		}
	}
	return ""
}

// approvedAmount is what the processor says it moved; the requested amount if it did
// not say (the contract has no partial approvals).
func approvedAmount(out payment.Outcome, requested int64) int64 {
	if out.Amount.Amount > 0 {
		return out.Amount.Amount
	}
	return requested
}

// declineOf is the failure of a declined outcome, in the contract's shape.
func declineOf(out payment.Outcome) *payment.Failure {
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

// errorFailure is the failure of a processor call that failed for good: a
// contract error, which no retry can fix.
func errorFailure(err error) *payment.Failure {
	return &payment.Failure{Stage: payment.StageProcessor, Code: flow.ErrorCode(err), Class: payment.Hard,
		Message: "We could not process your payment. Please try again or use another card."}
}

// moneyError is what a command answers when its processor call failed for good:
// the update fails and the order stays where it was.
func moneyError(op payment.OrderMoney, err error) error {
	return temporal.NewNonRetryableApplicationError("the processor refused to "+string(op)+": "+err.Error(), flow.ErrTypeProcessor, err)
}

// voidOpen releases what the live authorization still holds.
func (o *order) voidOpen(ctx workflow.Context) error {
	return o.void(ctx, o.auth)
}

// void releases what an authorization still holds.
func (o *order) void(ctx workflow.Context, a *authorization) error {
	amount := a.open()
	if amount <= 0 {
		return nil
	}
	out, err := o.operate(ctx, payment.MoneyVoid, a.PaymentID, amount)
	if err != nil {
		o.event(ctx, EventProcessorError, amount, errorFailure(err).Code)
		return moneyError(payment.MoneyVoid, err)
	}
	if !out.Approved {
		f := declineOf(out)
		o.event(ctx, EventProcessorError, amount, f.Code)
		return moneyError(payment.MoneyVoid, fmt.Errorf("declined %s", f.Code))
	}
	amount = approvedAmount(out, amount)
	a.Voided += amount
	o.add(&o.amounts.Voided, amount)
	o.event(ctx, EventVoided, amount, "")
	return nil
}

// refund gives back amount of what the live payment captured.
func (o *order) refund(ctx workflow.Context, amount int64) error {
	out, err := o.operate(ctx, payment.MoneyRefund, o.auth.PaymentID, amount)
	if err != nil {
		o.event(ctx, EventProcessorError, amount, errorFailure(err).Code)
		return moneyError(payment.MoneyRefund, err)
	}
	if !out.Approved {
		f := declineOf(out)
		o.event(ctx, EventProcessorError, amount, f.Code)
		return moneyError(payment.MoneyRefund, fmt.Errorf("declined %s", f.Code))
	}
	amount = approvedAmount(out, amount)
	o.add(&o.amounts.Refunded, amount)
	o.event(ctx, EventRefunded, amount, "")
	return nil
}

// add adds amount to one of the order's running totals. Since RevGuarded it
// is checked (payment.AddAmount): the commands' checks (fitsTotals) refuse an
// amount that would not fit before any money moves, so only a processor that
// approved more than it was asked could overflow a total, which then stays at
// its largest value instead of wrapping.
func (o *order) add(total *int64, amount int64) {
	if !o.rev.Guarded() {
		*total += amount
		return
	}
	s, err := payment.AddAmount(*total, amount)
	if err != nil {
		s = math.MaxInt64
	}
	*total = s
}

// fitsTotals refuses (422) command c when the money it would move does not fit
// the running total it adds to, since RevGuarded; amount is what an items
// command is worth (cancel-items, return).
func (o *order) fitsTotals(c payment.OrderTrigger, amount int64) error {
	if !o.rev.Guarded() {
		return nil
	}
	a := o.amounts
	var total int64
	switch c {
	case payment.OrderRetry, payment.OrderSubmit:
		total, amount = a.Authorized, o.due()
	case payment.OrderCapture:
		total, amount = a.Captured, o.due()
	case payment.OrderReturn:
		total = a.Refunded
		if err := o.checkDisputedRefund(amount); err != nil {
			return err
		}
	case payment.OrderCancelItems:
		total, amount = a.Voided, o.auth.open() // cancelling all voids what is open
	case payment.OrderCancel:
		row, err := payment.OrderLifecycle.Next(o.status, c)
		switch {
		case err != nil:
			return nil // allows refuses it
		case row.Money == payment.MoneyVoid:
			total, amount = a.Voided, o.auth.open()
		case row.Money == payment.MoneyRefund:
			total, amount = a.Refunded, o.auth.Captured-o.auth.Refunded
			if err := o.checkDisputedRefund(amount); err != nil {
				return err
			}
		}
	}
	if _, err := payment.AddAmount(total, amount); err != nil {
		return flow.InvalidRequest("amount", fmt.Sprintf("%s of %d would overflow the order's running totals (%s)", c, amount, payment.AmountOutOfRange))
	}
	return nil
}
