package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// SubscriptionSettings tunes the subscription workflow; the API passes it in the
// workflow input, and continue-as-new carries it, so a subscription keeps the
// settings it started with. Zero values take the defaults.
type SubscriptionSettings struct {
	// KeepPayments and KeepEvents bound the payments and events the view lists
	// (defaults 24 and 50). Older entries survive only in the running totals, so
	// the state continue-as-new carries stays the same size for decades.
	KeepPayments int `json:"keep_payments,omitempty"`
	KeepEvents   int `json:"keep_events,omitempty"`
	// RetainFor is how long an ended (cancelled or expired) subscription keeps
	// running to accept refunds before the workflow completes (default 30 days).
	// After that GET still answers; commands get 409.
	RetainFor time.Duration `json:"retain_for,omitempty"`
	// ProcessorTimeout bounds one try of a processor or validation call (default
	// 30s). Tries repeat with the same idempotency key until the processor answers
	// (or, since processor-outage-v1, ProcessorGiveUpAfter has passed).
	ProcessorTimeout time.Duration `json:"processor_timeout,omitempty"`
	// ProcessorGiveUpAfter bounds one processor call with all its tries
	// (ScheduleToClose, default 1h); ProcessorMaxAttempts bounds the tries too (0:
	// as many as fit). A call still unanswered then waits, with the subscription's
	// attention set, for an operator's retry-operation (attention.go).
	ProcessorGiveUpAfter time.Duration `json:"processor_give_up_after,omitempty"`
	ProcessorMaxAttempts int           `json:"processor_max_attempts,omitempty"`
	// NotifyGrace is how long continue-as-new waits for webhooks still being
	// delivered (default 1m). What is left is carried to the next run and sent
	// again under the same event id, so a dead receiver never stalls billing.
	NotifyGrace time.Duration `json:"notify_grace,omitempty"`
}

func (s SubscriptionSettings) withDefaults() SubscriptionSettings {
	if s.KeepPayments <= 0 {
		s.KeepPayments = 24
	}
	if s.KeepEvents <= 0 {
		s.KeepEvents = 50
	}
	if s.RetainFor <= 0 {
		s.RetainFor = 30 * 24 * time.Hour
	}
	if s.ProcessorTimeout <= 0 {
		s.ProcessorTimeout = 30 * time.Second
	}
	if s.NotifyGrace <= 0 {
		s.NotifyGrace = time.Minute
	}
	if s.ProcessorGiveUpAfter <= 0 {
		s.ProcessorGiveUpAfter = DefaultProcessorGiveUpAfter
	}
	s.ProcessorMaxAttempts = max(s.ProcessorMaxAttempts, 0)
	return s
}

// Subscription is the workflow of one subscription: it bills on calendar-correct
// dates, retries on the merchant's schedule, sends every notice and takes the
// commands of payment's subscription lifecycle. It continues as new after every
// paid cycle, so its history stays short however long it lives.
func Subscription(ctx workflow.Context, in SubscriptionInput) error {
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
	return w.run(ctx)
}

// run is the main loop: apply what the shop asked, continue as new once a cycle
// is paid, else sleep until the next thing on the agenda and do it. Commands
// are applied here, one at a time, never concurrently with a bill.
func (w *subscription) run(ctx workflow.Context) error {
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
		if s.kind == subStepClose {
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
func (w *subscription) sleepUntil(ctx workflow.Context, s subStep) (woken bool, err error) {
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
	if w.rev >= revLean && settled() {
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
	return workflow.NewContinueAsNewError(ctx, Subscription, in)
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
