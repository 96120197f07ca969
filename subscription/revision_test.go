package subscription

import (
	"testing"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// Since revLean a bill's validity check is a local activity; when its tries
// give up without an answer, the regular activity (with the processor retry
// policy and, past it, attention) takes over and the bill goes on.
func TestSubscriptionValidityCheckFallsBackToActivity(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(subCustomer.ID, subCard)
	f.localDown = true
	if err := newSubDriver(t, f).run(in, start, 4); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	if f.localTries < 2 {
		t.Errorf("local tries %d, want the minute's retries", f.localTries)
	}
	subEq(t, "validity checks as activities", f.regularVals, 1)
	subEq(t, "sales", len(f.sales), 1)
	subEq(t, "payment_succeeded notices", len(f.noticesOf("payment_succeeded")), 1)
}

// Since revLean the notice of a paid cycle goes out from the next run, so the
// paying run continues as new at once instead of waiting for the webhook.
func TestSubscriptionPaidNoticeFromNextRun(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 2
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	if err := d.run(in, start, 6); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	paid := f.noticesOf("payment_succeeded")
	if len(paid) != 2 {
		t.Fatalf("payment_succeeded notices %d, want 2", len(paid))
	}
	for i, n := range paid {
		// Run 1 bills cycle 1, run 2 sends its notice and bills cycle 2, run 3
		// sends that one.
		subEq(t, n.Key+" sent by run", f.noticeRun[n.Key], i+2)
	}
	subEq(t, "runs", d.runs, 3)
}

// A notice held for the next run is sent by this one when the subscription
// ends before continuing as new: a cancel that came in during the bill.
func TestSubscriptionHeldNoticeSentWhenCancelled(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	f.onSale = func() {
		f.mu.Lock()
		env := f.env
		f.onSale = nil
		f.mu.Unlock()
		env.SignalWorkflow(UpdateCancel, CancelRequest{})
	}
	in.Settings.RetainFor = time.Hour
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "runs", d.runs, 1)
	subEq(t, "sales", len(f.sales), 1)
	subEq(t, "payment_succeeded notices", len(f.noticesOf("payment_succeeded")), 1)
	subEq(t, "cancelled notices", len(f.noticesOf("cancelled")), 1)
	v := subState(t, d.last)
	subEq(t, "status", v.Status, payment.SubscriptionCancelled)
	subEq(t, "paid", v.Totals.Paid, int64(999))
}
