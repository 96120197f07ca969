package payment

import (
	"fmt"
	"slices"
	"strings"
)

// Lifecycle is a state machine written as data, the one place that says what
// may happen when: its rows (in status From, trigger On leads to To, moving
// money as Money says), which of the triggers are commands (sent from outside:
// an API call, a Temporal update or signal) rather than events the workflow
// observes, and what each status means. Orders and subscriptions each have
// one (OrderLifecycle, SubscriptionLifecycle), in this one shape: the update
// validators accept a command only if a row starts from the current status
// with it (409 otherwise), the workflows move only along rows, and the tests
// walk the tables.
type Lifecycle[S, T ~string] struct {
	noun     string // "order", for messages
	statuses []Meaning[S]
	commands []T
	rows     []Transition[S, T]
}

// Meaning is a status and its one-line explanation, for people.
type Meaning[S ~string] struct {
	Status S
	Means  string
}

// Transition is one row of a lifecycle.
type Transition[S, T ~string] struct {
	From  S
	On    T
	To    S
	Money MoneyMove
}

// MoneyMove is what a transition does at the processor.
type MoneyMove string

const (
	MoneyNone      MoneyMove = ""
	MoneyAuthorize MoneyMove = "authorize"
	MoneySale      MoneyMove = "sale"           // authorize and capture in one call
	MoneyCapture   MoneyMove = "capture"        // the total less cancelled items; a void releases the rest
	MoneyVoid      MoneyMove = "void"           // release what is authorized and not captured
	MoneyRefund    MoneyMove = "refund"         // give back (part of) what was captured
	MoneyReauth    MoneyMove = "authorize+void" // authorize anew, then void the old authorization
)

// The two lifecycles. Statuses and triggers are named in order.go and
// subscription.go; what may happen when is here, in one place and one shape.

// OrderLifecycle is the order lifecycle. A command whose result depends on what
// it finds has a row for each result: cancel-items leaves the order authorized
// unless it cancels the last items (all-items-cancelled), return leaves it
// shipped unless everything came back (all-returned). A declined capture, void
// or refund is no row at all: the order stays where it was and records the
// decline.
var OrderLifecycle = &Lifecycle[OrderStatus, OrderTrigger]{
	noun: "order",
	statuses: []Meaning[OrderStatus]{
		{OrderProcessing, "a payment attempt is running"},
		{OrderAwaitingPayment, "placed for the payment page; the customer has not paid yet"},
		{OrderRequiresAction, "the attempt waits for the customer's 3-D Secure challenge"},
		{OrderPendingSubmission, "checked and held until the merchant submits it"},
		{OrderAuthorized, "the amount is reserved on the card, not yet captured"},
		{OrderPaymentFailed, "the last payment attempt failed; the customer may retry"},
		{OrderCaptured, "paid; not yet shipped"},
		{OrderShipped, "shipped; returns are possible until the return window closes"},
		{OrderCancelled, "cancelled"},
		{OrderRefunded, "everything was returned and refunded"},
		{OrderCompleted, "the return window has closed"},
	},
	commands: []OrderTrigger{OrderRetry, OrderSubmit, OrderAbandon, OrderCancelItems, OrderCapture, OrderShip, OrderCancel, OrderReturn, OrderAuthenticate},
	rows: []OrderTransition{
		// An attempt: validity check, fraud screen, then hold or the processor.
		{OrderProcessing, OrderHeld, OrderPendingSubmission, MoneyNone},
		{OrderProcessing, OrderApproved, OrderAuthorized, MoneyAuthorize},
		{OrderProcessing, OrderCharged, OrderCaptured, MoneySale},
		{OrderProcessing, OrderDeclined, OrderPaymentFailed, MoneyNone},
		{OrderProcessing, OrderActionRequired, OrderRequiresAction, MoneyNone},

		// Waiting for the 3-D Secure challenge (since RevThreeDS). Nothing is
		// authorized yet. A passed challenge goes on to the processor with the
		// authentication data (processing, then its rows); a result still
		// pending (a browser back without having passed) is no row at all.
		{OrderRequiresAction, OrderAuthenticate, OrderProcessing, MoneyNone},
		{OrderRequiresAction, OrderAuthenticationFailed, OrderPaymentFailed, MoneyNone},
		{OrderRequiresAction, OrderAuthenticationTimeout, OrderPaymentFailed, MoneyNone},
		{OrderRequiresAction, OrderAbandon, OrderCancelled, MoneyNone},
		{OrderRequiresAction, OrderCancel, OrderCancelled, MoneyNone},

		// Placed for the payment page: the customer's first attempt comes from
		// it (retry: the same command as another card after a decline). Nothing
		// is authorized yet; left, it is cancelled like a failed payment.
		{OrderAwaitingPayment, OrderRetry, OrderProcessing, MoneyNone},
		{OrderAwaitingPayment, OrderAbandon, OrderCancelled, MoneyNone},
		{OrderAwaitingPayment, OrderCancel, OrderCancelled, MoneyNone},
		{OrderAwaitingPayment, OrderTimedOut, OrderCancelled, MoneyNone},

		// Waiting for the merchant to submit. Nothing is authorized yet.
		{OrderPendingSubmission, OrderSubmit, OrderProcessing, MoneyNone},
		{OrderPendingSubmission, OrderAbandon, OrderCancelled, MoneyNone},
		{OrderPendingSubmission, OrderCancel, OrderCancelled, MoneyNone},
		{OrderPendingSubmission, OrderTimedOut, OrderCancelled, MoneyNone},

		// The customer may retry as often as they like. Nothing is authorized.
		{OrderPaymentFailed, OrderRetry, OrderProcessing, MoneyNone},
		{OrderPaymentFailed, OrderAbandon, OrderCancelled, MoneyNone},
		{OrderPaymentFailed, OrderCancel, OrderCancelled, MoneyNone},
		{OrderPaymentFailed, OrderTimedOut, OrderCancelled, MoneyNone},

		// Authorized, not captured: the preauthorization is only ever voided.
		{OrderAuthorized, OrderCancelItems, OrderAuthorized, MoneyNone},
		{OrderAuthorized, OrderAllItemsCancelled, OrderCancelled, MoneyVoid},
		{OrderAuthorized, OrderCapture, OrderCaptured, MoneyCapture},
		{OrderAuthorized, OrderCancel, OrderCancelled, MoneyVoid},
		{OrderAuthorized, OrderReauthorized, OrderAuthorized, MoneyReauth},
		{OrderAuthorized, OrderReauthDeclined, OrderPaymentFailed, MoneyVoid},
		// Captured at the processor (its dashboard): cardflow releases the rest.
		{OrderAuthorized, OrderCapturedAtProcessor, OrderCaptured, MoneyVoid},

		// Captured, not shipped: cancelling is a full refund.
		{OrderCaptured, OrderShip, OrderShipped, MoneyNone},
		{OrderCaptured, OrderCancel, OrderCancelled, MoneyRefund},
		// Refunded in full at the processor: nothing is left to ship or return.
		{OrderCaptured, OrderRefundedAtProcessor, OrderRefunded, MoneyNone},

		// Shipped: returns until the window closes.
		{OrderShipped, OrderReturn, OrderShipped, MoneyRefund},
		{OrderShipped, OrderAllReturned, OrderRefunded, MoneyRefund},
		{OrderShipped, OrderReturnWindowClosed, OrderCompleted, MoneyNone},
		{OrderShipped, OrderRefundedAtProcessor, OrderRefunded, MoneyNone},
	},
}

