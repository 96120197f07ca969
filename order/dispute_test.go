package order

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// disputeEvent is what the API signals of a Stripe dispute of pay_1.
func disputeEvent(eventID, kind, status string, amount int64) ProcessorEvent {
	return ProcessorEvent{Sender: flow.Sender{Actor: flow.ActorProcessor}, EventID: eventID, Kind: kind, PaymentID: "pay_1",
		Amount: amount, Currency: "eur", DisputeID: "dp_1", Reason: "product_not_received", Status: status}
}

// shippedOrder is the test order captured at 1 min and shipped at 2.
func shippedOrder(t *testing.T, id string) *orderTest {
	ot := newOrderTest(t, testOrderInput(id))
	ot.send(orderMin, UpdateCapture)
	ot.send(2*orderMin, UpdateShip)
	return ot
}

// runDisputed runs the order to its end: its amounts are the processor's
// books but for disputed, which no ledger entry of cardflow's holds.
func (ot *orderTest) runDisputed(disputed int64) View {
	ot.t.Helper()
	ot.env.ExecuteWorkflow(WorkflowType, ot.in)
	require.True(ot.t, ot.env.IsWorkflowCompleted(), "the workflow did not complete")
	var v View
	require.NoError(ot.t, ot.env.GetWorkflowResult(&v))
	want := ot.proc.Totals()
	want.Total, want.Disputed = v.Amounts.Total, disputed
	assert.Equal(ot.t, want, v.Amounts, "the order's amounts")
	assert.Empty(ot.t, ot.proc.Errors(), "contract errors")
	return v
}

// A dispute the shop wins: the order shows it open with its amount and
// reason, the shop hears of it and of its close, and nothing moves: the
// status stays shipped then completes as before, no money is disputed.
func TestOrderDisputeWon(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-won")
	var open, won View
	ot.at(3*orderMin, func() { ot.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 4000)) })
	ot.at(4*orderMin, func() { open = ot.state() })
	ot.at(10*orderDay, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeWon, 4000)) })
	ot.at(10*orderDay+orderMin, func() { won = ot.state() })
	end := ot.runDisputed(0)

	assert.Equal(t, payment.OrderShipped, open.Status)
	assert.Equal(t, &DisputeView{ID: "dp_1", Status: "needs_response", Amount: 4000, Reason: "product_not_received"}, open.Dispute)
	assert.Equal(t, payment.OrderShipped, won.Status, "a dispute moves no status")
	assert.Equal(t, &DisputeView{ID: "dp_1", Status: "won", Amount: 4000, Reason: "product_not_received"}, won.Dispute)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), end.Amounts)

	d := eventsOf(end, EventDisputed)
	require.Len(t, d, 1)
	assert.Equal(t, Event{At: orderT0.Add(3 * orderMin), Type: EventDisputed, Amount: 4000, Code: "product_not_received", Actor: flow.ActorProcessor}, d[0])
	w := eventsOf(end, EventDisputeWon)
	require.Len(t, w, 1)
	assert.Equal(t, Event{At: orderT0.Add(10 * orderDay), Type: EventDisputeWon, Amount: 4000, Code: "won", Actor: flow.ActorProcessor}, w[0])
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant",
		"order.disputed→merchant", "order.dispute_closed→merchant",
	}, ot.notices())
	closed := ot.notes.Sorted(t, WorkflowID(ot.in.OrderID))[3]
	n := flowtest.Data[Notice](t, closed)
	assert.Equal(t, int64(4000), n.Amount)
	assert.Equal(t, "won", n.Order.Dispute.Status, "the webhook's order shows the close")
}

// A dispute the shop loses: its amount shows as disputed, never as refunded;
// the status stays, and the close came while the order was still shipped.
func TestOrderDisputeLost(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-lost")
	var lost View
	ot.at(3*orderMin, func() { ot.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 11498)) })
	ot.at(5*orderDay, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 11498)) })
	ot.at(5*orderDay+orderMin, func() { lost = ot.state() })
	end := ot.runDisputed(11498)

	assert.Equal(t, payment.OrderShipped, lost.Status)
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498, Captured: 11498, Disputed: 11498}, lost.Amounts)
	assert.Equal(t, payment.OrderCompleted, end.Status)
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498, Captured: 11498, Disputed: 11498}, end.Amounts, "disputed, not refunded")
	assert.Equal(t, "lost", end.Dispute.Status)
	l := eventsOf(end, EventDisputeLost)
	require.Len(t, l, 1)
	assert.Equal(t, int64(11498), l[0].Amount)
	assert.Empty(t, eventsOf(end, EventRefundedAtProcessor))
	assert.Empty(t, eventsOf(end, EventRefunded))
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant",
		"order.disputed→merchant", "order.dispute_closed→merchant",
	}, ot.notices(), "the customer is told nothing: no refund was made")
}

