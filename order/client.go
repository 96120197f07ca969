package order

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// What a caller (the API, the starter, an operator's script) needs to talk to
// an order's workflow. Every command is an update (validated, answers the
// View: what the API uses) and a signal of the same name (for the Temporal UI
// and `temporal workflow signal`; an invalid signal is logged and dropped).
// The names are the lifecycle's command words (payment.OrderCommands), so one
// word means one thing in the API, the workflow, the UI and the starter. The
// payloads are declared with each command in commands.go.

// WorkflowType is the order workflow's type name, as registered with the worker.
const WorkflowType = "OrderPayment"

// WorkflowID is the workflow id of an order.
func WorkflowID(orderID string) string { return "order/" + orderID }

const (
	// UpdatePlace is the update sent with Update-with-Start by POST /v1/orders
	// (payload PlaceRequest, answer Placed). It answers once the first attempt
	// has a result, so the shop learns it in the same request. Its validator
	// rejects a different request for the same order id (ErrTypeExists).
	UpdatePlace = "place"
	// QueryDigest answers the digest of the request that started the order, so
	// the API can tell a replay from a conflicting request after the workflow
	// closed. flow.QueryState answers the View.
	QueryDigest = "digest"

	UpdateRetry       = string(payment.OrderRetry)       // RetryRequest
	UpdateSubmit      = string(payment.OrderSubmit)      // NoInput
	UpdateAbandon     = string(payment.OrderAbandon)     // NoInput
	UpdateCancelItems = string(payment.OrderCancelItems) // ItemsRequest
	UpdateCapture     = string(payment.OrderCapture)     // NoInput
	UpdateShip        = string(payment.OrderShip)        // NoInput
	UpdateCancel      = string(payment.OrderCancel)      // NoInput
	UpdateReturn      = string(payment.OrderReturn)      // ItemsRequest
	// UpdateAuthenticate is sent by the API's 3-D Secure return endpoint
	// (AuthenticateRequest), since RevThreeDS.
	UpdateAuthenticate = string(payment.OrderAuthenticate)
)

// ErrTypeExists rejects a place update whose request differs from the one the
// order was started with: the API answers 409 order_exists.
const ErrTypeExists = "order_exists"

// Exists is the rejection of a place update with another request.
func Exists(orderID string) error {
	return temporal.NewNonRetryableApplicationError(
		"order "+orderID+" exists with a different request", ErrTypeExists, nil)
}

// StartOptions starts the order's workflow (flow.StartOptions), with its
// summary and details for the Temporal UI.
func StartOptions(in Input, taskQueue string) client.StartWorkflowOptions {
	status := payment.OrderProcessing
	if in.PaymentPage != nil {
		status = payment.OrderAwaitingPayment
	}
	opts := flow.StartOptions(WorkflowID(in.OrderID), taskQueue, "order", string(status), in.Customer.ID)
	opts.StaticSummary = Summary(in)
	opts.StaticDetails = Details(in)
	return opts
}

// Summary is the one line the Temporal UI shows for the order's workflow:
// "Order o-1001 · 114.98 EUR · visa ••4242".
func Summary(in Input) string {
	var total int64
	for _, it := range in.Items {
		total += it.Quantity * it.UnitAmount
	}
	card := fmt.Sprintf("%s ••%s", in.Card.Brand, in.Card.Last4)
	if in.PaymentPage != nil {
		card = "payment page"
	}
	return fmt.Sprintf("Order %s · %s · %s", in.OrderID, payment.Money{Amount: total, Currency: in.Currency}, card)
}

// Details is what the Temporal UI shows under the summary.
func Details(in Input) string {
	var lines []string
	for _, it := range in.Items {
		lines = append(lines, fmt.Sprintf("- %d × %s at %s", it.Quantity, it.SKU, payment.Money{Amount: it.UnitAmount, Currency: in.Currency}))
	}
	return fmt.Sprintf("Customer %s · capture %s · submit %s · fraud screen %t\n\n%s",
		in.Customer.ID, in.Capture, in.Submit, in.FraudScreen, strings.Join(lines, "\n"))
}
