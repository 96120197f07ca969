package reconcile

import (
	"fmt"
	"slices"

	"github.com/cardflow/cardflow/order"
)

// orderLedger is what the ledger says one order moved.
type orderLedger struct {
	authorized, captured, refunded, voided int64
	keys                                   map[string][]string // field -> keys that count towards it
	payments                               map[string]*paymentLedger
	sales                                  []string // keys of approved sales
}

// paymentLedger is one processor payment of an order.
type paymentLedger struct {
	authorized, captured, refunded int64
	keys                           []string
}

func sumOrder(entries []Entry) orderLedger {
	l := orderLedger{keys: map[string][]string{}, payments: map[string]*paymentLedger{}}
	add := func(field string, sum *int64, e Entry) {
		*sum += e.Amount
		l.keys[field] = append(l.keys[field], e.IdempotencyKey)
	}
	for _, e := range entries {
		if !e.approved() || e.Type == TypeAuthenticate {
			continue // an authentication moves no money
		}
		p := l.payments[e.PaymentID]
		if p == nil {
			p = &paymentLedger{}
			l.payments[e.PaymentID] = p
		}
		p.keys = append(p.keys, e.IdempotencyKey)
		switch e.Type {
		case TypeAuthorize:
			add("authorized", &l.authorized, e)
			p.authorized += e.Amount
		case TypeSale:
			add("authorized", &l.authorized, e)
			add("captured", &l.captured, e)
			p.authorized += e.Amount
			p.captured += e.Amount
			l.sales = append(l.sales, e.IdempotencyKey)
		case TypeCapture:
			add("captured", &l.captured, e)
			p.captured += e.Amount
		case TypeRefund:
			add("refunded", &l.refunded, e)
			p.refunded += e.Amount
		case TypeVoid:
			add("voided", &l.voided, e)
		}
	}
	return l
}

// compareOrder lists where the order's own amounts and the ledger's entries of
// its keys disagree, and where the ledger took its money twice. v is nil when
// the ledger names an order whose workflow does not exist.
func compareOrder(workflowID string, v *order.View, entries []Entry) []Discrepancy {
	l := sumOrder(entries)
	var own order.Amounts
	var out []Discrepancy
	if v != nil {
		own = v.Amounts
	} else {
		out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: "workflow",
			Ledger: sumApproved(entries), Keys: allKeys(entries), Detail: "the ledger has entries for an order with no workflow"})
	}
	for _, f := range []struct {
		name            string
		workflow, books int64
	}{
		{"authorized", own.Authorized, l.authorized},
		{"captured", own.Captured, l.captured},
		{"refunded", own.Refunded, l.refunded},
		{"voided", own.Voided, l.voided},
	} {
		if f.workflow != f.books {
			out = append(out, Discrepancy{Kind: KindMismatch, WorkflowID: workflowID, Field: f.name,
				Workflow: f.workflow, Ledger: f.books, Keys: l.keys[f.name]})
		}
	}
	if v != nil {
		out = append(out, orderCurrency(workflowID, v.Currency, entries)...)
		out = append(out, orderAuthentication(workflowID, v, entries)...)
	}
	return append(out, orderDoubleCharges(workflowID, v, l)...)
}

// orderDoubleCharges finds money the ledger took more than once: an order is
// paid by one sale or by captures on one authorization, never more than was
// authorized, never more than its total.
func orderDoubleCharges(workflowID string, v *order.View, l orderLedger) []Discrepancy {
	var out []Discrepancy
	if len(l.sales) > 1 {
		out = append(out, Discrepancy{Kind: KindDoubleCharge, WorkflowID: workflowID, Field: "sale",
			Ledger: int64(len(l.sales)), Workflow: 1, Keys: l.sales, Detail: "more than one approved sale"})
	}
	var captured []string
	for _, id := range sortedKeys(l.payments) {
		p := l.payments[id]
		if p.captured > 0 {
			captured = append(captured, id)
		}
		if p.captured > p.authorized {
			out = append(out, Discrepancy{Kind: KindDoubleCharge, WorkflowID: workflowID, PaymentID: id, Field: "captured",
				Workflow: p.authorized, Ledger: p.captured, Keys: p.keys, Detail: "captured beyond the authorization"})
		}
	}
	if len(captured) > 1 {
		var keys []string
		for _, id := range captured {
			keys = append(keys, l.payments[id].keys...)
		}
		out = append(out, Discrepancy{Kind: KindDoubleCharge, WorkflowID: workflowID, Field: "payments",
			Workflow: 1, Ledger: int64(len(captured)), Keys: keys, Detail: fmt.Sprintf("money captured on %d payments %v", len(captured), captured)})
	}
	if v != nil && l.captured > v.Amounts.Total {
		out = append(out, Discrepancy{Kind: KindDoubleCharge, WorkflowID: workflowID, Field: "total",
			Workflow: v.Amounts.Total, Ledger: l.captured, Keys: l.keys["captured"], Detail: "captured more than the order total"})
	}
	return out
}

// orderCurrency flags approved entries in another currency than the order's:
// amounts in different currencies cannot be summed, let alone agree.
func orderCurrency(workflowID, currency string, entries []Entry) []Discrepancy {
	var keys []string
	for _, e := range entries {
		if e.approved() && e.Currency != "" && e.Currency != currency {
			keys = append(keys, e.IdempotencyKey)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	return []Discrepancy{{Kind: KindMismatch, WorkflowID: workflowID, Field: "currency", Keys: keys,
		Detail: "approved entries not in the order's currency " + currency}}
}

// sumApproved is the money of every approved entry, whatever its type.
func sumApproved(entries []Entry) int64 {
	var sum int64
	for _, e := range entries {
		if e.approved() {
			sum += e.Amount
		}
	}
	return sum
}

func allKeys(entries []Entry) []string {
	var keys []string
	for _, e := range entries {
		if e.approved() {
			keys = append(keys, e.IdempotencyKey)
		}
	}
	return keys
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
