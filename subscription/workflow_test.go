package subscription

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/cardflow/cardflow/adapters/validation"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/payment"
)

// monthlyFrom is the n-th monthly date from anchor (n from 0), written out
// independently of payment.Duration: the anchor day, or the month's last day
// when the month is shorter.
func monthlyFrom(anchor time.Time, n int) time.Time {
	y, m, d := anchor.Date()
	first := time.Date(y, m+time.Month(n), 1, anchor.Hour(), anchor.Minute(), 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(d, last)-1)
}

// Thirty-six monthly cycles from a January 31 anchor: every bill on its
// calendar-correct date, each cycle in a run of its own (continue-as-new), the
// pre-bill notices three days before, then the expiration notice and the end.
func TestSubscriptionThirtySixMonthlyCycles(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 36
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	require.NoError(t, d.run(in, start, 40))

	var wantDates, wantPreBill []time.Time
	var wantKeys []string
	for n := range 36 {
		at := monthlyFrom(start, n)
		wantDates = append(wantDates, at)
		wantKeys = append(wantKeys, fmt.Sprintf("subscription/s-1/bill/%d/1", n+1))
		if n > 0 { // the first bill runs at once, without notice
			wantPreBill = append(wantPreBill, at.AddDate(0, 0, -3))
		}
	}
	assert.Equal(t, wantDates, subTimes(f.sales), "sales")
	assert.Equal(t, wantDates, subTimes(f.validations), "validity checks")
	assert.Equal(t, wantKeys, subKeys(f.sales, subSaleKey), "sale keys")
	for i, v := range f.validations {
		if !v.In.At.Equal(wantDates[i]) {
			t.Errorf("validity check %d At = %v, want the billing date %v", i+1, v.In.At, wantDates[i])
		}
	}
	// Spot checks of the clamping, in case both sides of the comparison agree wrongly.
	for _, want := range []time.Time{subDate(2026, time.February, 28, 10), subDate(2026, time.April, 30, 10), subDate(2028, time.February, 29, 10), subDate(2028, time.December, 31, 10)} {
		if !slices.ContainsFunc(wantDates, want.Equal) {
			t.Errorf("no bill on %v", want)
		}
	}

	assert.Equal(t, wantPreBill, subCreatedAts(f.noticesOf("pre_bill")), "pre-bill notices")
	assert.Equal(t, wantDates, subCreatedAts(f.noticesOf("payment_succeeded")), "success notices")
	end := monthlyFrom(start, 36) // Jan 31, 2029: the end of the last paid month
	assert.Equal(t, []time.Time{end.AddDate(0, 0, -7)}, subCreatedAts(f.noticesOf("expiring")), "expiring notice")
	assert.Equal(t, []time.Time{end}, subCreatedAts(f.noticesOf("expired")), "expired notice")

	// One run per cycle, plus the last one that ends it.
	assert.Equal(t, 37, d.runs, "runs")

	v := flowtest.State[View](t, d.last)
	assert.Equal(t, payment.SubscriptionExpired, v.Status, "status")
	assert.Equal(t, 36, v.Cycle, "cycle")
	assert.Equal(t, 36, v.Totals.CyclesPaid, "cycles paid")
	assert.Equal(t, int64(36*999), v.Totals.Paid, "paid")
	assert.Len(t, v.Payments, 24, "payments kept")
	assert.Equal(t, 36, v.Payments[len(v.Payments)-1].Cycle, "last payment kept")
	if len(v.Events) > 50 {
		t.Errorf("%d events kept, want at most 50", len(v.Events))
	}
	if v.NextBillingAt != nil {
		t.Errorf("next_billing_at = %v after the end", v.NextBillingAt)
	}

	// Notification keys count across runs: unique (the fake keeps one of each)
	// and without gaps.
	var seqs []int
	for _, n := range f.notices() {
		var seq int
		if _, err := fmt.Sscanf(n.Key, "subscription/s-1/notify/%d", &seq); err != nil {
			t.Fatalf("notification key %q: %v", n.Key, err)
		}
		seqs = append(seqs, seq)
	}
	slices.Sort(seqs)
	for i, seq := range seqs {
		if seq != i+1 {
			t.Fatalf("notification sequence %v has gaps", seqs)
		}
	}
	assert.Len(t, seqs, 35+36+2, "notifications")
}

