package subscription

import (
	"fmt"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"go.temporal.io/sdk/workflow"
)

// Workflow is the workflow of one subscription: it bills on calendar-correct
// dates, retries on the merchant's schedule, sends every notice and takes the
// commands of payment's subscription lifecycle. It continues as new after every
// paid cycle, so its history stays short however long it lives.
func Workflow(ctx workflow.Context, in Input) error {
	if in.State == nil {
		// The API checked already; this catches input from anywhere else.
		if err := in.Check(); err != nil {
			return err
		}
	}
	w := newSubscription(ctx, in)
	if err := w.register(ctx); err != nil {
		return err
	}
	if in.State == nil {
		if err := w.begin(ctx); err != nil {
			return err
		}
	}
	return w.loop(ctx)
}

// loop is the main loop: apply what the shop asked, continue as new once a cycle
// is paid, else sleep until the next thing on the agenda and do it. Commands
// are applied here, one at a time, never concurrently with a bill.
func (w *subscription) loop(ctx workflow.Context) error {
	w.resend(ctx)
	for {
		if len(w.held) > 0 && w.st.Status.Terminal() {
			w.sendHeld(ctx)
		}
		if w.hasWork() {
			w.working = true
			err := w.applyCommands(ctx)
			w.working = false
			if err != nil {
				return err
			}
			continue
		}
		if !w.st.Status.Terminal() && (w.cycleDone || workflow.GetInfo(ctx).GetContinueAsNewSuggested()) {
			ready, err := w.readyToContinue(ctx)
			if err != nil {
				return err
			}
			if ready {
				return w.continueAsNew(ctx)
			}
			continue
		}
		s := w.next()
		woken, err := w.sleepUntil(ctx, s)
		if err != nil {
			return err
		}
		if woken {
			continue
		}
		if s.kind == stepClose {
			return w.close(ctx)
		}
		w.working = true
		err = w.do(ctx, s)
		w.working = false
		if err != nil {
			return err
		}
	}
}

// sleepUntil waits for the step's time or for a command, whichever comes first;
// woken reports a command.
func (w *subscription) sleepUntil(ctx workflow.Context, s step) (woken bool, err error) {
	d := s.at.Sub(workflow.Now(ctx))
	if d <= 0 {
		return false, nil
	}
	workflow.SetCurrentDetails(ctx, w.details(s))
	return workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      d,
		TimerOptions: workflow.TimerOptions{Summary: s.summary},
	}, w.hasWork)
}

// readyToContinue waits until no handler is running and the webhooks of this run
// are delivered, for at most NotifyGrace. It reports false when commands came in
// meanwhile: they are applied first, as the state they change is what is carried.
func (w *subscription) readyToContinue(ctx workflow.Context) (bool, error) {
	settled := func() bool {
		return w.hasWork() || (workflow.AllHandlersFinished(ctx) && w.inflight == 0)
	}
	if w.rev.Lean() && settled() {
		// Nothing to wait for: no grace timer (a history event on every cycle).
		return !w.hasWork(), nil
	}
	ok, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      w.settings.NotifyGrace,
		TimerOptions: workflow.TimerOptions{Summary: "finish before continue-as-new"},
	}, settled)
	if err != nil {
		return false, err
	}
	if w.hasWork() {
		return false, nil
	}
	// On timeout only webhooks can be pending (they go along in the outbox);
	// a handler still running must finish in this run.
	return ok || workflow.AllHandlersFinished(ctx), nil
}

// continueAsNew starts the next run with the state carried in the input.
func (w *subscription) continueAsNew(ctx workflow.Context) error {
	in := w.in
	st := w.st
	in.State = &st
	return workflow.NewContinueAsNewError(ctx, WorkflowType, in)
}

// close ends the workflow of an ended subscription once the refund window is
// over, after the last commands and webhooks are done.
func (w *subscription) close(ctx workflow.Context) error {
	for {
		if err := workflow.Await(ctx, func() bool {
			return w.hasWork() || (workflow.AllHandlersFinished(ctx) && w.inflight == 0)
		}); err != nil {
			return err
		}
		if !w.hasWork() {
			return nil
		}
		if err := w.applyCommands(ctx); err != nil {
			return err
		}
	}
}

// stepKind is a thing on a subscription's agenda.
type stepKind int

const (
	stepTrialEnding      stepKind = iota + 1 // subscription.trial_ending notice
	stepPreBill                              // subscription.pre_bill notice
	stepBill                                 // bill the next cycle
	stepRetry                                // retry the outstanding cycle (past_due)
	stepHardFailNotice                       // hard-fail notice at a schedule date (suspended)
	stepExpiring                             // subscription.expiring notice
	stepExpire                               // the plan's cycles are done
	stepClose                                // the refund window of an ended subscription is over
	stepIncompleteExpire                     // started for the payment page and never given a card
	stepChallengeTimeout                     // a 3-D Secure challenge's authentication timeout (RevThreeDS)
)

// step is the next thing due and when.
type step struct {
	kind    stepKind
	at      time.Time
	summary string // the timer's summary in the UI
}

// next says what is due next: the schedule's next step, or a waiting 3-D
// Secure challenge's timeout when it comes first.
func (w *subscription) next() step { return w.challengeStep(w.due()) }

