package main

import (
	"context"
	"fmt"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// demoCycles bounds every demo subscription, so second-long plans end (expired)
// instead of billing a developer's dev server for ever.
const demoCycles = 3

// subscriptionRequest is a 9.99 EUR plan on the demo's timing, without a trial
// and with one retry; mod adjusts it. The flow adds the card.
func (d *demo) subscriptionRequest(id string, mod func(*shop.SubscriptionRequest)) shop.SubscriptionRequest {
	req := shop.SubscriptionRequest{
		SubscriptionID: id,
		Customer:       payment.Customer{ID: demoCustomerID, Email: demoCustomerEmail, Country: "DE"},
		Plan:           shop.PlanRequest{Name: "demo", Amount: 999, Currency: "EUR", Interval: d.interval, Cycles: demoCycles},
		Retry:          shop.RetryRequest{Schedule: []string{d.retry}},
	}
	if !d.quick {
		req.Notice = shop.NoticesRequest{PreBill: "PT3S", TrialEnd: "PT3S", Expiration: "PT5S"}
	}
	if mod != nil {
		mod(&req)
	}
	return req
}

// subSteps runs a subscription's steps, stopping at the first error.
type subSteps struct {
	ctx context.Context
	d   *demo
	id  string
	v   subscription.View
	err error
}

// open starts the subscription paid with number; script, when set, prepares
// the sandbox for the card's token before the first bill.
func (o *subSteps) open(number string, script func(tok string) error, req shop.SubscriptionRequest, want ...payment.SubscriptionStatus) *subSteps {
	if o.err != nil {
		return o
	}
	req.Card = demoCard(number)
	o.v, o.err = o.d.s.startSubscription(o.ctx, req, script)
	o.check("start", want...)
	return o
}

func (o *subSteps) do(name string, arg any, want ...payment.SubscriptionStatus) *subSteps {
	if o.err == nil {
		o.v, o.err = shop.SubscriptionCommand(o.ctx, o.d.s.temporal, o.id, name, "", arg)
		o.check(name, want...)
	}
	return o
}

func (o *subSteps) changeCard(number string, want ...payment.SubscriptionStatus) *subSteps {
	if o.err == nil {
		o.v, o.err = shop.ChangeSubscriptionCard(o.ctx, o.d.s.temporal, o.d.s.vault, o.d.s.now(), o.id, "", demoCard(number), flow.Sender{})
		o.check("payment-method", want...)
	}
	return o
}

// until waits for the workflow to get there by itself (a trial ends, a retry runs).
func (o *subSteps) until(ok func(subscription.View) bool) *subSteps {
	if o.err == nil {
		o.v, o.err = o.d.waitFor(o.ctx, o.id, ok)
	}
	return o
}

func (o *subSteps) check(step string, want ...payment.SubscriptionStatus) {
	if o.err == nil && len(want) > 0 {
		o.err = expect(step, o.v.Status, want...)
	}
}

func (o *subSteps) done() (string, string, error) {
	t := o.v.Totals
	detail := fmt.Sprintf("cycle %d, %d paid, %d failed attempts", o.v.Cycle, t.CyclesPaid, t.Failed)
	if t.Refunded > 0 {
		detail += ", refunded " + payment.Money{Amount: t.Refunded, Currency: o.v.Plan.Currency}.String()
	}
	return string(o.v.Status), detail, o.err
}

func paid(v subscription.View) bool { return v.Totals.CyclesPaid >= 1 }

// scripted makes the token's next charges take these outcomes (then the card's own).
func (d *demo) scripted(ctx context.Context, outcomes ...string) func(string) error {
	return func(tok string) error { return d.s.vault.ScriptOutcomes(ctx, tok, outcomes...) }
}

// subscriptionFlows are the subscription flows of API.md on second-long plans.
func subscriptionFlows() []scenario {
	steps := func(ctx context.Context, d *demo, id string) *subSteps { return &subSteps{ctx: ctx, d: d, id: id} }
	live := []payment.SubscriptionStatus{payment.SubscriptionActive, payment.SubscriptionExpired}
	return []scenario{
		{"subscription", "trial", "free trial, then the first bill", func(ctx context.Context, d *demo, id string) (string, string, error) {
			in := d.subscriptionRequest(id, func(r *shop.SubscriptionRequest) { r.Plan.Trial = d.trial })
			s := steps(ctx, d, id).open(cardVisa, nil, in, payment.SubscriptionTrialing).until(paid)
			s.check("first bill", live...)
			return s.done()
		}},
		{"subscription", "soft-fail", "soft decline (insufficient funds), paid on the retry", func(ctx context.Context, d *demo, id string) (string, string, error) {
			s := steps(ctx, d, id).open(cardVisa, d.scripted(ctx, "insufficient_funds"), d.subscriptionRequest(id, nil), payment.SubscriptionPastDue).until(paid)
			s.check("retry", live...)
			return s.done()
		}},
		{"subscription", "updater", "hard decline (expired card), account updater, paid on the retry", func(ctx context.Context, d *demo, id string) (string, string, error) {
			in := d.subscriptionRequest(id, func(r *shop.SubscriptionRequest) { r.AccountUpdater = true })
			newExpiry := func(tok string) error {
				return d.s.vault.SetUpdater(ctx, tok, vault.UpdaterAnswer{ExpMonth: 12, ExpYear: 2032})
			}
			s := steps(ctx, d, id).open(cardExpired, newExpiry, in, payment.SubscriptionPastDue).until(paid)
			s.check("retry", live...)
			return s.done()
		}},
		{"subscription", "expired", "soft declines until the retry schedule is used up", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).open(cardVisa, d.scripted(ctx, "insufficient_funds", "insufficient_funds"), d.subscriptionRequest(id, nil), payment.SubscriptionPastDue).
				until(func(v subscription.View) bool { return v.Status == payment.SubscriptionExpired }).done()
		}},
		{"subscription", "opt-out", "the customer opts out during the trial", func(ctx context.Context, d *demo, id string) (string, string, error) {
			in := d.subscriptionRequest(id, func(r *shop.SubscriptionRequest) { r.Plan.Trial = "P14D" })
			return steps(ctx, d, id).open(cardVisa, nil, in, payment.SubscriptionTrialing).
				do(subscription.UpdateCancel, subscription.CancelRequest{}, payment.SubscriptionCancelled).done()
		}},
		{"subscription", "card-update", "hard decline (lost card) suspends; a new card catches up at once", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).open(cardLost, nil, d.subscriptionRequest(id, nil), payment.SubscriptionSuspended).
				changeCard(cardMastercard, payment.SubscriptionActive).done()
		}},
		{"subscription", "catch-up", "soft decline, the customer pays the outstanding bill now", func(ctx context.Context, d *demo, id string) (string, string, error) {
			in := d.subscriptionRequest(id, func(r *shop.SubscriptionRequest) { r.Retry.Schedule = []string{"P1D"} })
			return steps(ctx, d, id).open(cardVisa, d.scripted(ctx, "insufficient_funds"), in, payment.SubscriptionPastDue).
				do(subscription.UpdateCatchUp, subscription.CatchUpRequest{}, payment.SubscriptionActive).done()
		}},
		{"subscription", "refund", "first cycle paid, then partly refunded", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).open(cardVisa, nil, d.subscriptionRequest(id, nil), payment.SubscriptionActive).
				do(subscription.UpdateRefund, subscription.RefundRequest{Cycle: 1, Amount: 500}, live...).done()
		}},
	}
}
