package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// subsResult is the subscriptions phase: n subscriptions idle on their trial
// timers, then all due at one instant.
type subsResult struct {
	n, started  int
	calibration int           // extra subscriptions on a one-day trial, idle throughout
	startTime   time.Duration // starting all n
	startPerSec float64
	due         time.Time     // the common end of trial
	dueSpread   time.Duration // latest next_billing_at minus due: starts that came too late
	idleRSS     float64       // worker VmRSS with all n idle on timers, MiB
	idleServer  float64       // dev server VmRSS then
	billed      int
	billTime    time.Duration // due to the last bill
	billPerSec  float64
	billDelays  []time.Duration // per bill, since due
	series      []point         // bills so far, since due
	cpu         usage           // over the billing
	peak        peaks
	hist        historyStats // the runs that billed
}

// runSubs starts n subscriptions with the Temporal client, as the API's create
// call does (update-with-start, the open update) but with one card token for all
// of them: tokenizing 10,000 cards would time the sandbox's vault, not cardflow.
// Each trial is computed to end at the same instant (due), so every
// subscription bills on one tick.
func (b *bench) runSubs(ctx context.Context, t target, n int, lead time.Duration) (subsResult, error) {
	res := subsResult{n: n}
	s, err := b.startSystem(t, fmt.Sprintf("subs-n%d", n), "cardflow", false)
	if err != nil {
		return res, err
	}
	defer s.stop()
	keys, err := codec.ParseKeys(benchCodecKey)
	if err != nil {
		return res, err
	}
	cfg := config.Default()
	cfg.TemporalAddress = s.dev.addr
	cc, err := app.Dial(cfg, zap.NewNop(), keys)
	if err != nil {
		return res, err
	}
	defer cc.Close()
	card, err := vault.New(b.svc.sbSrv.URL, cfg.SandboxSecretKey, 10*time.Second).Tokenize(ctx, "c-bench",
		payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Bench"})
	if err != nil {
		return res, err
	}

	// Calibrate: a few extra subscriptions with a one-day trial (they stay idle
	// throughout) give this machine's start rate, from which the common tick is
	// set late enough for all n to be started before it.
	cal := min(200, max(20, n/50))
	t0 := time.Now()
	starter := subStarter{cc: cc, queue: s.queue, card: card, conc: b.opts.subsConc}
	calStarted, _ := starter.start(ctx, cal, func(i int) string { return subID(s.name+"-cal", i) },
		func() time.Duration { return 24 * time.Hour }, nil, nil)
	calRate := float64(calStarted) / max(time.Since(t0).Seconds(), 0.001)
	res.calibration = calStarted
	if lead <= 0 {
		// 0.7: the rate falls as the worker's cache fills.
		lead = time.Duration(float64(n)/(0.7*max(calRate, 1))*float64(time.Second)) + 15*time.Second
	}
	t0 = time.Now()
	res.due = t0.Add(lead).Truncate(time.Second)
	b.svc.payments.reset()
	var mu sync.Mutex
	var latest time.Time
	runIDs := map[string]string{}
	sampled := map[string]bool{}
	for _, id := range sampleIDs(n, 10, func(i int) string { return subscription.WorkflowID(subID(s.name, i)) }) {
		sampled[id] = true
	}
	started, firstErr := starter.start(ctx, n, func(i int) string { return subID(s.name, i) }, func() time.Duration { return time.Until(res.due) },
		func(id string, nb time.Time, runID string) {
			mu.Lock()
			defer mu.Unlock()
			if nb.After(latest) {
				latest = nb
			}
			if wid := subscription.WorkflowID(id); sampled[wid] {
				runIDs[wid] = runID
			}
		},
		func(started int) {
			rss, _ := s.workers[0].Mem()
			b.prog.show("subscriptions: %d/%d started · worker RSS %.0f MiB · due in %.0fs", started, n, rss, time.Until(res.due).Seconds())
		})
	res.started = started
	res.startTime = time.Since(t0)
	res.startPerSec = float64(res.started) / res.startTime.Seconds()
	if latest.After(res.due) {
		res.dueSpread = latest.Sub(res.due)
	}
	if firstErr != "" {
		b.prog.log("subscriptions: %d of %d failed to start; first: %s", n-res.started, n, firstErr)
	}
	b.prog.log("subscriptions: %d started in %.1fs (%.0f/s; calibration %.0f/s); all due at %s", res.started, res.startTime.Seconds(), res.startPerSec, calRate, res.due.Format("15:04:05"))

	// Idle: every subscription sleeps on its trial timer. The worker's RSS just
	// before the tick is the memory of n idle subscriptions in its cache.
	for time.Until(res.due) > time.Second && ctx.Err() == nil {
		res.idleRSS, _ = s.workers[0].Mem()
		res.idleServer, _ = s.dev.mem()
		b.prog.show("subscriptions: %d idle on timers · worker RSS %.0f MiB · due in %.0fs", res.started, res.idleRSS, time.Until(res.due).Seconds())
		time.Sleep(min(time.Second, time.Until(res.due)-time.Second))
	}
	time.Sleep(time.Until(res.due))

	// The tick: count approved sales until all are billed (bounded).
	before := s.cpu()
	limit := b.opts.subsTimeout
	for time.Since(res.due) < limit && ctx.Err() == nil {
		c := b.svc.payments.count()
		res.series = append(res.series, point{At: time.Since(res.due).Seconds(), Count: c})
		rss, _ := s.workers[0].Mem()
		b.prog.show("subscriptions: %d/%d billed · %.0f/s · worker RSS %.0f MiB", c, res.started, float64(c)/max(time.Since(res.due).Seconds(), 0.001), rss)
		if c >= res.started {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	res.cpu = s.cpu().sub(before)
	res.peak = s.peaks()
	times := b.svc.payments.times()
	res.billed = len(times)
	for _, t := range times {
		res.billDelays = append(res.billDelays, t.Sub(res.due))
	}
	sortDurations(res.billDelays)
	if res.billed > 0 {
		res.billTime = res.billDelays[len(res.billDelays)-1]
		res.billPerSec = float64(res.billed) / res.billTime.Seconds()
	}
	var ids []string
	for id := range runIDs {
		ids = append(ids, id+"\x00"+runIDs[id])
	}
	res.hist = sampleHistories(ctx, s.tc, ids)
	b.prog.log("subscriptions: %d billed in %.1fs after the tick (%.0f/s); idle worker RSS %.0f MiB, peak %.0f MiB",
		res.billed, res.billTime.Seconds(), res.billPerSec, res.idleRSS, res.peak.worker)
	if res.billed < res.started {
		// Not fatal: the rate so far is still a figure; RESULTS.md says it is partial.
		b.prog.log("subscriptions: only %d of %d billed within %s (-subs-timeout): figures are partial", res.billed, res.started, limit)
	}
	return res, nil
}
