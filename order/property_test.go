package order

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// TestOrderProperties drives orders through random command sequences, on random
// cards and with random gaps (long enough for re-authorizations, abandonment and
// the return window), and checks after every step that the money adds up:
//   - captured ≤ authorized, refunded ≤ captured, captured + voided ≤ authorized;
//   - the processor never answered a contract error (no capture, void or refund
//     beyond what a payment allows: voids only release what was never captured);
//   - the order's amounts equal the fake processor's ledger;
//   - one authorization holds at least the amount due while authorized, nothing
//     is held otherwise; what the customer paid for is what they kept;
//   - the status only moves along rows of the state machine.
func TestOrderProperties(t *testing.T) {
	runs := 300
	if testing.Short() {
		runs = 50
	}
	for i := range runs {
		seed := uint64(i)
		if msg := orderPropertyRun(t, seed); msg != "" {
			t.Fatalf("seed %d: %s", seed, msg)
		}
	}
}

// propertyGaps are the pauses between commands: mostly short, sometimes long
// enough for a re-authorization (6 days), the abandonment timeout (1 day) or the
// end of the return window (30 days).
var propertyGaps = []time.Duration{time.Minute, time.Minute, time.Minute, 10 * time.Minute, time.Hour,
	2 * orderDay, 6*orderDay + time.Hour, 13 * orderDay, 31 * orderDay}

func orderPropertyRun(t *testing.T, seed uint64) (failure string) {
	r := rand.New(rand.NewPCG(seed, 0x0cde))
	in := randomOrderInput(r, fmt.Sprintf("o-prop-%d", seed))
	ot := newOrderTest(t, in)
	outcomes := func() []string {
		var out []string
		for range 6 {
			out = append(out, pick(r, []string{"approve", "approve", "approve", "approve", "insufficient_funds", "lost_card"}))
		}
		return out
	}
	ot.proc.Script(in.Card.Token, outcomes()...)
	var problems []string
	fail := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }

	// Commands are chosen when their time comes: mostly one the order's status
	// allows (to get far into the lifecycle), sometimes any (to be rejected).
	at := time.Duration(0)
	var trail []string
	steps := 4 + r.IntN(10)
	for n := range steps {
		at += pick(r, propertyGaps)
		ot.env.RegisterDelayedCallback(func() {
			v := ot.state()
			var allowed []payment.OrderTrigger
			for _, c := range payment.OrderCommands() {
				if v.Status.Allows(c) {
					allowed = append(allowed, c)
				}
			}
			cmd := pick(r, payment.OrderCommands())
			if len(allowed) > 0 && r.IntN(4) > 0 {
				cmd = pick(r, allowed)
			}
			var args []any
			switch cmd {
			case payment.OrderRetry:
				card := orderCard(fmt.Sprintf("tok_r%d", n), "4444")
				ot.proc.Script(card.Token, outcomes()...)
				args = []any{RetryRequest{Card: card}}
			case payment.OrderCancelItems, payment.OrderReturn:
				args = []any{randomItems(r, in.Items)}
			}
			trail = append(trail, fmt.Sprintf("%v %s %s %v", ot.env.Now().Sub(orderT0), v.Status, cmd, args))
			u := &flowtest.Update{}
			ot.updates = append(ot.updates, u)
			u.Send(ot.env, string(cmd), args...)
		}, at)
		ot.env.RegisterDelayedCallback(func() { checkOrderMoney(ot, ot.state(), fail) }, at+30*time.Second)
	}
	ot.env.RegisterDelayedCallback(func() {
		checkOrderMoney(ot, ot.state(), fail)
		ot.env.CancelWorkflow() // an order left authorized would renew for ever
	}, at+time.Hour)
	ot.env.ExecuteWorkflow(WorkflowType, ot.in)
	if err := ot.env.GetWorkflowError(); err != nil {
		var canceled *temporal.CanceledError
		if !errors.As(err, &canceled) {
			fail("workflow failed: %v", err)
		}
	}
	for _, u := range ot.updates {
		if u.Err != nil {
			fail("%s failed (not rejected): %v", u.Name, u.Err)
		}
	}
	for i := 1; i < len(ot.sa.Status); i++ {
		if !orderMoveExists(payment.OrderStatus(ot.sa.Status[i-1]), payment.OrderStatus(ot.sa.Status[i])) {
			fail("status moved %s → %s: no row of the state machine", ot.sa.Status[i-1], ot.sa.Status[i])
		}
	}
	if len(problems) > 0 {
		return fmt.Sprintf("%v\norder %+v\ncommands %q\nstatuses %v\nledger %+v", problems, in, trail, ot.sa.Status, ot.proc.Ledger())
	}
	return ""
}