// SubscriptionLifecycle is the subscription lifecycle. Why the rows are what
// they are:
//   - catch-up needs something outstanding and a card that may be charged: only
//     past_due. A suspended subscription's card was declined hard and must not be
//     resubmitted; replacing the card (payment-method) runs the catch-up bill instead.
//   - payment-method, catch-up and refunds leave the status as it is; a bill
//     they run moves it by its result (paid, soft-failed, hard-failed).
//   - refunds need a paid cycle, so not while trialing; they stay possible after the
//     end, because a customer who opts out may still be owed money.
//   - active → active is the next cycle paid; past_due → past_due another soft
//     fail; suspended → suspended a hard fail of a catch-up with the new card.
//   - authenticate (the customer back from a 3-D Secure challenge, since
//     RevThreeDS) is taken in every live status and leaves it as it is: the
//     bill or verification it completes moves it by its result. Incomplete
//     takes it too: since RevFirstCardVerified the page's first card is
//     verified before the trial starts, and its challenge may wait (a run
//     before it has no challenge there, and refuses the command anyway).
//   - every live status may expire: a failed bill with an empty retry schedule
//     ends the subscription at once, even the first bill after a trial.
var SubscriptionLifecycle = &Lifecycle[SubscriptionStatus, SubscriptionCommand]{
	noun: "subscription",
	statuses: []Meaning[SubscriptionStatus]{
		{SubscriptionIncomplete, "started for the payment page: waits for the customer's card"},
		{SubscriptionTrialing, "in the free trial; the first bill is at its end"},
		{SubscriptionActive, "paid up; the next cycle is billed on its date"},
		{SubscriptionPastDue, "a bill failed soft and is retried on the schedule"},
		{SubscriptionSuspended, "a bill failed hard: nothing is charged until the card changes"},
		{SubscriptionCancelled, "the customer opted out: no further billing"},
		{SubscriptionExpired, "the plan ended or the retry schedule was used up"},
	},
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund, SubscriptionAuthenticate},
	rows: slices.Concat(
		// Started for the payment page: the card the customer enters there
		// (payment-method, and authenticate when its verification was
		// challenged) starts the trial, or the first bill at once; left
		// without one, it expires.
		[]SubscriptionTransition{
			{SubscriptionIncomplete, SubscriptionCancel, SubscriptionCancelled, MoneyNone},
			{SubscriptionIncomplete, SubscriptionPaymentMethod, SubscriptionIncomplete, MoneyNone},
			{SubscriptionIncomplete, SubscriptionAuthenticate, SubscriptionIncomplete, MoneyNone},
			{SubscriptionIncomplete, SubscriptionTrialStarted, SubscriptionTrialing, MoneyNone},
			{SubscriptionIncomplete, SubscriptionBillingStarted, SubscriptionActive, MoneyNone},
			{SubscriptionIncomplete, SubscriptionEnded, SubscriptionExpired, MoneyNone},
		},
		live(SubscriptionTrialing, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionAuthenticate),
		live(SubscriptionActive, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund, SubscriptionAuthenticate),
		live(SubscriptionPastDue, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund, SubscriptionAuthenticate),
		live(SubscriptionSuspended, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund, SubscriptionAuthenticate),
		[]SubscriptionTransition{
			{SubscriptionCancelled, SubscriptionRefund, SubscriptionCancelled, MoneyRefund},
			{SubscriptionExpired, SubscriptionRefund, SubscriptionExpired, MoneyRefund},
		},
	),
}

