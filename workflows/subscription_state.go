package workflows

import (
	"fmt"
	"slices"
	"time"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// SubscriptionState is everything a subscription knows beyond its input. It is
// what continue-as-new carries, so it stays bounded: recent payments and events
// only, plus running totals.
type SubscriptionState struct {
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
	Notices subNoticesSent `json:"notices"`
	// Sequences of the idempotency keys that are not tied to a cycle.
	NotifySeq int `json:"notify_seq"`
	RefundSeq int `json:"refund_seq"`
	// Opened is set once the API's create call got its answer: a second create
	// with the same request answers 200 instead of 201.
	Opened bool `json:"opened"`
	// Keys are the Idempotency-Keys of recently applied commands (bounded).
	Keys []string `json:"keys,omitempty"`
	// Outbox holds the notifications not yet confirmed delivered.
	Outbox []payment.Notification `json:"outbox,omitempty"`

	LastPayment *SubscriptionAttempt  `json:"last_payment,omitempty"`
	Payments    []SubscriptionPayment `json:"payments,omitempty"`
	Events      []SubscriptionEvent   `json:"events,omitempty"`
	Totals      SubscriptionTotals    `json:"totals"`
}

type subNoticesSent struct {
	TrialEnding bool `json:"trial_ending,omitempty"`
	PreBillFor  int  `json:"pre_bill_for,omitempty"` // the cycle whose pre-bill notice was sent
	Expiring    bool `json:"expiring,omitempty"`
}

// subKeepKeys bounds the remembered Idempotency-Keys: enough for any client's retries.
const subKeepKeys = 64

// SubscriptionAttempt is one bill attempt as the API shows it (last_payment).
type SubscriptionAttempt struct {
	At      time.Time        `json:"at"`
	Cycle   int              `json:"cycle"`
	Attempt int              `json:"attempt"`
	Amount  int64            `json:"amount"`
	Status  string           `json:"status"` // SubscriptionPaymentSucceeded or SubscriptionPaymentFailed
	Failure *payment.Failure `json:"failure"`
}

// Payment statuses of a cycle.
const (
	SubscriptionPaymentSucceeded = "succeeded"
	SubscriptionPaymentFailed    = "failed"
)

// SubscriptionPayment is one billed cycle.
type SubscriptionPayment struct {
	Cycle     int       `json:"cycle"`
	Amount    int64     `json:"amount"`
	Status    string    `json:"status"`
	Refunded  int64     `json:"refunded"`
	Attempts  int       `json:"attempts"`
	At        time.Time `json:"at"`                   // of the last attempt
	PaymentID string    `json:"payment_id,omitempty"` // the processor's, for refunds
}

// Refundable is what may still be refunded of the cycle.
func (p SubscriptionPayment) Refundable() int64 {
	if p.Status != SubscriptionPaymentSucceeded {
		return 0
	}
	return p.Amount - p.Refunded
}

// SubscriptionEvent is one line of the audit trail.
type SubscriptionEvent struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Cycle   int       `json:"cycle,omitempty"`
	Attempt int       `json:"attempt,omitempty"`
	Amount  int64     `json:"amount,omitempty"`
	Code    string    `json:"code,omitempty"` // failure code, or why it ended
	Status  string    `json:"status,omitempty"`
}

// SubscriptionTotals are running sums over the whole life, beyond the kept lists.
type SubscriptionTotals struct {
	CyclesPaid int   `json:"cycles_paid"`
	Paid       int64 `json:"paid"`
	Refunded   int64 `json:"refunded"`
	Attempts   int   `json:"attempts"`
	Failed     int   `json:"failed"`
}

// SubscriptionView is the subscription as the API shows it: the query answer,
// the answer of every update and the body of GET /v1/subscriptions/{id}. The
// first nine fields are API.md's; the rest are additions.
type SubscriptionView struct {
	SubscriptionID string                     `json:"subscription_id"`
	Status         payment.SubscriptionStatus `json:"status"`
	Cycle          int                        `json:"cycle"`
	NextBillingAt  *time.Time                 `json:"next_billing_at"`
	Card           payment.Card               `json:"card"`
	LastPayment    *SubscriptionAttempt       `json:"last_payment"`
	Payments       []SubscriptionPayment      `json:"payments"`
	WorkflowID     string                     `json:"workflow_id"`
	Events         []SubscriptionEvent        `json:"events"`

	CustomerID     string             `json:"customer_id"`
	Plan           SubscriptionPlan   `json:"plan"`
	AccountUpdater bool               `json:"account_updater"`
	RetryAt        *time.Time         `json:"retry_at"` // next retry or hard-fail notice
	EndsAt         *time.Time         `json:"ends_at"`  // when a plan with cycles ends
	EndedAt        *time.Time         `json:"ended_at"`
	Totals         SubscriptionTotals `json:"totals"`
	// Attention is a processor call that got no answer within its retry policy
	// and waits for an operator's retry-operation; null otherwise. While it is
	// set, commands answer 409.
	Attention *Attention `json:"attention"`
}

