package reconcile

import (
	"fmt"
	"slices"

	"github.com/cardflow/cardflow/subscription"
)

// subscriptionLedger is what the ledger says one subscription moved.
type subscriptionLedger struct {
	sales      map[int][]Entry // approved sales by cycle
	refunds    map[int][]Entry // approved refunds by the cycle of the payment refunded; 0: no known sale
	paid       int64
	refunded   int64
	paidKeys   []string
	refundKeys []string
	cycles     []int // cycles with an approved sale, ascending
}

func sumSubscription(entries []Entry) subscriptionLedger {
	l := subscriptionLedger{sales: map[int][]Entry{}, refunds: map[int][]Entry{}}
	cycleOf := map[string]int{} // payment id -> cycle of the sale that made it
	for _, e := range entries {
		k, _ := parseKey(e.IdempotencyKey)
		if !e.approved() || e.Type != TypeSale {
			continue
		}
		c := k.billCycle()
		l.sales[c] = append(l.sales[c], e)
		cycleOf[e.PaymentID] = c
		l.paid += e.Amount
		l.paidKeys = append(l.paidKeys, e.IdempotencyKey)
	}
	for _, e := range entries {
		if !e.approved() || e.Type != TypeRefund {
			continue
		}
		c := cycleOf[e.PaymentID] // 0 when the refund is of no sale of this subscription
		l.refunds[c] = append(l.refunds[c], e)
		l.refunded += e.Amount
		l.refundKeys = append(l.refundKeys, e.IdempotencyKey)
	}
	for c := range l.sales {
		l.cycles = append(l.cycles, c)
	}
	slices.Sort(l.cycles)
	return l
}

// compareSubscription lists where the subscription's own account and the
// ledger's entries of its keys disagree: per kept cycle (paid, refunded),
// over the whole life (the running totals), and cycles paid twice. v is nil
// when the ledger names a subscription whose workflow does not exist.
func compareSubscription(workflowID string, v *subscription.View, entries []Entry) []Discrepancy {
	l := sumSubscription(entries)
	var out []Discrepancy
	var own subscription.View
	if v != nil {
		own = *v
	} else {
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: "workflow",
			Ledger: sumApproved(entries), Keys: allKeys(entries), Detail: "the ledger has entries for a subscription with no workflow"})
	}
	for _, c := range l.cycles {
		if sales := l.sales[c]; len(sales) > 1 {
			out = append(out, Discrepancy{Kind: KindDoubleCharge, WorkflowID: workflowID, Cycle: c, Field: "sale",
				Workflow: 1, Ledger: int64(len(sales)), Keys: keysOf(sales), Detail: fmt.Sprintf("%d approved sales for one cycle", len(sales))})
		}
	}
	out = append(out, compareCycles(workflowID, own.Payments, l)...)
	if own.Totals.Paid != l.paid {
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: "total_paid",
			Workflow: own.Totals.Paid, Ledger: l.paid, Keys: l.paidKeys})
	}
	if own.Totals.Refunded != l.refunded {
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: "total_refunded",
			Workflow: own.Totals.Refunded, Ledger: l.refunded, Keys: l.refundKeys})
	}
	return out
}

// compareCycles checks the cycles the workflow still lists. Older cycles were
// dropped from the list (KeepPayments) and are covered by the totals only; a
// paid cycle in the ledger at or after the oldest kept one must be listed.
func compareCycles(workflowID string, payments []subscription.Payment, l subscriptionLedger) []Discrepancy {
	var out []Discrepancy
	oldest := 0
	listed := map[int]bool{}
	for _, p := range payments {
		if oldest == 0 || p.Cycle < oldest {
			oldest = p.Cycle
		}
		listed[p.Cycle] = true
		var want int64
		if p.Status == subscription.PaymentSucceeded {
			want = p.Amount
		}
		sales := l.sales[p.Cycle]
		if got := sumAmounts(sales); got != want {
			out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Cycle: p.Cycle, Field: "paid",
				Workflow: want, Ledger: got, Keys: keysOf(sales), Detail: "cycle " + p.Status})
		}
		if len(sales) == 1 && p.PaymentID != "" && sales[0].PaymentID != p.PaymentID {
			out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Cycle: p.Cycle, Field: "payment_id",
				PaymentID: sales[0].PaymentID, Keys: keysOf(sales), Detail: "the workflow names payment " + p.PaymentID})
		}
		refunds := l.refunds[p.Cycle]
		if got := sumAmounts(refunds); got != p.Refunded {
			out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Cycle: p.Cycle, Field: "refunded",
				Workflow: p.Refunded, Ledger: got, Keys: keysOf(refunds)})
		}
	}
	for _, c := range l.cycles {
		if c > 0 && (listed[c] || (oldest > 0 && c < oldest)) {
			continue
		}
		sales := l.sales[c]
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Cycle: c, Field: "paid",
			Ledger: sumAmounts(sales), Keys: keysOf(sales), Detail: "the workflow lists no such cycle"})
	}
	if refunds := l.refunds[0]; len(refunds) > 0 {
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: "refunded",
			Ledger: sumAmounts(refunds), Keys: keysOf(refunds), Detail: "refunds of no approved sale of this subscription"})
	}
	return out
}

func sumAmounts(entries []Entry) int64 {
	var sum int64
	for _, e := range entries {
		sum += e.Amount
	}
	return sum
}

func keysOf(entries []Entry) []string {
	keys := make([]string, 0, len(entries))
	for _, e := range entries {
		keys = append(keys, e.IdempotencyKey)
	}
	return keys
}
