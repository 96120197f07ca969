package order

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// dashboard moves money at the fake processor as a person in its dashboard
// would, outside the workflow, and answers the processor event it would send:
// the payment's running total of the kind.
func (ot *orderTest) dashboard(kind, eventID, paymentID string, amount int64) ProcessorEvent {
	ot.t.Helper()
	op := payment.Operation{Key: "dashboard/" + eventID, PaymentID: paymentID, Amount: payment.Money{Amount: amount, Currency: ot.in.Currency}}
	fn := ot.proc.Refund
	if kind == payment.ProcessorCaptured {
		fn = ot.proc.Capture
	}
	out, err := fn(context.Background(), op)
	require.NoError(ot.t, err)
	require.True(ot.t, out.Approved, "the dashboard's %s", kind)
	return ot.processorTotal(kind, eventID, paymentID)
}

// processorTotal is the event the processor sends of its books as they stand.
func (ot *orderTest) processorTotal(kind, eventID, paymentID string) ProcessorEvent {
	var total int64
	for _, e := range ot.proc.Ledger() {
		if e.Approved && e.PaymentID == paymentID && (e.Type == "refund" && kind == payment.ProcessorRefunded ||
			e.Type == "capture" && kind == payment.ProcessorCaptured) {
			total += e.Amount
		}
	}
	return ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: eventID, Kind: kind, PaymentID: paymentID, Amount: total, Currency: "eur"}
}

// at runs fn at d on the workflow's clock.
func (ot *orderTest) at(d time.Duration, fn func()) { ot.env.RegisterDelayedCallback(fn, d) }

// signal sends a processor event as the API does, as a signal.
func (ot *orderTest) signal(e ProcessorEvent) { ot.env.SignalWorkflow(SignalProcessorEvent, e) }

// runOutside runs the order to its end and checks its amounts against the
// processor's ledger, dashboard entries included. (run's other invariant,
// captured less refunded worth the items kept, is cardflow's own: a refund in
// the dashboard names no items.)
func (ot *orderTest) runOutside() View {
	ot.t.Helper()
	return ot.runDisputed(0)
}

func eventsOf(v View, typ string) []Event {
	var out []Event
	for _, e := range v.Events {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// Refunds made in the dashboard of a shipped order are recorded as the
// processor reports them: each event once, a repeat or an older total adds
// nothing, the processor's report of cardflow's own refund adds nothing, and
// once all that was captured is refunded the order is refunded.
func TestOrderRefundsInTheDashboard(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-dash"))
	ot.send(orderMin, UpdateCapture)
	ot.send(2*orderMin, UpdateShip)
	var partial View
	ot.at(3*orderMin, func() { ot.signal(ot.dashboard(payment.ProcessorRefunded, "evt_1", "pay_1", 1500)) })
	ot.at(4*orderMin, func() {
		ot.signal(ot.processorTotal(payment.ProcessorRefunded, "evt_1", "pay_1")) // delivered again
		older := ot.processorTotal(payment.ProcessorRefunded, "evt_0", "pay_1")
		older.Amount = 0 // sent before the refund, arriving after it
		ot.signal(older)
	})
	ret := ot.send(5*orderMin, UpdateReturn, orderItemsOf("SOCK-1", 1))
	ot.at(6*orderMin, func() { ot.signal(ot.processorTotal(payment.ProcessorRefunded, "evt_2", "pay_1")) }) // cardflow's own
	ot.at(7*orderMin, func() { partial = ot.state() })
	ot.at(8*orderMin, func() { ot.signal(ot.dashboard(payment.ProcessorRefunded, "evt_3", "pay_1", 11498-1500-500)) })
	end := ot.runOutside()

	assert.Equal(t, payment.OrderShipped, partial.Status)
	assert.Equal(t, int64(2000), partial.Amounts.Refunded, "1500 in the dashboard, 500 returned")
	assert.Equal(t, int64(2000), ot.ok(ret).Amounts.Refunded)
	assert.Equal(t, payment.OrderRefunded, end.Status)
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498, Captured: 11498, Refunded: 11498}, end.Amounts)
	assert.Equal(t, msgRefundedAtProcessor, end.Message)
	got := eventsOf(end, EventRefundedAtProcessor)
	require.Len(t, got, 2, "one event per refund made in the dashboard")
	assert.Equal(t, []int64{1500, 9498}, []int64{got[0].Amount, got[1].Amount})
	assert.Equal(t, []string{"evt_1", "evt_3"}, []string{got[0].Code, got[1].Code})
	assert.Equal(t, flow.ActorProcessor, got[0].Actor)
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant",
		"order.refunded→customer", "order.refunded→customer", "order.refunded→customer",
	}, ot.notices())
}

