package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// The sandbox's test cards (API.md, "Sandbox processor").
const (
	cardVisa          = "4242424242424242"
	cardMastercard    = "5555555555554444"
	cardDoNotHonor    = "4000000000000002" // soft
	cardInsufficient  = "4000000000009995" // soft
	cardLost          = "4000000000009987" // hard
	cardExpired       = "4000000000000069" // hard until the account updater answers
	cardFraudReject   = "4000000000004954" // fraud score 90+
	cardFraudReview   = "4000000000009235" // fraud score 65-74
	demoCustomerID    = "c-demo"
	demoCustomerEmail = "jane@example.com"
)

func demoCard(number string) payment.CardData {
	return payment.CardData{Number: number, ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
}

// demoOrder is a two-line order (2 shoes, 3 socks: 117.95 EUR) paid with number.
func demoOrder(id, number string) shop.OrderRequest {
	var b shop.OrderRequest
	b.OrderID, b.Currency = id, "EUR"
	b.Customer = payment.Customer{ID: demoCustomerID, Email: demoCustomerEmail, Country: "DE"}
	b.Items = []order.Item{{SKU: "SHOE-1", Quantity: 2, UnitAmount: 4999}, {SKU: "SOCK-7", Quantity: 3, UnitAmount: 599}}
	b.Card = demoCard(number)
	return b
}

// orderSteps runs an order's steps, stopping at the first error or unexpected status.
type orderSteps struct {
	ctx context.Context
	d   *demo
	id  string
	v   order.View
	err error
}

func (o *orderSteps) place(b shop.OrderRequest, want payment.OrderStatus) *orderSteps {
	if o.err == nil {
		o.v, o.err = o.d.s.placeOrder(o.ctx, b)
		o.check("place", want)
	}
	return o
}

func (o *orderSteps) do(t payment.OrderTrigger, arg any, want payment.OrderStatus) *orderSteps {
	if o.err == nil {
		o.v, o.err = shop.OrderCommand(o.ctx, o.d.s.temporal, o.id, string(t), "", arg)
		o.check(string(t), want)
	}
	return o
}

func (o *orderSteps) retry(number string, want payment.OrderStatus) *orderSteps {
	if o.err == nil {
		o.v, o.err = shop.RetryOrder(o.ctx, o.d.s.temporal, o.d.s.vault, o.d.s.now(), o.id, "", demoCard(number), flow.Sender{})
		o.check("retry", want)
	}
	return o
}

func (o *orderSteps) check(step string, want payment.OrderStatus) {
	if o.err == nil {
		o.err = expect(step, o.v.Status, want)
	}
}

// done answers the flow's result: the final status and the money that moved.
func (o *orderSteps) done() (string, string, error) {
	if o.err != nil {
		return string(o.v.Status), "", o.err
	}
	a := o.v.Amounts
	var parts []string
	for _, m := range []struct {
		name   string
		amount int64
	}{{"authorized", a.Authorized}, {"captured", a.Captured}, {"voided", a.Voided}, {"refunded", a.Refunded}} {
		if m.amount != 0 {
			parts = append(parts, m.name+" "+payment.Money{Amount: m.amount, Currency: o.v.Currency}.String())
		}
	}
	if o.v.Failure != nil {
		parts = append(parts, fmt.Sprintf("%s failure %s (%s)", o.v.Failure.Stage, o.v.Failure.Code, o.v.Failure.Class))
	}
	if o.v.Fraud != nil && o.v.Fraud.Decision != payment.FraudPass {
		parts = append(parts, fmt.Sprintf("fraud %s", o.v.Fraud.Decision))
	}
	if len(parts) == 0 {
		parts = append(parts, "no money moved")
	}
	return string(o.v.Status), strings.Join(parts, ", "), nil
}

func items(sku string, qty int64) order.ItemsRequest {
	return order.ItemsRequest{Items: []order.ItemQuantity{{SKU: sku, Quantity: qty}}}
}

// orderFlows are the order flows of API.md, one workflow each.
func orderFlows() []scenario {
	steps := func(ctx context.Context, d *demo, id string) *orderSteps { return &orderSteps{ctx: ctx, d: d, id: id} }
	return append([]scenario{
		{"order", "happy", "happy path: authorize, capture, ship", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardVisa), payment.OrderAuthorized).
				do(payment.OrderCapture, nil, payment.OrderCaptured).do(payment.OrderShip, nil, payment.OrderShipped).done()
		}},
		{"order", "automatic", "automatic capture (a sale)", func(ctx context.Context, d *demo, id string) (string, string, error) {
			b := demoOrder(id, cardMastercard)
			b.Capture = order.CaptureAutomatic
			return steps(ctx, d, id).place(b, payment.OrderCaptured).done()
		}},
		{"order", "hold", "held after the checks, then submitted", func(ctx context.Context, d *demo, id string) (string, string, error) {
			b := demoOrder(id, cardVisa)
			b.Submit = order.SubmitHold
			return steps(ctx, d, id).place(b, payment.OrderPendingSubmission).do(payment.OrderSubmit, nil, payment.OrderAuthorized).done()
		}},
		{"order", "retry", "soft decline (insufficient funds), retry with another card", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardInsufficient), payment.OrderPaymentFailed).
				retry(cardMastercard, payment.OrderAuthorized).done()
		}},
		{"order", "hard-decline", "hard decline (lost card)", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardLost), payment.OrderPaymentFailed).done()
		}},
		{"order", "fraud-review", "fraud screen: review (proceeds, flagged)", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardFraudReview), payment.OrderAuthorized).done()
		}},
		{"order", "fraud-reject", "fraud screen: reject (processor never called)", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardFraudReject), payment.OrderPaymentFailed).done()
		}},
		{"order", "abandon", "soft decline, customer closes the payment page", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardDoNotHonor), payment.OrderPaymentFailed).
				do(payment.OrderAbandon, nil, payment.OrderCancelled).done()
		}},
		{"order", "cancel-items", "cancel the socks before capture, capture the rest", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardVisa), payment.OrderAuthorized).
				do(payment.OrderCancelItems, items("SOCK-7", 3), payment.OrderAuthorized).
				do(payment.OrderCapture, nil, payment.OrderCaptured).done()
		}},
		{"order", "void", "cancel before capture: the authorization is voided", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardVisa), payment.OrderAuthorized).
				do(payment.OrderCancel, nil, payment.OrderCancelled).done()
		}},
		{"order", "refund", "cancel after capture: a full refund", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardVisa), payment.OrderAuthorized).
				do(payment.OrderCapture, nil, payment.OrderCaptured).do(payment.OrderCancel, nil, payment.OrderCancelled).done()
		}},
		{"order", "returns", "ship, return one shoe, then everything else", func(ctx context.Context, d *demo, id string) (string, string, error) {
			rest := order.ItemsRequest{Items: []order.ItemQuantity{{SKU: "SHOE-1", Quantity: 1}, {SKU: "SOCK-7", Quantity: 3}}}
			return steps(ctx, d, id).place(demoOrder(id, cardVisa), payment.OrderAuthorized).
				do(payment.OrderCapture, nil, payment.OrderCaptured).do(payment.OrderShip, nil, payment.OrderShipped).
				do(payment.OrderReturn, items("SHOE-1", 1), payment.OrderShipped).
				do(payment.OrderReturn, rest, payment.OrderRefunded).done()
		}},
	}, threeDSFlows()...)
}
