package main

import (
	"strings"
	"testing"

	"github.com/cardflow/cardflow/payment"
)

// TestDemo plays the whole demo on quick timing and checks every flow ended as
// the contract says, by reading the runs back.
func TestDemo(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("demo", "-quick", "-suffix", h.suffix, "-timeout", "40s")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	flows := append(orderFlows(), subscriptionFlows()...)
	n := 0
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "ok ") {
			n++
		}
	}
	if n != len(flows) {
		t.Errorf("%d ok lines for %d flows:\n%s", n, len(flows), out)
	}
	for name, want := range map[string]payment.OrderStatus{
		"happy": payment.OrderShipped, "automatic": payment.OrderCaptured, "hold": payment.OrderAuthorized,
		"retry": payment.OrderAuthorized, "hard-decline": payment.OrderPaymentFailed, "fraud-reject": payment.OrderPaymentFailed,
		"void": payment.OrderCancelled, "returns": payment.OrderRefunded,
		"3ds-frictionless": payment.OrderAuthorized, "3ds-challenge": payment.OrderAuthorized,
		"3ds-failed": payment.OrderAuthorized, "3ds-never": payment.OrderPaymentFailed,
	} {
		v := h.order("order", "show", "demo-"+h.suffix+"-"+name)
		if v.Status != want {
			t.Errorf("order %s is %s, want %s", name, v.Status, want)
		}
	}
	if v := h.order("order", "show", "demo-"+h.suffix+"-3ds-challenge"); v.Authentication == nil || v.Authentication.Status != payment.AuthChallenged {
		t.Errorf("3-D Secure challenge order %+v", v)
	}
	if v := h.order("order", "show", "demo-"+h.suffix+"-3ds-never"); v.Failure == nil || v.Failure.Code != payment.AuthenticationRequired {
		t.Errorf("3-D Secure never order %+v", v)
	}
	if v := h.order("order", "show", "demo-"+h.suffix+"-fraud-review"); v.Fraud == nil || v.Fraud.Decision != payment.FraudReview {
		t.Errorf("fraud review order %+v", v)
	}
	if v := h.subscription("subscription", "show", "demo-"+h.suffix+"-updater"); v.Totals.CyclesPaid < 1 || v.Card.ExpYear != 2032 {
		t.Errorf("updater subscription %+v", v)
	}
	if v := h.subscription("subscription", "show", "demo-"+h.suffix+"-opt-out"); v.Status != payment.SubscriptionCancelled {
		t.Errorf("opt-out subscription %+v", v)
	}
}
