package payment

// SubscriptionStatus is where a subscription stands, as the API shows it.
type SubscriptionStatus string

const (
	// SubscriptionIncomplete: started for the payment page, without a card
	// yet (since workflow revision 4).
	SubscriptionIncomplete SubscriptionStatus = "incomplete"
	SubscriptionTrialing   SubscriptionStatus = "trialing"
	SubscriptionActive     SubscriptionStatus = "active"
	SubscriptionPastDue    SubscriptionStatus = "past_due"
	SubscriptionSuspended  SubscriptionStatus = "suspended"
	SubscriptionCancelled  SubscriptionStatus = "cancelled"
	SubscriptionExpired    SubscriptionStatus = "expired"
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
	// SubscriptionAuthenticate: the customer came back from a 3-D Secure
	// challenge (cardflow's return endpoint); the result is asked of the processor.
	SubscriptionAuthenticate SubscriptionCommand = "authenticate"
)

// Events of a subscription: what the workflow observed. Never sent from outside.
const (
	SubscriptionPaid       SubscriptionCommand = "paid"        // a bill was paid
	SubscriptionSoftFailed SubscriptionCommand = "soft-failed" // a bill failed soft: retried on the schedule
	SubscriptionHardFailed SubscriptionCommand = "hard-failed" // a bill failed hard: nothing is charged until the card changes
	SubscriptionEnded      SubscriptionCommand = "expired"     // the plan is done or the retry schedule used up
	// The card an incomplete subscription waited for came: its trial starts,
	// or (no trial) its first bill runs at once.
	SubscriptionTrialStarted   SubscriptionCommand = "trial-started"
	SubscriptionBillingStarted SubscriptionCommand = "billing-started"
)

// SubscriptionTransition is one row of the subscription lifecycle.
type SubscriptionTransition = Transition[SubscriptionStatus, SubscriptionCommand]

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
