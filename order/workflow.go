package order

import (
	"fmt"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"go.temporal.io/sdk/workflow"
)

// Workflow is the workflow of one order (id WorkflowID(order id)): it
// carries the order's money from the first payment attempt through capture,
// shipment and returns, or to its cancellation. The state machine is
// payment.OrderTransitions; commands arrive as updates and signals
// (order_commands.go); this function runs the first attempt and then the timers
// that move an order on their own: auto-cancel of an abandoned payment,
// re-authorization before expiry, the end of the return window.
func Workflow(ctx workflow.Context, in Input) (View, error) {
	o := newOrder(ctx, in)
	if err := o.register(ctx); err != nil {
		return View{}, err
	}
	if o.invalid != nil {
		// The place update that came with the start is rejected with the same
		// error (checkPlace), so its caller learns which field is wrong.
		return View{}, o.invalid
	}
	o.upsertSearchAttributes(ctx)
	if err := o.exclusive(ctx, func(ctx workflow.Context) error {
		return o.as(flow.ActorOf(flow.Sender{Actor: in.Actor}), func() error {
			if o.awaiting {
				// The first attempt is the payment page's (retry).
				o.event(ctx, EventAwaitingPayment, 0, "")
				o.message = msgAwaiting
				return nil
			}
			o.attempt(ctx, in.Card)
			return nil
		})
	}); err != nil {
		return o.view(), err
	}
	o.started = true
	for !o.status.Terminal() {
		if err := o.wait(ctx); err != nil {
			return o.view(), err
		}
	}
	if err := o.awaitDisputeClose(ctx); err != nil {
		return o.view(), err
	}
	return o.finish(ctx)
}

// wait blocks until the order changes or, in a status with a deadline, the
// deadline passes; then it moves the order itself.
func (o *order) wait(ctx workflow.Context) error {
	v := o.moves
	changed := func() bool { return o.moves != v }
	deadline, summary, act := o.deadline()
	if act == nil {
		return workflow.Await(ctx, changed)
	}
	if d := deadline.Sub(workflow.Now(ctx)); d > 0 {
		moved, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      d,
			TimerOptions: workflow.TimerOptions{Summary: summary},
		}, changed)
		if err != nil || moved {
			return err
		}
	}
	return o.exclusive(ctx, func(ctx workflow.Context) error {
		if changed() {
			return nil // a command moved the order while this waited for its turn
		}
		act(ctx)
		return nil
	})
}

// deadline says when the current status moves on by itself, and how. act is nil
// for statuses that only commands move.
func (o *order) deadline() (at time.Time, summary string, act func(workflow.Context)) {
	s := o.settings
	switch o.status {
	case payment.OrderPaymentFailed, payment.OrderPendingSubmission, payment.OrderAwaitingPayment:
		if o.awaiting && o.rev.PageLinkEnds() && !o.pagePaid {
			// Until the page's card is taken the customer pays only
			// through the link: when it expires nobody can, whatever
			// declines on the page restarted the status since.
			return o.pageExpires, "auto-cancel when the payment page's link expires", o.timeOut
		}
		return o.since.Add(s.AbandonAfter), "auto-cancel if still " + string(o.status), o.timeOut
	case payment.OrderAuthorized:
		return o.reauthorizeAt(), "re-authorize before the authorization expires", o.reauthorize
	case payment.OrderShipped:
		return o.shippedAt.Add(s.ReturnWindow), "return window", o.closeReturnWindow
	case payment.OrderRequiresAction:
		return o.since.Add(s.AuthenticationTimeout), "3-D Secure challenge: authentication timeout", o.authenticationTimedOut
	}
	return time.Time{}, "", nil
}

// reauthorizeAt is the lead time before the authorization expires: by our own
// settings, or earlier if the processor said so. The lead is at most half the
// authorization's life, so a short one cannot be renewed again and again at once.
func (o *order) reauthorizeAt() time.Time {
	exp := o.auth.At.Add(o.settings.AuthValidity)
	if e := o.auth.ExpiresAt; !e.IsZero() && e.Before(exp) {
		exp = e
	}
	lead := min(o.settings.ReauthLead, exp.Sub(o.auth.At)/2)
	return exp.Add(-lead)
}

