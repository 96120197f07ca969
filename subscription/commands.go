package subscription

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// The subscription's commands. Each block below is one command: its payload,
// its check (the update's validator, and again when the main loop applies it)
// and its effect. The names are in client.go; flow.Handle makes each an update
// and a signal. An accepted update is queued (run) and the main loop applies
// it between bills, never during one; a signal waits in its channel until the
// main loop reads it. Every payload may carry the API's Idempotency-Key: a
// command already applied under it is accepted and answered, not applied again.

// register installs the queries, the open update, retry-operation and the
// commands. It runs before the workflow first blocks, so an update sent with
// the start finds its handler.
func (w *subscription) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, flow.QueryState, func() (View, error) {
		return w.view(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryDigest, func() (string, error) {
		return w.in.Digest, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateOpen, w.open,
		workflow.UpdateHandlerOptions{Validator: w.validateOpen}); err != nil {
		return err
	}
	if err := flow.RegisterRetryOperation(ctx, &w.calls, func() bool { return !w.working }, w.view); err != nil {
		return err
	}
	w.cmds = flow.NewCommands(w.run, w.view, log.With(w.log, "subscription_id", w.in.SubscriptionID))
	if w.rev.Guarded() {
		w.cmds.Echo(func(v View, digest string) View { v.RequestDigest = digest; return v })
	}
	for _, err := range []error{
		flow.Handle(ctx, w.cmds, w.cancel()),
		flow.Handle(ctx, w.cmds, w.paymentMethod()),
		flow.Handle(ctx, w.cmds, w.catchUp()),
		flow.Handle(ctx, w.cmds, w.refund()),
		flow.Handle(ctx, w.cmds, w.authenticateCmd()),
		w.registerExternal(ctx),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// queued is an accepted command waiting for the main loop.
type queued struct {
	seq int // > 0 for updates, whose handler waits for the result
	job flow.Job
}

// run queues an update's command and waits until the main loop applied it.
func (w *subscription) run(ctx workflow.Context, j flow.Job) error {
	w.seq++
	seq := w.seq
	w.queue = append(w.queue, queued{seq: seq, job: j})
	if err := workflow.Await(ctx, func() bool { return w.applied >= seq }); err != nil {
		return err
	}
	err := w.results[seq]
	delete(w.results, seq)
	return err
}

// hasWork reports commands waiting: queued updates or signals not read yet.
func (w *subscription) hasWork() bool {
	return len(w.queue) > 0 || w.cmds.Signalled()
}

// applyCommands reads pending signals into the queue and applies the queue in
// order, each command against the state the one before left.
func (w *subscription) applyCommands(ctx workflow.Context) error {
	for _, j := range w.cmds.Signals(ctx) {
		w.queue = append(w.queue, queued{job: j})
	}
	for len(w.queue) > 0 {
		q := w.queue[0]
		w.queue = w.queue[1:]
		w.actor = q.job.Actor
		err := q.job.Do(ctx)
		w.actor = ""
		if q.seq > 0 {
			w.results[q.seq] = err
			w.applied = q.seq
			continue
		}
		if err != nil {
			w.log.Warn("signal not applied", "command", q.job.Name, "error", err)
		}
	}
	return ctx.Err()
}

// check is what every command's check starts with: a command whose
// Idempotency-Key was applied already passes (and is answered as it is)
// unless, since RevGuarded, the key was applied to another request (digest:
// the request's, flow.Sender); else the lifecycle must allow it and no call
// may wait for an operator. content checks the payload.
func (w *subscription) check(c payment.SubscriptionCommand, key, digest string, content func() error) error {
	if w.seen(c, key) {
		if was := w.st.KeyDigests[idempotencyKey(c, key)]; w.rev.Guarded() && was != "" && digest != "" && was != digest {
			return flow.KeyReused(key)
		}
		return nil
	}
	if err := payment.SubscriptionLifecycle.Check(w.st.Status, c); err != nil {
		return flow.InvalidState(err.Error())
	}
	if err := w.calls.Blocked(); err != nil {
		return err
	}
	if content == nil {
		return nil
	}
	return content()
}

// once runs a command's effect unless its Idempotency-Key was applied
// already, and remembers the key (since RevGuarded with the request's digest)
// once the effect succeeded.
func (w *subscription) once(c payment.SubscriptionCommand, key, digest string, effect func() error) error {
	if w.seen(c, key) {
		return nil
	}
	err := effect()
	if err == nil && key != "" {
		k := idempotencyKey(c, key)
		w.st.Keys = keepLast(append(w.st.Keys, k), keepKeys)
		if w.rev.Guarded() && digest != "" {
			// Rebuilt from Keys (a slice, in order), so it is bounded as Keys is.
			kept := map[string]string{k: digest}
			for _, key := range w.st.Keys {
				if d, ok := w.st.KeyDigests[key]; ok && key != k {
					kept[key] = d
				}
			}
			w.st.KeyDigests = kept
		}
	}
	return err
}

// checkAttempts refuses, since RevGuarded, a command that would bill the
// customer at once (a card change or catch-up while past due or suspended)
// while Settings.AttemptLimits' declined catch-up bills fill the window; since
// RevDeclinedCardsCount also a card change that would verify the card
// (incomplete, trialing, active), declined verifications counting too.
func (w *subscription) checkAttempts() error {
	switch w.st.Status {
	case payment.SubscriptionPastDue, payment.SubscriptionSuspended:
		if w.rev.Guarded() {
			return w.st.Declines.Check(w.now(), w.settings.AttemptLimits)
		}
	case payment.SubscriptionIncomplete, payment.SubscriptionTrialing, payment.SubscriptionActive:
		if w.rev.DeclinedCardsCount() {
			return w.st.Declines.Check(w.now(), w.settings.AttemptLimits)
		}
	}
	return nil
}

// seen reports that the command's Idempotency-Key was applied already.
func (w *subscription) seen(c payment.SubscriptionCommand, key string) bool {
	return key != "" && slices.Contains(w.st.Keys, idempotencyKey(c, key))
}

// idempotencyKey scopes the client's key to the command, so that the same key
// on a refund and on a cancel means two things. It is kept in the state, so
// its spelling never changes.
func idempotencyKey(c payment.SubscriptionCommand, key string) string { return string(c) + "/" + key }

// ---- open: POST /v1/subscriptions (Update-with-Start) ----

// OpenRequest carries the digest of the API's create request.
type OpenRequest struct {
	Digest string `json:"request_digest"`
}

// Opened answers UpdateOpen. Created is true for the one call that created the
// subscription, false for a repeat of the same request.
type Opened struct {
	Created      bool `json:"created"`
	Subscription View `json:"subscription"`
}

func (w *subscription) validateOpen(r OpenRequest) error {
	if r.Digest != w.in.Digest {
		return flow.InvalidState(fmt.Sprintf("subscription %s already exists with a different request", w.in.SubscriptionID))
	}
	return nil
}

// open answers the API's create call once there is something to tell: the trial
// began, or the first bill has a result.
func (w *subscription) open(ctx workflow.Context, _ OpenRequest) (Opened, error) {
	created := !w.st.Opened
	w.st.Opened = true
	// A first bill whose processor call waits for an operator answers too, showing its attention.
	if err := workflow.Await(ctx, func() bool { return w.started || w.calls.Waiting() }); err != nil {
		return Opened{}, err
	}
	return Opened{Created: created, Subscription: w.view()}, nil
}

// ---- cancel: the customer opts out ----

// CancelRequest is the customer opting out.
type CancelRequest struct {
	flow.Sender
	Key string `json:"idempotency_key,omitempty"`
}

func (w *subscription) cancel() flow.Command[CancelRequest] {
	const c = payment.SubscriptionCancel
	return flow.Command[CancelRequest]{
		Name:  UpdateCancel,
		Doc:   "the customer opts out: nothing is billed any more",
		Check: func(r CancelRequest) error { return w.check(c, r.Key, r.Digest, nil) },
		Do: func(ctx workflow.Context, r CancelRequest) error {
			return w.once(c, r.Key, r.Digest, func() error { w.doCancel(ctx); return nil })
		},
	}
}

// cancel is the customer's opt-out: nothing is billed any more.
func (w *subscription) doCancel(ctx workflow.Context) {
	w.dropPageChallenge()
	w.fire(ctx, payment.SubscriptionCancel)
	w.st.RetryAt = time.Time{} // nothing further is due
	w.event(ctx, Event{Type: EventCancelled, Cycle: w.st.Cycle})
	w.notify(ctx, NoticeCancelled, payment.RecipientCustomer, w.noticeData(w.st.Cycle, time.Time{}))
}

// ---- payment-method: replace the card ----

// PaymentMethodRequest replaces the card (already tokenized by the API).
type PaymentMethodRequest struct {
	flow.Sender
	Key  string       `json:"idempotency_key,omitempty"`
	Card payment.Card `json:"card"`
}

func (w *subscription) paymentMethod() flow.Command[PaymentMethodRequest] {
	const c = payment.SubscriptionPaymentMethod
	return flow.Command[PaymentMethodRequest]{
		Name: UpdatePaymentMethod,
		Doc:  "replace the card; past due or suspended, the new card pays what is outstanding at once",
		Check: func(r PaymentMethodRequest) error {
			return w.check(c, r.Key, r.Digest, func() error {
				if r.Card.Token == "" {
					return flow.InvalidRequest("card", "the new card has no token")
				}
				return w.checkAttempts()
			})
		},
		Do: func(ctx workflow.Context, r PaymentMethodRequest) error {
			return w.once(c, r.Key, r.Digest, func() error { return w.doChangeCard(ctx, r.Card) })
		},
	}
}

// doChangeCard replaces the card. Past due or suspended, the new card pays what is
// outstanding at once instead of waiting for the schedule.
// An incomplete subscription's first card starts it, as a start with a card
// would have: its trial, or its first bill at once (the main loop bills it).
// Since RevFirstCardVerified the card is verified first, and a challenge
// leaves it incomplete until the customer passed it.
//
// Since RevThreeDS the customer is there: what it bills is customer-initiated
// (authenticated), and with nothing outstanding the new card is verified, so
// that the bills after it go without the customer.
func (w *subscription) doChangeCard(ctx workflow.Context, card payment.Card) error {
	prev, prevNtx := w.st.Card, w.st.NetworkTxnID
	w.st.Card = card
	w.event(ctx, Event{Type: EventPaymentMethodUpdated, Cycle: w.st.Cycle})
	w.changingCard = w.rev.ThreeDS()
	defer func() { w.changingCard = false }()
	switch w.st.Status {
	case payment.SubscriptionPastDue, payment.SubscriptionSuspended:
		return w.bill(ctx, attemptCatchUp, workflow.Now(ctx).UTC())
	case payment.SubscriptionIncomplete:
		if w.rev.FirstCardVerified() {
			// Verified first: a challenge keeps it incomplete until the
			// customer passed it (doAuthenticate starts it then). A card
			// entered while another's challenge waits replaces that one.
			w.st.Challenge = nil
			w.st.NetworkTxnID = ""
			ok, err := w.verify(ctx)
			if err != nil || w.st.Challenge != nil {
				return err
			}
			// Since RevDeclinedCardsCount a declined card starts nothing:
			// the page takes another.
			if ok || !w.rev.DeclinedCardsCount() {
				w.startFromPage(ctx)
			}
			return nil
		}
		w.startFromPage(ctx)
	}
	if w.changingCard && w.st.Challenge == nil {
		if w.rev.DeclinedCardsCount() && w.st.CardBefore == nil {
			// Kept until the new card is verified: a declined one puts it
			// back (keepCard), so the bills never charge a refused card.
			w.st.CardBefore, w.st.NtxBefore = &prev, prevNtx
		}
		w.st.NetworkTxnID = "" // the old card's: it does not follow the new one
		_, err := w.verify(ctx)
		return err
	}
	return nil
}

// startFromPage starts an incomplete subscription, as a start with a card
// would have: its trial, anchored now, or its first bill at once (the main
// loop bills it).
func (w *subscription) startFromPage(ctx workflow.Context) {
	now := workflow.Now(ctx).UTC()
	w.st.Anchor = now
	on := payment.SubscriptionBillingStarted
	if !w.in.Plan.Trial.IsZero() {
		w.st.Anchor, on = w.in.Plan.Trial.AddTo(now), payment.SubscriptionTrialStarted
	}
	w.fire(ctx, on)
}

// ---- catch-up: bill what is outstanding now (past_due) ----

// CatchUpRequest bills what is outstanding now.
type CatchUpRequest struct {
	flow.Sender
	Key string `json:"idempotency_key,omitempty"`
}

func (w *subscription) catchUp() flow.Command[CatchUpRequest] {
	const c = payment.SubscriptionCatchUp
	return flow.Command[CatchUpRequest]{
		Name:  UpdateCatchUp,
		Doc:   "bill what is outstanding now (past_due)",
		Check: func(r CatchUpRequest) error { return w.check(c, r.Key, r.Digest, w.checkAttempts) },
		Do: func(ctx workflow.Context, r CatchUpRequest) error {
			return w.once(c, r.Key, r.Digest, func() error { return w.bill(ctx, attemptCatchUp, workflow.Now(ctx).UTC()) })
		},
	}
}

// ---- refunds: refund (part of) a paid cycle ----

// RefundRequest refunds (part of) a paid cycle, in minor units.
type RefundRequest struct {
	flow.Sender
	Key    string `json:"idempotency_key,omitempty"`
	Cycle  int    `json:"cycle"`
	Amount int64  `json:"amount"`
}

func (w *subscription) refund() flow.Command[RefundRequest] {
	const c = payment.SubscriptionRefund
	return flow.Command[RefundRequest]{
		Name: UpdateRefund,
		Doc:  "refund (part of) a paid cycle",
		Check: func(r RefundRequest) error {
			return w.check(c, r.Key, r.Digest, func() error { return w.checkRefund(r) })
		},
		Do: func(ctx workflow.Context, r RefundRequest) error {
			return w.once(c, r.Key, r.Digest, func() error { return w.doRefund(ctx, r) })
		},
	}
}

// checkRefund allows at most what was paid for the cycle less what is refunded
// or about to be (refunds accepted but not applied yet).
func (w *subscription) checkRefund(r RefundRequest) error {
	if r.Cycle < 1 {
		return flow.InvalidRequest("cycle", "cycle must be 1 or more")
	}
	if r.Amount <= 0 {
		return flow.InvalidRequest("amount", "amount must be more than 0")
	}
	i := slices.IndexFunc(w.st.Payments, func(p Payment) bool { return p.Cycle == r.Cycle })
	switch {
	case i < 0 && r.Cycle > w.st.Cycle:
		return flow.InvalidRequest("cycle", fmt.Sprintf("cycle %d has not been billed", r.Cycle))
	case i < 0:
		return flow.InvalidRequest("cycle", fmt.Sprintf("cycle %d is no longer refundable: only the last %d cycles are kept", r.Cycle, w.settings.KeepPayments))
	case w.st.Payments[i].Status != PaymentSucceeded:
		return flow.InvalidRequest("cycle", fmt.Sprintf("cycle %d was not paid", r.Cycle))
	}
	left := w.st.Payments[i].Refundable()
	for _, q := range w.queue {
		if o, ok := q.job.Req.(RefundRequest); ok && o.Cycle == r.Cycle && !w.seen(payment.SubscriptionRefund, o.Key) {
			left -= o.Amount
		}
	}
	if r.Amount > left {
		return flow.InvalidRequest("amount", fmt.Sprintf("at most %d can be refunded for cycle %d", max(left, 0), r.Cycle))
	}
	if _, err := payment.AddAmount(w.st.Totals.Refunded, r.Amount); err != nil && w.rev.Guarded() {
		return flow.InvalidRequest("amount", fmt.Sprintf("a refund of %d would overflow the subscription's refunded total (%s)", r.Amount, payment.AmountOutOfRange))
	}
	return nil
}

// doRefund gives back (part of) a paid cycle through the processor.
func (w *subscription) doRefund(ctx workflow.Context, c RefundRequest) error {
	var a *activities.Activities
	i := slices.IndexFunc(w.st.Payments, func(p Payment) bool { return p.Cycle == c.Cycle })
	w.st.RefundSeq++
	op := payment.Operation{
		Key:       fmt.Sprintf("%s/refund/%d", WorkflowID(w.in.SubscriptionID), w.st.RefundSeq),
		PaymentID: w.st.Payments[i].PaymentID,
		Amount:    payment.Money{Amount: c.Amount, Currency: w.in.Plan.Currency},
	}
	var o payment.Outcome
	ra := flow.Attention{Operation: "refund", IdempotencyKey: op.Key, Amount: c.Amount}
	if err := w.call(ctx, fmt.Sprintf("refund cycle %d", c.Cycle), ra, a.Refund, op, &o); err != nil {
		if temporal.IsCanceledError(err) {
			return err
		}
		return flow.InvalidRequest("amount", "the processor refused the refund")
	}
	if !o.Approved {
		code := payment.GenericDecline
		if o.Failure != nil {
			code = o.Failure.Code
		}
		w.event(ctx, Event{Type: EventRefundDeclined, Cycle: c.Cycle, Amount: c.Amount, Code: code})
		return flow.InvalidRequest("amount", "the processor declined the refund: "+code)
	}
	w.st.Payments[i].Refunded += c.Amount
	w.add(&w.st.Totals.Refunded, c.Amount)
	w.event(ctx, Event{Type: EventRefunded, Cycle: c.Cycle, Amount: c.Amount})
	d := w.noticeData(c.Cycle, time.Time{})
	d.Refunded = c.Amount
	w.notify(ctx, NoticeRefunded, payment.RecipientCustomer, d)
	return nil
}
