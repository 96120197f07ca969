package workflows

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// Update and signal names of a subscription. The four commands are payment's
// lifecycle commands; each is an update (validated, answers the SubscriptionView
// after it took effect) and a signal of the same name (fire and forget, checked
// when applied and dropped with a log line when not allowed).
const (
	SubscriptionCancel        = string(payment.SubscriptionCancel)        // SubscriptionCancelRequest
	SubscriptionPaymentMethod = string(payment.SubscriptionPaymentMethod) // PaymentMethodRequest
	SubscriptionCatchUp       = string(payment.SubscriptionCatchUp)       // CatchUpRequest
	SubscriptionRefund        = string(payment.SubscriptionRefund)        // SubscriptionRefundRequest
	// SubscriptionOpen is the update the API sends with the start
	// (update-with-start): it answers SubscriptionOpened once the trial began
	// or the first bill has a result, and rejects a request digest that differs
	// from the one the subscription was created with.
	SubscriptionOpen = "open"
	// QueryRequestDigest answers the digest of the request that created the
	// subscription (a string), for the API's repeat check once the workflow has
	// closed and takes no more updates.
	QueryRequestDigest = "request_digest"
)

// SubscriptionCancelRequest is the customer opting out. Key, when set, is the
// API's Idempotency-Key: a command already applied under it is not applied again.
type SubscriptionCancelRequest struct {
	Key string `json:"idempotency_key,omitempty"`
}

// PaymentMethodRequest replaces the card (already tokenized by the API).
type PaymentMethodRequest struct {
	Key  string       `json:"idempotency_key,omitempty"`
	Card payment.Card `json:"card"`
}

// CatchUpRequest bills what is outstanding now.
type CatchUpRequest struct {
	Key string `json:"idempotency_key,omitempty"`
}

// SubscriptionRefundRequest refunds (part of) a paid cycle, in minor units.
type SubscriptionRefundRequest struct {
	Key    string `json:"idempotency_key,omitempty"`
	Cycle  int    `json:"cycle"`
	Amount int64  `json:"amount"`
}

// SubscriptionOpenRequest carries the digest of the API's create request.
type SubscriptionOpenRequest struct {
	Digest string `json:"request_digest"`
}

// SubscriptionOpened answers SubscriptionOpen. Created is true for the one call
// that created the subscription, false for a repeat of the same request.
type SubscriptionOpened struct {
	Created      bool             `json:"created"`
	Subscription SubscriptionView `json:"subscription"`
}

// subCommand is an accepted command waiting for the main loop.
type subCommand struct {
	seq    int // > 0 for updates, whose handler waits for the result
	name   payment.SubscriptionCommand
	key    string
	card   payment.Card
	cycle  int
	amount int64
}

type subCommandRequest interface {
	SubscriptionCancelRequest | PaymentMethodRequest | CatchUpRequest | SubscriptionRefundRequest
}

func subCommandOf[R subCommandRequest](r R) subCommand {
	switch r := any(r).(type) {
	case SubscriptionCancelRequest:
		return subCommand{name: payment.SubscriptionCancel, key: r.Key}
	case PaymentMethodRequest:
		return subCommand{name: payment.SubscriptionPaymentMethod, key: r.Key, card: r.Card}
	case CatchUpRequest:
		return subCommand{name: payment.SubscriptionCatchUp, key: r.Key}
	case SubscriptionRefundRequest:
		return subCommand{name: payment.SubscriptionRefund, key: r.Key, cycle: r.Cycle, amount: r.Amount}
	}
	panic("unreachable")
}

// subSignal is one command's signal channel and how to read it.
type subSignal struct {
	ch      workflow.ReceiveChannel
	receive func() (subCommand, bool)
}

// register installs the query, the updates and the signal channels. It runs
// before the workflow first blocks, so an update sent with the start finds its
// handler.
func (w *subscription) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryState, func() (SubscriptionView, error) {
		return w.view(), nil
	}); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryRequestDigest, func() (string, error) {
		return w.in.Digest, nil
	}); err != nil {
		return err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, SubscriptionOpen, w.open,
		workflow.UpdateHandlerOptions{Validator: w.validateOpen}); err != nil {
		return err
	}
	return errors.Join(
		w.registerRetryOperation(ctx),
		setSubCommand[SubscriptionCancelRequest](ctx, w, SubscriptionCancel),
		setSubCommand[PaymentMethodRequest](ctx, w, SubscriptionPaymentMethod),
		setSubCommand[CatchUpRequest](ctx, w, SubscriptionCatchUp),
		setSubCommand[SubscriptionRefundRequest](ctx, w, SubscriptionRefund),
	)
}