// Stripe delivers at least once and in no promised order: a repeated event
// applies once, the opening of a dispute already closed adds nothing, and a
// close that came first is recorded on its own. A close neither won nor lost
// is dispute_closed with its status.
func TestOrderDisputeDeliveredAgain(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-again")
	opened := disputeEvent("evt_d1", payment.ProcessorDisputed, "warning_needs_response", 2000)
	ot.at(3*orderMin, func() { ot.signal(opened) })
	ot.at(4*orderMin, func() { ot.signal(opened) })
	ot.at(5*orderMin, func() {
		ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, "warning_closed", 2000))
		ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, "warning_closed", 2000))
	})
	ot.at(6*orderMin, func() { ot.signal(disputeEvent("evt_d1b", payment.ProcessorDisputed, "warning_needs_response", 2000)) })
	end := ot.runDisputed(0)

	assert.Len(t, eventsOf(end, EventDisputed), 1)
	c := eventsOf(end, EventDisputeClosed)
	require.Len(t, c, 1)
	assert.Equal(t, "warning_closed", c[0].Code)
	assert.Equal(t, &DisputeView{ID: "dp_1", Status: "warning_closed", Amount: 2000, Reason: "product_not_received"}, end.Dispute)
	assert.Equal(t, []string{
		"order.payment_authorized→customer", "order.captured→merchant",
		"order.disputed→merchant", "order.dispute_closed→merchant",
	}, ot.notices())

	first := shippedOrder(t, "o-dispute-close-first")
	first.at(3*orderMin, func() {
		first.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 3000))
	})
	first.at(4*orderMin, func() { first.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 3000)) })
	v := first.runDisputed(3000)
	assert.Empty(t, eventsOf(v, EventDisputed), "the opening after the close adds nothing")
	assert.Len(t, eventsOf(v, EventDisputeLost), 1)
	assert.Equal(t, "lost", v.Dispute.Status)
}

// A dispute of a payment the order does not hold (another order's, one a
// re-authorization replaced) changes nothing; a dispute's payload without its
// dispute id or status is refused naming the field.
func TestOrderDisputeOfAnotherPayment(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-other")
	other := disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 4000)
	other.PaymentID = "pay_9"
	u := ot.send(3*orderMin, SignalProcessorEvent, other)
	noID := disputeEvent("evt_d2", payment.ProcessorDisputed, "needs_response", 4000)
	noID.DisputeID = ""
	bad := ot.send(4*orderMin, SignalProcessorEvent, noID)
	noStatus := disputeEvent("evt_d3", payment.ProcessorDisputeClosed, "", 4000)
	badStatus := ot.send(4*orderMin, SignalProcessorEvent, noStatus)
	end := ot.runDisputed(0)

	assert.Nil(t, ot.ok(u).Dispute)
	flowtest.WantRejected(t, bad, flow.ErrTypeInvalidRequest, "dispute_id")
	flowtest.WantRejected(t, badStatus, flow.ErrTypeInvalidRequest, "status")
	assert.Nil(t, end.Dispute)
	assert.Empty(t, eventsOf(end, EventDisputed))
	assert.Equal(t, 2*orderMin+DefaultReturnWindow, ot.env.Now().Sub(orderT0), "no dispute to wait for")
}

// An order whose return window ends with its dispute open is completed then
// and keeps running until the dispute closes, so the close is recorded; it
// waits at most Settings.DisputeWait.
func TestOrderEndsAfterItsDisputeCloses(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-wait")
	ot.at(3*orderMin, func() { ot.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "under_review", 11498)) })
	var waiting View
	ot.at(40*orderDay, func() { waiting = ot.state() })
	ot.at(50*orderDay, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 11498)) })
	end := ot.runDisputed(11498)

	assert.Equal(t, payment.OrderCompleted, waiting.Status, "the return window closed at its time")
	assert.Equal(t, "under_review", waiting.Dispute.Status)
	assert.Equal(t, "lost", end.Dispute.Status)
	assert.Equal(t, []string{EventFraudScreened, EventAuthorized, EventCaptured, EventShipped, EventDisputed, EventCompleted, EventDisputeLost}, orderEventTypes(end))
	assert.Equal(t, 50*orderDay, ot.env.Now().Sub(orderT0), "the run ended at the close")

	in := testOrderInput("o-dispute-bounded")
	in.Settings.DisputeWait = 10 * orderDay
	bounded := newOrderTest(t, in)
	bounded.send(orderMin, UpdateCapture)
	bounded.send(2*orderMin, UpdateShip)
	bounded.at(3*orderMin, func() { bounded.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 500)) })
	v := bounded.runDisputed(0)
	assert.Equal(t, payment.OrderCompleted, v.Status)
	assert.Equal(t, "needs_response", v.Dispute.Status, "never closed")
	assert.Equal(t, 2*orderMin+DefaultReturnWindow+10*orderDay, bounded.env.Now().Sub(orderT0), "waited DisputeWait, no longer")
}

