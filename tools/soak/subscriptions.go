package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"
)

// subWant is where a subscription must end and what it must have moved.
type subWant struct {
	status     string
	cyclesPaid int
	refunded   int64
}

func (w subWant) matches(v subscriptionView) bool {
	return v.Status == w.status && !waiting(v.Attention) && v.Totals.CyclesPaid == w.cyclesPaid && v.Totals.Paid == int64(w.cyclesPaid)*subAmount &&
		v.Totals.Refunded == w.refunded
}

func (w subWant) String() string {
	return fmt.Sprintf("%s cycles_paid=%d paid=%d refunded=%d", w.status, w.cyclesPaid, int64(w.cyclesPaid)*subAmount, w.refunded)
}

func (v subscriptionView) String() string {
	s := fmt.Sprintf("%s cycles_paid=%d paid=%d refunded=%d", v.Status, v.Totals.CyclesPaid, v.Totals.Paid, v.Totals.Refunded)
	if waiting(v.Attention) {
		s += " attention=" + string(v.Attention)
	}
	return s
}

// Second-long plans: three cycles two seconds apart, notices a second ahead,
// retries a second apart.
const (
	subAmount = 999
	subCycles = 3
)

// subRun drives one subscription through the API.
type subRun struct {
	shop  *shop
	id    string
	steps int
}

type subPlan struct {
	name   string
	weight int
	drive  func(ctx context.Context, r *subRun) error
	want   subWant
}

// subPlans covers the subscription contract: billing through to the plan's
// end, soft fails retried or used up, hard fails with a new card, the account
// updater (renewing and closed), catch-up, opt-outs and refunds.
var subPlans = []subPlan{
	{"paid-to-the-end", 3, func(ctx context.Context, r *subRun) error {
		_, err := r.create(ctx, cardVisa, subOpts{trial: "PT1S"}, "trialing")
		return err
	}, subWant{status: "expired", cyclesPaid: subCycles}},

	{"soft-fail-retried", 2, func(ctx context.Context, r *subRun) error {
		v, err := r.create(ctx, cardVisa, subOpts{trial: "PT3S"}, "trialing")
		if err != nil {
			return err
		}
		return r.shop.sandboxSet(ctx, http.MethodPost, "/v1/sandbox/tokens/"+v.Card.Token+"/outcomes",
			map[string]any{"outcomes": []string{"insufficient_funds", "approve"}})
	}, subWant{status: "expired", cyclesPaid: subCycles}},

	{"soft-fails-used-up", 1, func(ctx context.Context, r *subRun) error {
		_, err := r.create(ctx, cardInsufficient, subOpts{}, "past_due")
		return err
	}, subWant{status: "expired"}},

	{"hard-fail-new-card", 2, func(ctx context.Context, r *subRun) error {
		if _, err := r.create(ctx, cardLost, subOpts{retry: []string{"PT30S", "PT30S"}}, "suspended"); err != nil {
			return err
		}
		_, err := r.command(ctx, http.MethodPut, "payment-method", map[string]any{"card": card(cardMastercard)}, "active", "expired")
		return err
	}, subWant{status: "expired", cyclesPaid: subCycles}},

	{"updater-renews", 1, func(ctx context.Context, r *subRun) error {
		_, err := r.create(ctx, cardExpired, subOpts{updater: true}, "past_due")
		return err
	}, subWant{status: "expired", cyclesPaid: subCycles}},

	{"updater-closed", 1, func(ctx context.Context, r *subRun) error {
		v, err := r.create(ctx, cardLost, subOpts{trial: "PT3S", updater: true}, "trialing")
		if err != nil {
			return err
		}
		return r.shop.sandboxSet(ctx, http.MethodPut, "/v1/sandbox/tokens/"+v.Card.Token+"/updater", map[string]any{"closed": true})
	}, subWant{status: "expired"}},

	{"catch-up", 2, func(ctx context.Context, r *subRun) error {
		v, err := r.create(ctx, cardVisa, subOpts{trial: "PT3S", retry: []string{"PT1M"}}, "trialing")
		if err != nil {
			return err
		}
		if err := r.shop.sandboxSet(ctx, http.MethodPost, "/v1/sandbox/tokens/"+v.Card.Token+"/outcomes",
			map[string]any{"outcomes": []string{"do_not_honor"}}); err != nil {
			return err
		}
		if _, err := r.waitFor(ctx, time.Minute, "past_due"); err != nil {
			return err
		}
		_, err = r.command(ctx, http.MethodPost, "catch-up", nil, "active", "expired")
		return err
	}, subWant{status: "expired", cyclesPaid: subCycles}},

	{"opt-out-in-trial", 1, func(ctx context.Context, r *subRun) error {
		if _, err := r.create(ctx, cardVisa, subOpts{trial: "PT30S"}, "trialing"); err != nil {
			return err
		}
		_, err := r.command(ctx, http.MethodPost, "cancel", nil, "cancelled")
		return err
	}, subWant{status: "cancelled"}},

	{"refund-then-opt-out", 2, func(ctx context.Context, r *subRun) error {
		if _, err := r.create(ctx, cardVisa, subOpts{interval: "PT1H"}, "active"); err != nil {
			return err
		}
		if _, err := r.command(ctx, http.MethodPost, "refunds", map[string]any{"cycle": 1, "amount": 300}, "active"); err != nil {
			return err
		}
		_, err := r.command(ctx, http.MethodPost, "cancel", nil, "cancelled")
		return err
	}, subWant{status: "cancelled", cyclesPaid: 1, refunded: 300}},
}

