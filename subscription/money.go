package subscription

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// attemptKind is why a bill runs; it decides what a failure does to the schedule.
type attemptKind int

const (
	attemptScheduled attemptKind = iota + 1 // the cycle's bill on its date: a failure starts the schedule
	attemptRetry                            // at a schedule date: a failure moves on to the next date
	attemptCatchUp                          // asked for (catch-up, new card): the schedule goes on as planned
)

// processorOptions are the options of validation and money calls (validate,
// sale, update_card, refund; flow.Calls.Options): StartToClose is
// Settings.ProcessorTimeout (30s), one HTTP call that the processor client
// bounds itself; since RevAttention bounded by Settings.ProcessorGiveUpAfter
// (default 1h) and ProcessorMaxAttempts.
func (w *subscription) processorOptions(summary string) workflow.ActivityOptions {
	return w.calls.Options(summary, w.settings.ProcessorTimeout, w.settings.Limits)
}

// call runs one processor activity (flow.Calls.Do).
func (w *subscription) call(ctx workflow.Context, summary string, a flow.Attention, fn, req, out any) error {
	return w.calls.Do(ctx, w.processorOptions(summary), a, fn, req, out)
}

// bill runs one attempt on the outstanding cycle: validity check at date at,
// then a sale; a hard fail asks the account updater when that is on. The result
// moves the subscription along the lifecycle and sends the matching notice.
func (w *subscription) bill(ctx workflow.Context, kind attemptKind, at time.Time) error {
	st := &w.st
	st.Attempt++
	st.Totals.Attempts++
	cycle, attempt := st.Cycle, st.Attempt
	failure, paymentID, err := w.charge(ctx, kind, cycle, attempt, at)
	if err != nil {
		return err
	}
	if failure == nil && paymentID == "" && w.st.Challenge != nil {
		w.pending(ctx, cycle, attempt)
		return nil
	}
	return w.settle(ctx, kind, cycle, attempt, failure, paymentID)
}

// pending records a bill that waits for the customer's 3-D Secure challenge.
func (w *subscription) pending(ctx workflow.Context, cycle, attempt int) {
	now := workflow.Now(ctx).UTC()
	rec := w.cycleRecord(cycle)
	rec.Attempts++
	rec.At, rec.Status = now, PaymentRequiresAction
	w.st.LastPayment = &Attempt{At: now, Cycle: cycle, Attempt: attempt, Amount: w.in.Plan.Amount, Status: PaymentRequiresAction}
	w.started = true
}

// settle moves the subscription by a bill's result: paid, soft or hard
// failed (asking the account updater first when that is on).
func (w *subscription) settle(ctx workflow.Context, kind attemptKind, cycle, attempt int, failure *payment.Failure, paymentID string) error {
	st := &w.st
	if failure != nil && kind == attemptCatchUp && w.rev.Guarded() {
		w.st.Declines = w.st.Declines.Add(workflow.Now(ctx).UTC(), w.settings.AttemptLimits)
	}
	if failure != nil && failure.Class == payment.Hard && w.in.AccountUpdater {
		if err := w.askUpdater(ctx, cycle, attempt, failure); err != nil {
			return err
		}
	}

	now := workflow.Now(ctx).UTC()
	rec := w.cycleRecord(cycle)
	if rec.Status != PaymentRequiresAction || st.LastPayment == nil || st.LastPayment.Attempt != attempt {
		rec.Attempts++ // a challenged attempt was counted when it began
	}
	rec.At = now
	st.LastPayment = &Attempt{At: now, Cycle: cycle, Attempt: attempt, Amount: w.in.Plan.Amount, Status: PaymentSucceeded, Failure: failure}
	w.started = true
	switch {
	case failure == nil:
		rec.Status, rec.PaymentID = PaymentSucceeded, paymentID
		w.paid(ctx)
	case failure.Class == payment.Soft:
		rec.Status, st.LastPayment.Status = PaymentFailed, PaymentFailed
		w.failed(ctx, kind, payment.SubscriptionSoftFailed)
		w.declinedForAuthentication(ctx, failure)
	default:
		rec.Status, st.LastPayment.Status = PaymentFailed, PaymentFailed
		w.failed(ctx, kind, payment.SubscriptionHardFailed)
	}
	return nil
}

