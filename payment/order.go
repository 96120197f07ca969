package payment

import (
	"fmt"
	"slices"
	"strings"
)

// OrderStatus is where a one-time order stands, as the API shows it.
type OrderStatus string

const (
	// OrderProcessing is not in the contract's list: it is the short moment in
	// which a payment attempt runs (validity check, fraud screen, processor call).
	// POST /v1/orders and the submit and retry commands answer only after it has
	// passed, so shops see it only by polling during an attempt.
	OrderProcessing        OrderStatus = "processing"
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

// Commands. The values are the Temporal update and signal names, so one word
// means one thing in the API, the workflow, the Temporal UI and the starter CLI.
const (
	OrderRetry       OrderTrigger = "retry"        // POST .../payment-attempts: pay with another card
	OrderSubmit      OrderTrigger = "submit"       // process the held transaction
	OrderAbandon     OrderTrigger = "abandon"      // the customer closed the payment page
	OrderCancelItems OrderTrigger = "cancel-items" // the shop cancels single items before shipment
	OrderCapture     OrderTrigger = "capture"      // ready to ship: take the money
	OrderShip        OrderTrigger = "ship"         // shipped: the return window starts
	OrderCancel      OrderTrigger = "cancel"       // cancel the whole order
	OrderReturn      OrderTrigger = "return"       // the customer sent items back
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
)

// OrderMoney is what a transition does at the processor.
type OrderMoney string

const (
	MoneyNone      OrderMoney = ""
	MoneyAuthorize OrderMoney = "authorize"
	MoneySale      OrderMoney = "sale"           // authorize and capture in one call
	MoneyCapture   OrderMoney = "capture"        // the total less cancelled items; a void releases the rest
	MoneyVoid      OrderMoney = "void"           // release what is authorized and not captured
	MoneyRefund    OrderMoney = "refund"         // give back (part of) what was captured
	MoneyReauth    OrderMoney = "authorize+void" // authorize anew, then void the old authorization
)

// OrderTransition is one row of the order state machine: in status From, trigger
// On leads to status To, moving money as Money says.
type OrderTransition struct {
	From  OrderStatus
	On    OrderTrigger
	To    OrderStatus
	Money OrderMoney
}

// orderTransitions is the order lifecycle, the one place that says what may
// happen when. The update validators accept a command only if a row starts from
// the current status with it (409 invalid_state otherwise); the workflow moves
// only along rows; the tests walk the table. A command whose result depends on
// what it finds has a row for each result: cancel-items leaves the order
// authorized unless it cancels the last items (all-items-cancelled), return leaves
// it shipped unless everything came back (all-returned). A declined capture, void
// or refund is no row at all: the order stays where it was and records the decline.
var orderTransitions = []OrderTransition{
	// An attempt: validity check, fraud screen, then hold or the processor.
	{OrderProcessing, OrderHeld, OrderPendingSubmission, MoneyNone},
	{OrderProcessing, OrderApproved, OrderAuthorized, MoneyAuthorize},
	{OrderProcessing, OrderCharged, OrderCaptured, MoneySale},
	{OrderProcessing, OrderDeclined, OrderPaymentFailed, MoneyNone},

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

	// Captured, not shipped: cancelling is a full refund.
	{OrderCaptured, OrderShip, OrderShipped, MoneyNone},
	{OrderCaptured, OrderCancel, OrderCancelled, MoneyRefund},

	// Shipped: returns until the window closes.
	{OrderShipped, OrderReturn, OrderShipped, MoneyRefund},
	{OrderShipped, OrderAllReturned, OrderRefunded, MoneyRefund},
	{OrderShipped, OrderReturnWindowClosed, OrderCompleted, MoneyNone},
}

// orderMeanings explain the statuses to people (409 messages, docs).
var orderMeanings = map[OrderStatus]string{
	OrderProcessing:        "a payment attempt is running",
	OrderPendingSubmission: "checked and held until the merchant submits it",
	OrderAuthorized:        "the amount is reserved on the card, not yet captured",
	OrderPaymentFailed:     "the last payment attempt failed; the customer may retry",
	OrderCaptured:          "paid; not yet shipped",
	OrderShipped:           "shipped; returns are possible until the return window closes",
	OrderCancelled:         "cancelled",
	OrderRefunded:          "everything was returned and refunded",
	OrderCompleted:         "the return window has closed",
}

// OrderStatuses lists every status, the order's start (processing) first.
func OrderStatuses() []OrderStatus {
	return []OrderStatus{OrderProcessing, OrderPendingSubmission, OrderAuthorized, OrderPaymentFailed,
		OrderCaptured, OrderShipped, OrderCancelled, OrderRefunded, OrderCompleted}
}

// OrderCommands lists every command in the order of the API's command table.
func OrderCommands() []OrderTrigger {
	return []OrderTrigger{OrderRetry, OrderSubmit, OrderAbandon, OrderCancelItems, OrderCapture, OrderShip, OrderCancel, OrderReturn}
}

// OrderTransitions returns a copy of the state machine's rows.
func OrderTransitions() []OrderTransition { return slices.Clone(orderTransitions) }

// IsCommand reports whether t is sent from outside (as opposed to an event).
func (t OrderTrigger) IsCommand() bool { return slices.Contains(OrderCommands(), t) }

// Valid reports whether s is a status of the lifecycle.
func (s OrderStatus) Valid() bool {
	_, ok := orderMeanings[s]
	return ok
}

// Meaning is a one-line explanation of the status, for people.
func (s OrderStatus) Meaning() string { return orderMeanings[s] }

// Terminal reports whether the order has ended: no row leaves s.
func (s OrderStatus) Terminal() bool {
	return s.Valid() && !slices.ContainsFunc(orderTransitions, func(t OrderTransition) bool { return t.From == s })
}

// Allows reports whether command c is accepted in status s.
func (s OrderStatus) Allows(c OrderTrigger) bool {
	return c.IsCommand() && slices.ContainsFunc(orderTransitions, func(t OrderTransition) bool {
		return t.From == s && t.On == c
	})
}

// NextOrderStatus returns the row that trigger on takes from status from, or an
// error if the state machine has none: the workflow never moves off the table.
func NextOrderStatus(from OrderStatus, on OrderTrigger) (OrderTransition, error) {
	i := slices.IndexFunc(orderTransitions, func(t OrderTransition) bool { return t.From == from && t.On == on })
	if i < 0 {
		return OrderTransition{}, fmt.Errorf("order: no transition from %s on %s", from, on)
	}
	return orderTransitions[i], nil
}

// CheckOrderCommand says why command c is not accepted in status s, in words fit
// for the API's 409 answer; nil when it is accepted.
func CheckOrderCommand(s OrderStatus, c OrderTrigger) error {
	if s.Allows(c) {
		return nil
	}
	if !c.IsCommand() {
		return fmt.Errorf("%s is not an order command", c)
	}
	var in []string
	for _, t := range orderTransitions {
		if t.On == c && !slices.Contains(in, string(t.From)) {
			in = append(in, string(t.From))
		}
	}
	return fmt.Errorf("%s is not allowed while the order is %s (%s); allowed when %s",
		c, s, s.Meaning(), strings.Join(in, ", "))
}
