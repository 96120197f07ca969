package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// orderWant is where an order must end and what it must have moved.
type orderWant struct {
	status                                 string
	authorized, captured, refunded, voided int64
}

func (w orderWant) matches(v orderView) bool {
	a := v.Amounts
	return v.Status == w.status && !waiting(v.Attention) && a.Authorized == w.authorized && a.Captured == w.captured &&
		a.Refunded == w.refunded && a.Voided == w.voided
}

func (w orderWant) String() string {
	return fmt.Sprintf("%s authorized=%d captured=%d refunded=%d voided=%d", w.status, w.authorized, w.captured, w.refunded, w.voided)
}

func (v orderView) String() string {
	a := v.Amounts
	s := fmt.Sprintf("%s authorized=%d captured=%d refunded=%d voided=%d", v.Status, a.Authorized, a.Captured, a.Refunded, a.Voided)
	if waiting(v.Attention) {
		s += " attention=" + string(v.Attention)
	}
	return s
}

// orderRun drives one order through the API. Items: two units of A at ua, one
// of B at ub.
type orderRun struct {
	shop   *shop
	id     string
	ua, ub int64
	steps  int // numbers the Idempotency-Keys of commands
}

func (r *orderRun) total() int64 { return 2*r.ua + r.ub }

// orderPlan is one lifecycle the soak drives orders through.
type orderPlan struct {
	name   string
	weight int
	drive  func(ctx context.Context, r *orderRun) error
	want   func(r *orderRun) orderWant
}

// orderPlans covers the order contract: capture and ship, returns, item
// cancels, voids, late cancels, holds, declines (soft, hard, fraud) and retries.
var orderPlans = []orderPlan{
	{"ship", 3, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.capture, r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total()}
	}},

	{"auto-capture-ship", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardMastercard, "automatic", "immediate", "captured"), r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total()}
	}},

	{"partial-return", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.capture, r.ship, r.returns(1, 0, "shipped"))
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total(), refunded: r.ua}
	}},

	{"full-return", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.capture, r.ship, r.returns(1, 0, "shipped"), r.returns(1, 1, "refunded"))
	}, func(r *orderRun) orderWant {
		return orderWant{status: "refunded", authorized: r.total(), captured: r.total(), refunded: r.total()}
	}},

	{"item-cancel-ship", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.cancelItems(0, 1, "authorized"), r.capture, r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total() - r.ub, voided: r.ub}
	}},

	{"cancel-all-items", 1, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.cancelItems(1, 0, "authorized"), r.cancelItems(1, 1, "cancelled"))
	}, func(r *orderRun) orderWant {
		return orderWant{status: "cancelled", authorized: r.total(), voided: r.total()}
	}},

	{"void", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.cancel)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "cancelled", authorized: r.total(), voided: r.total()}
	}},

	{"late-cancel", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeOK(cardVisa, "manual", "immediate"), r.capture, r.cancel)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "cancelled", authorized: r.total(), captured: r.total(), refunded: r.total()}
	}},

	{"soft-decline-retry", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardDoNotHonor, "manual", "immediate", "payment_failed"),
			r.retry(cardVisa, "authorized"), r.capture, r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total()}
	}},

	{"two-declines-retry", 1, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardInsufficient, "manual", "immediate", "payment_failed"),
			r.retry(cardProcessing, "payment_failed"), r.retry(cardAmex, "authorized"), r.capture, r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total()}
	}},

	{"hard-decline-abandon", 1, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardLost, "manual", "immediate", "payment_failed"), r.command("abandon", nil, "cancelled"))
	}, func(r *orderRun) orderWant { return orderWant{status: "cancelled"} }},

	{"hold-submit-ship", 2, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardVisa, "manual", "hold", "pending_submission"),
			r.command("submit", nil, "authorized"), r.capture, r.ship)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "shipped", authorized: r.total(), captured: r.total()}
	}},

	{"fraud-retry-void", 1, func(ctx context.Context, r *orderRun) error {
		return r.chain(ctx, r.placeWant(cardFraud, "manual", "immediate", "payment_failed"),
			r.retry(cardMastercard, "authorized"), r.cancel)
	}, func(r *orderRun) orderWant {
		return orderWant{status: "cancelled", authorized: r.total(), voided: r.total()}
	}},
}

// pickOrderPlan deals plans by weight, round-robin, so that every plan is
// driven in every soak, however small.
func pickOrderPlan(i int) orderPlan {
	var deck []int
	for p, plan := range orderPlans {
		for range plan.weight {
			deck = append(deck, p)
		}
	}
	// The first pass takes each plan once, then the weights decide.
	if i < len(orderPlans) {
		return orderPlans[i]
	}
	return orderPlans[deck[(i-len(orderPlans))%len(deck)]]
}

