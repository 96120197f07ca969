package order

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// order is the workflow's state of one order. Only the workflow goroutines
// touch it, one at a time (Temporal runs them cooperatively); lock serializes
// the multi-step operations of commands and timers (see exclusive).
type order struct {
	in       Input
	settings Settings
	invalid  error // the input's check failed: the workflow ends at once

	status payment.OrderStatus
	since  time.Time // when the status last changed: the abandonment clock starts here
	moves  int       // counts transitions: wakes the main loop's waits

	lines    []Line
	amounts  Amounts // Total is computed in view
	card     payment.Card
	fraud    *payment.FraudResult
	failure  *payment.Failure
	message  string
	attempts int
	events   []Event

	auth      *authorization // the live payment at the processor, nil before one is approved
	shippedAt time.Time
	tds       threeDS // the attempt's 3-D Secure authentication (threeds.go), since RevThreeDS

	// Since RevGuarded: who runs the command under way (its events name
	// them; "" for the order's own timers), the declined attempts that count
	// against Settings.AttemptLimits and the distinct cards tried (bounded).
	actor    string
	declines flow.Declines
	cards    []string
	now      func() time.Time // the workflow's clock, for validators and the view

	ext     external // what the processor reported (external.go), since RevProcessorEvents
	dispute *dispute // the payment's dispute (dispute.go), since RevDisputes
	// disputesClosed are the ids of every dispute closed so far, so that a
	// close reported again (under another event id) or an opening after its
	// close adds nothing, whichever dispute is the latest.
	disputesClosed []string

	seq     map[string]int    // per-operation sequence of the idempotency keys
	notices []workflow.Future // notifications sent, awaited before the workflow ends

	rev   flow.Revision        // the run's revision
	calls flow.Calls           // processor calls, and the one waiting for an operator (attention)
	cmds  *flow.Commands[View] // the commands and their signals (commands.go)

	lock    workflow.Mutex // held by a command or a timer moving money: the next waits its turn
	running int            // commands accepted and not finished
	started bool           // the first attempt has a result: the place update may answer
	// awaiting: placed for the payment page (RevPaymentPage); the first
	// attempt is the page's. pageExpires is when its link expires: when the
	// order, still awaiting payment, is cancelled.
	awaiting    bool
	pageExpires time.Time
	// pagePaid: the page's card was taken (authorized, or held for a later
	// submission); from then on the link has done its job, and a later
	// payment_failed (a declined re-authorization or submission) has the
	// ordinary abandonment clock (RevPageLinkEnds).
	pagePaid bool
	placed   int // place updates answered
}

// authorization is one payment at the processor (an authorization, or a sale)
// and what was done with it.
type authorization struct {
	PaymentID string
	Amount    int64 // approved
	Captured  int64
	Voided    int64
	Refunded  int64
	At        time.Time
	ExpiresAt time.Time // the processor's, zero if it did not say
	// NetworkTxnID is the network's id of the customer-initiated
	// authorization a re-authorization follows (RevThreeDS).
	NetworkTxnID string
}

// open is what may still be captured or voided.
func (a *authorization) open() int64 { return a.Amount - a.Captured - a.Voided }

func newOrder(ctx workflow.Context, in Input) *order {
	rev := flow.ReadRevision(ctx)
	o := &order{
		in:       in,
		settings: in.Settings.WithDefaults(),
		status:   payment.OrderProcessing,
		since:    workflow.Now(ctx),
		card:     in.Card,
		seq:      map[string]int{},
		invalid:  in.Check(),
		rev:      rev,
		awaiting: in.PaymentPage != nil && rev.PaymentPage(),
		lock:     workflow.NewMutex(ctx),
		now:      func() time.Time { return workflow.Now(ctx) },
	}
	o.calls = flow.NewCalls(rev, log.With(workflow.GetLogger(ctx), "order_id", in.OrderID), o.recordAttention)
	if o.awaiting {
		o.status = payment.OrderAwaitingPayment
		o.pageExpires = o.since.Add(o.settings.AbandonAfter)
	}
	for _, it := range in.Items {
		o.lines = append(o.lines, Line{SKU: it.SKU, Quantity: it.Quantity, UnitAmount: it.UnitAmount})
	}
	return o
}

