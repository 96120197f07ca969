package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

// fakeSource answers List and Query from maps, as Temporal would.
type fakeSource struct {
	listed  map[string][]string // kind -> ids visibility shows
	states  map[string]any      // workflow id -> OrderView or SubscriptionView
	failing map[string]error    // workflow id -> query error

	mu      sync.Mutex // Run queries concurrently
	queries int
}

func (f *fakeSource) List(_ context.Context, kind string) ([]string, error) {
	return f.listed[kind], nil
}

func (f *fakeSource) Query(_ context.Context, id string, out any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queries++
	if err := f.failing[id]; err != nil {
		return err
	}
	v, ok := f.states[id]
	if !ok {
		return fmt.Errorf("query %s: %w", id, ErrNoWorkflow)
	}
	// Through JSON, like a real query answer.
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// fakeLedger answers the entries of each successive call from its pages; the
// last one repeats.
type fakeLedger struct {
	pages [][]Entry
	calls int
}

func (f *fakeLedger) Ledger(context.Context) ([]Entry, error) {
	i := min(f.calls, len(f.pages)-1)
	f.calls++
	return f.pages[i], nil
}

// entry builds an approved ledger line; "declined" as the last word of typ
// makes it a decline ("sale declined").
func entry(key, typ, paymentID string, amount int64) Entry {
	status := StatusApproved
	if t, ok := strings.CutSuffix(typ, " declined"); ok {
		typ, status = t, "declined"
	}
	return Entry{ID: "op_" + key, IdempotencyKey: key, Type: typ, PaymentID: paymentID, Amount: amount, Currency: "EUR", Status: status}
}

func orderView(id string, total int64, a order.Amounts) order.View {
	a.Total = total
	return order.View{OrderID: id, Currency: "EUR", Amounts: a, WorkflowID: order.WorkflowID(id)}
}

func subView(id string, totals subscription.Totals, payments ...subscription.Payment) subscription.View {
	return subscription.View{SubscriptionID: id, WorkflowID: subscription.WorkflowID(id), Payments: payments, Totals: totals}
}

func paid(cycle int, amount, refunded int64, paymentID string) subscription.Payment {
	return subscription.Payment{Cycle: cycle, Amount: amount, Status: subscription.PaymentSucceeded, Refunded: refunded, PaymentID: paymentID}
}

func failed(cycle int, amount int64) subscription.Payment {
	return subscription.Payment{Cycle: cycle, Amount: amount, Status: subscription.PaymentFailed}
}

// lines renders discrepancies compactly for comparison: kind workflow[#cycle] field workflow/ledger.
func lines(ds []Discrepancy) []string {
	out := []string{}
	for _, d := range ds {
		s := d.Kind + " " + d.WorkflowID
		if d.Cycle > 0 {
			s += fmt.Sprintf("#%d", d.Cycle)
		}
		out = append(out, fmt.Sprintf("%s %s %d/%d", s, d.Field, d.Workflow, d.Ledger))
	}
	return out
}