// subscription is one run of the workflow: the input, the state it carries and
// what lives only as long as the run.
type subscription struct {
	in       SubscriptionInput // State is nil here; st is the live copy
	st       SubscriptionState
	settings SubscriptionSettings
	log      log.Logger

	started   bool // the create call may be answered: the trial began or the first bill has a result
	cycleDone bool // a cycle was paid in this run: time to continue as new

	queue   []subCommand  // accepted commands, applied by the main loop in order
	seq     int           // last command number handed out
	applied int           // last command number applied
	results map[int]error // outcomes of applied updates, until their handler takes them
	signals []subSignal   // the command signal channels, in a fixed order

	inflight int                    // notifications being delivered
	held     []payment.Notification // in the outbox, left for the next run to send (notify)

	rev     workflow.Version // the run's revision (revision.go)
	ops     pending          // the processor call left unanswered, if any (attention.go)
	working bool             // the main loop is doing a step or applying commands
}

func newSubscription(ctx workflow.Context, in SubscriptionInput) *subscription {
	rev := revision(ctx)
	w := &subscription{
		in:       in,
		settings: in.Settings.withDefaults(),
		log:      workflow.GetLogger(ctx),
		results:  map[int]error{},
		rev:      rev,
		ops:      newPending(rev),
	}
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
	if !w.in.Plan.Trial.IsZero() {
		w.st.Anchor = w.in.Plan.Trial.AddTo(now)
		w.st.Status = payment.SubscriptionTrialing
		w.started = true
	}
	w.event(ctx, SubscriptionEvent{Type: "created", Status: string(w.st.Status)})
	// Since revLean only what the start lacks (the API's start sets all three).
	return upsertKeywords(ctx, w.rev,
		keyword{AttrKind, "subscription"}, keyword{AttrCustomerID, w.in.Customer.ID}, keyword{AttrStatus, string(w.st.Status)})
}

// setStatus moves along payment's lifecycle table. A move the table does not
// have is a bug in this workflow: the panic fails the workflow task, which
// Temporal retries until a fixed worker is deployed, and nothing is lost.
func (w *subscription) setStatus(ctx workflow.Context, to payment.SubscriptionStatus) {
	from := w.st.Status
	if !from.CanMoveTo(to) {
		panic(fmt.Sprintf("subscription %s: %s -> %s is not in the lifecycle", w.in.SubscriptionID, from, to))
	}
	w.st.Status = to
	if to.Terminal() {
		w.st.EndedAt = workflow.Now(ctx).UTC()
		w.started = true
	}
	if from != to {
		if err := workflow.UpsertTypedSearchAttributes(ctx, AttrStatus.ValueSet(string(to))); err != nil {
			w.log.Warn("upsert status", "error", err)
		}
	}
}

// event appends to the bounded audit trail.
func (w *subscription) event(ctx workflow.Context, e SubscriptionEvent) {
	e.At = workflow.Now(ctx).UTC()
	w.st.Events = subKeepLast(append(w.st.Events, e), w.settings.KeepEvents)
}

// cycleRecord returns the record of a cycle, adding it (and dropping the oldest
// beyond KeepPayments) when it is new.
func (w *subscription) cycleRecord(cycle int) *SubscriptionPayment {
	if i := slices.IndexFunc(w.st.Payments, func(p SubscriptionPayment) bool { return p.Cycle == cycle }); i >= 0 {
		return &w.st.Payments[i]
	}
	w.st.Payments = subKeepLast(append(w.st.Payments, SubscriptionPayment{Cycle: cycle, Amount: w.in.Plan.Amount}), w.settings.KeepPayments)
	return &w.st.Payments[len(w.st.Payments)-1]
}

func subKeepLast[T any](s []T, n int) []T {
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

// view is the subscription as the API shows it.
func (w *subscription) view() SubscriptionView {
	st := &w.st
	v := SubscriptionView{
		SubscriptionID: w.in.SubscriptionID,
		Status:         st.Status,
		Cycle:          st.Cycle,
		Card:           st.Card,
		LastPayment:    st.LastPayment,
		Payments:       append([]SubscriptionPayment{}, st.Payments...),
		WorkflowID:     SubscriptionWorkflowID(w.in.SubscriptionID),
		Events:         append([]SubscriptionEvent{}, st.Events...),
		CustomerID:     w.in.Customer.ID,
		Plan:           w.in.Plan,
		AccountUpdater: w.in.AccountUpdater,
		EndedAt:        optionalTime(st.EndedAt),
		Totals:         st.Totals,
		Attention:      w.ops.view(),
	}
	switch st.Status {
	case payment.SubscriptionTrialing, payment.SubscriptionActive:
		if !w.planDone() {
			v.NextBillingAt = optionalTime(w.billingDate(st.Cycle + 1))
		}
	case payment.SubscriptionPastDue:
		v.NextBillingAt = optionalTime(st.RetryAt) // the retry is the next charge
		v.RetryAt = optionalTime(st.RetryAt)
	case payment.SubscriptionSuspended:
		v.RetryAt = optionalTime(st.RetryAt) // nothing is charged, only notices go out
	}
	if w.in.Plan.Cycles > 0 && !st.Status.Terminal() {
		v.EndsAt = optionalTime(w.billingDate(w.in.Plan.Cycles + 1))
	}
	return v
}

func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}
