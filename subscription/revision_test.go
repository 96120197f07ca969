package subscription

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// Since revLean a bill's validity check is a local activity; when its tries
// give up without an answer, the regular activity (with the processor retry
// policy and, past it, attention) takes over and the bill goes on.
func TestSubscriptionValidityCheckFallsBackToActivity(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(t, subCard)
	f.localDown = true
	require.NoError(t, newSubDriver(t, f).run(in, start, 4))
	if f.localTries < 2 {
		t.Errorf("local tries %d, want the minute's retries", f.localTries)
	}
	assert.Equal(t, 1, f.regularVals, "validity checks as activities")
	assert.Len(t, f.sales, 1, "sales")
	assert.Len(t, f.noticesOf("payment_succeeded"), 1, "payment_succeeded notices")
}

// Since revLean the notice of a paid cycle goes out from the next run, so the
// paying run continues as new at once instead of waiting for the webhook.
func TestSubscriptionPaidNoticeFromNextRun(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 2
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	require.NoError(t, d.run(in, start, 6))
	paid := f.noticesOf("payment_succeeded")
	if len(paid) != 2 {
		t.Fatalf("payment_succeeded notices %d, want 2", len(paid))
	}
	for i, n := range paid {
		// Run 1 bills cycle 1, run 2 sends its notice and bills cycle 2, run 3
		// sends that one.
		assert.Equal(t, i+2, f.noticeRun[n.Key], n.Key+" sent by run")
	}
	assert.Equal(t, 3, d.runs, "runs")
}

// A notice held for the next run is sent by this one when the subscription
// ends before continuing as new: a cancel that came in during the bill.
func TestSubscriptionHeldNoticeSentWhenCancelled(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.March, 1, 9)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	f.onSale = func() {
		f.mu.Lock()
		env := f.env
		f.onSale = nil
		f.mu.Unlock()
		env.SignalWorkflow(UpdateCancel, CancelRequest{})
	}
	in.Settings.RetainFor = time.Hour
	require.NoError(t, d.run(in, start, 3))
	assert.Equal(t, 1, d.runs, "runs")
	assert.Len(t, f.sales, 1, "sales")
	assert.Len(t, f.noticesOf("payment_succeeded"), 1, "payment_succeeded notices")
	assert.Len(t, f.noticesOf("cancelled"), 1, "cancelled notices")
	v := flowtest.State[View](t, d.last)
	assert.Equal(t, payment.SubscriptionCancelled, v.Status, "status")
	assert.Equal(t, int64(999), v.Totals.Paid, "paid")
}