// charge is the validity check and the sale. A failed check is a hard fail with
// the check's reason code; a decline is the processor's failure. The error is
// only ever the workflow's cancellation.
func (w *subscription) charge(ctx workflow.Context, kind attemptKind, cycle, attempt int, at time.Time) (*payment.Failure, string, error) {
	amount := w.in.Plan.Money()
	if _, err := payment.AddAmount(w.st.Totals.Paid, amount.Amount); err != nil && w.rev.Guarded() {
		// The books could not hold the payment: nothing is charged.
		return &payment.Failure{Stage: payment.StageValidation, Code: payment.AmountOutOfRange, Class: payment.Hard,
			Message: "The payment could not be processed. Please contact the shop."}, "", nil
	}
	var invalid *payment.Failure
	req := payment.ValidationRequest{Card: w.st.Card, CustomerID: w.in.Customer.ID, Amount: amount, At: at}
	if err := w.checkCard(ctx, req, &invalid); err != nil {
		return activityFailure(payment.StageValidation, err)
	}
	if invalid != nil {
		return invalid, "", nil
	}
	// Since RevThreeDS a customer-initiated bill authenticates (and may wait
	// for a challenge); every other is merchant-initiated.
	var extra payment.Charge
	switch {
	case w.customerPresent(kind, cycle, attempt):
		data, f, err := w.authenticateBill(ctx, kind, cycle, attempt)
		if err != nil || f != nil || w.st.Challenge != nil {
			return f, "", err
		}
		extra.Authentication = data
	case w.rev.ThreeDS():
		extra.Initiator, extra.NetworkTransactionID = payment.InitiatorMerchant, w.st.NetworkTxnID
	}
	return w.sale(ctx, cycle, attempt, extra)
}

// sale is the processor's part of a bill; extra carries its 3-D Secure
// fields. An approved customer-initiated sale leaves its network transaction
// id for the merchant-initiated ones after it.
func (w *subscription) sale(ctx workflow.Context, cycle, attempt int, extra payment.Charge) (*payment.Failure, string, error) {
	var a *activities.Activities
	amount := w.in.Plan.Money()
	charge := payment.Charge{
		Key:                  fmt.Sprintf("%s/bill/%d/%d", WorkflowID(w.in.SubscriptionID), cycle, attempt),
		Token:                w.st.Card.Token,
		Amount:               amount,
		Authentication:       extra.Authentication,
		Initiator:            extra.Initiator,
		NetworkTransactionID: extra.NetworkTransactionID,
	}
	var o payment.Outcome
	sale := flow.Attention{Operation: "sale", IdempotencyKey: charge.Key, Amount: amount.Amount}
	if err := w.call(ctx, fmt.Sprintf("sale cycle %d attempt %d", cycle, attempt), sale, a.Sale, charge, &o); err != nil {
		return activityFailure(payment.StageProcessor, err)
	}
	if o.Approved {
		if w.rev.ThreeDS() && charge.Initiator == payment.InitiatorCustomer {
			w.st.NetworkTxnID = o.NetworkTransactionID
		}
		return nil, o.PaymentID, nil
	}
	if o.Failure == nil {
		o.Failure = payment.DeclineFor("").Failure(payment.StageProcessor)
	}
	return o.Failure, "", nil
}

// checkCard is the validity check of a bill. Since RevLean it runs as a local
// activity first, as the order's does: a lookup and rules, which as a regular
// activity cost three history events, a workflow task and a round trip through
// matching on every bill. If the local tries give up without an answer (the
// validation service is down for a minute), the regular activity takes over
// with the processor options, so a long outage still ends in attention.
func (w *subscription) checkCard(ctx workflow.Context, req payment.ValidationRequest, invalid **payment.Failure) error {
	var a *activities.Activities
	if w.rev.Lean() {
		lctx := workflow.WithLocalActivityOptions(ctx, flow.CheckOptions("validity check"))
		err := workflow.ExecuteLocalActivity(lctx, a.Validate, req).Get(ctx, invalid)
		if !flow.Unanswered(err) {
			return err
		}
		w.log.Warn("validity check unanswered; retrying as an activity", "subscription_id", w.in.SubscriptionID, "error", err)
	}
	return w.call(ctx, "validity check", flow.Attention{Operation: "validate"}, a.Validate, req, invalid)
}

