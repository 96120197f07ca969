package subscription

import (
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Attempt is one bill attempt as the API shows it (last_payment).
type Attempt struct {
	At      time.Time        `json:"at"`
	Cycle   int              `json:"cycle"`
	Attempt int              `json:"attempt"`
	Amount  int64            `json:"amount"`
	Status  string           `json:"status"` // PaymentSucceeded or PaymentFailed
	Failure *payment.Failure `json:"failure"`
}

// Payment statuses of a cycle.
const (
	PaymentSucceeded = "succeeded"
	PaymentFailed    = "failed"
	// PaymentRequiresAction: the attempt waits for the customer's 3-D Secure challenge.
	PaymentRequiresAction = "requires_action"
)

// Payment is one billed cycle.
type Payment struct {
	Cycle     int       `json:"cycle"`
	Amount    int64     `json:"amount"`
	Status    string    `json:"status"`
	Refunded  int64     `json:"refunded"`
	Attempts  int       `json:"attempts"`
	At        time.Time `json:"at"`                   // of the last attempt
	PaymentID string    `json:"payment_id,omitempty"` // the processor's, for refunds
}

// Refundable is what may still be refunded of the cycle.
func (p Payment) Refundable() int64 {
	if p.Status != PaymentSucceeded {
		return 0
	}
	return p.Amount - p.Refunded
}

// Audit trail event types.
const (
	EventCreated              = "created"
	EventPaymentSucceeded     = "payment_succeeded"
	EventPaymentSoftFailed    = "payment_soft_failed"
	EventPaymentHardFailed    = "payment_hard_failed"
	EventHardFailNotice       = "hard_fail_notice"
	EventCardUpdated          = "card_updated"
	EventCardNotUpdated       = "card_not_updated" // Code: updater_error, account_closed or no_update
	EventPaymentMethodUpdated = "payment_method_updated"
	// EventPaymentMethodRestored (an addition, RevDeclinedCardsCount): the new
	// card of a change was declined (Code: the decline, or the failed
	// challenge's code) and the card before it is the subscription's again.
	EventPaymentMethodRestored = "payment_method_restored"
	EventRefunded              = "refunded"
	EventRefundDeclined        = "refund_declined"
	EventCancelled             = "cancelled"
	EventExpired               = "expired" // Code: plan_completed or retry_schedule_used_up
	// A processor call got no answer within its retry policy (again, after an
	// operator's retry); Code: the operation. Resolved: it has answered.
	EventOperationPending  = "operation_pending"
	EventOperationResolved = "operation_resolved"
)

// Event is one line of the audit trail.
type Event struct {
	At      time.Time `json:"at"`
	Type    string    `json:"type"`
	Cycle   int       `json:"cycle,omitempty"`
	Attempt int       `json:"attempt,omitempty"`
	Amount  int64     `json:"amount,omitempty"`
	Code    string    `json:"code,omitempty"` // failure code, or why it ended
	Status  string    `json:"status,omitempty"`
	// Actor names who ran the command that wrote the event (API.md
	// Operations: "key:sk_…_a1b2", "operator"); absent for what the
	// subscription did by itself and in runs from before RevGuarded.
	Actor string `json:"actor,omitempty"`
}

// Totals are running sums over the whole life, beyond the kept lists.
type Totals struct {
	CyclesPaid int   `json:"cycles_paid"`
	Paid       int64 `json:"paid"`
	Refunded   int64 `json:"refunded"`
	Attempts   int   `json:"attempts"`
	Failed     int   `json:"failed"`
}

// View is the subscription as the API shows it: the query answer,
// the answer of every update and the body of GET /v1/subscriptions/{id}. The
// first nine fields are API.md's; the rest are additions.
type View struct {
	SubscriptionID string                     `json:"subscription_id"`
	Status         payment.SubscriptionStatus `json:"status"`
	Cycle          int                        `json:"cycle"`
	NextBillingAt  *time.Time                 `json:"next_billing_at"`
	Card           payment.Card               `json:"card"`
	LastPayment    *Attempt                   `json:"last_payment"`
	Payments       []Payment                  `json:"payments"`
	WorkflowID     string                     `json:"workflow_id"`
	Events         []Event                    `json:"events"`

	CustomerID     string     `json:"customer_id"`
	Plan           Plan       `json:"plan"`
	AccountUpdater bool       `json:"account_updater"`
	RetryAt        *time.Time `json:"retry_at"` // next retry or hard-fail notice
	EndsAt         *time.Time `json:"ends_at"`  // when a plan with cycles ends
	EndedAt        *time.Time `json:"ended_at"`
	Totals         Totals     `json:"totals"`
	// Attention is a processor call that got no answer within its retry policy
	// and waits for an operator's retry-operation; null otherwise. While it is
	// set, commands answer 409.
	Attention *flow.Attention `json:"attention"`
	// RequestDigest is the digest of the request a command's answer is for
	// (flow.Sender), since RevGuarded; only in update answers, which the API
	// compares with its own request's and drops before it answers.
	RequestDigest string `json:"request_digest,omitempty"`
	// PaymentPage is the payment page of a subscription started for it
	// (RevPaymentPage): the API fills URL. Its link lasts until ExpiresAt,
	// when an incomplete subscription expires; used later, it changes the card.
	PaymentPage *flow.PageView `json:"payment_page,omitempty"`
	// Since RevThreeDS: the last authentication (null before one), and what
	// the customer must do while a challenge waits (additions).
	Authentication *payment.AuthenticationView `json:"authentication,omitempty"`
	NextAction     *payment.NextAction         `json:"next_action,omitempty"`
	// RetryBlockedUntil, an addition (as on orders), is while the attempt
	// limits refuse a card change or catch-up (too_many_attempts): until the
	// oldest decline in the window leaves it. Absent otherwise.
	RetryBlockedUntil *time.Time `json:"retry_blocked_until,omitempty"`
}

// EchoedDigest is the digest of the request the answer is for (flow.Echoed).
func (v View) EchoedDigest() string { return v.RequestDigest }

// view is the subscription as the API shows it.
func (w *subscription) view() View {
	st := &w.st
	v := View{
		SubscriptionID: w.in.SubscriptionID,
		Status:         st.Status,
		Cycle:          st.Cycle,
		Card:           st.Card,
		LastPayment:    st.LastPayment,
		Payments:       append([]Payment{}, st.Payments...),
		WorkflowID:     WorkflowID(w.in.SubscriptionID),
		Events:         append([]Event{}, st.Events...),
		CustomerID:     w.in.Customer.ID,
		Plan:           w.in.Plan,
		AccountUpdater: w.in.AccountUpdater,
		EndedAt:        optionalTime(st.EndedAt),
		Totals:         st.Totals,
		Attention:      w.calls.View(),
		Authentication: st.Authentication,
		NextAction:     w.nextAction(),
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
	if p := w.in.PaymentPage; p != nil {
		v.PaymentPage = &flow.PageView{ExpiresAt: w.incompleteUntil(), ReturnURL: p.ReturnURL, CancelURL: p.CancelURL}
	}
	if w.checkAttempts() != nil {
		until := st.Declines.Until(w.settings.AttemptLimits)
		v.RetryBlockedUntil = &until
	}
	if st.Status == payment.SubscriptionIncomplete {
		return v
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
