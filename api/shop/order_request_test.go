package shop

import (
	"testing"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

func testOrderRequest() OrderRequest {
	return OrderRequest{
		OrderID:  "o-1001",
		Currency: "EUR",
		Customer: payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"},
		Items:    []order.Item{{SKU: "SHOE-1", Quantity: 2, UnitAmount: 4999}},
		Card:     payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"},
	}.WithDefaults()
}

func TestCreateOrderDefaults(t *testing.T) {
	req := testOrderRequest()
	if req.Capture != "manual" || req.Submit != "immediate" || req.FraudScreen == nil || !*req.FraudScreen {
		t.Errorf("defaults: capture %q submit %q fraud %v", req.Capture, req.Submit, req.FraudScreen)
	}
	off := false
	req.FraudScreen = &off
	if req.WithDefaults().FraudScreen != &off {
		t.Error("an explicit fraud_screen: false was overridden")
	}
}

// TestOrderDigest: the digest names the request, not the card number or CVC,
// which must not be kept anywhere; defaults count as if sent.
func TestOrderDigest(t *testing.T) {
	base := testOrderRequest()
	same := []func(*OrderRequest){
		func(r *OrderRequest) { r.Card.Number = "5555555555554444" },
		func(r *OrderRequest) { r.Card.CVC = "999" },
		func(r *OrderRequest) { r.Capture = "manual" },
	}
	for i, edit := range same {
		r := testOrderRequest()
		edit(&r)
		if r.Digest() != base.Digest() {
			t.Errorf("edit %d changed the digest", i)
		}
	}
	other := []func(*OrderRequest){
		func(r *OrderRequest) { r.Items[0].Quantity = 3 },
		func(r *OrderRequest) { r.Currency = "USD" },
		func(r *OrderRequest) { r.Customer.Email = "joe@example.com" },
		func(r *OrderRequest) { r.Capture = "automatic" },
		func(r *OrderRequest) { r.Submit = "hold" },
		func(r *OrderRequest) { off := false; r.FraudScreen = &off },
		func(r *OrderRequest) { r.Card.ExpYear = 2031 },
		func(r *OrderRequest) { r.Card.Holder = "J. Doe" },
	}
	for i, edit := range other {
		r := testOrderRequest()
		edit(&r)
		if r.Digest() == base.Digest() {
			t.Errorf("edit %d kept the digest", i)
		}
	}
}