// due says what the schedule has next. It is a pure function of the state, so a new run
// after continue-as-new picks up exactly where the last one stopped. Of several
// notices due, the earliest goes first.
func (w *subscription) due() step {
	st := &w.st
	switch st.Status {
	case payment.SubscriptionPastDue:
		return step{stepRetry, st.RetryAt, fmt.Sprintf("retry %d of %d", st.Retries+1, len(w.in.Retry.Schedule))}
	case payment.SubscriptionSuspended:
		return step{stepHardFailNotice, st.RetryAt, fmt.Sprintf("hard-fail notice %d of %d", st.Retries+1, len(w.in.Retry.Schedule))}
	case payment.SubscriptionCancelled, payment.SubscriptionExpired:
		return step{stepClose, st.EndedAt.Add(w.settings.RetainFor), "refund window ends"}
	case payment.SubscriptionIncomplete:
		return step{stepIncompleteExpire, w.incompleteUntil(), "expire if still without a card"}
	}

	if w.planDone() {
		end := w.billingDate(w.in.Plan.Cycles + 1)
		if s, ok := w.notice(stepExpiring, w.in.Notice.Expiration, end, !st.Notices.Expiring, "expiration notice"); ok {
			return s
		}
		return step{stepExpire, end, "plan ends"}
	}
	cycle := st.Cycle + 1
	at := w.billingDate(cycle)
	// Notices first, so that one due with the bill goes out before it.
	var candidates []step
	if s, ok := w.notice(stepTrialEnding, w.in.Notice.TrialEnd, at, st.Status == payment.SubscriptionTrialing && !st.Notices.TrialEnding, "trial-end notice"); ok {
		candidates = append(candidates, s)
	}
	if s, ok := w.notice(stepPreBill, w.in.Notice.PreBill, at, st.Notices.PreBillFor < cycle, "pre-bill notice"); ok {
		candidates = append(candidates, s)
	}
	candidates = append(candidates, step{stepBill, at, fmt.Sprintf("bill cycle %d", cycle)})
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
func (w *subscription) notice(kind stepKind, lead payment.Duration, event time.Time, pending bool, summary string) (step, bool) {
	if lead.IsZero() || !pending {
		return step{}, false
	}
	at := calendarBefore(lead, event)
	if at.Before(w.st.StartedAt) {
		return step{}, false
	}
	return step{kind, at, summary}, true
}

// calendarBefore is t minus d in calendar terms: one month before Mar 31 is
// Feb 28, as a notice a month ahead of a bill clamped to a month end should be.
func calendarBefore(d payment.Duration, t time.Time) time.Time {
	neg := payment.Duration{Years: -d.Years, Months: -d.Months, Weeks: -d.Weeks, Days: -d.Days, Clock: -d.Clock}
	return neg.AddTo(t)
}

// do performs a step whose time has come.
func (w *subscription) do(ctx workflow.Context, s step) error {
	st := &w.st
	switch s.kind {
	case stepTrialEnding:
		st.Notices.TrialEnding = true
		w.notify(ctx, NoticeTrialEnding, payment.RecipientCustomer, w.noticeData(st.Cycle+1, w.billingDate(st.Cycle+1)))
	case stepPreBill:
		st.Notices.PreBillFor = st.Cycle + 1
		w.notify(ctx, NoticePreBill, payment.RecipientCustomer, w.noticeData(st.Cycle+1, w.billingDate(st.Cycle+1)))
	case stepExpiring:
		st.Notices.Expiring = true
		w.notify(ctx, NoticeExpiring, payment.RecipientCustomer, w.noticeData(st.Cycle, w.billingDate(w.in.Plan.Cycles+1)))
	case stepExpire:
		w.expire(ctx, "plan_completed")
	case stepIncompleteExpire:
		w.dropPageChallenge()
		w.expire(ctx, "incomplete_expired")
	case stepBill:
		st.Cycle++
		st.Attempt, st.Retries, st.RetryAt = 0, 0, time.Time{}
		st.Outstanding = true
		return w.bill(ctx, attemptScheduled, s.at)
	case stepRetry:
		st.Retries++
		return w.bill(ctx, attemptRetry, workflow.Now(ctx).UTC())
	case stepChallengeTimeout:
		return w.challengeFailed(ctx, *st.Challenge, payment.AuthenticationTimeout)
	case stepHardFailNotice:
		st.Retries++
		w.event(ctx, Event{Type: EventHardFailNotice, Cycle: st.Cycle, Attempt: st.Retries})
		w.notify(ctx, NoticePaymentHardFailed, payment.RecipientCustomer, w.attemptData(st.LastPayment))
		if w.scheduleNext(ctx) {
			w.expire(ctx, "retry_schedule_used_up")
		}
	}
	return nil
}

// incompleteUntil is when a subscription started for the payment page
// expires without a card, and its page's link with it.
func (w *subscription) incompleteUntil() time.Time {
	return w.st.StartedAt.Add(w.settings.IncompleteAfter)
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
	w.fire(ctx, payment.SubscriptionEnded)
	w.st.RetryAt = time.Time{}
	w.event(ctx, Event{Type: EventExpired, Cycle: w.st.Cycle, Code: why})
	d := w.noticeData(w.st.Cycle, time.Time{})
	d.Reason = why
	w.notify(ctx, NoticeExpired, payment.RecipientCustomer, d)
}

// details is the run's current details in the UI: where it stands at a glance.
func (w *subscription) details(s step) string {
	return fmt.Sprintf("%s · cycle %d · next: %s at %s", w.st.Status, w.st.Cycle, s.summary, s.at.Format(time.RFC3339))
}

// Register registers the subscription workflow under its contract name.
func Register(r flow.Registry) {
	r.RegisterWorkflowWithOptions(Workflow, workflow.RegisterOptions{Name: WorkflowType})
}
