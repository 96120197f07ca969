package subscription

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
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
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	if err := d.run(in, start, 40); err != nil {
		t.Fatalf("workflow: %v", err)
	}

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
	subEqTimes(t, "sales", subTimes(f.sales), wantDates)
	subEqTimes(t, "validity checks", subTimes(f.validations), wantDates)
	if got := subKeys(f.sales, subSaleKey); !slices.Equal(got, wantKeys) {
		t.Errorf("sale keys\n got %v\nwant %v", got, wantKeys)
	}
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

	subEqTimes(t, "pre-bill notices", subCreatedAts(f.noticesOf("pre_bill")), wantPreBill)
	subEqTimes(t, "success notices", subCreatedAts(f.noticesOf("payment_succeeded")), wantDates)
	end := monthlyFrom(start, 36) // Jan 31, 2029: the end of the last paid month
	subEqTimes(t, "expiring notice", subCreatedAts(f.noticesOf("expiring")), []time.Time{end.AddDate(0, 0, -7)})
	subEqTimes(t, "expired notice", subCreatedAts(f.noticesOf("expired")), []time.Time{end})

	// One run per cycle, plus the last one that ends it.
	subEq(t, "runs", d.runs, 37)

	v := subState(t, d.last)
	subEq(t, "status", v.Status, payment.SubscriptionExpired)
	subEq(t, "cycle", v.Cycle, 36)
	subEq(t, "cycles paid", v.Totals.CyclesPaid, 36)
	subEq(t, "paid", v.Totals.Paid, int64(36*999))
	subEq(t, "payments kept", len(v.Payments), 24)
	subEq(t, "last payment kept", v.Payments[len(v.Payments)-1].Cycle, 36)
	if len(v.Events) > 50 {
		t.Errorf("%d events kept, want at most 50", len(v.Events))
	}
	if v.NextBillingAt != nil {
		t.Errorf("next_billing_at = %v after the end", v.NextBillingAt)
	}

	// Notification keys count across runs: unique (the fake keeps one of each)
	// and without gaps.
	var seqs []int
	for _, n := range f.notices {
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
	subEq(t, "notifications", len(seqs), 35+36+2)
}

// subWantRejected checks that an update was rejected by its validator with the
// error type (409 invalid_state or 422 invalid_request) and field.
func subWantRejected(t *testing.T, what string, r *subUpdate, typ, field string) {
	t.Helper()
	if !r.Done {
		t.Errorf("%s: no answer", what)
		return
	}
	gotTyp, msg, gotField, ok := flow.Rejection(r.Rejected)
	if !ok || gotTyp != typ || gotField != field {
		t.Errorf("%s: rejected with %v (type %q field %q), want type %q field %q", what, r.Rejected, gotTyp, gotField, typ, field)
		return
	}
	t.Logf("%s: %s", what, msg)
}

// subWantView checks that an update was accepted and completed.
func subWantView(t *testing.T, what string, r *subUpdate) View {
	t.Helper()
	if !r.Done || r.Rejected != nil || r.Err != nil {
		t.Fatalf("%s: done=%v rejected=%v err=%v", what, r.Done, r.Rejected, r.Err)
	}
	return r.View
}