// step is one API call of a lifecycle.
type step func(ctx context.Context) error

func (r *orderRun) chain(ctx context.Context, steps ...step) error {
	for _, s := range steps {
		if err := s(ctx); err != nil {
			return err
		}
	}
	return nil
}

func (r *orderRun) placeOK(number, capture, submit string) step {
	return r.placeWant(number, capture, submit, "authorized")
}

// placeWant places the order and checks the first attempt's status. A good
// card that failed anyway (the checks gave up under faults) is paid again with
// another good card: what a customer would do.
func (r *orderRun) placeWant(number, capture, submit, want string) step {
	return func(ctx context.Context) error {
		body := map[string]any{
			"order_id": r.id, "currency": "EUR",
			"customer": map[string]any{"id": "c-" + r.id, "email": "soak@example.com", "country": "DE"},
			"items": []map[string]any{
				{"sku": "A", "quantity": 2, "unit_amount": r.ua},
				{"sku": "B", "quantity": 1, "unit_amount": r.ub},
			},
			"card": card(number), "capture": capture, "submit": submit,
		}
		a, err := r.shop.do(ctx, http.MethodPost, "/v1/orders", body, "")
		if err != nil {
			return fmt.Errorf("place order %s: %w", r.id, err)
		}
		if a.status != http.StatusCreated && a.status != http.StatusOK {
			return fmt.Errorf("place order %s: %s", r.id, a)
		}
		var v orderView
		if err := decodeInto(a, &v); err != nil {
			return fmt.Errorf("place order %s: %w", r.id, err)
		}
		if v.Status == "payment_failed" && want != "payment_failed" {
			return r.retry(cardVisa, want)(ctx)
		}
		if v.Status != want {
			return fmt.Errorf("place order %s: status %s, want %s", r.id, v.Status, want)
		}
		return nil
	}
}

func (r *orderRun) capture(ctx context.Context) error {
	return r.command("capture", nil, "captured")(ctx)
}
func (r *orderRun) ship(ctx context.Context) error { return r.command("ship", nil, "shipped")(ctx) }
func (r *orderRun) cancel(ctx context.Context) error {
	return r.command("cancel", nil, "cancelled")(ctx)
}

func (r *orderRun) retry(number, want string) step {
	return r.command("payment-attempts", map[string]any{"card": card(number)}, want)
}

func (r *orderRun) returns(a, b int64, want string) step {
	return r.command("returns", itemsBody(a, b), want)
}

func (r *orderRun) cancelItems(a, b int64, want string) step {
	return r.command("items/cancel", itemsBody(a, b), want)
}

func itemsBody(a, b int64) map[string]any {
	var items []map[string]any
	if a > 0 {
		items = append(items, map[string]any{"sku": "A", "quantity": a})
	}
	if b > 0 {
		items = append(items, map[string]any{"sku": "B", "quantity": b})
	}
	return map[string]any{"items": items}
}

// command sends POST /v1/orders/{id}/<cmd> under its own Idempotency-Key and
// checks the order's status after it. A retried command whose first try took
// effect may be refused (409/422: the order has moved on, or its workflow has
// ended); then the order itself says whether the command took effect.
func (r *orderRun) command(cmd string, body any, want ...string) step {
	return func(ctx context.Context) error {
		r.steps++
		key := fmt.Sprintf("%s/%d/%s", r.id, r.steps, cmd)
		a, err := r.shop.do(ctx, http.MethodPost, "/v1/orders/"+r.id+"/"+cmd, body, key)
		if err != nil {
			return fmt.Errorf("order %s %s: %w", r.id, cmd, err)
		}
		var v orderView
		switch {
		case a.status == http.StatusOK:
			if err := decodeInto(a, &v); err != nil {
				return fmt.Errorf("order %s %s: %w", r.id, cmd, err)
			}
		case a.attempts > 1 && (a.status == http.StatusConflict || a.status == http.StatusUnprocessableEntity):
			if v, err = r.get(ctx); err != nil {
				return fmt.Errorf("order %s %s: answered %s after a retry, then: %w", r.id, cmd, a, err)
			}
		default:
			return fmt.Errorf("order %s %s: %s", r.id, cmd, a)
		}
		if !slices.Contains(want, v.Status) {
			return fmt.Errorf("order %s %s: status %s, want %v (answer %s)", r.id, cmd, v.Status, want, a)
		}
		return nil
	}
}

func (r *orderRun) get(ctx context.Context) (orderView, error) {
	var v orderView
	a, err := r.shop.do(ctx, http.MethodGet, "/v1/orders/"+r.id, nil, "")
	if err != nil {
		return v, err
	}
	if a.status != http.StatusOK {
		return v, fmt.Errorf("GET order %s: %s", r.id, a)
	}
	return v, decodeInto(a, &v)
}