// A trial: trialing until it ends, the trial-end and pre-bill notices three days
// before, the first bill at its end. The create call answers at once (trialing);
// the same request again answers the same subscription, another one is refused.
func TestSubscriptionTrialNoticesAndFirstAnswer(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	in.Plan.Cycles = 1
	start := subDate(2026, time.November, 21, 10)
	trialEnd := subDate(2026, time.December, 5, 10)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	var first, again, other flowtest.Update
	var during View
	d.at(start, func(env *testsuite.TestWorkflowEnvironment) {
		first.Send(env, UpdateOpen, OpenRequest{Digest: "digest-1"})
	})
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		again.Send(env, UpdateOpen, OpenRequest{Digest: "digest-1"})
		other.Send(env, UpdateOpen, OpenRequest{Digest: "digest-2"})
	})
	d.at(trialEnd.Add(-time.Hour), func(env *testsuite.TestWorkflowEnvironment) { during = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 5))

	opened := flowtest.Answer[Opened](t, &first)
	require.True(t, opened.Created, "first create")
	v := opened.Subscription
	assert.Equal(t, payment.SubscriptionTrialing, v.Status, "first answer status")
	assert.Equal(t, 0, v.Cycle, "first answer cycle")
	if v.NextBillingAt == nil || !v.NextBillingAt.Equal(trialEnd) {
		t.Errorf("first answer next_billing_at = %v, want %v", v.NextBillingAt, trialEnd)
	}
	assert.Equal(t, "subscription/s-1", v.WorkflowID, "first answer workflow id")
	opened = flowtest.Answer[Opened](t, &again)
	assert.False(t, opened.Created, "same request again")
	assert.Equal(t, "s-1", opened.Subscription.SubscriptionID, "same request again")
	flowtest.WantRejected(t, &other, flow.ErrTypeInvalidState, "", "other request, same id")
	assert.Equal(t, payment.SubscriptionTrialing, during.Status, "status before the trial ends")

	notice := trialEnd.AddDate(0, 0, -3)
	assert.Equal(t, []time.Time{notice}, subCreatedAts(f.noticesOf("trial_ending")), "trial-end notice")
	assert.Equal(t, []time.Time{notice}, subCreatedAts(f.noticesOf("pre_bill")), "pre-bill notice")
	assert.Equal(t, []time.Time{trialEnd}, subTimes(f.sales), "sale")
	end := subDate(2027, time.January, 5, 10)
	assert.Equal(t, []time.Time{end.AddDate(0, 0, -7)}, subCreatedAts(f.noticesOf("expiring")), "expiring notice")
	assert.Equal(t, []time.Time{end}, subCreatedAts(f.noticesOf("expired")), "expired notice")
	var types []string
	for _, n := range f.notices() {
		types = append(types, strings.TrimPrefix(n.Type, "subscription."))
		assert.Equal(t, "s-1", n.SubscriptionID, n.Type)
		assert.Equal(t, payment.RecipientCustomer, n.Recipient, n.Type)
	}
	assert.Equal(t, []string{"trial_ending", "pre_bill", "payment_succeeded", "expiring", "expired"}, types, "notices")
}