func subSaleTokens(f *subFake) []string {
	return subKeys(f.sales, func(c payment.Charge) string { return c.Token })
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
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	var first, again, other subUpdate
	var during View
	d.at(start, func(env *subEnv) {
		sendSubUpdate(env, &first, UpdateOpen, OpenRequest{Digest: "digest-1"})
	})
	d.at(start.Add(time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &again, UpdateOpen, OpenRequest{Digest: "digest-1"})
		sendSubUpdate(env, &other, UpdateOpen, OpenRequest{Digest: "digest-2"})
	})
	d.at(trialEnd.Add(-time.Hour), func(env *subEnv) { during = subState(t, env) })
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	if !first.Done || first.Err != nil || !first.Opened.Created {
		t.Fatalf("first create: %+v", first)
	}
	v := first.Opened.Subscription
	subEq(t, "first answer status", v.Status, payment.SubscriptionTrialing)
	subEq(t, "first answer cycle", v.Cycle, 0)
	if v.NextBillingAt == nil || !v.NextBillingAt.Equal(trialEnd) {
		t.Errorf("first answer next_billing_at = %v, want %v", v.NextBillingAt, trialEnd)
	}
	subEq(t, "first answer workflow id", v.WorkflowID, "subscription/s-1")
	if !again.Done || again.Err != nil || again.Opened.Created || again.Opened.Subscription.SubscriptionID != "s-1" {
		t.Errorf("same request again: %+v", again)
	}
	subWantRejected(t, "other request, same id", &other, flow.ErrTypeInvalidState, "")
	subEq(t, "status before the trial ends", during.Status, payment.SubscriptionTrialing)

	notice := trialEnd.AddDate(0, 0, -3)
	subEqTimes(t, "trial-end notice", subCreatedAts(f.noticesOf("trial_ending")), []time.Time{notice})
	subEqTimes(t, "pre-bill notice", subCreatedAts(f.noticesOf("pre_bill")), []time.Time{notice})
	subEqTimes(t, "sale", subTimes(f.sales), []time.Time{trialEnd})
	end := subDate(2027, time.January, 5, 10)
	subEqTimes(t, "expiring notice", subCreatedAts(f.noticesOf("expiring")), []time.Time{end.AddDate(0, 0, -7)})
	subEqTimes(t, "expired notice", subCreatedAts(f.noticesOf("expired")), []time.Time{end})
	want := "subscription.trial_ending subscription.pre_bill subscription.payment_succeeded subscription.expiring subscription.expired"
	if got := strings.Join(f.noticeTypes(), " "); got != want {
		t.Errorf("notices\n got %s\nwant %s", got, want)
	}
	for _, n := range f.notices {
		if n.SubscriptionID != "s-1" || n.Recipient != payment.RecipientCustomer {
			t.Errorf("notice %s: subscription %q recipient %q", n.Type, n.SubscriptionID, n.Recipient)
		}
	}
}

// A soft decline: past_due, retried after one day and then three more, paid on
// the third attempt; the next cycle keeps its calendar date.
func TestSubscriptionSoftFailRetrySucceeds(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 2
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.InsufficientFunds, payment.InsufficientFunds, "")
	d := newSubDriver(t, f)
	var pastDue View
	d.at(start.Add(2*time.Hour), func(env *subEnv) { pastDue = subState(t, env) })
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	subEq(t, "status after the decline", pastDue.Status, payment.SubscriptionPastDue)
	if lp := pastDue.LastPayment; lp == nil || lp.Failure == nil || lp.Failure.Code != payment.InsufficientFunds || lp.Failure.Class != payment.Soft || lp.Status != PaymentFailed {
		t.Errorf("last payment after the decline: %+v", lp)
	}
	if pastDue.NextBillingAt == nil || !pastDue.NextBillingAt.Equal(start.AddDate(0, 0, 1)) {
		t.Errorf("next_billing_at while past due = %v, want the retry a day later", pastDue.NextBillingAt)
	}
	subEqTimes(t, "sales", subTimes(f.sales), []time.Time{
		start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), // retries after 1 and 3 more days
		subDate(2026, time.February, 28, 10), // cycle 2 on its own date
	})
	if got, want := subKeys(f.sales, subSaleKey), []string{
		"subscription/s-1/bill/1/1", "subscription/s-1/bill/1/2", "subscription/s-1/bill/1/3", "subscription/s-1/bill/2/1",
	}; !slices.Equal(got, want) {
		t.Errorf("sale keys\n got %v\nwant %v", got, want)
	}
	subEqTimes(t, "soft-fail notices", subCreatedAts(f.noticesOf("payment_soft_failed")), []time.Time{start, start.AddDate(0, 0, 1)})
	subEqTimes(t, "success notices", subCreatedAts(f.noticesOf("payment_succeeded")), []time.Time{start.AddDate(0, 0, 4), subDate(2026, time.February, 28, 10)})
	v := subState(t, d.last)
	subEq(t, "cycles paid", v.Totals.CyclesPaid, 2)
	subEq(t, "attempts", v.Totals.Attempts, 4)
	subEq(t, "cycle 1 status", v.Payments[0].Status, PaymentSucceeded)
	subEq(t, "cycle 1 attempts", v.Payments[0].Attempts, 3)
}

