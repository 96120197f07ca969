package payment

// Events the processor reports of an order (order/external.go): money moved
// outside cardflow, say in Stripe's dashboard. cardflow moves no money on
// them; it records what the processor says it moved.
const (
	// OrderCapturedAtProcessor: the processor captured the authorization.
	OrderCapturedAtProcessor OrderTrigger = "processor-captured"
	// OrderRefundedAtProcessor: the processor refunded all that was captured.
	OrderRefundedAtProcessor OrderTrigger = "processor-refunded"
)

// Processor event kinds: what an order's processor-event says happened, with
// the processor's running total of it for the payment.
const (
	ProcessorCaptured = "captured"
	ProcessorRefunded = "refunded"
	// ProcessorDisputed and ProcessorDisputeClosed (since RevDisputes): the
	// cardholder disputed the payment (a chargeback) and how the dispute
	// ended; the amount is the dispute's, not a running total.
	ProcessorDisputed      = "disputed"
	ProcessorDisputeClosed = "dispute_closed"
)

// Dispute statuses of a closed dispute (Stripe's values): won, the money
// stays the merchant's; lost, it went back to the cardholder. Others
// (warning_closed, prevented) close a dispute that moved no money.
const (
	DisputeWon  = "won"
	DisputeLost = "lost"
)
