package main

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// subID names subscription i of the phase; the phase's name keeps the sandbox's
// idempotency keys (subscription/<id>/bill/...) apart between phases.
func subID(phase string, i int) string { return fmt.Sprintf("%s-%d", phase, i) }

// subStarter starts subscriptions from conc goroutines.
type subStarter struct {
	cc    client.Client
	queue string
	card  payment.Card
	conc  int
}

// start starts n subscriptions, ids from id(1..n), each with the trial trial()
// answers at its start; done hears of each one started, tick of the count every
// second. It answers how many started and the first error.
func (st subStarter) start(ctx context.Context, n int, id func(int) string, trial func() time.Duration,
	done func(id string, nextBill time.Time, runID string), tick func(started int)) (int, string) {
	var next, started atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for range st.conc {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1))
				if i > n {
					return
				}
				nb, runID, err := startSub(ctx, st.cc, st.queue, id(i), st.card, trial())
				if err != nil {
					firstErr.CompareAndSwap(nil, fmt.Sprintf("start %s: %v", id(i), err))
					continue
				}
				started.Add(1)
				if done != nil {
					done(id(i), nb, runID)
				}
			}
		})
	}
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	for {
		select {
		case <-finished:
			e, _ := firstErr.Load().(string)
			return int(started.Load()), e
		case <-time.After(time.Second):
			if tick != nil {
				tick(int(started.Load()))
			}
		}
	}
}

// startSub starts one subscription whose trial ends after trial (at least a
// second: a late start still has a trial, so it bills on its timer too).
func startSub(ctx context.Context, c client.Client, queue, id string, card payment.Card, trial time.Duration) (time.Time, string, error) {
	in := subscription.Input{
		SubscriptionID: id,
		Customer:       payment.Customer{ID: "c-bench", Email: "bench@example.com", Country: "DE"},
		Card:           card,
		Plan: subscription.Plan{Name: "bench-monthly", Amount: 999, Currency: "EUR",
			Interval: payment.Duration{Months: 1}, Trial: payment.Duration{Clock: max(trial, time.Second)}},
		Retry:  subscription.RetrySchedule{Schedule: []payment.Duration{{Days: 1}}},
		Digest: "bench",
	}
	wid := subscription.WorkflowID(id)
	// The API's start options (api/shop): id policies, summary, search attributes.
	start := c.NewWithStartWorkflowOperation(subscription.StartOptions(in, queue), subscription.WorkflowType, in)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: subscription.UpdateOpen,
			Args: []any{subscription.OpenRequest{Digest: in.Digest}}, WaitForStage: client.WorkflowUpdateStageCompleted},
	})
	if err != nil {
		return time.Time{}, "", err
	}
	var opened subscription.Opened
	if err := h.Get(ctx, &opened); err != nil {
		return time.Time{}, "", err
	}
	var nb time.Time
	if p := opened.Subscription.NextBillingAt; p != nil {
		nb = *p
	}
	run, err := start.Get(ctx)
	if err != nil {
		return nb, "", err
	}
	return nb, run.GetRunID(), nil
}
