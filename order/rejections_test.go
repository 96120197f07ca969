package order

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// orderChecks are the validators of every command, with a payload valid for
// testOrderInput's lines.
func orderChecks(o *order) map[payment.OrderTrigger]func() error {
	valid := orderItemsOf("SHOE-1", 1)
	return map[payment.OrderTrigger]func() error{
		payment.OrderRetry:        func() error { return o.retry().Check(RetryRequest{Card: orderCard("tok_2", "4444")}) },
		payment.OrderSubmit:       func() error { return o.submit().Check(NoInput{}) },
		payment.OrderAbandon:      func() error { return o.abandon().Check(NoInput{}) },
		payment.OrderCancelItems:  func() error { return o.cancelItems().Check(valid) },
		payment.OrderCapture:      func() error { return o.capture().Check(NoInput{}) },
		payment.OrderShip:         func() error { return o.ship().Check(NoInput{}) },
		payment.OrderCancel:       func() error { return o.cancel().Check(NoInput{}) },
		payment.OrderReturn:       func() error { return o.returnItems().Check(valid) },
		payment.OrderAuthenticate: func() error { return o.authenticateCmd().Check(AuthenticateRequest{}) },
	}
}

func rejectionType(err error) string {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return app.Type()
	}
	return ""
}

// TestOrderValidatorsEveryStatus runs every command's validator in every status:
// accepted exactly where the state machine has a row, else invalid_state (409).
func TestOrderValidatorsEveryStatus(t *testing.T) {
	for _, s := range payment.OrderStatuses() {
		o := &order{in: testOrderInput("o-v"), status: s, lines: []Line{
			{SKU: "SHOE-1", Quantity: 2, UnitAmount: orderShoe}, {SKU: "SOCK-1", Quantity: 3, UnitAmount: orderSock}}}
		checks := orderChecks(o)
		for _, c := range payment.OrderCommands() {
			err := checks[c]()
			if s.Allows(c) {
				if err != nil {
					t.Errorf("%s in %s rejected: %v", c, s, err)
				}
				continue
			}
			if rejectionType(err) != flow.ErrTypeInvalidState {
				t.Errorf("%s in %s: %v, want an invalid_state rejection", c, s, err)
			}
		}
	}
}

func TestOrderValidatorsItems(t *testing.T) {
	lines := []Line{
		{SKU: "SHOE-1", Quantity: 2, UnitAmount: orderShoe, Cancelled: 1},
		{SKU: "SOCK-1", Quantity: 3, UnitAmount: orderSock},
	}
	tests := []struct {
		name  string
		req   ItemsRequest
		field string // empty: accepted
	}{
		{"one of each", orderItemsOf("SHOE-1", 1, "SOCK-1", 3), ""},
		{"empty", ItemsRequest{}, "items"},
		{"more than remains", orderItemsOf("SHOE-1", 2), "items[0].quantity"},
		{"more than remains, second", orderItemsOf("SOCK-1", 1, "SHOE-1", 2), "items[1].quantity"},
		{"zero", orderItemsOf("SOCK-1", 0), "items[0].quantity"},
		{"negative", orderItemsOf("SOCK-1", -1), "items[0].quantity"},
		{"unknown sku", orderItemsOf("HAT-1", 1), "items[0].sku"},
		{"no sku", orderItemsOf("", 1), "items[0].sku"},
		{"twice", orderItemsOf("SOCK-1", 1, "SOCK-1", 1), "items[1].sku"},
	}
	for _, status := range []payment.OrderStatus{payment.OrderAuthorized, payment.OrderShipped} {
		o := &order{in: testOrderInput("o-v"), status: status, lines: lines}
		check := o.cancelItems().Check
		if status == payment.OrderShipped {
			check = o.returnItems().Check
		}
		for _, tt := range tests {
			err := check(tt.req)
			_, _, field, _ := flow.Rejection(err)
			if tt.field == "" && err != nil || tt.field != "" && (rejectionType(err) != flow.ErrTypeInvalidRequest || field != tt.field) {
				t.Errorf("%s, %s: %v (field %q), want field %q", status, tt.name, err, field, tt.field)
			}
		}
	}
	// Returns count what was returned already.
	lines[1].Returned = 2
	o := &order{status: payment.OrderShipped, lines: lines}
	if _, _, f, _ := flow.Rejection(o.returnItems().Check(orderItemsOf("SOCK-1", 2))); f != "items[0].quantity" {
		t.Errorf("returning more than was delivered and kept: field %q", f)
	}
	o = &order{status: payment.OrderPaymentFailed, lines: lines}
	if _, _, f, _ := flow.Rejection(o.retry().Check(RetryRequest{})); f != "card" {
		t.Errorf("retry without a token: field %q", f)
	}
}

