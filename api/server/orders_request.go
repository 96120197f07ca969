package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// createOrderRequest is the body of POST /v1/orders (API.md, Orders).
type createOrderRequest struct {
	OrderID     string                `json:"order_id"`
	Currency    string                `json:"currency"`
	Customer    payment.Customer      `json:"customer"`
	Items       []workflows.OrderItem `json:"items"`
	Card        payment.CardData      `json:"card"`
	Capture     string                `json:"capture"`
	Submit      string                `json:"submit"`
	FraudScreen *bool                 `json:"fraud_screen"`
}

// withDefaults fills what the contract lets the shop leave out.
func (req createOrderRequest) withDefaults() createOrderRequest {
	if req.Capture == "" {
		req.Capture = workflows.CaptureManual
	}
	if req.Submit == "" {
		req.Submit = workflows.SubmitImmediate
	}
	if req.FraudScreen == nil {
		screen := true
		req.FraudScreen = &screen
	}
	return req
}

// input is the workflow input without the card, which is tokenized later.
func (req createOrderRequest) input(settings workflows.OrderSettings) workflows.OrderInput {
	return workflows.OrderInput{
		OrderID:     req.OrderID,
		Currency:    req.Currency,
		Customer:    req.Customer,
		Items:       req.Items,
		Capture:     req.Capture,
		Submit:      req.Submit,
		FraudScreen: *req.FraudScreen,
		Digest:      req.digest(),
		Settings:    settings,
	}
}

// digest identifies the request: the SHA-256 of its canonical JSON (defaults
// filled in) without the card number and the CVC, which must not be kept
// anywhere, not even hashed. The same order id with the same digest is a replay;
// with another, a conflict.
func (req createOrderRequest) digest() string {
	canonical := struct {
		OrderID     string                `json:"order_id"`
		Currency    string                `json:"currency"`
		Customer    payment.Customer      `json:"customer"`
		Items       []workflows.OrderItem `json:"items"`
		ExpMonth    int                   `json:"exp_month"`
		ExpYear     int                   `json:"exp_year"`
		Holder      string                `json:"holder"`
		Capture     string                `json:"capture"`
		Submit      string                `json:"submit"`
		FraudScreen bool                  `json:"fraud_screen"`
	}{req.OrderID, req.Currency, req.Customer, req.Items, req.Card.ExpMonth, req.Card.ExpYear, req.Card.Holder,
		req.Capture, req.Submit, *req.FraudScreen}
	b, _ := json.Marshal(canonical) // plain structs of strings and numbers: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// orderSummary is the one line the Temporal UI shows for the order's workflow:
// "Order o-1001 · 114.98 EUR · visa ••4242".
func orderSummary(in workflows.OrderInput) string {
	var total int64
	for _, it := range in.Items {
		total += it.Quantity * it.UnitAmount
	}
	return fmt.Sprintf("Order %s · %s · %s ••%s", in.OrderID, payment.Money{Amount: total, Currency: in.Currency}, in.Card.Brand, in.Card.Last4)
}

// orderDetails is what the Temporal UI shows under the summary.
func orderDetails(in workflows.OrderInput) string {
	var lines []string
	for _, it := range in.Items {
		lines = append(lines, fmt.Sprintf("- %d × %s at %s", it.Quantity, it.SKU, payment.Money{Amount: it.UnitAmount, Currency: in.Currency}))
	}
	return fmt.Sprintf("Customer %s · capture %s · submit %s · fraud screen %t\n\n%s",
		in.Customer.ID, in.Capture, in.Submit, in.FraudScreen, strings.Join(lines, "\n"))
}

// retryRequest is the body of POST /v1/orders/{id}/payment-attempts.
type retryRequest struct {
	Card payment.CardData `json:"card"`
}

// itemsRequest is the body of POST /v1/orders/{id}/items/cancel and .../returns.
type itemsRequest struct {
	Items []workflows.ItemQuantity `json:"items"`
}
