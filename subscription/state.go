package subscription

import (
	"fmt"
	"math"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// State is everything a subscription knows beyond its input. It is
// what continue-as-new carries, so it stays bounded: recent payments and events
// only, plus running totals.
type State struct {
	Status    payment.SubscriptionStatus `json:"status"`
	Card      payment.Card               `json:"card"`
	StartedAt time.Time                  `json:"started_at"`
	// Anchor is the billing date of cycle 1; cycle n is billed at
	// Anchor + (n-1) × interval, computed from the anchor every time so that
	// month ends do not drift (Jan 31, Feb 28, Mar 31).
	Anchor time.Time `json:"anchor"`
	// Cycle is the last cycle billed or being billed (0 in the trial).
	// Outstanding says it is not paid yet: the subscription is past_due or suspended.
	Cycle       int  `json:"cycle"`
	Outstanding bool `json:"outstanding"`
	Attempt     int  `json:"attempt"` // attempts on Cycle so far (part of the sale's key)
	// Retries counts the schedule's delays used on Cycle; RetryAt is when the next
	// retry (past_due) or hard-fail notice (suspended) is due.
	Retries int       `json:"retries"`
	RetryAt time.Time `json:"retry_at,omitzero"`
	EndedAt time.Time `json:"ended_at,omitzero"`
	// Notices remembers which notices of the coming date went out already.
	Notices noticesSent `json:"notices"`
	// Sequences of the idempotency keys that are not tied to a cycle.
	NotifySeq int `json:"notify_seq"`
	RefundSeq int `json:"refund_seq"`
	// Opened is set once the API's create call got its answer: a second create
	// with the same request answers 200 instead of 201.
	Opened bool `json:"opened"`
	// Keys are the Idempotency-Keys of recently applied commands (bounded).
	Keys []string `json:"keys,omitempty"`
	// KeyDigests holds the request digest of each of Keys applied since
	// RevGuarded: the same key with another request is refused
	// (idempotency_key_reused), in this run and the next ones.
	KeyDigests map[string]string `json:"key_digests,omitempty"`
	// Declines are the recent declined catch-up bills (RevGuarded) that count
	// against Settings.AttemptLimits.
	Declines flow.Declines `json:"declines,omitempty"`
	// Outbox holds the notifications not yet confirmed delivered.
	Outbox []payment.Notification `json:"outbox,omitempty"`

	// 3-D Secure (RevThreeDS): the network transaction id of the last
	// approved customer-initiated payment, which the merchant-initiated bills
	// carry; the challenge waiting for the customer; the last
	// authentication; the verification's sequence; the cycle whose bill's
	// authentication_required decline was told the shop.
	NetworkTxnID   string                      `json:"network_transaction_id,omitempty"`
	Challenge      *Challenge                  `json:"challenge,omitempty"`
	Authentication *payment.AuthenticationView `json:"authentication,omitempty"`
	VerifySeq      int                         `json:"verify_seq,omitempty"`
	// CardBefore is the card a trialing or active subscription's card change
	// is to replace while the new card's verification (or its challenge) is
	// under way, with its network transaction id; since
	// RevDeclinedCardsCount a declined new card puts it back (keepCard).
	CardBefore      *payment.Card `json:"card_before,omitempty"`
	NtxBefore       string        `json:"ntx_before,omitempty"`
	ActionNoticeFor int           `json:"action_notice_for,omitempty"`

	LastPayment *Attempt  `json:"last_payment,omitempty"`
	Payments    []Payment `json:"payments,omitempty"`
	Events      []Event   `json:"events,omitempty"`
	Totals      Totals    `json:"totals"`
}

type noticesSent struct {
	TrialEnding bool `json:"trial_ending,omitempty"`
	PreBillFor  int  `json:"pre_bill_for,omitempty"` // the cycle whose pre-bill notice was sent
	Expiring    bool `json:"expiring,omitempty"`
}

// keepKeys bounds the remembered Idempotency-Keys: enough for any client's retries.
const keepKeys = 64

// subscription is one run of the workflow: the input, the state it carries and
// what lives only as long as the run.
type subscription struct {
	in       Input // State is nil here; st is the live copy
	st       State
	settings Settings
	log      log.Logger

	started   bool // the create call may be answered: the trial began or the first bill has a result
	cycleDone bool // a cycle was paid in this run: time to continue as new

	cmds    *flow.Commands[View] // the commands and their signals (commands.go)
	queue   []queued             // accepted commands, applied by the main loop in order
	seq     int                  // last command number handed out
	applied int                  // last command number applied
	results map[int]error        // outcomes of applied updates, until their handler takes them

	inflight int                    // notifications being delivered
	held     []payment.Notification // in the outbox, left for the next run to send (notify)

	rev     flow.Revision // the run's revision
	calls   flow.Calls    // processor calls, and the one waiting for an operator (attention)
	working bool          // the main loop is doing a step or applying commands

	changingCard bool // a card change runs its bill or verification: the customer is there (RevThreeDS)

	actor string           // who runs the command being applied (RevGuarded): its events name them
	now   func() time.Time // the workflow's clock, for validators
}

func newSubscription(ctx workflow.Context, in Input) *subscription {
	rev := flow.ReadRevision(ctx)
	w := &subscription{
		in:       in,
		settings: in.Settings.withDefaults(),
		log:      workflow.GetLogger(ctx),
		results:  map[int]error{},
		rev:      rev,
		now:      func() time.Time { return workflow.Now(ctx) },
	}
	w.calls = flow.NewCalls(rev, log.With(w.log, "subscription_id", in.SubscriptionID), w.recordAttention)
	if in.State != nil {
		w.st = *in.State
		w.in.State = nil
		w.started = true
	}
	return w
}

// begin sets a new subscription up: dates, first status, search attributes.
func (w *subscription) begin(ctx workflow.Context) error {
	// UTC, so that calendar arithmetic does not depend on the worker's time zone.
	now := workflow.Now(ctx).UTC()
	w.st.StartedAt = now
	w.st.Card = w.in.Card
	w.st.Anchor = now
	w.st.Status = payment.SubscriptionActive // no trial: the first bill runs at once
	if w.in.PaymentPage != nil && w.rev.PaymentPage() {
		// The card comes from the payment page (doChangeCard starts it).
		w.st.Status = payment.SubscriptionIncomplete
		w.started = true
	} else if !w.in.Plan.Trial.IsZero() {
		w.st.Anchor = w.in.Plan.Trial.AddTo(now)
		w.st.Status = payment.SubscriptionTrialing
		w.started = true
	}
	w.actor = flow.ActorOf(flow.Sender{Actor: w.in.Actor})
	w.event(ctx, Event{Type: EventCreated, Status: string(w.st.Status)})
	w.actor = ""
	// Since RevLean only what the start lacks (the API's start sets all three).
	if err := flow.Upsert(ctx, w.rev,
		flow.Keyword{Key: flow.AttrKind, Value: "subscription"}, flow.Keyword{Key: flow.AttrCustomerID, Value: w.in.Customer.ID},
		flow.Keyword{Key: flow.AttrStatus, Value: string(w.st.Status)}); err != nil {
		return err
	}
	if w.rev.ThreeDS() && w.st.Status == payment.SubscriptionTrialing {
		// The create call answers with the verification's result (or its challenge).
		w.started = false
		_, err := w.verify(ctx)
		w.started = true
		return err
	}
	return nil
}

// fire moves the subscription along the lifecycle's row for trigger on. There
// is no row only if the workflow has a bug: the panic fails the workflow task,
// which Temporal retries until a fixed worker is deployed, and nothing is lost.
func (w *subscription) fire(ctx workflow.Context, on payment.SubscriptionCommand) {
	from := w.st.Status
	t, err := payment.SubscriptionLifecycle.Next(from, on)
	if err != nil {
		panic(fmt.Sprintf("subscription %s: %v", w.in.SubscriptionID, err))
	}
	to := t.To
	w.st.Status = to
	if to.Terminal() {
		w.st.EndedAt = workflow.Now(ctx).UTC()
		w.started = true
	}
	if from != to {
		if err := workflow.UpsertTypedSearchAttributes(ctx, flow.AttrStatus.ValueSet(string(to))); err != nil {
			w.log.Warn("upsert status", "error", err)
		}
	}
}

// event appends to the bounded audit trail; since RevGuarded it names who ran
// the command that wrote it.
func (w *subscription) event(ctx workflow.Context, e Event) {
	e.At = workflow.Now(ctx).UTC()
	if w.rev.Guarded() {
		e.Actor = w.actor
	}
	w.st.Events = keepLast(append(w.st.Events, e), w.settings.KeepEvents)
}

// cycleRecord returns the record of a cycle, adding it (and dropping the oldest
// beyond KeepPayments) when it is new.
func (w *subscription) cycleRecord(cycle int) *Payment {
	if i := slices.IndexFunc(w.st.Payments, func(p Payment) bool { return p.Cycle == cycle }); i >= 0 {
		return &w.st.Payments[i]
	}
	w.st.Payments = keepLast(append(w.st.Payments, Payment{Cycle: cycle, Amount: w.in.Plan.Amount}), w.settings.KeepPayments)
	return &w.st.Payments[len(w.st.Payments)-1]
}

func keepLast[T any](s []T, n int) []T {
	if len(s) <= n {
		return s
	}
	return slices.Clone(s[len(s)-n:])
}

// billingDate is the date cycle n (1-based) is billed.
func (w *subscription) billingDate(n int) time.Time {
	return w.in.Plan.Interval.Nth(w.st.Anchor, n-1)
}

// planDone reports that the plan's cycles are all paid: what is left is the end.
func (w *subscription) planDone() bool {
	return w.in.Plan.Cycles > 0 && w.st.Cycle >= w.in.Plan.Cycles && !w.st.Outstanding
}

// recordAttention writes a call left waiting for an operator (a) or answered
// at last (nil) into the audit trail.
func (w *subscription) recordAttention(ctx workflow.Context, a *flow.Attention) {
	if a == nil {
		w.event(ctx, Event{Type: EventOperationResolved, Cycle: w.st.Cycle, Attempt: w.st.Attempt})
		return
	}
	w.event(ctx, Event{Type: EventOperationPending, Cycle: w.st.Cycle, Attempt: w.st.Attempt, Amount: a.Amount, Code: a.Operation})
}

// add adds amount to a running total. Since RevGuarded it is checked
// (payment.AddAmount): the bill and the refund check refuse what would not
// fit before any money moves, so an overflow is left to a processor that
// approved more than it was asked, and the total then stays at its largest
// value instead of wrapping.
func (w *subscription) add(total *int64, amount int64) {
	if !w.rev.Guarded() {
		*total += amount
		return
	}
	s, err := payment.AddAmount(*total, amount)
	if err != nil {
		s = math.MaxInt64
	}
	*total = s
}