// A soft decline: past_due, retried after one day and then three more, paid on
// the third attempt; the next cycle keeps its calendar date.
func TestSubscriptionSoftFailRetrySucceeds(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 2
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.InsufficientFunds, payment.InsufficientFunds, "")
	d := newSubDriver(t, f)
	var pastDue View
	d.at(start.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) { pastDue = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 5))

	assert.Equal(t, payment.SubscriptionPastDue, pastDue.Status, "status after the decline")
	if lp := pastDue.LastPayment; lp == nil || lp.Failure == nil || lp.Failure.Code != payment.InsufficientFunds || lp.Failure.Class != payment.Soft || lp.Status != PaymentFailed {
		t.Errorf("last payment after the decline: %+v", lp)
	}
	if pastDue.NextBillingAt == nil || !pastDue.NextBillingAt.Equal(start.AddDate(0, 0, 1)) {
		t.Errorf("next_billing_at while past due = %v, want the retry a day later", pastDue.NextBillingAt)
	}
	assert.Equal(t, []time.Time{
		start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), // retries after 1 and 3 more days
		subDate(2026, time.February, 28, 10), // cycle 2 on its own date
	}, subTimes(f.sales), "sales")
	assert.Equal(t, []string{
		"subscription/s-1/bill/1/1", "subscription/s-1/bill/1/2", "subscription/s-1/bill/1/3", "subscription/s-1/bill/2/1",
	}, subKeys(f.sales, subSaleKey), "sale keys")
	assert.Equal(t, []time.Time{start, start.AddDate(0, 0, 1)}, subCreatedAts(f.noticesOf("payment_soft_failed")), "soft-fail notices")
	assert.Equal(t, []time.Time{start.AddDate(0, 0, 4), subDate(2026, time.February, 28, 10)}, subCreatedAts(f.noticesOf("payment_succeeded")), "success notices")
	v := flowtest.State[View](t, d.last)
	assert.Equal(t, 2, v.Totals.CyclesPaid, "cycles paid")
	assert.Equal(t, 4, v.Totals.Attempts, "attempts")
	assert.Equal(t, PaymentSucceeded, v.Payments[0].Status, "cycle 1 status")
	assert.Equal(t, 3, v.Payments[0].Attempts, "cycle 1 attempts")
}

// Soft declines until the schedule is used up: four attempts, then expired.
func TestSubscriptionSoftFailScheduleUsedUp(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.InsufficientFunds, payment.InsufficientFunds, payment.InsufficientFunds, payment.InsufficientFunds)
	d := newSubDriver(t, f)
	require.NoError(t, d.run(in, start, 3))
	tries := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	assert.Equal(t, tries, subTimes(f.sales), "sales")
	assert.Equal(t, tries, subCreatedAts(f.noticesOf("payment_soft_failed")), "soft-fail notices")
	assert.Equal(t, tries[3:], subCreatedAts(f.noticesOf("expired")), "expired notice")
	v := flowtest.State[View](t, d.last)
	assert.Equal(t, payment.SubscriptionExpired, v.Status, "status")
	assert.Equal(t, PaymentFailed, v.Payments[0].Status, "cycle 1")
	assert.Equal(t, int64(0), v.Totals.Paid, "paid")
	assert.Equal(t, 1, d.runs, "runs")
}

// A hard decline with the account updater on: the updater has a new expiry,
// the token charges it, the failure turns soft and the retry pays.
func TestSubscriptionHardFailUpdaterUpdates(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	in.AccountUpdater = true
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.ExpiredCard, "")
	renewed := subCard
	renewed.ExpMonth, renewed.ExpYear = 1, 2031
	f.updater["tok_1"] = payment.CardUpdate{Updated: true, Card: renewed}
	d := newSubDriver(t, f)
	var afterUpdate View
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { afterUpdate = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 5))

	assert.Len(t, f.updates, 1, "updater calls")
	assert.Equal(t, "subscription/s-1/updater/1/1", f.updates[0].In.Key, "updater key")
	assert.Equal(t, payment.SubscriptionPastDue, afterUpdate.Status, "status after the update")
	assert.Equal(t, 2031, afterUpdate.Card.ExpYear, "card after the update")
	if f := afterUpdate.LastPayment.Failure; f == nil || f.Code != payment.ExpiredCard || f.Class != payment.Soft {
		t.Errorf("failure after the update = %+v, want expired_card turned soft", f)
	}
	assert.Equal(t, []time.Time{start, start.AddDate(0, 0, 1)}, subTimes(f.sales), "sales")
	assert.Equal(t, []time.Time{start}, subCreatedAts(f.noticesOf("card_updated")), "card-updated notice")
	assert.Equal(t, []time.Time{start}, subCreatedAts(f.noticesOf("payment_soft_failed")), "soft-fail notice")
	assert.Equal(t, []time.Time{start.AddDate(0, 0, 1)}, subCreatedAts(f.noticesOf("payment_succeeded")), "success notice")
	assert.Len(t, f.noticesOf("payment_hard_failed"), 0, "hard-fail notices")
	if n := f.noticesOf("card_updated"); len(n) == 1 && n[0].Recipient != payment.RecipientMerchant {
		t.Errorf("card_updated goes to %q, want the merchant", n[0].Recipient)
	}
}

