package shop

import (
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// SubscriptionStartOptions starts the subscription's workflow. A running
// subscription takes the open update instead; a closed one is never started
// again under its id (a second subscription would bill the customer twice).
func SubscriptionStartOptions(in workflows.SubscriptionInput, taskQueue string) client.StartWorkflowOptions {
	status := payment.SubscriptionActive
	if !in.Plan.Trial.IsZero() {
		status = payment.SubscriptionTrialing
	}
	return client.StartWorkflowOptions{
		ID:                       workflows.SubscriptionWorkflowID(in.SubscriptionID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		StaticSummary:            SubscriptionSummary(in),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("subscription"),
			workflows.AttrStatus.ValueSet(string(status)),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
	}
}

// SubscriptionSummary is the workflow's one-line summary in the Temporal UI:
// "Subscription s-1 · pro-monthly · 9.99 EUR / P1M · visa ••4242".
func SubscriptionSummary(in workflows.SubscriptionInput) string {
	parts := []string{"Subscription " + in.SubscriptionID}
	if in.Plan.Name != "" {
		parts = append(parts, in.Plan.Name)
	}
	parts = append(parts,
		in.Plan.Money().String()+" / "+in.Plan.Interval.String(),
		string(in.Card.Brand)+" ••"+in.Card.Last4)
	return strings.Join(parts, " · ")
}

// SubscriptionUpdateID names a command's update after its idempotency key
// ("cancel/k-1"), so Temporal deduplicates within a run; the workflow remembers
// recent keys across runs itself. No key, no id.
func SubscriptionUpdateID(name, key string) string {
	if key == "" {
		return ""
	}
	return name + "/" + key
}