func pickSubPlan(i int) subPlan {
	if i < len(subPlans) {
		return subPlans[i]
	}
	var deck []int
	for p, plan := range subPlans {
		for range plan.weight {
			deck = append(deck, p)
		}
	}
	return subPlans[deck[(i-len(subPlans))%len(deck)]]
}

type subOpts struct {
	trial    string
	interval string // default PT2S
	retry    []string
	updater  bool
}

// create starts the subscription and checks its first status.
func (r *subRun) create(ctx context.Context, number string, o subOpts, want string) (subscriptionView, error) {
	var v subscriptionView
	if o.interval == "" {
		o.interval = "PT2S"
	}
	if o.retry == nil {
		o.retry = []string{"PT1S", "PT1S"}
	}
	plan := map[string]any{"name": "soak", "amount": subAmount, "currency": "EUR", "interval": o.interval, "cycles": subCycles}
	if o.trial != "" {
		plan["trial"] = o.trial
	}
	body := map[string]any{
		"subscription_id": r.id,
		"customer":        map[string]any{"id": "c-" + r.id, "email": "soak@example.com", "country": "DE"},
		"card":            card(number),
		"plan":            plan,
		"notice":          map[string]any{"pre_bill": "PT1S", "trial_end": "PT1S", "expiration": "PT1S"},
		"retry":           map[string]any{"schedule": o.retry},
		"account_updater": o.updater,
	}
	a, err := r.shop.do(ctx, http.MethodPost, "/v1/subscriptions", body, "")
	if err != nil {
		return v, fmt.Errorf("create subscription %s: %w", r.id, err)
	}
	if a.status != http.StatusCreated && a.status != http.StatusOK {
		return v, fmt.Errorf("create subscription %s: %s", r.id, a)
	}
	if err := decodeInto(a, &v); err != nil {
		return v, fmt.Errorf("create subscription %s: %w", r.id, err)
	}
	// A create retried after its first try went through answers the
	// subscription as it is now, which may have moved on.
	if v.Status != want && a.attempts == 1 {
		return v, fmt.Errorf("create subscription %s: status %s, want %s", r.id, v.Status, want)
	}
	return v, nil
}

// command sends a subscription command under its own Idempotency-Key; see
// orderRun.command for a retried command that is refused.
func (r *subRun) command(ctx context.Context, method, cmd string, body any, want ...string) (subscriptionView, error) {
	r.steps++
	key := fmt.Sprintf("%s/%d/%s", r.id, r.steps, cmd)
	var v subscriptionView
	a, err := r.shop.do(ctx, method, "/v1/subscriptions/"+r.id+"/"+cmd, body, key)
	if err != nil {
		return v, fmt.Errorf("subscription %s %s: %w", r.id, cmd, err)
	}
	switch {
	case a.status == http.StatusOK:
		if err := decodeInto(a, &v); err != nil {
			return v, fmt.Errorf("subscription %s %s: %w", r.id, cmd, err)
		}
	case a.attempts > 1 && (a.status == http.StatusConflict || a.status == http.StatusUnprocessableEntity):
		if v, err = r.get(ctx); err != nil {
			return v, fmt.Errorf("subscription %s %s: answered %s after a retry, then: %w", r.id, cmd, a, err)
		}
	default:
		return v, fmt.Errorf("subscription %s %s: %s", r.id, cmd, a)
	}
	if !slices.Contains(want, v.Status) {
		return v, fmt.Errorf("subscription %s %s: status %s, want %v", r.id, cmd, v.Status, want)
	}
	return v, nil
}

// waitFor polls until the subscription is in one of the statuses.
func (r *subRun) waitFor(ctx context.Context, limit time.Duration, statuses ...string) (subscriptionView, error) {
	deadline := time.Now().Add(limit)
	for {
		v, err := r.get(ctx)
		if err == nil && slices.Contains(statuses, v.Status) {
			return v, nil
		}
		if time.Now().After(deadline) {
			return v, fmt.Errorf("subscription %s: not %v within %s (status %s, %v)", r.id, statuses, limit, v.Status, err)
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(300 * time.Millisecond):
		}
	}
}

func (r *subRun) get(ctx context.Context) (subscriptionView, error) {
	var v subscriptionView
	a, err := r.shop.do(ctx, http.MethodGet, "/v1/subscriptions/"+r.id, nil, "")
	if err != nil {
		return v, err
	}
	if a.status != http.StatusOK {
		return v, fmt.Errorf("GET subscription %s: %s", r.id, a)
	}
	return v, decodeInto(a, &v)
}
