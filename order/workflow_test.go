package order

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

const (
	orderDay = 24 * time.Hour
	orderMin = time.Minute
)

// The test order: 2 × SHOE-1 at 49.99 and 3 × SOCK-1 at 5.00 EUR.
const (
	orderShoe  = 4999
	orderSock  = 500
	orderTotal = 2*orderShoe + 3*orderSock
)

func orderItemsOf(pairs ...any) ItemsRequest {
	var r ItemsRequest
	for i := 0; i+1 < len(pairs); i += 2 {
		r.Items = append(r.Items, ItemQuantity{SKU: pairs[i].(string), Quantity: int64(pairs[i+1].(int))})
	}
	return r
}

// orderAmounts are the test order's amounts.
func orderAmounts(authorized, captured, voided, refunded int64) Amounts {
	return Amounts{Total: orderTotal, Authorized: authorized, Captured: captured, Voided: voided, Refunded: refunded}
}

func orderEventTypes(v View) []string {
	var out []string
	for _, e := range v.Events {
		out = append(out, e.Type)
	}
	return out
}

func TestOrderAuthorizeCaptureShipComplete(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-1"))
	place := ot.place
	capture := ot.send(1*orderMin, "capture")
	ship := ot.send(2*orderMin, "ship")
	ot.env.RegisterDelayedCallback(func() { assert.Equal(t, payment.OrderShipped, ot.state().Status) }, 3*orderMin)
	ot.env.RegisterDelayedCallback(func() { assert.Equal(t, payment.OrderShipped, ot.state().Status) }, 2*orderMin+DefaultReturnWindow-time.Second)
	end := ot.run()

	v := ot.ok(place)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), v.Amounts)
	if v.Amounts.Total != orderTotal || v.OrderID != "o-1" || v.WorkflowID != "order/o-1" || v.Currency != "EUR" || v.Attempts != 1 {
		t.Errorf("view %+v", v)
	}
	if v.Card != orderCard("tok_1", "4242") || v.Message != "Your payment was authorized." || v.Failure != nil {
		t.Errorf("card %+v, message %q, failure %+v", v.Card, v.Message, v.Failure)
	}
	if v.Fraud == nil || v.Fraud.Decision != payment.FraudPass || v.Fraud.Score != 12 || v.Fraud.Threshold != 75 {
		t.Errorf("fraud %+v", v.Fraud)
	}
	assert.Equal(t, []string{"fraud_screened", "authorized"}, orderEventTypes(v), "events after place")
	if e := v.Events[1]; e.Amount != orderTotal || !e.At.Equal(orderT0) {
		t.Errorf("authorized event %+v", e)
	}

	v = ot.ok(capture)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), v.Amounts)
	assert.Equal(t, payment.OrderShipped, ot.ok(ship).Status)

	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, []string{"fraud_screened", "authorized", "captured", "shipped", "completed"}, orderEventTypes(end), "events")
	if last := end.Events[len(end.Events)-1]; !last.At.Equal(orderT0.Add(2*orderMin + DefaultReturnWindow)) {
		t.Errorf("completed at %v, want the end of the return window", last.At)
	}
	assert.Equal(t, []string{"order/o-1/authorize/1", "order/o-1/capture/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant"}, ot.notices(), "notifications")
	assert.Equal(t, []string{"processing", "authorized", "captured", "shipped", "completed"}, ot.sa.Status, "search attribute status")
}

func TestOrderAutomaticCapture(t *testing.T) {
	in := testOrderInput("o-auto")
	in.Capture = CaptureAutomatic
	ot := newOrderTest(t, in)
	ship := ot.send(1*orderMin, "ship")
	end := ot.run()

	v := ot.ok(ot.place)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), v.Amounts)
	if v.Message != "Your payment was successful." {
		t.Errorf("message %q", v.Message)
	}
	assert.Equal(t, payment.OrderShipped, ot.ok(ship).Status)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, []string{"order/o-auto/sale/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant"}, ot.notices(), "notifications")
}

func TestOrderCancelItemsThenCapture(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-items"))
	cancel1 := ot.send(1*orderMin, "cancel-items", orderItemsOf("SHOE-1", 1))
	cancel2 := ot.send(2*orderMin, "cancel-items", orderItemsOf("SOCK-1", 2))
	capture := ot.send(3*orderMin, "capture")
	cancel := ot.send(4*orderMin, "cancel") // captured, not shipped: a full refund
	end := ot.run()

	v := ot.ok(cancel1)
	assert.Equal(t, payment.OrderAuthorized, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, 0, 0), v.Amounts) // nothing moves until capture
	if v.Items[0].Cancelled != 1 || v.Items[1].Cancelled != 0 {
		t.Errorf("items %+v", v.Items)
	}
	ot.ok(cancel2)

	v = ot.ok(capture)
	due := int64(orderShoe + orderSock)
	assert.Equal(t, payment.OrderCaptured, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, due, orderTotal-due, 0), v.Amounts) // the rest of the authorization released

	v = ot.ok(cancel)
	assert.Equal(t, payment.OrderCancelled, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, due, orderTotal-due, due), v.Amounts)
	if v.Message != "Your order was cancelled and your payment refunded." {
		t.Errorf("message %q", v.Message)
	}
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"fraud_screened", "authorized", "items_cancelled", "items_cancelled",
		"captured", "voided", "refunded", "cancelled"}, orderEventTypes(end), "events")
	assert.Equal(t, []string{
		"order/o-items/authorize/1", "order/o-items/capture/1", "order/o-items/void/1", "order/o-items/refund/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.items_cancelled→merchant", "order.items_cancelled→merchant",
		"order.captured→merchant", "order.refunded→customer", "order.cancelled→merchant"}, ot.notices(), "notifications")
	d := flowtest.Data[Notice](t, ot.notes.Sorted(t, "order/o-items")[1])
	if d.Amount != orderShoe || len(d.Items) != 1 || d.Items[0] != (ItemQuantity{SKU: "SHOE-1", Quantity: 1}) {
		t.Errorf("items_cancelled data %+v", d)
	}
}