// A run of revision 10 (flowtest.PinRevision) knows no disputes: their kinds
// are refused as any unknown kind, nothing is recorded, the view has no
// dispute and the order ends at its return window as before.
func TestOrderBeforeDisputesIgnoresThem(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-rev10")
	flowtest.PinRevision(ot.env, flow.RevPageLinkEnds)
	opened := ot.send(3*orderMin, SignalProcessorEvent, disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 4000))
	ot.at(4*orderMin, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 4000)) })
	end := ot.run()

	flowtest.WantRejected(t, opened, flow.ErrTypeInvalidRequest, "kind")
	assert.Nil(t, end.Dispute)
	assert.Equal(t, orderAmounts(orderTotal, orderTotal, 0, 0), end.Amounts)
	assert.Equal(t, []string{EventFraudScreened, EventAuthorized, EventCaptured, EventShipped, EventCompleted}, orderEventTypes(end))
	assert.Equal(t, []string{"order.payment_authorized→customer", "order.captured→merchant"}, ot.notices())
	assert.Equal(t, 2*orderMin+DefaultReturnWindow, ot.env.Now().Sub(orderT0))
}

// A disputed payment is the bank's to settle: while the dispute is open a
// return is refused (nothing refunded), and after a partly lost one (the two
// shoes, 9998 of 11498) a return refunds at most what the dispute left (1500):
// a shoe's 4999 is refused, a sock's 500 refunded. Refunding on top of a lost dispute would pay the
// cardholder twice.
func TestOrderDisputeRefusesRefundsItWouldDouble(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-refund")
	ot.at(3*orderMin, func() { ot.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 9998)) })
	whileOpen := ot.send(4*orderMin, UpdateReturn, orderItemsOf("SOCK-1", 1))
	ot.at(5*orderDay, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 9998)) })
	tooMuch := ot.send(5*orderDay+orderMin, UpdateReturn, orderItemsOf("SHOE-1", 1))
	within := ot.send(5*orderDay+2*orderMin, UpdateReturn, orderItemsOf("SOCK-1", 1))
	end := ot.runDisputed(9998)

	flowtest.WantRejected(t, whileOpen, flow.ErrTypeInvalidState, "", "a return while the dispute is open")
	flowtest.WantRejected(t, tooMuch, flow.ErrTypeInvalidRequest, "amount", "a return past what the lost dispute left")
	v := ot.ok(within)
	assert.Equal(t, int64(500), v.Amounts.Refunded, "one sock, within the 1500 the dispute left")
	assert.Equal(t, Amounts{Total: 11498, Authorized: 11498, Captured: 11498, Refunded: 500, Disputed: 9998}, end.Amounts)
	assert.Len(t, eventsOf(end, EventRefunded), 1)
}

// Two disputes of the payment one after the other: the first one's lost close
// reported again (another event id) after the second opened counts once.
func TestOrderDisputeLostCloseCountsOnce(t *testing.T) {
	ot := shippedOrder(t, "o-dispute-twice")
	second := func(e ProcessorEvent) ProcessorEvent { e.DisputeID = "dp_2"; return e }
	ot.at(3*orderMin, func() { ot.signal(disputeEvent("evt_d1", payment.ProcessorDisputed, "needs_response", 500)) })
	ot.at(4*orderMin, func() { ot.signal(disputeEvent("evt_d2", payment.ProcessorDisputeClosed, payment.DisputeLost, 500)) })
	ot.at(5*orderMin, func() { ot.signal(second(disputeEvent("evt_d3", payment.ProcessorDisputed, "needs_response", 1000))) })
	ot.at(6*orderMin, func() { ot.signal(disputeEvent("evt_d4", payment.ProcessorDisputeClosed, payment.DisputeLost, 500)) })
	ot.at(7*orderMin, func() {
		ot.signal(second(disputeEvent("evt_d5", payment.ProcessorDisputeClosed, payment.DisputeWon, 1000)))
	})
	end := ot.runDisputed(500)

	assert.Equal(t, int64(500), end.Amounts.Disputed, "the first dispute's loss, once")
	assert.Len(t, eventsOf(end, EventDisputeLost), 1)
	assert.Len(t, eventsOf(end, EventDisputeWon), 1)
	assert.Equal(t, "dp_2", end.Dispute.ID)
}
