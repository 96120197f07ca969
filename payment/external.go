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
)