// TestOrderRejectionsThroughUpdates sends rejected commands as real updates:
// the validator refuses them (they are never accepted) and the order is unchanged.
func TestOrderRejectionsThroughUpdates(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-rej"))
	ot.authorizeDelay = 10 * orderMin
	// While the first attempt runs, the order is processing: nothing is allowed.
	var during []*flowtest.Update
	for _, c := range payment.OrderCommands() {
		var args []any
		switch c {
		case payment.OrderRetry:
			args = []any{RetryRequest{Card: orderCard("tok_2", "4444")}}
		case payment.OrderCancelItems, payment.OrderReturn:
			args = []any{orderItemsOf("SHOE-1", 1)}
		}
		during = append(during, ot.send(orderMin, string(c), args...))
	}
	ot.env.RegisterDelayedCallback(func() { assert.Equal(t, payment.OrderProcessing, ot.state().Status) }, orderMin)
	over := ot.send(20*orderMin, "cancel-items", orderItemsOf("SHOE-1", 3))
	ship := ot.send(20*orderMin, "ship")
	retry := ot.send(20*orderMin, "retry", RetryRequest{Card: orderCard("tok_2", "4444")})
	other := ot.send(20*orderMin, UpdatePlace, PlaceRequest{Digest: "another body"})
	replay := ot.send(20*orderMin, UpdatePlace, PlaceRequest{Digest: "digest-1"})
	ot.env.RegisterDelayedCallback(func() {
		v := ot.state()
		assert.Equal(t, payment.OrderAuthorized, v.Status)
		assert.Equal(t, []string{"fraud_screened", "authorized"}, orderEventTypes(v), "events")
	}, 21*orderMin)
	ot.send(22*orderMin, "cancel")
	ot.run()

	for _, r := range during {
		flowtest.WantRejected(t, r, flow.ErrTypeInvalidState, "")
	}
	flowtest.WantRejected(t, over, flow.ErrTypeInvalidRequest, "items[0].quantity")
	flowtest.WantRejected(t, ship, flow.ErrTypeInvalidState, "")
	flowtest.WantRejected(t, retry, flow.ErrTypeInvalidState, "")
	flowtest.WantRejected(t, other, ErrTypeExists, "")
	assert.Equal(t, payment.OrderAuthorized, ot.ok(replay).Status)
	// The first place update created the order; the replay did not.
	assert.True(t, flowtest.Answer[Placed](t, ot.place).Created, "the first place created the order")
	assert.False(t, flowtest.Answer[Placed](t, replay).Created, "the replay created it")
}

func TestOrderSignals(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-sig"))
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("ship", nil) }, 1*orderMin)                               // not allowed: ignored
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("cancel-items", orderItemsOf("SHOE-1", 5)) }, 2*orderMin) // too many: ignored
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("cancel-items", orderItemsOf("SHOE-1", 1)) }, 3*orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("capture", nil) }, 4*orderMin)
	ot.env.RegisterDelayedCallback(func() {
		v := ot.state()
		assert.Equal(t, payment.OrderCaptured, v.Status)
		assert.Equal(t, orderAmounts(orderTotal, orderTotal-orderShoe, orderShoe, 0), v.Amounts)
	}, 5*orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("cancel", nil) }, 6*orderMin)
	end := ot.run()
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"fraud_screened", "authorized", "items_cancelled",
		"captured", "voided", "refunded", "cancelled"}, orderEventTypes(end), "events")
}