// Soft declines until the schedule is used up: four attempts, then expired.
func TestSubscriptionSoftFailScheduleUsedUp(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.InsufficientFunds, payment.InsufficientFunds, payment.InsufficientFunds, payment.InsufficientFunds)
	d := newSubDriver(t, f)
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	tries := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	subEqTimes(t, "sales", subTimes(f.sales), tries)
	subEqTimes(t, "soft-fail notices", subCreatedAts(f.noticesOf("payment_soft_failed")), tries)
	subEqTimes(t, "expired notice", subCreatedAts(f.noticesOf("expired")), tries[3:])
	v := subState(t, d.last)
	subEq(t, "status", v.Status, payment.SubscriptionExpired)
	subEq(t, "cycle 1", v.Payments[0].Status, PaymentFailed)
	subEq(t, "paid", v.Totals.Paid, int64(0))
	subEq(t, "runs", d.runs, 1)
}

// A hard decline with the account updater on: the updater has a new expiry,
// the token charges it, the failure turns soft and the retry pays.
func TestSubscriptionHardFailUpdaterUpdates(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	in.AccountUpdater = true
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.ExpiredCard, "")
	renewed := subCard
	renewed.ExpMonth, renewed.ExpYear = 1, 2031
	f.updater["tok_1"] = payment.CardUpdate{Updated: true, Card: renewed}
	d := newSubDriver(t, f)
	var afterUpdate View
	d.at(start.Add(time.Hour), func(env *subEnv) { afterUpdate = subState(t, env) })
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}

	subEq(t, "updater calls", len(f.updates), 1)
	subEq(t, "updater key", f.updates[0].In.Key, "subscription/s-1/updater/1/1")
	subEq(t, "status after the update", afterUpdate.Status, payment.SubscriptionPastDue)
	subEq(t, "card after the update", afterUpdate.Card.ExpYear, 2031)
	if f := afterUpdate.LastPayment.Failure; f == nil || f.Code != payment.ExpiredCard || f.Class != payment.Soft {
		t.Errorf("failure after the update = %+v, want expired_card turned soft", f)
	}
	subEqTimes(t, "sales", subTimes(f.sales), []time.Time{start, start.AddDate(0, 0, 1)})
	subEqTimes(t, "card-updated notice", subCreatedAts(f.noticesOf("card_updated")), []time.Time{start})
	subEqTimes(t, "soft-fail notice", subCreatedAts(f.noticesOf("payment_soft_failed")), []time.Time{start})
	subEqTimes(t, "success notice", subCreatedAts(f.noticesOf("payment_succeeded")), []time.Time{start.AddDate(0, 0, 1)})
	subEq(t, "hard-fail notices", len(f.noticesOf("payment_hard_failed")), 0)
	if n := f.noticesOf("card_updated"); len(n) == 1 && n[0].Recipient != payment.RecipientMerchant {
		t.Errorf("card_updated goes to %q, want the merchant", n[0].Recipient)
	}
}

