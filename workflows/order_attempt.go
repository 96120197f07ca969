package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// Customer-facing payment messages (API.md: message).
const (
	orderMsgAuthorized = "Your payment was authorized."
	orderMsgPaid       = "Your payment was successful."
	orderMsgHeld       = "Your payment details were accepted. The payment will be processed when the shop confirms your order."
	orderMsgFailed     = "Your payment could not be completed. Please try again or use another card."
	orderMsgFraud      = "We could not accept this payment. Please use another card or contact the shop."
	orderMsgUnchecked  = "We could not check your card just now. Please try again."
)

// Failure codes cardflow itself sets.
const (
	OrderCodeFraudRejected         = "fraud_rejected"
	OrderCodeValidationUnavailable = "validation_unavailable"
	OrderCodeFraudUnavailable      = "fraud_screen_unavailable"
)

// attempt runs one payment attempt with card: the validity check, the fraud
// screen (unless disabled), then either the hold or the processor. It leaves the
// order pending_submission, authorized, captured or payment_failed.
func (o *order) attempt(ctx workflow.Context, card payment.Card) {
	o.attempts++
	o.card, o.fraud, o.failure = card, nil, nil
	amount := o.money(o.due())

	if f := o.validate(ctx, amount); f != nil {
		o.decline(ctx, f, OrderEventValidationFailed)
		return
	}
	if o.in.FraudScreen {
		if f := o.screen(ctx, amount); f != nil {
			o.decline(ctx, f, OrderEventDeclined)
			return
		}
	}
	if o.in.Submit == SubmitHold {
		o.event(ctx, OrderEventHeld, 0, "")
		o.message = orderMsgHeld
		o.fire(ctx, payment.OrderHeld)
		return
	}
	o.charge(ctx)
}

// validate is the validity check of account and payment method. nil means the
// charge may go ahead.
func (o *order) validate(ctx workflow.Context, amount payment.Money) *payment.Failure {
	req := payment.ValidationRequest{Card: o.card, CustomerID: o.in.Customer.ID, Amount: amount, At: workflow.Now(ctx)}
	lctx := workflow.WithLocalActivityOptions(ctx, checkOptions(fmt.Sprintf("validity check, attempt %d", o.attempts)))
	var f *payment.Failure
	if err := workflow.ExecuteLocalActivity(lctx, orderActs.Validate, req).Get(ctx, &f); err != nil {
		workflow.GetLogger(ctx).Warn("validity check failed", "order_id", o.in.OrderID, "error", err)
		return &payment.Failure{Stage: payment.StageValidation, Code: OrderCodeValidationUnavailable, Class: payment.Soft, Message: orderMsgUnchecked}
	}
	if f != nil && f.Stage == "" {
		f.Stage = payment.StageValidation
	}
	return f
}

// screen runs the fraud screen and records its verdict. A review proceeds (and
// stays in the view and the audit trail); a reject fails the attempt before the
// processor is called.
func (o *order) screen(ctx workflow.Context, amount payment.Money) *payment.Failure {
	req := payment.FraudRequest{Reference: o.in.OrderID, Card: o.card, Customer: o.in.Customer, Amount: amount, Attempt: o.attempts}
	lctx := workflow.WithLocalActivityOptions(ctx, checkOptions(fmt.Sprintf("fraud screen, attempt %d", o.attempts)))
	var r payment.FraudResult
	if err := workflow.ExecuteLocalActivity(lctx, orderActs.Screen, req).Get(ctx, &r); err != nil {
		workflow.GetLogger(ctx).Warn("fraud screen failed", "order_id", o.in.OrderID, "error", err)
		return &payment.Failure{Stage: payment.StageFraud, Code: OrderCodeFraudUnavailable, Class: payment.Soft, Message: orderMsgUnchecked}
	}
	o.fraud = &r
	o.event(ctx, OrderEventFraudScreened, 0, r.Decision)
	if r.Decision != payment.FraudReject {
		return nil
	}
	// The score and threshold are in the view's fraud object, not in the message:
	// the message is shown to the customer.
	return &payment.Failure{Stage: payment.StageFraud, Code: OrderCodeFraudRejected, Class: payment.Hard, Message: orderMsgFraud}
}

// charge calls the processor: authorize for capture manual, sale for automatic.
func (o *order) charge(ctx workflow.Context) {
	op := payment.MoneyAuthorize
	if o.in.Capture == CaptureAutomatic {
		op = payment.MoneySale
	}
	amount := o.due()
	out, err := o.chargeCall(ctx, op, amount)
	if err != nil {
		o.decline(ctx, orderErrorFailure(err), OrderEventProcessorError)
		return
	}
	if !out.Approved {
		o.decline(ctx, orderDecline(out), OrderEventDeclined)
		return
	}
	amount = approvedAmount(out, amount)
	now := workflow.Now(ctx)
	o.auth = &orderAuth{PaymentID: out.PaymentID, Amount: amount, At: now, ExpiresAt: out.ExpiresAt}
	o.amounts.Authorized += amount
	o.event(ctx, OrderEventAuthorized, amount, "")
	if op == payment.MoneySale {
		o.auth.Captured = amount
		o.amounts.Captured += amount
		o.event(ctx, OrderEventCaptured, amount, "")
		o.message = orderMsgPaid
		o.fire(ctx, payment.OrderCharged)
		o.notify(ctx, OrderNoticePaymentAuthorized, amount, nil)
		o.notify(ctx, OrderNoticeCaptured, amount, nil)
		return
	}
	o.message = orderMsgAuthorized
	o.fire(ctx, payment.OrderApproved)
	o.notify(ctx, OrderNoticePaymentAuthorized, amount, nil)
}

// decline ends the attempt in payment_failed and tells the customer.
func (o *order) decline(ctx workflow.Context, f *payment.Failure, eventType string) {
	o.failure = f
	o.message = f.Message
	if o.message == "" {
		o.message = orderMsgFailed
	}
	o.event(ctx, eventType, 0, f.Code)
	o.fire(ctx, payment.OrderDeclined)
	o.notify(ctx, OrderNoticePaymentFailed, 0, nil)
}
