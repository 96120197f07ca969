// Package workflows holds cardflow's two workflows, OrderPayment and Subscription,
// and everything a client needs to talk to them: ids, update/signal/query names and
// their payload types. Workflow code here is deterministic: no I/O, clocks or
// randomness outside the SDK's APIs.
package workflows

import "go.temporal.io/sdk/temporal"

// TaskQueue is the queue every cardflow worker polls.
const TaskQueue = "cardflow"

// Workflow type names as registered with the worker.
const (
	OrderWorkflowType        = "OrderPayment"
	SubscriptionWorkflowType = "Subscription"
)

// OrderWorkflowID is the workflow id of an order.
func OrderWorkflowID(orderID string) string { return "order/" + orderID }

// SubscriptionWorkflowID is the workflow id of a subscription.
func SubscriptionWorkflowID(subscriptionID string) string { return "subscription/" + subscriptionID }

// QueryState answers the order or the subscription as the API shows it.
const QueryState = "state"

// Search attributes of the contract (all Keyword).
var (
	AttrKind       = temporal.NewSearchAttributeKeyKeyword("CardflowKind")
	AttrStatus     = temporal.NewSearchAttributeKeyKeyword("CardflowStatus")
	AttrCustomerID = temporal.NewSearchAttributeKeyKeyword("CardflowCustomerId")
	// AttrAttention is an addition: the operation of a processor call that got no
	// answer within its retry policy and waits for an operator's retry-operation
	// (attention.go); unset otherwise. Alert on `CardflowAttention IS NOT NULL`.
	// It is only ever set on that path, but a namespace without it fails the
	// workflow task that sets it: register it before deploying.
	AttrAttention = temporal.NewSearchAttributeKeyKeyword("CardflowAttention")
)

// SearchAttributeNames lists the custom search attributes a namespace must have.
var SearchAttributeNames = []string{"CardflowKind", "CardflowStatus", "CardflowCustomerId", "CardflowAttention"}
