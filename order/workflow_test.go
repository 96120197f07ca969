package order

import (
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
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

func wantOrderStatus(t *testing.T, v View, s payment.OrderStatus) {
	t.Helper()
	if v.Status != s {
		t.Errorf("status %s, want %s (failure %+v, events %v)", v.Status, s, v.Failure, orderEventTypes(v))
	}
}

func wantOrderAmounts(t *testing.T, v View, authorized, captured, voided, refunded int64) {
	t.Helper()
	want := Amounts{Total: v.Amounts.Total, Authorized: authorized, Captured: captured, Voided: voided, Refunded: refunded}
	if v.Amounts != want {
		t.Errorf("amounts %+v, want %+v", v.Amounts, want)
	}
}

func wantOrderList(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n got %q\nwant %q", what, got, want)
	}
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
	place := ot.results[0]
	capture := ot.send(1*orderMin, "capture", nil)
	ship := ot.send(2*orderMin, "ship", nil)
	ot.check(3*orderMin, func(v View) { wantOrderStatus(t, v, payment.OrderShipped) })
	ot.check(2*orderMin+DefaultReturnWindow-time.Second, func(v View) { wantOrderStatus(t, v, payment.OrderShipped) })
	end := ot.run()

	v := ot.ok(place)
	wantOrderStatus(t, v, payment.OrderAuthorized)
	wantOrderAmounts(t, v, orderTotal, 0, 0, 0)
	if v.Amounts.Total != orderTotal || v.OrderID != "o-1" || v.WorkflowID != "order/o-1" || v.Currency != "EUR" || v.Attempts != 1 {
		t.Errorf("view %+v", v)
	}
	if v.Card != orderCard("tok_1", "4242") || v.Message != "Your payment was authorized." || v.Failure != nil {
		t.Errorf("card %+v, message %q, failure %+v", v.Card, v.Message, v.Failure)
	}
	if v.Fraud == nil || v.Fraud.Decision != payment.FraudPass || v.Fraud.Score != 12 || v.Fraud.Threshold != 75 {
		t.Errorf("fraud %+v", v.Fraud)
	}
	wantOrderList(t, "events after place", orderEventTypes(v), []string{"fraud_screened", "authorized"})
	if e := v.Events[1]; e.Amount != orderTotal || !e.At.Equal(orderT0) {
		t.Errorf("authorized event %+v", e)
	}

	v = ot.ok(capture)
	wantOrderStatus(t, v, payment.OrderCaptured)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, 0)
	wantOrderStatus(t, ot.ok(ship), payment.OrderShipped)

	wantOrderStatus(t, end, payment.OrderCompleted)
	wantOrderList(t, "events", orderEventTypes(end), []string{"fraud_screened", "authorized", "captured", "shipped", "completed"})
	if last := end.Events[len(end.Events)-1]; !last.At.Equal(orderT0.Add(2*orderMin + DefaultReturnWindow)) {
		t.Errorf("completed at %v, want the end of the return window", last.At)
	}
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-1/authorize/1", "order/o-1/capture/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.captured→merchant"})
	wantOrderList(t, "search attribute status", ot.statuses, []string{"processing", "authorized", "captured", "shipped", "completed"})
}

func TestOrderAutomaticCapture(t *testing.T) {
	in := testOrderInput("o-auto")
	in.Capture = CaptureAutomatic
	ot := newOrderTest(t, in)
	ship := ot.send(1*orderMin, "ship", nil)
	end := ot.run()

	v := ot.ok(ot.results[0])
	wantOrderStatus(t, v, payment.OrderCaptured)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, 0)
	if v.Message != "Your payment was successful." {
		t.Errorf("message %q", v.Message)
	}
	wantOrderStatus(t, ot.ok(ship), payment.OrderShipped)
	wantOrderStatus(t, end, payment.OrderCompleted)
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-auto/sale/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.captured→merchant"})
}

func TestOrderCancelItemsThenCapture(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-items"))
	cancel1 := ot.send(1*orderMin, "cancel-items", orderItemsOf("SHOE-1", 1))
	cancel2 := ot.send(2*orderMin, "cancel-items", orderItemsOf("SOCK-1", 2))
	capture := ot.send(3*orderMin, "capture", nil)
	cancel := ot.send(4*orderMin, "cancel", nil) // captured, not shipped: a full refund
	end := ot.run()

	v := ot.ok(cancel1)
	wantOrderStatus(t, v, payment.OrderAuthorized)
	wantOrderAmounts(t, v, orderTotal, 0, 0, 0) // nothing moves until capture
	if v.Items[0].Cancelled != 1 || v.Items[1].Cancelled != 0 {
		t.Errorf("items %+v", v.Items)
	}
	ot.ok(cancel2)

	v = ot.ok(capture)
	due := int64(orderShoe + orderSock)
	wantOrderStatus(t, v, payment.OrderCaptured)
	wantOrderAmounts(t, v, orderTotal, due, orderTotal-due, 0) // the rest of the authorization released

	v = ot.ok(cancel)
	wantOrderStatus(t, v, payment.OrderCancelled)
	wantOrderAmounts(t, v, orderTotal, due, orderTotal-due, due)
	if v.Message != "Your order was cancelled and your payment refunded." {
		t.Errorf("message %q", v.Message)
	}
	wantOrderStatus(t, end, payment.OrderCancelled)
	wantOrderList(t, "events", orderEventTypes(end), []string{"fraud_screened", "authorized", "items_cancelled", "items_cancelled",
		"captured", "voided", "refunded", "cancelled"})
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{
		"order/o-items/authorize/1", "order/o-items/capture/1", "order/o-items/void/1", "order/o-items/refund/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.items_cancelled→merchant", "order.items_cancelled→merchant",
		"order.captured→merchant", "order.refunded→customer", "order.cancelled→merchant"})
	ot.mu.Lock()
	d := orderNoticeData(t, ot.notes[1])
	ot.mu.Unlock()
	if d.Amount != orderShoe || len(d.Items) != 1 || d.Items[0] != (ItemQuantity{SKU: "SHOE-1", Quantity: 1}) {
		t.Errorf("items_cancelled data %+v", d)
	}
}