// live is the rows of a status before the end: its commands, then the results
// of a bill and the end, which every live status shares.
func live(s SubscriptionStatus, commands ...SubscriptionCommand) []SubscriptionTransition {
	var rows []SubscriptionTransition
	for _, c := range commands {
		switch c {
		case SubscriptionCancel:
			rows = append(rows, SubscriptionTransition{s, c, SubscriptionCancelled, MoneyNone})
		case SubscriptionRefund:
			rows = append(rows, SubscriptionTransition{s, c, s, MoneyRefund})
		default: // payment-method, catch-up: a bill may follow, and its result moves on
			rows = append(rows, SubscriptionTransition{s, c, s, MoneyNone})
		}
	}
	return append(rows,
		SubscriptionTransition{s, SubscriptionPaid, SubscriptionActive, MoneySale},
		SubscriptionTransition{s, SubscriptionSoftFailed, SubscriptionPastDue, MoneyNone},
		SubscriptionTransition{s, SubscriptionHardFailed, SubscriptionSuspended, MoneyNone},
		SubscriptionTransition{s, SubscriptionEnded, SubscriptionExpired, MoneyNone},
	)
}

// Statuses lists every status, the start first.
func (l *Lifecycle[S, T]) Statuses() []S {
	out := make([]S, len(l.statuses))
	for i, m := range l.statuses {
		out[i] = m.Status
	}
	return out
}

// Commands lists the triggers sent from outside, in the order of the API's tables.
func (l *Lifecycle[S, T]) Commands() []T { return slices.Clone(l.commands) }

// Rows returns a copy of the rows.
func (l *Lifecycle[S, T]) Rows() []Transition[S, T] { return slices.Clone(l.rows) }

// IsCommand reports whether t is sent from outside (as opposed to an event).
func (l *Lifecycle[S, T]) IsCommand(t T) bool { return slices.Contains(l.commands, t) }

// Valid reports whether s is a status of the lifecycle.
func (l *Lifecycle[S, T]) Valid(s S) bool {
	return slices.ContainsFunc(l.statuses, func(m Meaning[S]) bool { return m.Status == s })
}

// Meaning is a one-line explanation of the status, for people.
func (l *Lifecycle[S, T]) Meaning(s S) string {
	i := slices.IndexFunc(l.statuses, func(m Meaning[S]) bool { return m.Status == s })
	if i < 0 {
		return ""
	}
	return l.statuses[i].Means
}

// Terminal reports whether s is an end: no row leads from it to another
// status (an ended subscription still takes refunds, which leave it as it is).
func (l *Lifecycle[S, T]) Terminal(s S) bool {
	return l.Valid(s) && !slices.ContainsFunc(l.rows, func(t Transition[S, T]) bool { return t.From == s && t.To != s })
}

// Allows reports whether command c is accepted in status s.
func (l *Lifecycle[S, T]) Allows(s S, c T) bool {
	return l.IsCommand(c) && slices.ContainsFunc(l.rows, func(t Transition[S, T]) bool { return t.From == s && t.On == c })
}

// Next returns the row that trigger on takes from status from, or an error if
// the lifecycle has none: a workflow never moves off the table.
func (l *Lifecycle[S, T]) Next(from S, on T) (Transition[S, T], error) {
	i := slices.IndexFunc(l.rows, func(t Transition[S, T]) bool { return t.From == from && t.On == on })
	if i < 0 {
		return Transition[S, T]{}, fmt.Errorf("%s: no transition from %s on %s", l.noun, from, on)
	}
	return l.rows[i], nil
}

// Check says why command c is not accepted in status s, in words fit for the
// API's 409 answer; nil when it is accepted.
func (l *Lifecycle[S, T]) Check(s S, c T) error {
	if l.Allows(s, c) {
		return nil
	}
	if !l.IsCommand(c) {
		return fmt.Errorf("%s is not %s command", c, article(l.noun))
	}
	var in []string
	for _, t := range l.rows {
		if t.On == c && !slices.Contains(in, string(t.From)) {
			in = append(in, string(t.From))
		}
	}
	return fmt.Errorf("%s is not allowed while the %s is %s (%s); allowed when %s",
		c, l.noun, s, l.Meaning(s), strings.Join(in, ", "))
}

func article(noun string) string {
	if strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}