func checkOrderMoney(ot *orderTest, v View, fail func(string, ...any)) {
	a := v.Amounts
	if a.Captured > a.Authorized || a.Refunded > a.Captured || a.Captured+a.Voided > a.Authorized {
		fail("%s: amounts break the invariants: %+v", v.Status, a)
	}
	if errs := ot.proc.Errors(); len(errs) > 0 {
		fail("the processor answered contract errors: %v", errs)
	}
	want := ot.proc.Totals()
	want.Total = a.Total
	if a != want {
		fail("%s: order amounts %+v, ledger %+v", v.Status, a, want)
	}
	var due, kept int64
	for _, l := range v.Items {
		due += (l.Quantity - l.Cancelled) * l.UnitAmount
		kept += (l.Quantity - l.Cancelled - l.Returned) * l.UnitAmount
	}
	// While authorized one authorization holds at least what is due (cancelled
	// items are released at capture); in every other status nothing is held.
	open, holders := ot.proc.Open()
	if v.Status == payment.OrderAuthorized {
		if holders != 1 || open < due || open > a.Total {
			fail("authorized: %d held by %d payments, %d due", open, holders, due)
		}
	} else if open != 0 {
		fail("%s: %d still held on the card by %d payments", v.Status, open, holders)
	}
	switch v.Status {
	case payment.OrderCaptured, payment.OrderShipped, payment.OrderCompleted, payment.OrderRefunded:
		if a.Captured-a.Refunded != kept {
			fail("%s: captured less refunded is %d, the items kept are worth %d", v.Status, a.Captured-a.Refunded, kept)
		}
	case payment.OrderCancelled:
		if a.Captured != a.Refunded {
			fail("cancelled but %d captured and %d refunded", a.Captured, a.Refunded)
		}
	}
}

func orderMoveExists(from, to payment.OrderStatus) bool {
	for _, row := range payment.OrderTransitions() {
		if row.From == from && row.To == to {
			return true
		}
	}
	return false
}

func randomOrderInput(r *rand.Rand, id string) Input {
	in := testOrderInput(id)
	in.Items = nil
	for i := range 1 + r.IntN(3) {
		in.Items = append(in.Items, Item{SKU: fmt.Sprintf("SKU-%d", i), Quantity: 1 + r.Int64N(3), UnitAmount: 100 + r.Int64N(5000)})
	}
	in.Capture = pick(r, []string{CaptureManual, CaptureManual, CaptureAutomatic})
	in.Submit = pick(r, []string{SubmitImmediate, SubmitImmediate, SubmitHold})
	in.FraudScreen = r.IntN(2) == 0
	return in
}

// randomItems names one or two lines with 1 to 3 units, now and then a sku the
// order does not have: valid and invalid requests alike.
func randomItems(r *rand.Rand, lines []Item) ItemsRequest {
	var req ItemsRequest
	for range 1 + r.IntN(2) {
		sku := pick(r, lines).SKU
		if r.IntN(20) == 0 {
			sku = "NOPE"
		}
		req.Items = append(req.Items, ItemQuantity{SKU: sku, Quantity: 1 + r.Int64N(3)})
	}
	return req
}

func pick[T any](r *rand.Rand, from []T) T { return from[r.IntN(len(from))] }
