package main

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// TestDemo plays the whole demo on quick timing and checks every flow ended as
// the contract says, by reading the runs back.
func TestDemo(t *testing.T) {
	h := newHarness(t)
	t.Setenv("CARDFLOW_PUBLIC_URL", h.env.API) // the links the demo signs name the test's API
	t.Setenv("CARDFLOW_SANDBOX_PUBLISHABLE_KEY", testenv.SandboxPublishableKey)
	code, out, errOut := h.run("demo", "-quick", "-suffix", h.suffix, "-timeout", "40s")
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	flows := append(append(orderFlows(), subscriptionFlows()...), pageFlows()...)
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
		"page": payment.OrderAuthorized, "page-cancel": payment.OrderCancelled, "page-open": payment.OrderAwaitingPayment,
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
	if v := h.order("order", "show", "demo-"+h.suffix+"-page"); v.Attempts != 2 || v.Card.Last4 != "4444" || v.Amounts.Authorized != 2*4999+3*599 {
		t.Errorf("payment page order %+v", v)
	}
	if v := h.subscription("subscription", "show", "demo-"+h.suffix+"-page"); v.Status != payment.SubscriptionTrialing || v.Card.Last4 != "4242" {
		t.Errorf("payment page subscription %+v", v)
	}
	// The link left open for a person is one the API opens: the page shows the order.
	if !strings.Contains(out, "pay at "+h.env.API+"/pay/") {
		t.Errorf("no payment-page link in the demo's output:\n%s", out)
	} else {
		link := strings.Fields(out[strings.Index(out, "pay at ")+len("pay at "):])[0]
		res, err := http.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "SHOE-1") {
			t.Errorf("the demo's link: %d %s", res.StatusCode, b)
		}
	}
	if v := h.subscription("subscription", "show", "demo-"+h.suffix+"-opt-out"); v.Status != payment.SubscriptionCancelled {
		t.Errorf("opt-out subscription %+v", v)
	}
}