func TestOrderInputCheck(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(*Input)
		field string
	}{
		{"valid", func(*Input) {}, ""},
		{"no order id", func(in *Input) { in.OrderID = "" }, "order_id"},
		{"order id with a slash", func(in *Input) { in.OrderID = "a/b" }, "order_id"},
		{"order id too long", func(in *Input) { in.OrderID = string(make([]byte, 65)) }, "order_id"},
		{"no currency", func(in *Input) { in.Currency = "" }, "currency"},
		{"unknown currency", func(in *Input) { in.Currency = "XYZ" }, "currency"},
		{"lower-case currency", func(in *Input) { in.Currency = "eur" }, "currency"},
		{"no customer", func(in *Input) { in.Customer.ID = "" }, "customer.id"},
		{"bad e-mail", func(in *Input) { in.Customer.Email = "jane" }, "customer.email"},
		{"bad country", func(in *Input) { in.Customer.Country = "Germany" }, "customer.country"},
		{"no items", func(in *Input) { in.Items = nil }, "items"},
		{"zero quantity", func(in *Input) { in.Items[1].Quantity = 0 }, "items[1].quantity"},
		{"negative amount", func(in *Input) { in.Items[0].UnitAmount = -1 }, "items[0].unit_amount"},
		{"zero amount", func(in *Input) { in.Items[0].UnitAmount = 0 }, "items[0].unit_amount"},
		{"duplicate sku", func(in *Input) { in.Items[1].SKU = "SHOE-1" }, "items[1].sku"},
		{"no sku", func(in *Input) { in.Items[0].SKU = "" }, "items[0].sku"},
		{"total overflows", func(in *Input) { in.Items[1].UnitAmount = 1 << 62 }, "items[1].unit_amount"},
		{"capture", func(in *Input) { in.Capture = "later" }, "capture"},
		{"submit", func(in *Input) { in.Submit = "" }, "submit"},
		{"no token", func(in *Input) { in.Card.Token = "" }, "card"},
	}
	for _, tt := range tests {
		in := testOrderInput("o-1")
		tt.edit(&in)
		err := in.Check()
		_, _, field, _ := flow.Rejection(err)
		if tt.field == "" && err != nil || tt.field != "" && (rejectionType(err) != flow.ErrTypeInvalidRequest || field != tt.field) {
			t.Errorf("%s: %v (field %q), want field %q", tt.name, err, field, tt.field)
		}
	}
}

func TestOrderInvalidInputFailsTheWorkflow(t *testing.T) {
	in := testOrderInput("o-bad")
	in.Items[0].Quantity = 0
	ot := newOrderTest(t, in)
	ot.env.ExecuteWorkflow(WorkflowType, ot.in)
	if _, _, f, _ := flow.Rejection(ot.env.GetWorkflowError()); f != "items[0].quantity" {
		t.Errorf("workflow error %v, want invalid items[0].quantity", ot.env.GetWorkflowError())
	}
	// The place update sent with the start learns why.
	flowtest.WantRejected(t, ot.place, flow.ErrTypeInvalidRequest, "items[0].quantity")
}

// A signal whose payload does not decode (plaintext refused by the codec, or
// the wrong shape) is dropped, and the signals after it still run: the
// listener must not wait on the channel for a good value while it holds the
// order's lock.
func TestOrderUndecodableSignalIsDropped(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-bad-sig"))
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("cancel-items", "not an items request") }, 1*orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("capture", nil) }, 2*orderMin)
	ot.env.RegisterDelayedCallback(func() {
		assert.Equal(t, payment.OrderCaptured, ot.state().Status, "the capture after the bad signal ran")
	}, 3*orderMin)
	ot.env.RegisterDelayedCallback(func() { ot.env.SignalWorkflow("cancel", nil) }, 4*orderMin)
	end := ot.run()
	assert.Equal(t, payment.OrderCancelled, end.Status)
}
