// Package subscription is the workflow of one subscription (type
// Subscription, id subscription/<subscription id>): it bills on
// calendar-correct dates, retries on the merchant's schedule, asks the card
// account updater after hard declines, sends every notice and takes the
// commands of payment.SubscriptionLifecycle. It continues as new after every
// paid cycle, so its history stays short however long it lives.
//
// The files are the same in every workflow package:
//
//	workflow.go  the run: the main loop, the agenda (what is due next), continue-as-new
//	commands.go  each command in one block: payload, check, effect; the queue the
//	             main loop applies them from
//	state.go     the state continue-as-new carries, the lifecycle moves
//	view.go      the subscription as the API shows it, and its audit trail's event types
//	input.go     the workflow's input, plan and settings, and their checks
//	notify.go    the notifications (webhooks), their outbox across runs
//	money.go     the processor calls: the bill (validity check, sale), the
//	             account updater, refunds
//	client.go    what callers need: workflow id, update and query names, start options
//
// Code here is deterministic: no I/O, clocks or randomness outside the SDK's
// APIs. Activities are named through a nil *activities.Activities.
package subscription