// finish lets accepted commands end (one that raced the end answers its
// rejection), drops signals nobody will handle, and waits for the notifications
// to be delivered: a workflow that returns abandons its pending activities.
func (o *order) finish(ctx workflow.Context) (View, error) {
	err := workflow.Await(ctx, func() bool { return o.running == 0 && workflow.AllHandlersFinished(ctx) })
	if err != nil {
		return o.view(), err
	}
	o.cmds.Drain("the order has ended")
	for _, f := range o.notices {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("notification not delivered", "order_id", o.in.OrderID, "error", err)
		}
	}
	return o.view(), nil
}

// Customer-facing payment messages (API.md: message).
const (
	msgAuthorized = "Your payment was authorized."
	msgPaid       = "Your payment was successful."
	msgHeld       = "Your payment details were accepted. The payment will be processed when the shop confirms your order."
	msgFailed     = "Your payment could not be completed. Please try again or use another card."
	msgFraud      = "We could not accept this payment. Please use another card or contact the shop."
	msgUnchecked  = "We could not check your card just now. Please try again."
	msgAwaiting   = "Please enter your card details to pay."
)

// Failure codes cardflow itself sets.
const (
	CodeFraudRejected         = "fraud_rejected"
	CodeValidationUnavailable = "validation_unavailable"
	CodeFraudUnavailable      = "fraud_screen_unavailable"
)

// attempt runs one payment attempt with card: the validity check, the fraud
// screen (unless disabled), then either the hold or the processor. It leaves the
// order pending_submission, authorized, captured or payment_failed.
func (o *order) attempt(ctx workflow.Context, card payment.Card) {
	o.attempts++
	o.card, o.fraud, o.failure = card, nil, nil
	o.tds.last, o.tds.pending, o.tds.data = nil, nil, nil
	amount := o.money(o.due())

	if f := o.validate(ctx, amount); f != nil {
		o.decline(ctx, f, EventValidationFailed)
		return
	}
	// Since RevGuarded the screen runs without fraud_screen too, for its
	// card-testing rules alone: a caller cannot switch those off.
	if o.in.FraudScreen || o.rev.Guarded() {
		if f := o.screen(ctx, amount); f != nil {
			o.decline(ctx, f, EventDeclined)
			return
		}
	}
	if o.in.Submit == SubmitHold {
		o.event(ctx, EventHeld, 0, "")
		o.message = msgHeld
		o.fire(ctx, payment.OrderHeld)
		return
	}
	o.charge(ctx)
}

// validate is the validity check of account and payment method. nil means the
// charge may go ahead.
func (o *order) validate(ctx workflow.Context, amount payment.Money) *payment.Failure {
	req := payment.ValidationRequest{Card: o.card, CustomerID: o.in.Customer.ID, Amount: amount, At: workflow.Now(ctx)}
	lctx := workflow.WithLocalActivityOptions(ctx, flow.CheckOptions(fmt.Sprintf("validity check, attempt %d", o.attempts)))
	var f *payment.Failure
	if err := workflow.ExecuteLocalActivity(lctx, acts.Validate, req).Get(ctx, &f); err != nil {
		workflow.GetLogger(ctx).Warn("validity check failed", "order_id", o.in.OrderID, "error", err)
		return &payment.Failure{Stage: payment.StageValidation, Code: CodeValidationUnavailable, Class: payment.Soft, Message: msgUnchecked}
	}
	if f != nil && f.Stage == "" {
		f.Stage = payment.StageValidation
	}
	return f
}