// A hard decline without the updater: suspended, never resubmitted, hard-fail
// notices at the schedule's dates, then expired.
func TestSubscriptionHardFailWithoutUpdater(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.LostCard)
	d := newSubDriver(t, f)
	var suspended View
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { suspended = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 3))
	assert.Equal(t, payment.SubscriptionSuspended, suspended.Status, "status")
	if suspended.NextBillingAt != nil {
		t.Errorf("next_billing_at while suspended = %v, want none: nothing is resubmitted", suspended.NextBillingAt)
	}
	assert.Len(t, f.sales, 1, "sales")
	assert.Len(t, f.updates, 0, "updater calls")
	dates := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	assert.Equal(t, dates, subCreatedAts(f.noticesOf("payment_hard_failed")), "hard-fail notices")
	assert.Equal(t, dates[3:], subCreatedAts(f.noticesOf("expired")), "expired notice")
	for _, n := range f.noticesOf("payment_hard_failed") {
		if d := flowtest.Data[NoticeData](t, n); d.Failure == nil || d.Failure.Code != payment.LostCard {
			t.Errorf("hard-fail notice data %+v", d)
		}
	}
	assert.Equal(t, payment.SubscriptionExpired, flowtest.State[View](t, d.last).Status, "final status")
}

// The updater answers that the account is closed: suspended as without it.
func TestSubscriptionUpdaterAnswersClosed(t *testing.T) {
	in := subInput(t)
	in.AccountUpdater = true
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.LostCard)
	f.updater["tok_1"] = payment.CardUpdate{Closed: true}
	d := newSubDriver(t, f)
	var suspended View
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { suspended = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 3))
	assert.Equal(t, payment.SubscriptionSuspended, suspended.Status, "status")
	assert.Len(t, f.updates, 1, "updater calls")
	assert.Len(t, f.sales, 1, "sales")
	assert.Len(t, f.noticesOf("card_updated"), 0, "card-updated notices")
	dates := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	assert.Equal(t, dates, subCreatedAts(f.noticesOf("payment_hard_failed")), "hard-fail notices")
	if !slices.ContainsFunc(suspended.Events, func(e Event) bool { return e.Type == "card_not_updated" && e.Code == "account_closed" }) {
		t.Errorf("no account_closed event in %+v", suspended.Events)
	}
}

// The customer opts out right after the pre-bill notice: nothing is charged,
// the cancellation notice goes out, and later commands are refused.
func TestSubscriptionOptOutAfterPreBill(t *testing.T) {
	in := subInput(t)
	in.Plan.Trial = subDur(t, "P14D")
	start := subDate(2026, time.November, 21, 10)
	preBill := subDate(2026, time.December, 2, 10)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	var cancel, catchUp, card, cancelAgain flowtest.Update
	d.at(preBill.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		cancel.Send(env, UpdateCancel, CancelRequest{})
	})
	d.at(preBill.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		catchUp.Send(env, UpdateCatchUp, CatchUpRequest{})
		card.Send(env, UpdatePaymentMethod, PaymentMethodRequest{Card: subCard})
		cancelAgain.Send(env, UpdateCancel, CancelRequest{})
	})
	require.NoError(t, d.run(in, start, 3))
	v := flowtest.Answer[View](t, &cancel)
	assert.Equal(t, payment.SubscriptionCancelled, v.Status, "status")
	if v.NextBillingAt != nil {
		t.Errorf("next_billing_at after opting out = %v", v.NextBillingAt)
	}
	assert.Len(t, f.sales, 0, "sales")
	assert.Len(t, f.validations, 0, "validity checks")
	assert.Equal(t, []time.Time{preBill}, subCreatedAts(f.noticesOf("pre_bill")), "pre-bill notice")
	assert.Equal(t, []time.Time{preBill.Add(time.Hour)}, subCreatedAts(f.noticesOf("cancelled")), "cancelled notice")
	flowtest.WantRejected(t, &catchUp, flow.ErrTypeInvalidState, "", "catch-up after cancel")
	flowtest.WantRejected(t, &card, flow.ErrTypeInvalidState, "", "new card after cancel")
	flowtest.WantRejected(t, &cancelAgain, flow.ErrTypeInvalidState, "", "cancel twice")
	// The ended subscription stays open for refunds, then the workflow completes.
	assert.Equal(t, preBill.Add(time.Hour).Add(30*24*time.Hour), d.last.Now().UTC(), "completed at")
}

