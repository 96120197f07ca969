package reconcile

import (
	"context"
	"slices"
	"testing"
	"time"

	stripe "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/adapters/vault/stripe/stripetest"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/subscription"
)

// TestStripeLedger reconciles the workflows with Stripe's books read through
// the Stripe adapter (recorded list pages, stripetest.Books): the orders agree
// entry by entry; the subscription whose cycle was refunded in Stripe's
// dashboard disagrees until its own account shows the refund.
func TestStripeLedger(t *testing.T) {
	books := stripetest.Books()
	led := StripeLedger{Books: stripe.New(stripe.Config{Key: "sk_test_cardflow", BaseURL: books.Start(t), Timeout: 5 * time.Second})}
	o3 := orderView("o-3", 1200, order.Amounts{Authorized: 1200, Voided: 1200})
	o3.Currency = "JPY"
	src := func(sub subscription.View) *fakeSource {
		return &fakeSource{
			listed: map[string][]string{KindOrder: {"order/o-1", "order/o-2", "order/o-3"}, KindSubscription: {"subscription/s-1"}},
			states: map[string]any{
				"order/o-1":        orderView("o-1", 5000, order.Amounts{Authorized: 5000, Captured: 3000, Refunded: 1000, Voided: 2000}),
				"order/o-2":        orderView("o-2", 2500, order.Amounts{}),
				"order/o-3":        o3,
				"subscription/s-1": sub,
			},
		}
	}

	unaware := subView("s-1", subscription.Totals{CyclesPaid: 1, Paid: 999}, paid(1, 999, 0, "pi_s1"))
	rep, err := Run(context.Background(), src(unaware), led, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"mismatch subscription/s-1 total_refunded 0/999",
		"mismatch subscription/s-1#1 refunded 0/999",
	}
	if got := lines(rep.Discrepancies); !slices.Equal(got, want) {
		t.Errorf("a refund Stripe holds and cardflow does not: %v, want %v", got, want)
	}
	for _, d := range rep.Discrepancies {
		if !slices.Equal(d.Keys, []string{"subscription/s-1/refund/re_s1"}) {
			t.Errorf("%s names keys %v, want the dashboard refund's", d.Field, d.Keys)
		}
	}
	if rep.Orders != 3 || rep.Subscriptions != 1 || rep.Entries != 10 {
		t.Errorf("report counts orders %d, subscriptions %d, entries %d; want 3, 1, 10", rep.Orders, rep.Subscriptions, rep.Entries)
	}

	aware := subView("s-1", subscription.Totals{CyclesPaid: 1, Paid: 999, Refunded: 999}, paid(1, 999, 999, "pi_s1"))
	rep, err = Run(context.Background(), src(aware), led, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Errorf("the subscription shows the dashboard refund, yet: %v", lines(rep.Discrepancies))
	}
}
