package payment

// OrderStatus is where a one-time order stands, as the API shows it.
type OrderStatus string

const (
	// OrderProcessing is not in the contract's list: it is the short moment in
	// which a payment attempt runs (validity check, fraud screen, processor call).
	// POST /v1/orders and the submit and retry commands answer only after it has
	// passed, so shops see it only by polling during an attempt.
	OrderProcessing OrderStatus = "processing"
	// OrderAwaitingPayment: placed for the payment page (no card yet); the
	// customer's first attempt comes from the page (since workflow revision 4).
	OrderAwaitingPayment OrderStatus = "awaiting_payment"
	// OrderRequiresAction: the attempt waits for the cardholder's 3-D Secure
	// challenge (next_action).
	OrderRequiresAction    OrderStatus = "requires_action"
	OrderPendingSubmission OrderStatus = "pending_submission"
	OrderAuthorized        OrderStatus = "authorized"
	OrderPaymentFailed     OrderStatus = "payment_failed"
	OrderCaptured          OrderStatus = "captured"
	OrderShipped           OrderStatus = "shipped"
	OrderCancelled         OrderStatus = "cancelled"
	OrderRefunded          OrderStatus = "refunded"
	OrderCompleted         OrderStatus = "completed"
)

// OrderTrigger moves an order along a transition: either a command, which the
// shop or the customer sends (an API call, a Temporal update or signal), or an
// event, which the workflow observes (the processor's answer, a timer).
type OrderTrigger string

// Commands: what the shop or the customer asks. The API's path segments and
// the workflow's update and signal names (order/client.go) are these words, so
// one word means one thing in the API, the workflow, the UI and the starter.
const (
	OrderRetry       OrderTrigger = "retry"        // POST .../payment-attempts: pay with another card
	OrderSubmit      OrderTrigger = "submit"       // process the held transaction
	OrderAbandon     OrderTrigger = "abandon"      // the customer closed the payment page
	OrderCancelItems OrderTrigger = "cancel-items" // the shop cancels single items before shipment
	OrderCapture     OrderTrigger = "capture"      // ready to ship: take the money
	OrderShip        OrderTrigger = "ship"         // shipped: the return window starts
	OrderCancel      OrderTrigger = "cancel"       // cancel the whole order
	OrderReturn      OrderTrigger = "return"       // the customer sent items back
	// OrderAuthenticate: the customer came back from the 3-D Secure challenge
	// (cardflow's return endpoint); the result is asked of the processor.
	OrderAuthenticate OrderTrigger = "authenticate"
)

// Events: what the workflow observed. They are never sent from outside.
const (
	OrderHeld               OrderTrigger = "held"                 // checks passed; submit: hold
	OrderApproved           OrderTrigger = "approved"             // the processor authorized
	OrderCharged            OrderTrigger = "charged"              // the processor authorized and captured (a sale)
	OrderDeclined           OrderTrigger = "declined"             // the attempt failed: validation, fraud or processor
	OrderAllItemsCancelled  OrderTrigger = "all-items-cancelled"  // cancel-items took the last ones
	OrderReauthorized       OrderTrigger = "reauthorized"         // fresh authorization before the old one expired
	OrderReauthDeclined     OrderTrigger = "reauth-declined"      // ... and the processor declined it
	OrderAllReturned        OrderTrigger = "all-returned"         // return took the last ones
	OrderTimedOut           OrderTrigger = "timed-out"            // left waiting for the customer too long
	OrderReturnWindowClosed OrderTrigger = "return-window-closed" // nothing more can come back
	// 3-D Secure: the card needs a challenge; the processor says it was
	// failed; nobody came back within the authentication timeout.
	OrderActionRequired        OrderTrigger = "action-required"
	OrderAuthenticationFailed  OrderTrigger = "authentication-failed"
	OrderAuthenticationTimeout OrderTrigger = "authentication-timed-out"
)

// OrderMoney is what an order's transition does at the processor.
type OrderMoney = MoneyMove

// OrderTransition is one row of the order lifecycle.
type OrderTransition = Transition[OrderStatus, OrderTrigger]

// OrderStatuses lists every status, the order's start (processing) first.
func OrderStatuses() []OrderStatus { return OrderLifecycle.Statuses() }

// OrderCommands lists every command in the order of the API's command table.
func OrderCommands() []OrderTrigger { return OrderLifecycle.Commands() }

// OrderTransitions returns a copy of the lifecycle's rows.
func OrderTransitions() []OrderTransition { return OrderLifecycle.Rows() }

// IsCommand reports whether t is sent from outside (as opposed to an event).
func (t OrderTrigger) IsCommand() bool { return OrderLifecycle.IsCommand(t) }

// Valid reports whether s is a status of the lifecycle.
func (s OrderStatus) Valid() bool { return OrderLifecycle.Valid(s) }

// Meaning is a one-line explanation of the status, for people.
func (s OrderStatus) Meaning() string { return OrderLifecycle.Meaning(s) }

// Terminal reports whether the order has ended: no row leaves s.
func (s OrderStatus) Terminal() bool { return OrderLifecycle.Terminal(s) }

// Allows reports whether command c is accepted in status s.
func (s OrderStatus) Allows(c OrderTrigger) bool { return OrderLifecycle.Allows(s, c) }