// setSubCommand makes one command an update with a validator and a signal.
func setSubCommand[R subCommandRequest](ctx workflow.Context, w *subscription, name string) error {
	ch := workflow.GetSignalChannel(ctx, name)
	w.signals = append(w.signals, subSignal{ch: ch, receive: func() (subCommand, bool) {
		var r R
		if !ch.ReceiveAsync(&r) {
			return subCommand{}, false
		}
		return subCommandOf(r), true
	}})
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, r R) (SubscriptionView, error) { return w.await(ctx, subCommandOf(r)) },
		workflow.UpdateHandlerOptions{Validator: func(r R) error { return w.validate(subCommandOf(r)) }},
	)
}

func (w *subscription) validateOpen(r SubscriptionOpenRequest) error {
	if r.Digest != w.in.Digest {
		return InvalidState(fmt.Sprintf("subscription %s already exists with a different request", w.in.SubscriptionID))
	}
	return nil
}

// open answers the API's create call once there is something to tell: the trial
// began, or the first bill has a result.
func (w *subscription) open(ctx workflow.Context, _ SubscriptionOpenRequest) (SubscriptionOpened, error) {
	created := !w.st.Opened
	w.st.Opened = true
	// A first bill whose processor call is pending answers too, showing its attention.
	if err := workflow.Await(ctx, func() bool { return w.started || w.ops.attention != nil }); err != nil {
		return SubscriptionOpened{}, err
	}
	return SubscriptionOpened{Created: created, Subscription: w.view()}, nil
}

// validate accepts or rejects an update before it enters history: 409 when the
// status does not allow the command, 422 when its content is wrong. A command
// whose Idempotency-Key was applied already is accepted and answered as is.
func (w *subscription) validate(c subCommand) error {
	if w.seen(c) {
		return nil
	}
	if err := payment.CheckSubscriptionCommand(w.st.Status, c.name); err != nil {
		return InvalidState(err.Error())
	}
	if err := w.ops.blocked(); err != nil {
		return err
	}
	return w.check(c)
}

func (w *subscription) check(c subCommand) error {
	switch c.name {
	case payment.SubscriptionPaymentMethod:
		if c.card.Token == "" {
			return InvalidRequest("card", "the new card has no token")
		}
	case payment.SubscriptionRefund:
		return w.checkRefund(c)
	}
	return nil
}

// checkRefund allows at most what was paid for the cycle less what is refunded
// or about to be (refunds accepted but not applied yet).
func (w *subscription) checkRefund(c subCommand) error {
	if c.cycle < 1 {
		return InvalidRequest("cycle", "cycle must be 1 or more")
	}
	if c.amount <= 0 {
		return InvalidRequest("amount", "amount must be more than 0")
	}
	i := slices.IndexFunc(w.st.Payments, func(p SubscriptionPayment) bool { return p.Cycle == c.cycle })
	switch {
	case i < 0 && c.cycle > w.st.Cycle:
		return InvalidRequest("cycle", fmt.Sprintf("cycle %d has not been billed", c.cycle))
	case i < 0:
		return InvalidRequest("cycle", fmt.Sprintf("cycle %d is no longer refundable: only the last %d cycles are kept", c.cycle, w.settings.KeepPayments))
	case w.st.Payments[i].Status != SubscriptionPaymentSucceeded:
		return InvalidRequest("cycle", fmt.Sprintf("cycle %d was not paid", c.cycle))
	}
	left := w.st.Payments[i].Refundable()
	for _, q := range w.queue {
		if q.name == payment.SubscriptionRefund && q.cycle == c.cycle && !w.seen(q) {
			left -= q.amount
		}
	}
	if c.amount > left {
		return InvalidRequest("amount", fmt.Sprintf("at most %d can be refunded for cycle %d", max(left, 0), c.cycle))
	}
	return nil
}

// await queues an update's command and waits until the main loop applied it.
func (w *subscription) await(ctx workflow.Context, c subCommand) (SubscriptionView, error) {
	w.seq++
	c.seq = w.seq
	w.queue = append(w.queue, c)
	if err := workflow.Await(ctx, func() bool { return w.applied >= c.seq }); err != nil {
		return SubscriptionView{}, err
	}
	err := w.results[c.seq]
	delete(w.results, c.seq)
	return w.view(), err
}

// hasWork reports commands waiting: queued updates or signals not read yet.
func (w *subscription) hasWork() bool {
	if len(w.queue) > 0 {
		return true
	}
	return slices.ContainsFunc(w.signals, func(s subSignal) bool { return s.ch.Len() > 0 })
}