func TestOrderCancelAllItemsVoids(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-allitems"))
	c1 := ot.send(1*orderMin, "cancel-items", orderItemsOf("SOCK-1", 3))
	c2 := ot.send(2*orderMin, "cancel-items", orderItemsOf("SHOE-1", 2))
	end := ot.run()

	assert.Equal(t, payment.OrderAuthorized, ot.ok(c1).Status)
	v := ot.ok(c2)
	assert.Equal(t, payment.OrderCancelled, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, orderTotal, 0), v.Amounts)
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Equal(t, []string{"order/o-allitems/authorize/1", "order/o-allitems/void/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.items_cancelled→merchant",
		"order.items_cancelled→merchant", "order.voided→merchant", "order.cancelled→merchant"}, ot.notices(), "notifications")
}

func TestOrderCancelAuthorizedVoids(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-void"))
	cancel := ot.send(1*orderMin, "cancel")
	end := ot.run()

	v := ot.ok(cancel)
	assert.Equal(t, payment.OrderCancelled, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, 0, orderTotal, 0), v.Amounts)
	if v.Message != "Your order was cancelled. You have not been charged." {
		t.Errorf("message %q", v.Message)
	}
	if end.Status != payment.OrderCancelled {
		t.Errorf("result %s", end.Status)
	}
	assert.Equal(t, []string{"order/o-void/authorize/1", "order/o-void/void/1"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.voided→merchant", "order.cancelled→merchant"}, ot.notices(), "notifications")
}

func TestOrderReturns(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-ret"))
	ot.send(1*orderMin, "capture")
	ot.send(2*orderMin, "ship")
	r1 := ot.send(3*orderDay, "return", orderItemsOf("SHOE-1", 1, "SOCK-1", 1))
	r2 := ot.send(4*orderDay, "return", orderItemsOf("SHOE-1", 1, "SOCK-1", 2))
	end := ot.run()

	v := ot.ok(r1)
	assert.Equal(t, payment.OrderShipped, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, orderShoe+orderSock), v.Amounts)
	if v.Items[0].Returned != 1 || v.Items[1].Returned != 1 {
		t.Errorf("items %+v", v.Items)
	}
	v = ot.ok(r2)
	assert.Equal(t, payment.OrderRefunded, v.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, orderTotal), v.Amounts)
	assert.Equal(t, payment.OrderRefunded, end.Status)
	if last := end.Events[len(end.Events)-1]; !last.At.Equal(orderT0.Add(4 * orderDay)) {
		t.Errorf("the workflow ended at %v, want with the last return", last.At)
	}
	assert.Equal(t, []string{
		"order/o-ret/authorize/1", "order/o-ret/capture/1", "order/o-ret/refund/1", "order/o-ret/refund/2"}, ot.proc.Keys(), "processor keys")
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant", "order.refunded→customer", "order.refunded→customer"}, ot.notices(), "notifications")
}

func TestOrderReturnAfterCancelledItems(t *testing.T) {
	// Cancelled items never come back: returning what was delivered refunds everything.
	ot := newOrderTest(t, testOrderInput("o-ret2"))
	ot.send(1*orderMin, "cancel-items", orderItemsOf("SOCK-1", 3))
	ot.send(2*orderMin, "capture")
	ot.send(3*orderMin, "ship")
	over := ot.send(4*orderMin, "return", orderItemsOf("SOCK-1", 1))
	ret := ot.send(5*orderMin, "return", orderItemsOf("SHOE-1", 2))
	end := ot.run()

	flowtest.WantRejected(t, over, flow.ErrTypeInvalidRequest, "items[0].quantity")
	assert.Equal(t, payment.OrderRefunded, ot.ok(ret).Status)
	assert.Equal(t, orderAmounts(orderTotal, 2*orderShoe, 3*orderSock, 2*orderShoe), end.Amounts)
}

func TestOrderUpdateIDAppliesOnce(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-idem"))
	ot.send(1*orderMin, "capture")
	ot.send(2*orderMin, "ship")
	r1 := ot.sendID(3*orderMin, "return:k1", "return", orderItemsOf("SHOE-1", 1))
	r2 := ot.sendID(4*orderMin, "return:k1", "return", orderItemsOf("SHOE-1", 1))
	r3 := ot.sendID(5*orderMin, "return:k2", "return", orderItemsOf("SHOE-1", 1))
	end := ot.run()

	if a, b := ot.ok(r1), ot.ok(r2); a.Amounts.Refunded != orderShoe || b.Amounts.Refunded != orderShoe {
		t.Errorf("first %+v, replay %+v: the replay must answer the first result", a.Amounts, b.Amounts)
	}
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 2*orderShoe), ot.ok(r3).Amounts)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, []string{
		"order/o-idem/authorize/1", "order/o-idem/capture/1", "order/o-idem/refund/1", "order/o-idem/refund/2"}, ot.proc.Keys(), "processor keys")
}
