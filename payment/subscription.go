package payment

import (
	"fmt"
	"slices"
	"strings"
)

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

// SubscriptionCommand is something the shop or the customer asks of a running
// subscription. The values are the API's path segments and the workflow's update
// and signal names, so one word means one thing everywhere.
type SubscriptionCommand string

const (
	SubscriptionCancel        SubscriptionCommand = "cancel"         // the customer opts out
	SubscriptionPaymentMethod SubscriptionCommand = "payment-method" // replace the card
	SubscriptionCatchUp       SubscriptionCommand = "catch-up"       // bill what is outstanding now
	SubscriptionRefund        SubscriptionCommand = "refunds"        // refund (part of) a paid cycle
)

// subscriptionState is one row of the lifecycle: what a status means, which
// commands it accepts and which statuses the workflow may move it to.
type subscriptionState struct {
	status   SubscriptionStatus
	means    string
	commands []SubscriptionCommand
	next     []SubscriptionStatus
}

// subscriptionLifecycle is the subscription state machine, the one place that says
// what may happen when. The workflow moves only along "next", the update validators
// accept only "commands" (409 otherwise), and the tests walk the table.
//
// Why the rows are what they are:
//   - catch-up needs something outstanding and a card that may be charged: only
//     past_due. A suspended subscription's card was declined hard and must not be
//     resubmitted; replacing the card (payment-method) runs the catch-up bill instead.
//   - refunds need a paid cycle, so not while trialing; they stay possible after the
//     end, because a customer who opts out may still be owed money.
//   - active → active is the next cycle billed; past_due → past_due another soft
//     fail; suspended → suspended a hard fail of a catch-up with the new card.
//   - every live status may expire: a failed bill with an empty retry schedule
//     ends the subscription at once, even the first bill after a trial.
var subscriptionLifecycle = []subscriptionState{{
	status:   SubscriptionTrialing,
	means:    "in the free trial; the first bill is at its end",
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod},
	next:     []SubscriptionStatus{SubscriptionActive, SubscriptionPastDue, SubscriptionSuspended, SubscriptionCancelled, SubscriptionExpired},
}, {
	status:   SubscriptionActive,
	means:    "paid up; the next cycle is billed on its date",
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund},
	next:     []SubscriptionStatus{SubscriptionActive, SubscriptionPastDue, SubscriptionSuspended, SubscriptionCancelled, SubscriptionExpired},
}, {
	status:   SubscriptionPastDue,
	means:    "a bill failed soft and is retried on the schedule",
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund},
	next:     []SubscriptionStatus{SubscriptionActive, SubscriptionPastDue, SubscriptionSuspended, SubscriptionCancelled, SubscriptionExpired},
}, {
	status:   SubscriptionSuspended,
	means:    "a bill failed hard: nothing is charged until the card changes",
	commands: []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionRefund},
	next:     []SubscriptionStatus{SubscriptionActive, SubscriptionPastDue, SubscriptionSuspended, SubscriptionCancelled, SubscriptionExpired},
}, {
	status:   SubscriptionCancelled,
	means:    "the customer opted out: no further billing",
	commands: []SubscriptionCommand{SubscriptionRefund},
}, {
	status:   SubscriptionExpired,
	means:    "the plan ended or the retry schedule was used up",
	commands: []SubscriptionCommand{SubscriptionRefund},
}}

// SubscriptionStatuses lists every status in lifecycle order.
func SubscriptionStatuses() []SubscriptionStatus {
	out := make([]SubscriptionStatus, len(subscriptionLifecycle))
	for i, s := range subscriptionLifecycle {
		out[i] = s.status
	}
	return out
}

// SubscriptionCommands lists every command.
func SubscriptionCommands() []SubscriptionCommand {
	return []SubscriptionCommand{SubscriptionCancel, SubscriptionPaymentMethod, SubscriptionCatchUp, SubscriptionRefund}
}

func (s SubscriptionStatus) row() (subscriptionState, bool) {
	i := slices.IndexFunc(subscriptionLifecycle, func(r subscriptionState) bool { return r.status == s })
	if i < 0 {
		return subscriptionState{}, false
	}
	return subscriptionLifecycle[i], true
}

// Valid reports whether s is a status of the lifecycle.
func (s SubscriptionStatus) Valid() bool {
	_, ok := s.row()
	return ok
}

// Meaning is a one-line explanation of the status, for people.
func (s SubscriptionStatus) Meaning() string {
	r, _ := s.row()
	return r.means
}

// Terminal reports whether the subscription has ended: no status follows.
func (s SubscriptionStatus) Terminal() bool {
	r, ok := s.row()
	return ok && len(r.next) == 0
}

// Allows reports whether the command is accepted in this status.
func (s SubscriptionStatus) Allows(c SubscriptionCommand) bool {
	r, _ := s.row()
	return slices.Contains(r.commands, c)
}

// CanMoveTo reports whether the workflow may move from s to next.
func (s SubscriptionStatus) CanMoveTo(next SubscriptionStatus) bool {
	r, _ := s.row()
	return slices.Contains(r.next, next)
}

// CheckSubscriptionCommand says why a command is not accepted in status s, in
// words fit for the API's 409 answer; nil when it is accepted.
func CheckSubscriptionCommand(s SubscriptionStatus, c SubscriptionCommand) error {
	if s.Allows(c) {
		return nil
	}
	var in []string
	for _, r := range subscriptionLifecycle {
		if slices.Contains(r.commands, c) {
			in = append(in, string(r.status))
		}
	}
	if len(in) == 0 {
		return fmt.Errorf("%s is not a subscription command", c)
	}
	return fmt.Errorf("%s is not allowed while the subscription is %s (%s); allowed when %s",
		c, s, s.Meaning(), strings.Join(in, ", "))
}