// applyCommands reads pending signals into the queue and applies the queue in
// order, each command against the state the one before left.
func (w *subscription) applyCommands(ctx workflow.Context) error {
	for _, s := range w.signals {
		for c, ok := s.receive(); ok; c, ok = s.receive() {
			w.queue = append(w.queue, c)
		}
	}
	for len(w.queue) > 0 {
		c := w.queue[0]
		w.queue = w.queue[1:]
		err := w.apply(ctx, c)
		if c.seq > 0 {
			w.results[c.seq] = err
			w.applied = c.seq
			continue
		}
		if err != nil {
			w.log.Warn("signal not applied", "command", c.name, "error", err)
		}
	}
	return ctx.Err()
}

// apply carries one command out. The status may have moved since the command
// was accepted, so it is checked again.
func (w *subscription) apply(ctx workflow.Context, c subCommand) error {
	if w.seen(c) {
		return nil
	}
	if err := payment.CheckSubscriptionCommand(w.st.Status, c.name); err != nil {
		return InvalidState(err.Error())
	}
	if err := w.check(c); err != nil {
		return err
	}
	var err error
	switch c.name {
	case payment.SubscriptionCancel:
		w.cancel(ctx)
	case payment.SubscriptionPaymentMethod:
		err = w.changeCard(ctx, c.card)
	case payment.SubscriptionCatchUp:
		err = w.bill(ctx, subAttemptCatchUp, workflow.Now(ctx).UTC())
	case payment.SubscriptionRefund:
		err = w.refund(ctx, c)
	}
	if err == nil && c.key != "" {
		w.st.Keys = subKeepLast(append(w.st.Keys, c.idempotencyKey()), subKeepKeys)
	}
	return err
}

// seen reports that the command's Idempotency-Key was applied already.
func (w *subscription) seen(c subCommand) bool {
	return c.key != "" && slices.Contains(w.st.Keys, c.idempotencyKey())
}

// idempotencyKey scopes the client's key to the command, so that the same key
// on a refund and on a cancel means two things.
func (c subCommand) idempotencyKey() string { return string(c.name) + "/" + c.key }

// cancel is the customer's opt-out: nothing is billed any more.
func (w *subscription) cancel(ctx workflow.Context) {
	w.setStatus(ctx, payment.SubscriptionCancelled)
	w.st.RetryAt = time.Time{} // nothing further is due
	w.event(ctx, SubscriptionEvent{Type: "cancelled", Cycle: w.st.Cycle})
	w.notify(ctx, "cancelled", payment.RecipientCustomer, w.noticeData(w.st.Cycle, time.Time{}))
}

// changeCard replaces the card. Past due or suspended, the new card pays what is
// outstanding at once instead of waiting for the schedule.
func (w *subscription) changeCard(ctx workflow.Context, card payment.Card) error {
	w.st.Card = card
	w.event(ctx, SubscriptionEvent{Type: "payment_method_updated", Cycle: w.st.Cycle})
	switch w.st.Status {
	case payment.SubscriptionPastDue, payment.SubscriptionSuspended:
		return w.bill(ctx, subAttemptCatchUp, workflow.Now(ctx).UTC())
	}
	return nil
}

// refund gives back (part of) a paid cycle through the processor.
func (w *subscription) refund(ctx workflow.Context, c subCommand) error {
	var a *activities.Activities
	i := slices.IndexFunc(w.st.Payments, func(p SubscriptionPayment) bool { return p.Cycle == c.cycle })
	w.st.RefundSeq++
	op := payment.Operation{
		Key:       fmt.Sprintf("%s/refund/%d", SubscriptionWorkflowID(w.in.SubscriptionID), w.st.RefundSeq),
		PaymentID: w.st.Payments[i].PaymentID,
		Amount:    payment.Money{Amount: c.amount, Currency: w.in.Plan.Currency},
	}
	var o payment.Outcome
	ra := Attention{Operation: "refund", IdempotencyKey: op.Key, Amount: c.amount}
	if err := w.call(ctx, fmt.Sprintf("refund cycle %d", c.cycle), ra, a.Refund, op, &o); err != nil {
		if temporal.IsCanceledError(err) {
			return err
		}
		return InvalidRequest("amount", "the processor refused the refund")
	}
	if !o.Approved {
		code := payment.GenericDecline
		if o.Failure != nil {
			code = o.Failure.Code
		}
		w.event(ctx, SubscriptionEvent{Type: "refund_declined", Cycle: c.cycle, Amount: c.amount, Code: code})
		return InvalidRequest("amount", "the processor declined the refund: "+code)
	}
	w.st.Payments[i].Refunded += c.amount
	w.st.Totals.Refunded += c.amount
	w.event(ctx, SubscriptionEvent{Type: "refunded", Cycle: c.cycle, Amount: c.amount})
	d := w.noticeData(c.cycle, time.Time{})
	d.Refunded = c.amount
	w.notify(ctx, "refunded", payment.RecipientCustomer, d)
	return nil
}
