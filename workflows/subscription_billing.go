package workflows

import (
	"errors"
	"fmt"
	"math"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// subAttemptKind is why a bill runs; it decides what a failure does to the schedule.
type subAttemptKind int

const (
	subAttemptScheduled subAttemptKind = iota + 1 // the cycle's bill on its date: a failure starts the schedule
	subAttemptRetry                               // at a schedule date: a failure moves on to the next date
	subAttemptCatchUp                             // asked for (catch-up, new card): the schedule goes on as planned
)

// processorOptions are the options of validation and money calls (validate,
// sale, update_card, refund). Before ChangeProcessorOutage retries were
// unlimited: every money call carries an idempotency key, so a call retried
// after a timeout cannot move money twice, and giving up on one that may have
// gone through would leave the books wrong. Only a refusal for good (a contract
// error, marked non-retryable by the activity) ends the retries. With it, the
// retries end after SubscriptionSettings.ProcessorGiveUpAfter (default 1h) or
// ProcessorMaxAttempts, and a call still unanswered then stays pending, with the
// subscription's attention set, until an operator's retry-operation sends it
// again under the same key (attention.go). StartToClose is ProcessorTimeout
// (30s): one HTTP call, which the processor client bounds itself; backoff 1s
// doubling to 1m, as for orders.
func (w *subscription) processorOptions(summary string) workflow.ActivityOptions {
	opts := workflow.ActivityOptions{
		StartToCloseTimeout: w.settings.ProcessorTimeout,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval:    time.Second,
			BackoffCoefficient: 2,
			MaximumInterval:    time.Minute,
		},
		Summary: summary,
	}
	if w.ops.enabled {
		opts.ScheduleToCloseTimeout = w.settings.ProcessorGiveUpAfter
		opts.RetryPolicy.MaximumAttempts = int32(min(w.settings.ProcessorMaxAttempts, math.MaxInt32))
	}
	return opts
}

// call runs one processor activity through the pending calls (attention.go).
func (w *subscription) call(ctx workflow.Context, summary string, a Attention, fn, req, out any) error {
	return w.ops.call(ctx, w.processorOptions(summary), a, w.raiseAttention, w.resolveAttention, fn, req, out)
}

// bill runs one attempt on the outstanding cycle: validity check at date at,
// then a sale; a hard fail asks the account updater when that is on. The result
// moves the subscription along the lifecycle and sends the matching notice.
func (w *subscription) bill(ctx workflow.Context, kind subAttemptKind, at time.Time) error {
	st := &w.st
	st.Attempt++
	st.Totals.Attempts++
	cycle, attempt := st.Cycle, st.Attempt
	failure, paymentID, err := w.charge(ctx, cycle, attempt, at)
	if err != nil {
		return err
	}
	if failure != nil && failure.Class == payment.Hard && w.in.AccountUpdater {
		if err := w.askUpdater(ctx, cycle, attempt, failure); err != nil {
			return err
		}
	}

	now := workflow.Now(ctx).UTC()
	rec := w.cycleRecord(cycle)
	rec.Attempts++
	rec.At = now
	st.LastPayment = &SubscriptionAttempt{At: now, Cycle: cycle, Attempt: attempt, Amount: w.in.Plan.Amount, Status: SubscriptionPaymentSucceeded, Failure: failure}
	w.started = true
	switch {
	case failure == nil:
		rec.Status, rec.PaymentID = SubscriptionPaymentSucceeded, paymentID
		w.paid(ctx)
	case failure.Class == payment.Soft:
		rec.Status, st.LastPayment.Status = SubscriptionPaymentFailed, SubscriptionPaymentFailed
		w.failed(ctx, kind, "payment_soft_failed", payment.SubscriptionPastDue)
	default:
		rec.Status, st.LastPayment.Status = SubscriptionPaymentFailed, SubscriptionPaymentFailed
		w.failed(ctx, kind, "payment_hard_failed", payment.SubscriptionSuspended)
	}
	return nil
}

// charge is the validity check and the sale. A failed check is a hard fail with
// the check's reason code; a decline is the processor's failure. The error is
// only ever the workflow's cancellation.
func (w *subscription) charge(ctx workflow.Context, cycle, attempt int, at time.Time) (*payment.Failure, string, error) {
	var a *activities.Activities
	amount := w.in.Plan.Money()
	var invalid *payment.Failure
	req := payment.ValidationRequest{Card: w.st.Card, CustomerID: w.in.Customer.ID, Amount: amount, At: at}
	if err := w.checkCard(ctx, req, &invalid); err != nil {
		return subActivityFailure(payment.StageValidation, err)
	}
	if invalid != nil {
		return invalid, "", nil
	}

	charge := payment.Charge{
		Key:    fmt.Sprintf("%s/bill/%d/%d", SubscriptionWorkflowID(w.in.SubscriptionID), cycle, attempt),
		Token:  w.st.Card.Token,
		Amount: amount,
	}
	var o payment.Outcome
	sale := Attention{Operation: "sale", IdempotencyKey: charge.Key, Amount: amount.Amount}
	if err := w.call(ctx, fmt.Sprintf("sale cycle %d attempt %d", cycle, attempt), sale, a.Sale, charge, &o); err != nil {
		return subActivityFailure(payment.StageProcessor, err)
	}
	if o.Approved {
		return nil, o.PaymentID, nil
	}
	if o.Failure == nil {
		o.Failure = payment.DeclineFor("").Failure(payment.StageProcessor)
	}
	return o.Failure, "", nil
}

