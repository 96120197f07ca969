// Package order is the workflow of one shop order (type OrderPayment, id
// order/<order id>): it carries the order's money from the first payment
// attempt through authorization, capture, shipment and returns, or to its
// cancellation, along payment.OrderLifecycle.
//
// The files are the same in every workflow package:
//
//	workflow.go  the run: the first attempt, the timers that move the order by
//	             themselves (abandonment, re-authorization, return window), the end
//	commands.go  each command in one block: payload, check, effect
//	state.go     the workflow's state, the lifecycle moves, idempotency keys
//	view.go      the order as the API shows it, and its audit trail's event types
//	input.go     the workflow's input and settings, and their checks
//	notify.go    the notifications (webhooks) and who they are for
//	money.go     the processor calls: authorize, sale, capture, void, refund
//	client.go    what callers need: workflow id, update and query names, start options
//
// Code here is deterministic: no I/O, clocks or randomness outside the SDK's
// APIs. Activities are named through a nil *activities.Activities.
package order
