package payment

import "slices"

// SubscriptionStatus is where a subscription stands, as the API shows it.
type SubscriptionStatus string

const (
	SubscriptionTrialing  SubscriptionStatus = "trialing"
	SubscriptionActive    SubscriptionStatus = "active"
	SubscriptionPastDue   SubscriptionStatus = "past_due"
	SubscriptionSuspended SubscriptionStatus = "suspended"
	SubscriptionCancelled SubscriptionStatus = "cancelled"
	SubscriptionExpired   SubscriptionStatus = "expired"
)

// SubscriptionCommand is a trigger of the subscription lifecycle: something the
// shop or the customer asks of a running subscription (the API's path segments
// and the workflow's update and signal names, subscription/client.go, are these
// words), or an event the workflow observed.
type SubscriptionCommand string

const (
	SubscriptionCancel        SubscriptionCommand = "cancel"         // the customer opts out
	SubscriptionPaymentMethod SubscriptionCommand = "payment-method" // replace the card
	SubscriptionCatchUp       SubscriptionCommand = "catch-up"       // bill what is outstanding now
	SubscriptionRefund        SubscriptionCommand = "refunds"        // refund (part of) a paid cycle
)

// Events of a subscription: what the workflow observed. Never sent from outside.
const (
	SubscriptionPaid       SubscriptionCommand = "paid"        // a bill was paid
	SubscriptionSoftFailed SubscriptionCommand = "soft-failed" // a bill failed soft: retried on the schedule
	SubscriptionHardFailed SubscriptionCommand = "hard-failed" // a bill failed hard: nothing is charged until the card changes
	SubscriptionEnded      SubscriptionCommand = "expired"     // the plan is done or the retry schedule used up
)

// SubscriptionTransition is one row of the subscription lifecycle.
type SubscriptionTransition = Transition[SubscriptionStatus, SubscriptionCommand]

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
//   - every live status may expire: a failed bill with an empty retry schedule
//     ends the subscription at once, even the first bill after a trial.
var SubscriptionLifecycle = &Lifecycle[SubscriptionStatus, SubscriptionCommand]{
	noun: "subscription",
	statuses: []Meaning[SubscriptionStatus]{
		{SubscriptionTrialing, "in the free trial; the first bill is at its end"},
		{SubscriptionActive, "paid up; the next cycle is billed on its date"},
		{SubscriptionPastDue, "a bill failed soft and is retried on the schedule"},
		{SubscriptionSuspended, "a bill failed hard: nothing is charged until the card changes"},
		{SubscriptionCancelled, "the customer opted out: no further billing"},
		{SubscriptionExpired, "the plan ended or the retry schedule was used up"},
	},
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund},
	rows: slices.Concat(
		live(SubscriptionTrialing, SubscriptionCancel, SubscriptionPaymentMethod),
		live(SubscriptionActive, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund),
		live(SubscriptionPastDue, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund),
		live(SubscriptionSuspended, SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund),
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

// SubscriptionStatuses lists every status in lifecycle order.
func SubscriptionStatuses() []SubscriptionStatus { return SubscriptionLifecycle.Statuses() }

// SubscriptionCommands lists every command.
func SubscriptionCommands() []SubscriptionCommand { return SubscriptionLifecycle.Commands() }

// Valid reports whether s is a status of the lifecycle.
func (s SubscriptionStatus) Valid() bool { return SubscriptionLifecycle.Valid(s) }

// Meaning is a one-line explanation of the status, for people.
func (s SubscriptionStatus) Meaning() string { return SubscriptionLifecycle.Meaning(s) }

// Terminal reports whether the subscription has ended: no status follows.
func (s SubscriptionStatus) Terminal() bool { return SubscriptionLifecycle.Terminal(s) }

// Allows reports whether the command is accepted in this status.
func (s SubscriptionStatus) Allows(c SubscriptionCommand) bool {
	return SubscriptionLifecycle.Allows(s, c)
}
