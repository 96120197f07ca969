package order

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Disputes (chargebacks), since flow.RevDisputes. The cardholder's bank takes
// captured money back from the merchant while it decides; the processor
// reports the dispute and how it ended as processor-event kinds disputed and
// dispute_closed. cardflow moves no money for either: the order's status
// stays (the payment itself succeeded), the audit trail, the view's dispute
// and the shop's webhooks say what happened, and a lost dispute's amount
// counts in amounts.disputed, never as a refund (the merchant did not refund;
// the bank reversed it, and a refund on top would pay the cardholder twice).

// Audit trail events of a dispute: Amount is the dispute's, Code the
// cardholder's reason on disputed and the closing status on the others.
const (
	EventDisputed      = "disputed"
	EventDisputeWon    = "dispute_won"
	EventDisputeLost   = "dispute_lost"
	EventDisputeClosed = "dispute_closed" // closed neither won nor lost: warning_closed, prevented
)

// Merchant notifications of a dispute (the shop answers it with evidence at
// the processor, and learns whether the money stays its own).
const (
	NoticeDisputed      = "order.disputed"
	NoticeDisputeClosed = "order.dispute_closed"
)

// DefaultDisputeWait bounds how long an ended order waits for an open
// dispute's close: card networks give the issuer 75 days or so to decide
// after the merchant's evidence, and a workflow must end some day.
const DefaultDisputeWait = 120 * 24 * time.Hour

// dispute is the order's dispute as the processor last reported it.
type dispute struct {
	ID     string
	Status string // the processor's: needs_response, under_review, won, lost, ...
	Reason string
	Amount int64
	Closed bool
}

// DisputeView is the order's dispute as the API shows it (an addition).
type DisputeView struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Amount int64  `json:"amount"` // minor units of the order's currency
	Reason string `json:"reason"`
}

func (o *order) disputeView() *DisputeView {
	if o.dispute == nil {
		return nil
	}
	d := o.dispute
	return &DisputeView{ID: d.ID, Status: d.Status, Amount: d.Amount, Reason: d.Reason}
}

// disputeOpen reports a dispute the processor has not closed yet.
func (o *order) disputeOpen() bool { return o.dispute != nil && !o.dispute.Closed }

// disputed records a dispute the processor opened. A repeat of a known
// dispute (under another event id), or one that arrives after its close
// (Stripe promises no order), adds nothing.
func (o *order) disputed(ctx workflow.Context, e ProcessorEvent) {
	if o.dispute != nil && o.dispute.ID == e.DisputeID || slices.Contains(o.disputesClosed, e.DisputeID) {
		return
	}
	if o.disputeOpen() {
		workflow.GetLogger(ctx).Warn("dispute replaces an open one", "order_id", o.in.OrderID,
			"dispute_id", e.DisputeID, "open_dispute_id", o.dispute.ID)
	}
	o.dispute = &dispute{ID: e.DisputeID, Status: e.Status, Reason: e.Reason, Amount: e.Amount}
	o.event(ctx, EventDisputed, e.Amount, e.Reason)
	o.notify(ctx, NoticeDisputed, e.Amount, nil)
}

// disputeClosed records how a dispute ended; a close without its opening
// (lost in delivery, or still to come) opens and closes it at once, so the
// outcome is never missed. A lost dispute's amount counts as disputed.
func (o *order) disputeClosed(ctx workflow.Context, e ProcessorEvent) {
	if slices.Contains(o.disputesClosed, e.DisputeID) {
		return // closed already, under another event id: a lost one counts once
	}
	o.disputesClosed = append(o.disputesClosed, e.DisputeID)
	if o.dispute == nil || o.dispute.ID != e.DisputeID {
		o.dispute = &dispute{ID: e.DisputeID, Reason: e.Reason}
	}
	d := o.dispute
	d.Status, d.Amount, d.Closed = e.Status, e.Amount, true
	if d.Reason == "" {
		d.Reason = e.Reason
	}
	typ := EventDisputeClosed
	switch e.Status {
	case payment.DisputeWon:
		typ = EventDisputeWon
	case payment.DisputeLost:
		typ = EventDisputeLost
		o.add(&o.amounts.Disputed, e.Amount)
	}
	o.event(ctx, typ, e.Amount, e.Status)
	o.notify(ctx, NoticeDisputeClosed, e.Amount, nil)
}

// awaitDisputeClose keeps an ended order running while its dispute is open,
// so the close still reaches it (a workflow that has ended takes no signal),
// for at most Settings.DisputeWait.
func (o *order) awaitDisputeClose(ctx workflow.Context) error {
	if !o.rev.Disputes() || !o.disputeOpen() {
		return nil
	}
	closed, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      o.settings.DisputeWait,
		TimerOptions: workflow.TimerOptions{Summary: "dispute: wait for its close"},
	}, func() bool { return !o.disputeOpen() })
	if err == nil && !closed {
		workflow.GetLogger(ctx).Warn("order ends with its dispute still open", "order_id", o.in.OrderID,
			"dispute_id", o.dispute.ID, "waited", o.settings.DisputeWait)
	}
	return err
}

// checkDisputedRefund refuses, since RevDisputes, a refund (a return, or a
// cancel that refunds) of a disputed payment: while the dispute is open the
// cardholder's bank holds the money and decides, and after a lost one only
// what it left (captured less refunded less disputed) may be refunded.
// Refunding more would pay the cardholder twice.
func (o *order) checkDisputedRefund(amount int64) error {
	if !o.rev.Disputes() || o.dispute == nil {
		return nil
	}
	if o.disputeOpen() {
		return flow.InvalidState(fmt.Sprintf("order %s: its payment is disputed (%s, %s): no refund until the dispute closes", o.in.OrderID, o.dispute.ID, o.dispute.Status))
	}
	if left := o.auth.Captured - o.auth.Refunded - o.amounts.Disputed; amount > left {
		return flow.InvalidRequest("amount", fmt.Sprintf("order %s: a refund of %d is more than the %d its lost dispute %s left to refund", o.in.OrderID, amount, max(left, 0), o.dispute.ID))
	}
	return nil
}