// checkCard is the validity check of a bill. Since revLean it runs as a local
// activity first, as the order's does: a lookup and rules, which as a regular
// activity cost three history events, a workflow task and a round trip through
// matching on every bill. If the local tries give up without an answer (the
// validation service is down for a minute), the regular activity takes over
// with the processor options, so a long outage still ends in attention.
func (w *subscription) checkCard(ctx workflow.Context, req payment.ValidationRequest, invalid **payment.Failure) error {
	var a *activities.Activities
	if w.rev >= revLean {
		lctx := workflow.WithLocalActivityOptions(ctx, checkOptions("validity check"))
		err := workflow.ExecuteLocalActivity(lctx, a.Validate, req).Get(ctx, invalid)
		if !unanswered(err) {
			return err
		}
		w.log.Warn("validity check unanswered; retrying as an activity", "subscription_id", w.in.SubscriptionID, "error", err)
	}
	return w.call(ctx, "validity check", Attention{Operation: "validate"}, a.Validate, req, invalid)
}

// subActivityFailure turns a call refused for good into a hard fail: the same
// request cannot succeed later (say, a token the processor does not know).
func subActivityFailure(stage payment.Stage, err error) (*payment.Failure, string, error) {
	if temporal.IsCanceledError(err) {
		return nil, "", err
	}
	code := "processor_error"
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() != "" {
		code = app.Type()
	}
	return &payment.Failure{
		Stage:   stage,
		Code:    code,
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
		Key:   fmt.Sprintf("%s/updater/%d/%d", SubscriptionWorkflowID(w.in.SubscriptionID), cycle, attempt),
		Token: w.st.Card.Token,
	}
	var u payment.CardUpdate
	if err := w.call(ctx, "account updater", Attention{Operation: "update_card", IdempotencyKey: in.Key}, a.UpdateCard, in, &u); err != nil {
		if temporal.IsCanceledError(err) {
			return err
		}
		w.log.Warn("account updater refused", "token", in.Token, "error", err)
		w.event(ctx, SubscriptionEvent{Type: "card_not_updated", Cycle: cycle, Attempt: attempt, Code: "updater_error"})
		return nil
	}
	switch {
	case u.Closed:
		w.event(ctx, SubscriptionEvent{Type: "card_not_updated", Cycle: cycle, Attempt: attempt, Code: "account_closed"})
	case u.Updated:
		card := u.Card
		if card.Token == "" {
			card.Token = w.st.Card.Token
		}
		w.st.Card = card
		f.Class = payment.Soft
		w.event(ctx, SubscriptionEvent{Type: "card_updated", Cycle: cycle, Attempt: attempt})
		w.notify(ctx, "card_updated", payment.RecipientMerchant, w.noticeData(cycle, time.Time{}))
	default:
		w.event(ctx, SubscriptionEvent{Type: "card_not_updated", Cycle: cycle, Attempt: attempt, Code: "no_update"})
	}
	return nil
}

// paid closes the cycle: active, notice, and continue-as-new when the main
// loop next looks.
func (w *subscription) paid(ctx workflow.Context) {
	st := &w.st
	st.Outstanding, st.Retries, st.RetryAt = false, 0, time.Time{}
	st.Totals.CyclesPaid++
	st.Totals.Paid += w.in.Plan.Amount
	w.setStatus(ctx, payment.SubscriptionActive)
	w.event(ctx, SubscriptionEvent{Type: "payment_succeeded", Cycle: st.Cycle, Attempt: st.Attempt, Amount: w.in.Plan.Amount})
	// Done before the notice, so that since revLean the notice goes out from
	// the next run (notify).
	w.cycleDone = true
	w.notify(ctx, "payment_succeeded", payment.RecipientCustomer, w.attemptData(st.LastPayment))
}

// failed records a failed attempt and plans what follows on the schedule:
// the next retry (soft) or hard-fail notice (hard), or the end when the
// schedule is used up.
func (w *subscription) failed(ctx workflow.Context, kind subAttemptKind, typ string, status payment.SubscriptionStatus) {
	st := &w.st
	st.Totals.Failed++
	w.event(ctx, SubscriptionEvent{Type: typ, Cycle: st.Cycle, Attempt: st.Attempt, Amount: w.in.Plan.Amount, Code: st.LastPayment.Failure.Code})
	usedUp := false
	switch kind {
	case subAttemptScheduled:
		st.Retries = 0
		usedUp = w.scheduleNext(ctx)
	case subAttemptRetry:
		usedUp = w.scheduleNext(ctx) // Retries was counted when the retry began
	case subAttemptCatchUp:
		// An extra attempt: the merchant's schedule keeps its dates.
	}
	if !usedUp {
		w.setStatus(ctx, status)
	}
	w.notify(ctx, typ, payment.RecipientCustomer, w.attemptData(st.LastPayment))
	if usedUp {
		w.expire(ctx, "retry_schedule_used_up")
	}
}
