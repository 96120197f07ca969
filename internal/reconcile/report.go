package reconcile

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Kinds of discrepancy.
const (
	// KindMismatch: the workflow and the ledger disagree on an amount, or the
	// workflow could not be read at all.
	KindMismatch = "mismatch"
	// KindDoubleCharge: the ledger moved money twice for what the workflow counts
	// once.
	KindDoubleCharge = "double_charge"
)

// Discrepancy is one disagreement between a workflow and the ledger.
type Discrepancy struct {
	Kind       string   `json:"kind"`
	WorkflowID string   `json:"workflow_id"`
	Cycle      int      `json:"cycle,omitempty"` // subscriptions: the billing cycle, 0 for the whole life
	PaymentID  string   `json:"payment_id,omitempty"`
	Field      string   `json:"field"`    // authorized, captured, refunded, voided, paid, sale, ...
	Workflow   int64    `json:"workflow"` // what the workflow says, minor units
	Ledger     int64    `json:"ledger"`   // what the ledger says, minor units
	Keys       []string `json:"keys,omitempty"`
	Detail     string   `json:"detail,omitempty"`
}

func (d Discrepancy) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", d.Kind, d.WorkflowID)
	if d.Cycle > 0 {
		fmt.Fprintf(&b, " cycle %d", d.Cycle)
	}
	if d.PaymentID != "" {
		fmt.Fprintf(&b, " payment %s", d.PaymentID)
	}
	fmt.Fprintf(&b, " %s: workflow %d, ledger %d", d.Field, d.Workflow, d.Ledger)
	if d.Detail != "" {
		fmt.Fprintf(&b, " (%s)", d.Detail)
	}
	if len(d.Keys) > 0 {
		fmt.Fprintf(&b, " keys %s", strings.Join(d.Keys, ","))
	}
	return b.String()
}

// Report is the outcome of one reconciliation.
type Report struct {
	Orders        int           `json:"orders"`         // order workflows compared
	Subscriptions int           `json:"subscriptions"`  // subscription workflows compared
	Entries       int           `json:"ledger_entries"` // ledger entries read
	Discrepancies []Discrepancy `json:"discrepancies"`
}

// Count returns how many discrepancies of the kind the report holds.
func (r Report) Count(kind string) int {
	n := 0
	for _, d := range r.Discrepancies {
		if d.Kind == kind {
			n++
		}
	}
	return n
}

// OK reports whether the ledger and the workflows agree.
func (r Report) OK() bool { return len(r.Discrepancies) == 0 }

// Write prints one line per discrepancy, then a summary line.
func (r Report) Write(w io.Writer) error {
	for _, d := range r.Discrepancies {
		if _, err := fmt.Fprintln(w, d.String()); err != nil {
			return err
		}
	}
	verdict := "all agree"
	if !r.OK() {
		verdict = "DISAGREE"
	}
	_, err := fmt.Fprintf(w, "reconcile: orders=%d subscriptions=%d ledger_entries=%d mismatches=%d double_charges=%d: %s\n",
		r.Orders, r.Subscriptions, r.Entries, r.Count(KindMismatch), r.Count(KindDoubleCharge), verdict)
	return err
}

// sortDiscrepancies orders the report by workflow, cycle, kind and field, so
// that two runs over the same books print the same lines.
func sortDiscrepancies(ds []Discrepancy) {
	slices.SortFunc(ds, func(a, b Discrepancy) int {
		return cmp.Or(cmp.Compare(a.WorkflowID, b.WorkflowID), cmp.Compare(a.Cycle, b.Cycle),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Field, b.Field), cmp.Compare(a.PaymentID, b.PaymentID))
	})
}
