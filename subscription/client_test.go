package subscription

import (
	"testing"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

func TestSubscriptionStartOptions(t *testing.T) {
	in := Input{SubscriptionID: "s-1", Customer: payment.Customer{ID: "c-42"},
		Plan: Plan{Amount: 999, Currency: "EUR", Interval: payment.Duration{Months: 1}},
		Card: payment.Card{Brand: payment.Mastercard, Last4: "4444"}}
	o := StartOptions(in, "q")
	if o.ID != "subscription/s-1" || o.StaticSummary != "Subscription s-1 · 9.99 EUR / P1M · mastercard ••4444" {
		t.Errorf("id %q, summary %q", o.ID, o.StaticSummary)
	}
	if v, _ := o.TypedSearchAttributes.GetKeyword(flow.AttrStatus); v != "active" {
		t.Errorf("status attribute without a trial %q", v)
	}
	in.Plan.Trial = payment.Duration{Days: 14}
	if v, _ := StartOptions(in, "q").TypedSearchAttributes.GetKeyword(flow.AttrStatus); v != "trialing" {
		t.Errorf("status attribute with a trial %q", v)
	}
}
