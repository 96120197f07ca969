package shop

import (
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// OrderStartOptions starts the order's workflow. A running order takes the
// place update instead (conflict policy: use existing), whose validator tells a
// replay from a conflict; a closed one is never started again (reuse policy:
// reject duplicate), so an order id can never pay twice.
func OrderStartOptions(in workflows.OrderInput, taskQueue string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:                       workflows.OrderWorkflowID(in.OrderID),
		TaskQueue:                taskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("order"),
			workflows.AttrStatus.ValueSet(string(payment.OrderProcessing)),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
		StaticSummary: OrderSummary(in),
		StaticDetails: OrderDetails(in),
	}
}

// OrderSummary is the one line the Temporal UI shows for the order's workflow:
// "Order o-1001 · 114.98 EUR · visa ••4242".
func OrderSummary(in workflows.OrderInput) string {
	var total int64
	for _, it := range in.Items {
		total += it.Quantity * it.UnitAmount
	}
	return fmt.Sprintf("Order %s · %s · %s ••%s", in.OrderID, payment.Money{Amount: total, Currency: in.Currency}, in.Card.Brand, in.Card.Last4)
}

// OrderDetails is what the Temporal UI shows under the summary.
func OrderDetails(in workflows.OrderInput) string {
	var lines []string
	for _, it := range in.Items {
		lines = append(lines, fmt.Sprintf("- %d × %s at %s", it.Quantity, it.SKU, payment.Money{Amount: it.UnitAmount, Currency: in.Currency}))
	}
	return fmt.Sprintf("Customer %s · capture %s · submit %s · fraud screen %t\n\n%s",
		in.Customer.ID, in.Capture, in.Submit, in.FraudScreen, strings.Join(lines, "\n"))
}

// OrderUpdateID names a command's update after its idempotency key, scoped by
// the command ("capture:k-1"), so a replayed command is answered, not applied
// again, whether it came through the API or the starter. No key, no id: Temporal
// makes one up.
func OrderUpdateID(command, key string) string {
	if key == "" {
		return ""
	}
	return command + ":" + key
}