// total is the order's amount as placed. Check proved it fits an int64.
func (o *order) total() int64 {
	var sum int64
	for _, l := range o.lines {
		sum += l.Quantity * l.UnitAmount
	}
	return sum
}

// due is what the customer pays for: the total less cancelled items.
func (o *order) due() int64 {
	var sum int64
	for _, l := range o.lines {
		sum += (l.Quantity - l.Cancelled) * l.UnitAmount
	}
	return sum
}

func (o *order) money(amount int64) payment.Money {
	return payment.Money{Amount: amount, Currency: o.in.Currency}
}

// fire moves the order along the state machine's row for trigger on. There is
// no row only if the workflow has a bug: the panic fails the workflow task, which
// Temporal retries, so a fixed worker picks the order up where it stood.
func (o *order) fire(ctx workflow.Context, on payment.OrderTrigger) payment.OrderTransition {
	t, err := payment.OrderLifecycle.Next(o.status, on)
	if err != nil {
		panic(fmt.Sprintf("order %s: %v", o.in.OrderID, err))
	}
	changed := t.To != o.status
	o.status = t.To
	if t.To == payment.OrderAuthorized || t.To == payment.OrderPendingSubmission || t.To == payment.OrderCaptured {
		o.pagePaid = true
	}
	o.since = workflow.Now(ctx)
	o.moves++
	if changed {
		o.upsertSearchAttributes(ctx)
	}
	return t
}

// event appends to the audit trail; since RevGuarded it names who ran the
// command that wrote it.
func (o *order) event(ctx workflow.Context, typ string, amount int64, code string) {
	e := Event{At: workflow.Now(ctx), Type: typ, Amount: amount, Code: code}
	if o.rev.Guarded() {
		e.Actor = o.actor
	}
	o.events = append(o.events, e)
}

// as runs fn as actor's command: the events it writes name actor.
func (o *order) as(actor string, fn func() error) error {
	o.actor = actor
	defer func() { o.actor = "" }()
	return fn()
}

// maxCards bounds the distinct cards an order remembers: past it the fraud
// screen's rule has long since scored.
const maxCards = 32

// seeCard remembers the attempt's card and answers how many distinct cards
// the order has seen, this one included.
func (o *order) seeCard(c payment.Card) int {
	if fp := c.Fingerprint(); !slices.Contains(o.cards, fp) && len(o.cards) < maxCards {
		o.cards = append(o.cards, fp)
	}
	return len(o.cards)
}

// upsertSearchAttributes keeps the contract's search attributes current, so
// operators find orders by status and customer in the Temporal UI. Since
// RevLean only what differs is upserted: the API's start sets all three, and
// afterwards only the status changes.
func (o *order) upsertSearchAttributes(ctx workflow.Context) {
	err := flow.Upsert(ctx, o.rev,
		flow.Keyword{Key: flow.AttrKind, Value: "order"}, flow.Keyword{Key: flow.AttrStatus, Value: string(o.status)},
		flow.Keyword{Key: flow.AttrCustomerID, Value: o.in.Customer.ID})
	if err != nil {
		workflow.GetLogger(ctx).Warn("upsert search attributes", "order_id", o.in.OrderID, "error", err)
	}
}

// recordAttention writes a call left waiting for an operator (a) or answered
// at last (nil) into the audit trail.
func (o *order) recordAttention(ctx workflow.Context, a *flow.Attention) {
	if a == nil {
		o.event(ctx, EventOperationResolved, 0, "")
		return
	}
	o.event(ctx, EventOperationPending, a.Amount, a.Operation)
}