// A hard decline without the updater: suspended, never resubmitted, hard-fail
// notices at the schedule's dates, then expired.
func TestSubscriptionHardFailWithoutUpdater(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.LostCard)
	d := newSubDriver(t, f)
	var suspended View
	d.at(start.Add(time.Hour), func(env *subEnv) { suspended = subState(t, env) })
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "status", suspended.Status, payment.SubscriptionSuspended)
	if suspended.NextBillingAt != nil {
		t.Errorf("next_billing_at while suspended = %v, want none: nothing is resubmitted", suspended.NextBillingAt)
	}
	subEq(t, "sales", len(f.sales), 1)
	subEq(t, "updater calls", len(f.updates), 0)
	dates := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	subEqTimes(t, "hard-fail notices", subCreatedAts(f.noticesOf("payment_hard_failed")), dates)
	subEqTimes(t, "expired notice", subCreatedAts(f.noticesOf("expired")), dates[3:])
	for _, n := range f.noticesOf("payment_hard_failed") {
		if d := subNoticeData(t, n); d.Failure == nil || d.Failure.Code != payment.LostCard {
			t.Errorf("hard-fail notice data %+v", d)
		}
	}
	subEq(t, "final status", subState(t, d.last).Status, payment.SubscriptionExpired)
}

// The updater answers that the account is closed: suspended as without it.
func TestSubscriptionUpdaterAnswersClosed(t *testing.T) {
	in := subInput(t)
	in.AccountUpdater = true
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.LostCard)
	f.updater["tok_1"] = payment.CardUpdate{Closed: true}
	d := newSubDriver(t, f)
	var suspended View
	d.at(start.Add(time.Hour), func(env *subEnv) { suspended = subState(t, env) })
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "status", suspended.Status, payment.SubscriptionSuspended)
	subEq(t, "updater calls", len(f.updates), 1)
	subEq(t, "sales", len(f.sales), 1)
	subEq(t, "card-updated notices", len(f.noticesOf("card_updated")), 0)
	dates := []time.Time{start, start.AddDate(0, 0, 1), start.AddDate(0, 0, 4), start.AddDate(0, 0, 9)}
	subEqTimes(t, "hard-fail notices", subCreatedAts(f.noticesOf("payment_hard_failed")), dates)
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
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	var cancel, catchUp, card, cancelAgain subUpdate
	d.at(preBill.Add(time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &cancel, UpdateCancel, CancelRequest{})
	})
	d.at(preBill.Add(2*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &catchUp, UpdateCatchUp, CatchUpRequest{})
		sendSubUpdate(env, &card, UpdatePaymentMethod, PaymentMethodRequest{Card: subCard})
		sendSubUpdate(env, &cancelAgain, UpdateCancel, CancelRequest{})
	})
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	v := subWantView(t, "cancel", &cancel)
	subEq(t, "status", v.Status, payment.SubscriptionCancelled)
	if v.NextBillingAt != nil {
		t.Errorf("next_billing_at after opting out = %v", v.NextBillingAt)
	}
	subEq(t, "sales", len(f.sales), 0)
	subEq(t, "validity checks", len(f.validations), 0)
	subEqTimes(t, "pre-bill notice", subCreatedAts(f.noticesOf("pre_bill")), []time.Time{preBill})
	subEqTimes(t, "cancelled notice", subCreatedAts(f.noticesOf("cancelled")), []time.Time{preBill.Add(time.Hour)})
	subWantRejected(t, "catch-up after cancel", &catchUp, flow.ErrTypeInvalidState, "")
	subWantRejected(t, "new card after cancel", &card, flow.ErrTypeInvalidState, "")
	subWantRejected(t, "cancel twice", &cancelAgain, flow.ErrTypeInvalidState, "")
	// The ended subscription stays open for refunds, then the workflow completes.
	subEq(t, "completed at", d.last.Now().UTC(), preBill.Add(time.Hour).Add(30*24*time.Hour))
}