// A hard decline suspends; catch-up alone is refused (the card must not be
// resubmitted), a new card pays what is outstanding at once.
func TestSubscriptionCatchUpAfterCardUpdate(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	newCard := payment.Card{Token: "tok_2", Brand: payment.Mastercard, Last4: "4444", ExpMonth: 6, ExpYear: 2031}
	f := newSubFake(t, subCard, newCard)
	f.script("tok_1", payment.StolenCard)
	d := newSubDriver(t, f)
	var catchUp, change flowtest.Update
	d.at(start.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		catchUp.Send(env, UpdateCatchUp, CatchUpRequest{})
	})
	d.at(start.Add(3*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		change.Send(env, UpdatePaymentMethod, PaymentMethodRequest{Card: newCard})
	})
	require.NoError(t, d.run(in, start, 5))
	flowtest.WantRejected(t, &catchUp, flow.ErrTypeInvalidState, "", "catch-up while suspended")
	v := flowtest.Answer[View](t, &change)
	assert.Equal(t, payment.SubscriptionActive, v.Status, "status after the new card")
	assert.Equal(t, "tok_2", v.Card.Token, "card")
	if lp := v.LastPayment; lp == nil || lp.Status != PaymentSucceeded || lp.Attempt != 2 || lp.Failure != nil {
		t.Errorf("last payment after catch-up = %+v", lp)
	}
	assert.Equal(t, []time.Time{start, start.Add(3 * time.Hour)}, subTimes(f.sales), "sales")
	assert.Equal(t, []string{"tok_1", "tok_2"}, subKeys(f.sales, func(c payment.Charge) string { return c.Token }), "sale tokens")
	assert.Equal(t, []string{"subscription/s-1/bill/1/1", "subscription/s-1/bill/1/2"}, subKeys(f.sales, subSaleKey), "sale keys")
	assert.Equal(t, []time.Time{start}, subCreatedAts(f.noticesOf("payment_hard_failed")), "hard-fail notices")
	assert.Equal(t, []time.Time{start.Add(3 * time.Hour)}, subCreatedAts(f.noticesOf("payment_succeeded")), "success notice")
	assert.Equal(t, payment.SubscriptionExpired, flowtest.State[View](t, d.last).Status, "final status")
}

// Past due, the shop asks for a catch-up: billed at once, not at the retry date.
func TestSubscriptionCatchUpWhilePastDue(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	f.script("tok_1", payment.DoNotHonor, "")
	d := newSubDriver(t, f)
	var catchUp flowtest.Update
	d.at(start.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		catchUp.Send(env, UpdateCatchUp, CatchUpRequest{})
	})
	require.NoError(t, d.run(in, start, 5))
	assert.Equal(t, payment.SubscriptionActive, flowtest.Answer[View](t, &catchUp).Status, "status")
	assert.Equal(t, []time.Time{start, start.Add(2 * time.Hour)}, subTimes(f.sales), "sales")
}