// screen runs the fraud screen and records its verdict. A review proceeds (and
// stays in the view and the audit trail); a reject fails the attempt before the
// processor is called. Since RevGuarded it tells the screener how many
// distinct cards the order has seen and, when the caller switched the screen
// off (fraud_screen false), asks for the card-testing rules only, whose
// verdict shows (fraud, fraud_screened) only when it is no pass.
func (o *order) screen(ctx workflow.Context, amount payment.Money) *payment.Failure {
	req := payment.FraudRequest{Reference: o.in.OrderID, Card: o.card, Customer: o.in.Customer, Amount: amount, Attempt: o.attempts}
	if o.rev.Guarded() {
		req.Cards, req.At, req.CardTestingOnly = o.seeCard(o.card), workflow.Now(ctx), !o.in.FraudScreen
	}
	if o.rev.ThreeDS() {
		req.AuthenticationFailures = o.tds.failures
	}
	lctx := workflow.WithLocalActivityOptions(ctx, flow.CheckOptions(fmt.Sprintf("fraud screen, attempt %d", o.attempts)))
	var r payment.FraudResult
	if err := workflow.ExecuteLocalActivity(lctx, acts.Screen, req).Get(ctx, &r); err != nil {
		workflow.GetLogger(ctx).Warn("fraud screen failed", "order_id", o.in.OrderID, "error", err)
		return &payment.Failure{Stage: payment.StageFraud, Code: CodeFraudUnavailable, Class: payment.Soft, Message: msgUnchecked}
	}
	if req.CardTestingOnly && r.Decision == payment.FraudPass {
		return nil
	}
	o.fraud = &r
	o.event(ctx, EventFraudScreened, 0, r.Decision)
	if r.Decision != payment.FraudReject {
		return nil
	}
	// The score and threshold are in the view's fraud object, not in the message:
	// the message is shown to the customer.
	return &payment.Failure{Stage: payment.StageFraud, Code: CodeFraudRejected, Class: payment.Hard, Message: msgFraud}
}

// charge calls the processor: authorize for capture manual, sale for
// automatic; since RevThreeDS after authenticating the cardholder, which may
// leave the attempt waiting for a challenge (requires_action).
func (o *order) charge(ctx workflow.Context) {
	if o.rev.ThreeDS() && !o.authenticate(ctx, o.due()) {
		return
	}
	o.authorize(ctx)
}

// authorize is the processor's part of charge.
func (o *order) authorize(ctx workflow.Context) {
	op := payment.MoneyAuthorize
	if o.in.Capture == CaptureAutomatic {
		op = payment.MoneySale
	}
	amount := o.due()
	out, err := o.chargeCall(ctx, op, amount, false)
	if err != nil {
		o.decline(ctx, errorFailure(err), EventProcessorError)
		return
	}
	if !out.Approved {
		o.decline(ctx, declineOf(out), EventDeclined)
		return
	}
	amount = approvedAmount(out, amount)
	now := workflow.Now(ctx)
	o.auth = &authorization{PaymentID: out.PaymentID, Amount: amount, At: now, ExpiresAt: out.ExpiresAt, NetworkTxnID: out.NetworkTransactionID}
	o.add(&o.amounts.Authorized, amount)
	o.event(ctx, EventAuthorized, amount, "")
	if op == payment.MoneySale {
		o.auth.Captured = amount
		o.add(&o.amounts.Captured, amount)
		o.event(ctx, EventCaptured, amount, "")
		o.message = msgPaid
		o.fire(ctx, payment.OrderCharged)
		o.notify(ctx, NoticePaymentAuthorized, amount, nil)
		o.notify(ctx, NoticeCaptured, amount, nil)
		return
	}
	o.message = msgAuthorized
	o.fire(ctx, payment.OrderApproved)
	o.notify(ctx, NoticePaymentAuthorized, amount, nil)
}

// decline ends the attempt in payment_failed and tells the customer. Since
// RevGuarded it counts against Settings.AttemptLimits, unless cardflow's own
// checks were out of reach (the card was not judged).
func (o *order) decline(ctx workflow.Context, f *payment.Failure, eventType string) {
	o.declineOn(ctx, f, eventType, payment.OrderDeclined)
}