// A hard decline suspends; catch-up alone is refused (the card must not be
// resubmitted), a new card pays what is outstanding at once.
func TestSubscriptionCatchUpAfterCardUpdate(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	newCard := payment.Card{Token: "tok_2", Brand: payment.Mastercard, Last4: "4444", ExpMonth: 6, ExpYear: 2031}
	f := newSubFake(subCustomer.ID, subCard, newCard)
	f.script("tok_1", payment.StolenCard)
	d := newSubDriver(t, f)
	var catchUp, change subUpdate
	d.at(start.Add(2*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &catchUp, UpdateCatchUp, CatchUpRequest{})
	})
	d.at(start.Add(3*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &change, UpdatePaymentMethod, PaymentMethodRequest{Card: newCard})
	})
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subWantRejected(t, "catch-up while suspended", &catchUp, flow.ErrTypeInvalidState, "")
	v := subWantView(t, "payment method", &change)
	subEq(t, "status after the new card", v.Status, payment.SubscriptionActive)
	subEq(t, "card", v.Card.Token, "tok_2")
	if lp := v.LastPayment; lp == nil || lp.Status != PaymentSucceeded || lp.Attempt != 2 || lp.Failure != nil {
		t.Errorf("last payment after catch-up = %+v", lp)
	}
	subEqTimes(t, "sales", subTimes(f.sales), []time.Time{start, start.Add(3 * time.Hour)})
	if got, want := subSaleTokens(f), []string{"tok_1", "tok_2"}; !slices.Equal(got, want) {
		t.Errorf("sale tokens %v, want %v", got, want)
	}
	if got, want := subKeys(f.sales, subSaleKey), []string{"subscription/s-1/bill/1/1", "subscription/s-1/bill/1/2"}; !slices.Equal(got, want) {
		t.Errorf("sale keys %v, want %v", got, want)
	}
	subEqTimes(t, "hard-fail notices", subCreatedAts(f.noticesOf("payment_hard_failed")), []time.Time{start})
	subEqTimes(t, "success notice", subCreatedAts(f.noticesOf("payment_succeeded")), []time.Time{start.Add(3 * time.Hour)})
	subEq(t, "final status", subState(t, d.last).Status, payment.SubscriptionExpired)
}

// Past due, the shop asks for a catch-up: billed at once, not at the retry date.
func TestSubscriptionCatchUpWhilePastDue(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	f.script("tok_1", payment.DoNotHonor, "")
	d := newSubDriver(t, f)
	var catchUp subUpdate
	d.at(start.Add(2*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &catchUp, UpdateCatchUp, CatchUpRequest{})
	})
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "status", subWantView(t, "catch-up", &catchUp).Status, payment.SubscriptionActive)
	subEqTimes(t, "sales", subTimes(f.sales), []time.Time{start, start.Add(2 * time.Hour)})
}

// Refunds: never more than paid less refunded for the cycle; an Idempotency-Key
// applies a refund once.
func TestSubscriptionRefunds(t *testing.T) {
	in := subInput(t)
	in.Plan.Cycles = 1
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	var part, tooMuch, rest, restAgain, oneMore, unbilled, zero subUpdate
	at := start.Add(24 * time.Hour)
	d.at(at, func(env *subEnv) {
		sendSubUpdate(env, &part, UpdateRefund, RefundRequest{Cycle: 1, Amount: 500})
	})
	d.at(at.Add(time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &tooMuch, UpdateRefund, RefundRequest{Cycle: 1, Amount: 500})
		sendSubUpdate(env, &rest, UpdateRefund, RefundRequest{Key: "k-1", Cycle: 1, Amount: 499})
	})
	d.at(at.Add(2*time.Hour), func(env *subEnv) {
		sendSubUpdate(env, &restAgain, UpdateRefund, RefundRequest{Key: "k-1", Cycle: 1, Amount: 499})
		sendSubUpdate(env, &oneMore, UpdateRefund, RefundRequest{Cycle: 1, Amount: 1})
		sendSubUpdate(env, &unbilled, UpdateRefund, RefundRequest{Cycle: 2, Amount: 1})
		sendSubUpdate(env, &zero, UpdateRefund, RefundRequest{Cycle: 1, Amount: 0})
	})
	if err := d.run(in, start, 5); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "after 500", subWantView(t, "refund 500", &part).Payments[0].Refunded, int64(500))
	subWantRejected(t, "500 of 499 left", &tooMuch, flow.ErrTypeInvalidRequest, "amount")
	subEq(t, "after the rest", subWantView(t, "refund 499", &rest).Payments[0].Refunded, int64(999))
	subEq(t, "same key again", subWantView(t, "refund 499 again", &restAgain).Payments[0].Refunded, int64(999))
	subWantRejected(t, "1 of 0 left", &oneMore, flow.ErrTypeInvalidRequest, "amount")
	subWantRejected(t, "cycle not billed", &unbilled, flow.ErrTypeInvalidRequest, "cycle")
	subWantRejected(t, "zero", &zero, flow.ErrTypeInvalidRequest, "amount")

	if got, want := subKeys(f.refunds, func(op payment.Operation) string { return op.Key }), []string{"subscription/s-1/refund/1", "subscription/s-1/refund/2"}; !slices.Equal(got, want) {
		t.Errorf("refund keys %v, want %v", got, want)
	}
	for _, r := range f.refunds {
		if r.In.PaymentID != "pay_subscription/s-1/bill/1/1" || r.In.Amount.Currency != "EUR" {
			t.Errorf("refund %+v: not of cycle 1's payment", r.In)
		}
	}
	subEqTimes(t, "refund notices", subCreatedAts(f.noticesOf("refunded")), []time.Time{at, at.Add(time.Hour)})
	subEq(t, "refunded total", subState(t, d.last).Totals.Refunded, int64(999))
}