// Refunds: never more than paid less refunded for the cycle; an Idempotency-Key
// applies a refund once.
func TestSubscriptionRefunds(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	var part, tooMuch, rest, restAgain, oneMore, unbilled, zero flowtest.Update
	at := start.Add(24 * time.Hour)
	d.at(at, func(env *testsuite.TestWorkflowEnvironment) {
		part.Send(env, UpdateRefund, RefundRequest{Cycle: 1, Amount: 500})
	})
	d.at(at.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		tooMuch.Send(env, UpdateRefund, RefundRequest{Cycle: 1, Amount: 500})
		rest.Send(env, UpdateRefund, RefundRequest{Key: "k-1", Cycle: 1, Amount: 499})
	})
	d.at(at.Add(2*time.Hour), func(env *testsuite.TestWorkflowEnvironment) {
		restAgain.Send(env, UpdateRefund, RefundRequest{Key: "k-1", Cycle: 1, Amount: 499})
		oneMore.Send(env, UpdateRefund, RefundRequest{Cycle: 1, Amount: 1})
		unbilled.Send(env, UpdateRefund, RefundRequest{Cycle: 2, Amount: 1})
		zero.Send(env, UpdateRefund, RefundRequest{Cycle: 1, Amount: 0})
	})
	require.NoError(t, d.run(in, start, 5))
	assert.Equal(t, int64(500), flowtest.Answer[View](t, &part).Payments[0].Refunded, "after 500")
	flowtest.WantRejected(t, &tooMuch, flow.ErrTypeInvalidRequest, "amount", "500 of 499 left")
	assert.Equal(t, int64(999), flowtest.Answer[View](t, &rest).Payments[0].Refunded, "after the rest")
	assert.Equal(t, int64(999), flowtest.Answer[View](t, &restAgain).Payments[0].Refunded, "same key again")
	flowtest.WantRejected(t, &oneMore, flow.ErrTypeInvalidRequest, "amount", "1 of 0 left")
	flowtest.WantRejected(t, &unbilled, flow.ErrTypeInvalidRequest, "cycle", "cycle not billed")
	flowtest.WantRejected(t, &zero, flow.ErrTypeInvalidRequest, "amount", "zero")

	assert.Equal(t, []string{"subscription/s-1/refund/1", "subscription/s-1/refund/2"}, subKeys(f.refunds, func(op payment.Operation) string { return op.Key }), "refund keys")
	for _, r := range f.refunds {
		if r.In.PaymentID != "pay_subscription/s-1/bill/1/1" || r.In.Amount.Currency != "EUR" {
			t.Errorf("refund %+v: not of cycle 1's payment", r.In)
		}
	}
	assert.Equal(t, []time.Time{at, at.Add(time.Hour)}, subCreatedAts(f.noticesOf("refunded")), "refund notices")
	assert.Equal(t, int64(999), flowtest.State[View](t, d.last).Totals.Refunded, "refunded total")
}

// A card that expires between cycles: paid in January and February, the
// validity check at the March billing date fails; that is a hard fail.
func TestSubscriptionCardExpiresBetweenCycles(t *testing.T) {
	in := subInput(t)
	in.Card.ExpMonth, in.Card.ExpYear = 2, 2026
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, in.Card)
	d := newSubDriver(t, f)
	march := subDate(2026, time.March, 31, 10)
	var suspended View
	d.at(march.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { suspended = flowtest.State[View](t, env) })
	require.NoError(t, d.run(in, start, 6))
	assert.Equal(t, []time.Time{start, subDate(2026, time.February, 28, 10)}, subTimes(f.sales), "sales")
	assert.Equal(t, []time.Time{start, subDate(2026, time.February, 28, 10), march}, subTimes(f.validations), "validity checks")
	assert.Equal(t, march, f.validations[2].In.At, "March check date")
	assert.Equal(t, payment.SubscriptionSuspended, suspended.Status, "status")
	want := payment.Failure{Stage: payment.StageValidation, Code: validation.CodeCardExpired, Class: payment.Hard}
	if lp := suspended.LastPayment; lp == nil || lp.Failure == nil || lp.Failure.Stage != want.Stage || lp.Failure.Code != want.Code || lp.Failure.Class != want.Class {
		t.Errorf("last payment %+v, want failure %+v", lp, want)
	}
	assert.Equal(t, []time.Time{march, march.AddDate(0, 0, 1), march.AddDate(0, 0, 4), march.AddDate(0, 0, 9)}, subCreatedAts(f.noticesOf("payment_hard_failed")), "hard-fail notices")
}

// Commands also arrive as signals: a cancel signal cancels; a signal the
// status does not allow is dropped.
func TestSubscriptionSignals(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(t, subCard)
	d := newSubDriver(t, f)
	d.at(start.Add(time.Hour), func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(UpdateCatchUp, CatchUpRequest{}) })
	d.at(start.AddDate(0, 0, 2), func(env *testsuite.TestWorkflowEnvironment) { env.SignalWorkflow(UpdateCancel, CancelRequest{}) })
	require.NoError(t, d.run(in, start, 3))
	assert.Len(t, f.sales, 1, "sales") // the first bill; the catch-up signal while active was dropped
	assert.Equal(t, []time.Time{start.AddDate(0, 0, 2)}, subCreatedAts(f.noticesOf("cancelled")), "cancelled notice")
	assert.Equal(t, payment.SubscriptionCancelled, flowtest.State[View](t, d.last).Status, "status")
}
