package payment

import (
	"slices"
	"strings"
	"testing"
)

func TestOrderCommandsByStatus(t *testing.T) {
	// API.md's command table, written out independently of the state machine.
	want := map[OrderStatus][]OrderTrigger{
		OrderProcessing:        nil,
		OrderAwaitingPayment:   {OrderRetry, OrderAbandon, OrderCancel},
		OrderRequiresAction:    {OrderAbandon, OrderCancel, OrderAuthenticate},
		OrderPendingSubmission: {OrderSubmit, OrderAbandon, OrderCancel},
		OrderAuthorized:        {OrderCancelItems, OrderCapture, OrderCancel},
		OrderPaymentFailed:     {OrderRetry, OrderAbandon, OrderCancel},
		OrderCaptured:          {OrderShip, OrderCancel},
		OrderShipped:           {OrderReturn},
		OrderCancelled:         nil,
		OrderRefunded:          nil,
		OrderCompleted:         nil,
	}
	if len(want) != len(OrderStatuses()) {
		t.Fatalf("the test knows %d statuses, the table %d", len(want), len(OrderStatuses()))
	}
	for _, s := range OrderStatuses() {
		for _, c := range OrderCommands() {
			allowed := slices.Contains(want[s], c)
			if got := s.Allows(c); got != allowed {
				t.Errorf("%s.Allows(%s) = %v, want %v", s, c, got, allowed)
			}
			err := OrderLifecycle.Check(s, c)
			if (err == nil) != allowed {
				t.Errorf("OrderLifecycle.Check(%s, %s) = %v, want allowed=%v", s, c, err, allowed)
			}
			if err != nil && (!strings.Contains(err.Error(), string(s)) || !strings.Contains(err.Error(), string(c))) {
				t.Errorf("OrderLifecycle.Check(%s, %s) = %q: does not name the command and the status", s, c, err)
			}
		}
	}
}

func TestOrderTransitions(t *testing.T) {
	tests := []struct {
		from  OrderStatus
		on    OrderTrigger
		to    OrderStatus
		money OrderMoney
		ok    bool
	}{
		{OrderProcessing, OrderApproved, OrderAuthorized, MoneyAuthorize, true},      // capture: manual
		{OrderProcessing, OrderCharged, OrderCaptured, MoneySale, true},              // capture: automatic
		{OrderProcessing, OrderDeclined, OrderPaymentFailed, MoneyNone, true},        // validation, fraud or processor
		{OrderProcessing, OrderHeld, OrderPendingSubmission, MoneyNone, true},        // submit: hold
		{OrderProcessing, OrderCancel, "", "", false},                                // wait for the attempt's result
		{OrderProcessing, OrderActionRequired, OrderRequiresAction, MoneyNone, true}, // 3-D Secure challenge
		{OrderRequiresAction, OrderAuthenticate, OrderProcessing, MoneyNone, true},   // passed: authorize with the data
		{OrderRequiresAction, OrderAuthenticationFailed, OrderPaymentFailed, MoneyNone, true},
		{OrderRequiresAction, OrderAuthenticationTimeout, OrderPaymentFailed, MoneyNone, true},
		{OrderRequiresAction, OrderAbandon, OrderCancelled, MoneyNone, true},
		{OrderRequiresAction, OrderCancel, OrderCancelled, MoneyNone, true}, // nothing authorized yet
		{OrderRequiresAction, OrderCapture, "", "", false},
		{OrderRequiresAction, OrderRetry, "", "", false}, // the attempt is still open
		{OrderPendingSubmission, OrderSubmit, OrderProcessing, MoneyNone, true},
		{OrderPendingSubmission, OrderAbandon, OrderCancelled, MoneyNone, true},
		{OrderPendingSubmission, OrderCancel, OrderCancelled, MoneyNone, true},
		{OrderPendingSubmission, OrderTimedOut, OrderCancelled, MoneyNone, true},
		{OrderPendingSubmission, OrderCapture, "", "", false}, // nothing authorized yet
		{OrderPaymentFailed, OrderRetry, OrderProcessing, MoneyNone, true},
		{OrderPaymentFailed, OrderAbandon, OrderCancelled, MoneyNone, true},
		{OrderPaymentFailed, OrderCancel, OrderCancelled, MoneyNone, true},
		{OrderPaymentFailed, OrderTimedOut, OrderCancelled, MoneyNone, true},
		{OrderPaymentFailed, OrderSubmit, "", "", false},
		{OrderAuthorized, OrderCancelItems, OrderAuthorized, MoneyNone, true}, // the amount to capture shrinks
		{OrderAuthorized, OrderAllItemsCancelled, OrderCancelled, MoneyVoid, true},
		{OrderAuthorized, OrderCapture, OrderCaptured, MoneyCapture, true},
		{OrderAuthorized, OrderCancel, OrderCancelled, MoneyVoid, true}, // no charge, no fee
		{OrderAuthorized, OrderReauthorized, OrderAuthorized, MoneyReauth, true},
		{OrderAuthorized, OrderReauthDeclined, OrderPaymentFailed, MoneyVoid, true},
		{OrderAuthorized, OrderTimedOut, "", "", false}, // an authorized order waits for the shop
		{OrderAuthorized, OrderShip, "", "", false},     // capture first
		{OrderAuthorized, OrderReturn, "", "", false},
		{OrderCaptured, OrderShip, OrderShipped, MoneyNone, true},
		{OrderCaptured, OrderCancel, OrderCancelled, MoneyRefund, true}, // full refund
		{OrderCaptured, OrderCancelItems, "", "", false},                // too late: cancel or return
		{OrderCaptured, OrderCapture, "", "", false},                    // once
		{OrderShipped, OrderReturn, OrderShipped, MoneyRefund, true},
		{OrderShipped, OrderAllReturned, OrderRefunded, MoneyRefund, true},
		{OrderShipped, OrderReturnWindowClosed, OrderCompleted, MoneyNone, true},
		{OrderShipped, OrderCancel, "", "", false}, // after shipment only returns
		{OrderCancelled, OrderCancel, "", "", false},
		{OrderRefunded, OrderReturn, "", "", false},
		{OrderCompleted, OrderReturn, "", "", false}, // the window is closed
		// What the processor reports of money moved outside cardflow.
		{OrderAuthorized, OrderCapturedAtProcessor, OrderCaptured, MoneyVoid, true}, // the rest is released
		{OrderCaptured, OrderRefundedAtProcessor, OrderRefunded, MoneyNone, true},
		{OrderShipped, OrderRefundedAtProcessor, OrderRefunded, MoneyNone, true},
		{OrderCaptured, OrderCapturedAtProcessor, "", "", false}, // a second capture changes no status
		{OrderAuthorized, OrderRefundedAtProcessor, "", "", false},
	}
	for _, tt := range tests {
		got, err := OrderLifecycle.Next(tt.from, tt.on)
		if (err == nil) != tt.ok {
			t.Errorf("OrderLifecycle.Next(%s, %s) error = %v, want ok=%v", tt.from, tt.on, err, tt.ok)
			continue
		}
		if tt.ok && (got.To != tt.to || got.Money != tt.money) {
			t.Errorf("OrderLifecycle.Next(%s, %s) = %s moving %q, want %s moving %q", tt.from, tt.on, got.To, got.Money, tt.to, tt.money)
		}
	}
}

