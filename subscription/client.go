package subscription

import (
	"strings"

	"go.temporal.io/sdk/client"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// What a caller (the API, the starter, an operator's script) needs to talk to
// a subscription's workflow. Every command is an update (validated, answers
// the View after it took effect) and a signal of the same name (fire and
// forget, checked when applied and dropped with a log line when not allowed).
// The names are the lifecycle's command words (payment.SubscriptionCommands);
// the payloads are declared with each command in commands.go.

// WorkflowType is the subscription workflow's type name, as registered with the worker.
const WorkflowType = "Subscription"

// WorkflowID is the workflow id of a subscription.
func WorkflowID(subscriptionID string) string { return "subscription/" + subscriptionID }

const (
	// UpdateOpen is the update the API sends with the start
	// (update-with-start, payload OpenRequest): it answers Opened once the
	// trial began or the first bill has a result, and rejects a request digest
	// that differs from the one the subscription was created with.
	UpdateOpen = "open"
	// QueryDigest answers the digest of the request that created the
	// subscription (a string), for the API's repeat check once the workflow has
	// closed and takes no more updates. flow.QueryState answers the View.
	QueryDigest = "request_digest"

	UpdateCancel        = string(payment.SubscriptionCancel)        // CancelRequest
	UpdatePaymentMethod = string(payment.SubscriptionPaymentMethod) // PaymentMethodRequest
	UpdateCatchUp       = string(payment.SubscriptionCatchUp)       // CatchUpRequest
	UpdateRefund        = string(payment.SubscriptionRefund)        // RefundRequest
	// UpdateAuthenticate is sent by the API's 3-D Secure return endpoint
	// (AuthenticateRequest), since RevThreeDS.
	UpdateAuthenticate = string(payment.SubscriptionAuthenticate)
)

// StartOptions starts the subscription's workflow (flow.StartOptions), in the
// status it starts in, with its summary for the Temporal UI.
func StartOptions(in Input, taskQueue string) client.StartWorkflowOptions {
	status := payment.SubscriptionActive
	switch {
	case in.PaymentPage != nil:
		status = payment.SubscriptionIncomplete
	case !in.Plan.Trial.IsZero():
		status = payment.SubscriptionTrialing
	}
	opts := flow.StartOptions(WorkflowID(in.SubscriptionID), taskQueue, "subscription", string(status), in.Customer.ID)
	opts.StaticSummary = Summary(in)
	return opts
}

// Summary is the workflow's one-line summary in the Temporal UI:
// "Subscription s-1 · pro-monthly · 9.99 EUR / P1M · visa ••4242".
func Summary(in Input) string {
	parts := []string{"Subscription " + in.SubscriptionID}
	if in.Plan.Name != "" {
		parts = append(parts, in.Plan.Name)
	}
	card := string(in.Card.Brand) + " ••" + in.Card.Last4
	if in.PaymentPage != nil {
		card = "payment page"
	}
	parts = append(parts, in.Plan.Money().String()+" / "+in.Plan.Interval.String(), card)
	return strings.Join(parts, " · ")
}
