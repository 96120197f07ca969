package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/cardflow/cardflow/payment"
)

// subStepKind is a thing on a subscription's agenda.
type subStepKind int

const (
	subStepTrialEnding    subStepKind = iota + 1 // subscription.trial_ending notice
	subStepPreBill                               // subscription.pre_bill notice
	subStepBill                                  // bill the next cycle
	subStepRetry                                 // retry the outstanding cycle (past_due)
	subStepHardFailNotice                        // hard-fail notice at a schedule date (suspended)
	subStepExpiring                              // subscription.expiring notice
	subStepExpire                                // the plan's cycles are done
	subStepClose                                 // the refund window of an ended subscription is over
)

// subStep is the next thing due and when.
type subStep struct {
	kind    subStepKind
	at      time.Time
	summary string // the timer's summary in the UI
}

// next says what is due next. It is a pure function of the state, so a new run
// after continue-as-new picks up exactly where the last one stopped. Of several
// notices due, the earliest goes first.
func (w *subscription) next() subStep {
	st := &w.st
	switch st.Status {
	case payment.SubscriptionPastDue:
		return subStep{subStepRetry, st.RetryAt, fmt.Sprintf("retry %d of %d", st.Retries+1, len(w.in.Retry.Schedule))}
	case payment.SubscriptionSuspended:
		return subStep{subStepHardFailNotice, st.RetryAt, fmt.Sprintf("hard-fail notice %d of %d", st.Retries+1, len(w.in.Retry.Schedule))}
	case payment.SubscriptionCancelled, payment.SubscriptionExpired:
		return subStep{subStepClose, st.EndedAt.Add(w.settings.RetainFor), "refund window ends"}
	}

	if w.planDone() {
		end := w.billingDate(w.in.Plan.Cycles + 1)
		if s, ok := w.notice(subStepExpiring, w.in.Notice.Expiration, end, !st.Notices.Expiring, "expiration notice"); ok {
			return s
		}
		return subStep{subStepExpire, end, "plan ends"}
	}
	cycle := st.Cycle + 1
	at := w.billingDate(cycle)
	// Notices first, so that one due with the bill goes out before it.
	var candidates []subStep
	if s, ok := w.notice(subStepTrialEnding, w.in.Notice.TrialEnd, at, st.Status == payment.SubscriptionTrialing && !st.Notices.TrialEnding, "trial-end notice"); ok {
		candidates = append(candidates, s)
	}
	if s, ok := w.notice(subStepPreBill, w.in.Notice.PreBill, at, st.Notices.PreBillFor < cycle, "pre-bill notice"); ok {
		candidates = append(candidates, s)
	}
	candidates = append(candidates, subStep{subStepBill, at, fmt.Sprintf("bill cycle %d", cycle)})
	due := candidates[0]
	for _, s := range candidates[1:] {
		if s.at.Before(due.at) {
			due = s
		}
	}
	return due
}

// notice is the step of a notice lead before event, if it is wanted and not
// sent yet. A notice due before the subscription started is never sent: the
// customer signed up knowing (a first bill at once, a trial shorter than its notice).
func (w *subscription) notice(kind subStepKind, lead payment.Duration, event time.Time, pending bool, summary string) (subStep, bool) {
	if lead.IsZero() || !pending {
		return subStep{}, false
	}
	at := calendarBefore(lead, event)
	if at.Before(w.st.StartedAt) {
		return subStep{}, false
	}
	return subStep{kind, at, summary}, true
}

// calendarBefore is t minus d in calendar terms: one month before Mar 31 is
// Feb 28, as a notice a month ahead of a bill clamped to a month end should be.
func calendarBefore(d payment.Duration, t time.Time) time.Time {
	neg := payment.Duration{Years: -d.Years, Months: -d.Months, Weeks: -d.Weeks, Days: -d.Days, Clock: -d.Clock}
	return neg.AddTo(t)
}

// do performs a step whose time has come.
func (w *subscription) do(ctx workflow.Context, s subStep) error {
	st := &w.st
	switch s.kind {
	case subStepTrialEnding:
		st.Notices.TrialEnding = true
		w.notify(ctx, "trial_ending", payment.RecipientCustomer, w.noticeData(st.Cycle+1, w.billingDate(st.Cycle+1)))
	case subStepPreBill:
		st.Notices.PreBillFor = st.Cycle + 1
		w.notify(ctx, "pre_bill", payment.RecipientCustomer, w.noticeData(st.Cycle+1, w.billingDate(st.Cycle+1)))
	case subStepExpiring:
		st.Notices.Expiring = true
		w.notify(ctx, "expiring", payment.RecipientCustomer, w.noticeData(st.Cycle, w.billingDate(w.in.Plan.Cycles+1)))
	case subStepExpire:
		w.expire(ctx, "plan_completed")
	case subStepBill:
		st.Cycle++
		st.Attempt, st.Retries, st.RetryAt = 0, 0, time.Time{}
		st.Outstanding = true
		return w.bill(ctx, subAttemptScheduled, s.at)
	case subStepRetry:
		st.Retries++
		return w.bill(ctx, subAttemptRetry, workflow.Now(ctx).UTC())
	case subStepHardFailNotice:
		st.Retries++
		w.event(ctx, SubscriptionEvent{Type: "hard_fail_notice", Cycle: st.Cycle, Attempt: st.Retries})
		w.notify(ctx, "payment_hard_failed", payment.RecipientCustomer, w.attemptData(st.LastPayment))
		if w.scheduleNext(ctx) {
			w.expire(ctx, "retry_schedule_used_up")
		}
	}
	return nil
}

// scheduleNext plans the schedule's next date after the delay just used,
// counted from now. It reports true when the schedule is used up.
func (w *subscription) scheduleNext(ctx workflow.Context) (usedUp bool) {
	sched := w.in.Retry.Schedule
	if w.st.Retries >= len(sched) {
		w.st.RetryAt = time.Time{}
		return true
	}
	w.st.RetryAt = sched[w.st.Retries].AddTo(workflow.Now(ctx).UTC())
	return false
}

// expire ends the subscription: the plan is done or the schedule used up.
func (w *subscription) expire(ctx workflow.Context, why string) {
	w.setStatus(ctx, payment.SubscriptionExpired)
	w.st.RetryAt = time.Time{}
	w.event(ctx, SubscriptionEvent{Type: "expired", Cycle: w.st.Cycle, Code: why})
	d := w.noticeData(w.st.Cycle, time.Time{})
	d.Reason = why
	w.notify(ctx, "expired", payment.RecipientCustomer, d)
}

// details is the run's current details in the UI: where it stands at a glance.
func (w *subscription) details(s subStep) string {
	return fmt.Sprintf("%s · cycle %d · next: %s at %s", w.st.Status, w.st.Cycle, s.summary, s.at.Format(time.RFC3339))
}