func TestOrderTerminalStatuses(t *testing.T) {
	for _, s := range OrderStatuses() {
		want := s == OrderCancelled || s == OrderRefunded || s == OrderCompleted
		if got := s.Terminal(); got != want {
			t.Errorf("%s.Terminal() = %v, want %v", s, got, want)
		}
	}
	if OrderStatus("bogus").Terminal() || OrderStatus("bogus").Valid() {
		t.Error("an unknown status is neither valid nor terminal")
	}
}

// TestOrderTableIsSound checks the table as a graph: every row uses known
// statuses, no (status, trigger) pair is ambiguous, every status is reachable
// from processing, and from every status an end is reachable, so no order can be
// stuck for ever.
func TestOrderTableIsSound(t *testing.T) {
	seen := map[[2]string]bool{}
	next := map[OrderStatus][]OrderStatus{}
	for _, r := range OrderTransitions() {
		if !r.From.Valid() || !r.To.Valid() {
			t.Errorf("row %+v uses an unknown status", r)
		}
		k := [2]string{string(r.From), string(r.On)}
		if seen[k] {
			t.Errorf("two rows leave %s on %s", r.From, r.On)
		}
		seen[k] = true
		next[r.From] = append(next[r.From], r.To)
	}
	reach := func(from OrderStatus) map[OrderStatus]bool {
		got := map[OrderStatus]bool{from: true}
		todo := []OrderStatus{from}
		for len(todo) > 0 {
			s := todo[0]
			todo = todo[1:]
			for _, n := range next[s] {
				if !got[n] {
					got[n] = true
					todo = append(todo, n)
				}
			}
		}
		return got
	}
	// An order starts with its first attempt, or waiting for the payment page's.
	fromStart := reach(OrderProcessing)
	for s := range reach(OrderAwaitingPayment) {
		fromStart[s] = true
	}
	for _, s := range OrderStatuses() {
		if !fromStart[s] {
			t.Errorf("%s cannot be reached from %s or %s", s, OrderProcessing, OrderAwaitingPayment)
		}
		ends := false
		for r := range reach(s) {
			ends = ends || r.Terminal()
		}
		if !ends {
			t.Errorf("no end can be reached from %s", s)
		}
		if s.Meaning() == "" {
			t.Errorf("%s has no meaning", s)
		}
	}
}

func TestOrderEventsAreNotCommands(t *testing.T) {
	events := []OrderTrigger{OrderHeld, OrderApproved, OrderCharged, OrderDeclined, OrderAllItemsCancelled,
		OrderReauthorized, OrderReauthDeclined, OrderAllReturned, OrderTimedOut, OrderReturnWindowClosed,
		OrderActionRequired, OrderAuthenticationFailed, OrderAuthenticationTimeout,
		OrderCapturedAtProcessor, OrderRefundedAtProcessor}
	for _, e := range events {
		if e.IsCommand() {
			t.Errorf("%s is an event, not a command", e)
		}
		for _, s := range OrderStatuses() {
			if s.Allows(e) {
				t.Errorf("%s.Allows(%s): an event must never be accepted from outside", s, e)
			}
		}
		if err := OrderLifecycle.Check(OrderAuthorized, e); err == nil || !strings.Contains(err.Error(), "not an order command") {
			t.Errorf("OrderLifecycle.Check(authorized, %s) = %v, want not an order command", e, err)
		}
	}
	// Every trigger of the table is either a listed command or a listed event.
	for _, r := range OrderTransitions() {
		if !r.On.IsCommand() && !slices.Contains(events, r.On) {
			t.Errorf("row %+v: trigger %s is neither a command nor a known event", r, r.On)
		}
	}
}