// A capture made in the dashboard of an authorized order captures it: the
// amount the processor took, the rest released as cardflow's capture releases
// it, under a key of the order's; a refund in the dashboard before shipment
// then refunds the order.
func TestOrderCaptureInTheDashboard(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-dash-capture"))
	var captured View
	ot.at(orderMin, func() { ot.signal(ot.dashboard(payment.ProcessorCaptured, "evt_c", "pay_1", 10000)) })
	ot.at(2*orderMin, func() { captured = ot.state() })
	ot.at(3*orderMin, func() { ot.signal(ot.dashboard(payment.ProcessorRefunded, "evt_r", "pay_1", 10000)) })
	end := ot.runOutside()

	assert.Equal(t, payment.OrderCaptured, captured.Status)
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498, Captured: 10000, Voided: 1498}, captured.Amounts)
	assert.Equal(t, payment.OrderRefunded, end.Status)
	assert.Contains(t, ot.proc.Keys(), "order/o-dash-capture/void/1", "the rest released under the order's key")
	assert.Len(t, eventsOf(end, EventCapturedAtProcessor), 1)
}

// What the processor reports of another payment (one a re-authorization
// replaced), or of money the order holds none of, changes nothing; a payload
// that is not a processor event is refused naming its field.
func TestOrderProcessorEventsThatChangeNothing(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-dash-none"))
	other := ot.send(orderMin, SignalProcessorEvent, ProcessorEvent{EventID: "evt_x", Kind: payment.ProcessorCaptured, PaymentID: "pay_9", Amount: 5})
	uncaptured := ot.send(2*orderMin, SignalProcessorEvent, ProcessorEvent{EventID: "evt_y", Kind: payment.ProcessorRefunded, PaymentID: "pay_1", Amount: 11498})
	bad := ot.send(3*orderMin, SignalProcessorEvent, ProcessorEvent{EventID: "evt_z", Kind: "early_fraud_warning", PaymentID: "pay_1"})
	currency := ot.send(3*orderMin, SignalProcessorEvent, ProcessorEvent{EventID: "evt_z", Kind: payment.ProcessorRefunded, PaymentID: "pay_1", Currency: "USD"})
	ot.send(4*orderMin, UpdateCancel)
	end := ot.run()

	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498}, ot.ok(other).Amounts)
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498}, ot.ok(uncaptured).Amounts)
	flowtest.WantRejected(t, bad, flow.ErrTypeInvalidRequest, "kind")
	flowtest.WantRejected(t, currency, flow.ErrTypeInvalidRequest, "currency")
	assert.Equal(t, payment.OrderCancelled, end.Status)
	assert.Empty(t, eventsOf(end, EventRefundedAtProcessor))
}

// A run of an earlier revision has no processor-event: an update of that name
// is refused as unknown, and the run goes on as it did.
func TestOrderBeforeProcessorEventsHasNoHandler(t *testing.T) {
	ot := newOrderTest(t, testOrderInput("o-rev3"))
	flowtest.PinRevision(ot.env, flow.RevGuarded)
	u := ot.send(orderMin, SignalProcessorEvent, ProcessorEvent{EventID: "evt_1", Kind: payment.ProcessorCaptured, PaymentID: "pay_1", Amount: 11498})
	ot.send(2*orderMin, UpdateCancel)
	end := ot.run()
	require.True(t, u.Done)
	assert.Error(t, u.Rejected, "no handler before RevProcessorEvents")
	assert.Equal(t, payment.OrderCancelled, end.Status)
}