// A card that expires between cycles: paid in January and February, the
// validity check at the March billing date fails; that is a hard fail.
func TestSubscriptionCardExpiresBetweenCycles(t *testing.T) {
	in := subInput(t)
	in.Card.ExpMonth, in.Card.ExpYear = 2, 2026
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, in.Card)
	d := newSubDriver(t, f)
	march := subDate(2026, time.March, 31, 10)
	var suspended View
	d.at(march.Add(time.Hour), func(env *subEnv) { suspended = subState(t, env) })
	if err := d.run(in, start, 6); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEqTimes(t, "sales", subTimes(f.sales), []time.Time{start, subDate(2026, time.February, 28, 10)})
	subEqTimes(t, "validity checks", subTimes(f.validations), []time.Time{start, subDate(2026, time.February, 28, 10), march})
	subEq(t, "March check date", f.validations[2].In.At, march)
	subEq(t, "status", suspended.Status, payment.SubscriptionSuspended)
	want := payment.Failure{Stage: payment.StageValidation, Code: subCodeCardExpired, Class: payment.Hard}
	if lp := suspended.LastPayment; lp == nil || lp.Failure == nil || lp.Failure.Stage != want.Stage || lp.Failure.Code != want.Code || lp.Failure.Class != want.Class {
		t.Errorf("last payment %+v, want failure %+v", lp, want)
	}
	subEqTimes(t, "hard-fail notices", subCreatedAts(f.noticesOf("payment_hard_failed")), []time.Time{march, march.AddDate(0, 0, 1), march.AddDate(0, 0, 4), march.AddDate(0, 0, 9)})
}

// Commands also arrive as signals: a cancel signal cancels; a signal the
// status does not allow is dropped.
func TestSubscriptionSignals(t *testing.T) {
	in := subInput(t)
	start := subDate(2026, time.January, 31, 10)
	f := newSubFake(subCustomer.ID, subCard)
	d := newSubDriver(t, f)
	d.at(start.Add(time.Hour), func(env *subEnv) { env.SignalWorkflow(UpdateCatchUp, CatchUpRequest{}) })
	d.at(start.AddDate(0, 0, 2), func(env *subEnv) { env.SignalWorkflow(UpdateCancel, CancelRequest{}) })
	if err := d.run(in, start, 3); err != nil {
		t.Fatalf("workflow: %v", err)
	}
	subEq(t, "sales", len(f.sales), 1) // the first bill; the catch-up signal while active was dropped
	subEqTimes(t, "cancelled notice", subCreatedAts(f.noticesOf("cancelled")), []time.Time{start.AddDate(0, 0, 2)})
	subEq(t, "status", subState(t, d.last).Status, payment.SubscriptionCancelled)
}