// activityFailure turns a call refused for good into a hard fail: the same
// request cannot succeed later (say, a token the processor does not know).
func activityFailure(stage payment.Stage, err error) (*payment.Failure, string, error) {
	if temporal.IsCanceledError(err) {
		return nil, "", err
	}
	return &payment.Failure{
		Stage:   stage,
		Code:    flow.ErrorCode(err),
		Class:   payment.Hard,
		Message: "The payment could not be processed. Please use another card.",
	}, "", nil
}

// askUpdater asks the card account updater about a hard-declined card. A new
// number or expiry on file means the same token now charges a good card: the
// failure becomes soft and is retried on the schedule.
func (w *subscription) askUpdater(ctx workflow.Context, cycle, attempt int, f *payment.Failure) error {
	var a *activities.Activities
	in := activities.UpdateCardInput{
		Key:   fmt.Sprintf("%s/updater/%d/%d", WorkflowID(w.in.SubscriptionID), cycle, attempt),
		Token: w.st.Card.Token,
	}
	var u payment.CardUpdate
	if err := w.call(ctx, "account updater", flow.Attention{Operation: "update_card", IdempotencyKey: in.Key}, a.UpdateCard, in, &u); err != nil {
		if temporal.IsCanceledError(err) {
			return err
		}
		w.log.Warn("account updater refused", "token", in.Token, "error", err)
		w.event(ctx, Event{Type: EventCardNotUpdated, Cycle: cycle, Attempt: attempt, Code: "updater_error"})
		return nil
	}
	switch {
	case u.Closed:
		w.event(ctx, Event{Type: EventCardNotUpdated, Cycle: cycle, Attempt: attempt, Code: "account_closed"})
	case u.Updated:
		card := u.Card
		if card.Token == "" {
			card.Token = w.st.Card.Token
		}
		w.st.Card = card
		f.Class = payment.Soft
		w.event(ctx, Event{Type: EventCardUpdated, Cycle: cycle, Attempt: attempt})
		w.notify(ctx, NoticeCardUpdated, payment.RecipientMerchant, w.noticeData(cycle, time.Time{}))
	default:
		w.event(ctx, Event{Type: EventCardNotUpdated, Cycle: cycle, Attempt: attempt, Code: "no_update"})
	}
	return nil
}

// paid closes the cycle: active, notice, and continue-as-new when the main
// loop next looks.
func (w *subscription) paid(ctx workflow.Context) {
	st := &w.st
	st.Outstanding, st.Retries, st.RetryAt = false, 0, time.Time{}
	st.Totals.CyclesPaid++
	w.add(&st.Totals.Paid, w.in.Plan.Amount)
	w.fire(ctx, payment.SubscriptionPaid)
	w.event(ctx, Event{Type: EventPaymentSucceeded, Cycle: st.Cycle, Attempt: st.Attempt, Amount: w.in.Plan.Amount})
	// Done before the notice, so that since RevLean the notice goes out from
	// the next run (notify).
	w.cycleDone = true
	w.notify(ctx, NoticePaymentSucceeded, payment.RecipientCustomer, w.attemptData(st.LastPayment))
}

// failed records a failed attempt and plans what follows on the schedule:
// the next retry (soft) or hard-fail notice (hard), or the end when the
// schedule is used up.
func (w *subscription) failed(ctx workflow.Context, kind attemptKind, on payment.SubscriptionCommand) {
	typ := EventPaymentSoftFailed // the event and the notice are named alike
	if on == payment.SubscriptionHardFailed {
		typ = EventPaymentHardFailed
	}
	st := &w.st
	st.Totals.Failed++
	w.event(ctx, Event{Type: typ, Cycle: st.Cycle, Attempt: st.Attempt, Amount: w.in.Plan.Amount, Code: st.LastPayment.Failure.Code})
	usedUp := false
	switch kind {
	case attemptScheduled:
		st.Retries = 0
		usedUp = w.scheduleNext(ctx)
	case attemptRetry:
		usedUp = w.scheduleNext(ctx) // Retries was counted when the retry began
	case attemptCatchUp:
		// An extra attempt: the merchant's schedule keeps its dates.
	}
	if !usedUp {
		w.fire(ctx, on)
	}
	w.notify(ctx, noticePrefix+typ, payment.RecipientCustomer, w.attemptData(st.LastPayment))
	if usedUp {
		w.expire(ctx, "retry_schedule_used_up")
	}
}