// declineOn is decline by the lifecycle's trigger on: the attempt failed in
// processing (declined) or while it waited for its challenge.
func (o *order) declineOn(ctx workflow.Context, f *payment.Failure, eventType string, on payment.OrderTrigger) {
	if o.rev.Guarded() && f.Code != CodeValidationUnavailable && f.Code != CodeFraudUnavailable {
		o.declines = o.declines.Add(workflow.Now(ctx), o.settings.AttemptLimits)
	}
	o.failure = f
	o.message = f.Message
	if o.message == "" {
		o.message = msgFailed
	}
	o.event(ctx, eventType, 0, f.Code)
	o.fire(ctx, on)
	o.notify(ctx, NoticePaymentFailed, 0, nil)
}

// What the order does by itself when a deadline of its status passes (see
// Workflow's wait). Each runs while the order is exclusively its own.

const msgReauthDeclined = "We could not renew the reservation on your card. Please pay with another card."

// timeOut cancels an order left in payment_failed, pending_submission or
// awaiting_payment for Settings.AbandonAfter. Nothing is authorized in those statuses.
func (o *order) timeOut(ctx workflow.Context) {
	o.event(ctx, EventTimedOut, 0, "")
	o.message = msgCancelled
	o.fire(ctx, payment.OrderTimedOut)
	o.notify(ctx, NoticeCancelled, 0, nil)
}

// reauthorize replaces an authorization about to expire: it authorizes what the
// order still owes anew and voids the old one. A decline releases the old one too
// (it would lapse anyway, and a retry authorizes afresh) and tells the customer.
func (o *order) reauthorize(ctx workflow.Context) {
	old := o.auth
	amount := o.due()
	var (
		out payment.Outcome
		err error
		f   *payment.Failure
	)
	if _, oerr := payment.AddAmount(o.amounts.Authorized, amount); oerr != nil && o.rev.Guarded() {
		// The books could not hold another authorization: none is asked for.
		f = &payment.Failure{Stage: payment.StageValidation, Code: payment.AmountOutOfRange, Class: payment.Hard, Message: msgReauthDeclined}
	} else if out, err = o.chargeCall(ctx, payment.MoneyAuthorize, amount, true); err != nil {
		f = errorFailure(err)
	} else if !out.Approved {
		f = declineOf(out)
	}
	if f != nil {
		if verr := o.void(ctx, old); verr != nil {
			workflow.GetLogger(ctx).Error("void of the expiring authorization failed", "order_id", o.in.OrderID, "error", verr)
		}
		o.failure = f
		o.message = msgReauthDeclined
		o.event(ctx, EventReauthDeclined, amount, f.Code)
		o.fire(ctx, payment.OrderReauthDeclined)
		o.notify(ctx, NoticePaymentFailed, 0, nil)
		return
	}
	amount = approvedAmount(out, amount)
	o.auth = &authorization{PaymentID: out.PaymentID, Amount: amount, At: workflow.Now(ctx), ExpiresAt: out.ExpiresAt,
		NetworkTxnID: firstOf(old.NetworkTxnID, out.NetworkTransactionID)}
	o.add(&o.amounts.Authorized, amount)
	o.event(ctx, EventReauthorized, amount, "")
	if err := o.void(ctx, old); err != nil {
		// The old authorization lapses on its own at expiry; the order goes on.
		workflow.GetLogger(ctx).Error("void of the replaced authorization failed", "order_id", o.in.OrderID, "error", err)
	}
	o.fire(ctx, payment.OrderReauthorized)
}

// closeReturnWindow completes the order: nothing more can come back.
func (o *order) closeReturnWindow(ctx workflow.Context) {
	o.event(ctx, EventCompleted, 0, "")
	o.fire(ctx, payment.OrderReturnWindowClosed)
}

// Register registers the order workflow under its contract name.
func Register(r flow.Registry) {
	r.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowType})
}