func TestOrderCancelAllItemsVoids(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-allitems"))
	c1 := ot.send(1*orderMin, "cancel-items", orderItemsOf("SOCK-1", 3))
	c2 := ot.send(2*orderMin, "cancel-items", orderItemsOf("SHOE-1", 2))
	end := ot.run()

	wantOrderStatus(t, ot.ok(c1), payment.OrderAuthorized)
	v := ot.ok(c2)
	wantOrderStatus(t, v, payment.OrderCancelled)
	wantOrderAmounts(t, v, orderTotal, 0, orderTotal, 0)
	wantOrderStatus(t, end, payment.OrderCancelled)
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-allitems/authorize/1", "order/o-allitems/void/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.items_cancelled→merchant",
		"order.items_cancelled→merchant", "order.voided→merchant", "order.cancelled→merchant"})
}

func TestOrderCancelAuthorizedVoids(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-void"))
	cancel := ot.send(1*orderMin, "cancel", nil)
	end := ot.run()

	v := ot.ok(cancel)
	wantOrderStatus(t, v, payment.OrderCancelled)
	wantOrderAmounts(t, v, orderTotal, 0, orderTotal, 0)
	if v.Message != "Your order was cancelled. You have not been charged." {
		t.Errorf("message %q", v.Message)
	}
	if end.Status != payment.OrderCancelled {
		t.Errorf("result %s", end.Status)
	}
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{"order/o-void/authorize/1", "order/o-void/void/1"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.voided→merchant", "order.cancelled→merchant"})
}

func TestOrderReturns(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-ret"))
	ot.send(1*orderMin, "capture", nil)
	ot.send(2*orderMin, "ship", nil)
	r1 := ot.send(3*orderDay, "return", orderItemsOf("SHOE-1", 1, "SOCK-1", 1))
	r2 := ot.send(4*orderDay, "return", orderItemsOf("SHOE-1", 1, "SOCK-1", 2))
	end := ot.run()

	v := ot.ok(r1)
	wantOrderStatus(t, v, payment.OrderShipped)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, orderShoe+orderSock)
	if v.Items[0].Returned != 1 || v.Items[1].Returned != 1 {
		t.Errorf("items %+v", v.Items)
	}
	v = ot.ok(r2)
	wantOrderStatus(t, v, payment.OrderRefunded)
	wantOrderAmounts(t, v, orderTotal, orderTotal, 0, orderTotal)
	wantOrderStatus(t, end, payment.OrderRefunded)
	if last := end.Events[len(end.Events)-1]; !last.At.Equal(orderT0.Add(4 * orderDay)) {
		t.Errorf("the workflow ended at %v, want with the last return", last.At)
	}
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{
		"order/o-ret/authorize/1", "order/o-ret/capture/1", "order/o-ret/refund/1", "order/o-ret/refund/2"})
	wantOrderList(t, "notifications", ot.notices(), []string{
		"order.payment_authorized→customer", "order.captured→merchant", "order.refunded→customer", "order.refunded→customer"})
}

func TestOrderReturnAfterCancelledItems(t *testing.T) {
	// Cancelled items never come back: returning what was delivered refunds everything.
	ot := newOrderTest(t, testOrderInput("o-ret2"))
	ot.send(1*orderMin, "cancel-items", orderItemsOf("SOCK-1", 3))
	ot.send(2*orderMin, "capture", nil)
	ot.send(3*orderMin, "ship", nil)
	over := ot.send(4*orderMin, "return", orderItemsOf("SOCK-1", 1))
	ret := ot.send(5*orderMin, "return", orderItemsOf("SHOE-1", 2))
	end := ot.run()

	ot.rejected(over, flow.ErrTypeInvalidRequest, "items[0].quantity")
	wantOrderStatus(t, ot.ok(ret), payment.OrderRefunded)
	wantOrderAmounts(t, end, orderTotal, 2*orderShoe, 3*orderSock, 2*orderShoe)
}

func TestOrderUpdateIDAppliesOnce(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-idem"))
	ot.send(1*orderMin, "capture", nil)
	ot.send(2*orderMin, "ship", nil)
	r1 := ot.sendID(3*orderMin, "return:k1", "return", orderItemsOf("SHOE-1", 1))
	r2 := ot.sendID(4*orderMin, "return:k1", "return", orderItemsOf("SHOE-1", 1))
	r3 := ot.sendID(5*orderMin, "return:k2", "return", orderItemsOf("SHOE-1", 1))
	end := ot.run()

	if a, b := ot.ok(r1), ot.ok(r2); a.Amounts.Refunded != orderShoe || b.Amounts.Refunded != orderShoe {
		t.Errorf("first %+v, replay %+v: the replay must answer the first result", a.Amounts, b.Amounts)
	}
	wantOrderAmounts(t, ot.ok(r3), orderTotal, orderTotal, 0, 2*orderShoe)
	wantOrderStatus(t, end, payment.OrderCompleted)
	wantOrderList(t, "processor keys", ot.proc.Keys(), []string{
		"order/o-idem/authorize/1", "order/o-idem/capture/1", "order/o-idem/refund/1", "order/o-idem/refund/2"})
}
