package stripe_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/adapters/processor/stripe"
	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/stripemock"
)

// bend is a transport in front of stripe-mock that changes one answer, so a
// path its fixtures never take runs, and its requests still meet Stripe's
// schema.
type bend func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)

func (b bend) RoundTrip(req *http.Request) (*http.Response, error) {
	return b(req, http.DefaultTransport.RoundTrip)
}

func cannedAnswer(req *http.Request, status int, body string) *http.Response {
	return &http.Response{StatusCode: status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: req}
}

func bentTarget(t *testing.T, b bend) (stripeapi.Config, *recorder) {
	rec := &recorder{next: b}
	cfg := stripeapi.Config{Key: "sk_test_cardflow", BaseURL: stripemock.Start(t), HTTPClient: rec.client()}
	cfg.HTTPClient.Timeout = 10 * time.Second
	return cfg, rec
}

func findCall(calls []call, method, path string) (call, bool) {
	for _, c := range calls {
		if c.Method == method && c.Path == path {
			return c, true
		}
	}
	return call{}, false
}

// stripe-mock's customer search always finds one, so the contract test never
// creates a customer. Here the search answers none: the create that follows
// must be one Stripe accepts, keyed by the shop's customer id.
func TestCustomerCreateAcceptedByStripeMock(t *testing.T) {
	cfg, rec := bentTarget(t, func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		resp, err := next(req) // the search itself is validated too
		if err == nil && req.URL.Path == "/v1/customers/search" && resp.StatusCode == http.StatusOK {
			resp.Body.Close()
			return cannedAnswer(req, http.StatusOK, `{"object":"search_result","data":[],"has_more":false,"url":"/v1/customers/search"}`), nil
		}
		return resp, err
	})
	_, err := stripevault.New(cfg).Tokenize(context.Background(), "c-42",
		payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"})
	if err != nil {
		t.Fatal(err)
	}
	calls := rec.calls()
	c, ok := findCall(calls, http.MethodPost, "/v1/customers")
	if !ok {
		t.Fatalf("no customer created: %+v", calls)
	}
	if c.Status != http.StatusOK || c.Key != "customer/c-42" || c.Form.Get("metadata["+stripeapi.MetaCustomerID+"]") != "c-42" {
		t.Errorf("create customer: %d, key %q, form %v: %s", c.Status, c.Key, c.Form, c.Answer)
	}
	for _, c := range calls {
		if c.Status != http.StatusOK {
			t.Errorf("stripe-mock refused %s %s (%d): %s", c.Method, c.Path, c.Status, c.Answer)
		}
	}
}

// After a partial capture Stripe refuses the cancel; the void then reads the
// PaymentIntent. stripe-mock never refuses a cancel, so the refusal is made
// here and the read goes to stripe-mock, which must accept it.
func TestVoidFallbackReadAcceptedByStripeMock(t *testing.T) {
	cfg, rec := bentTarget(t, func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		if strings.HasSuffix(req.URL.Path, "/cancel") {
			return cannedAnswer(req, http.StatusBadRequest, `{"error":{"type":"invalid_request_error","code":"payment_intent_unexpected_state","message":"You cannot cancel this PaymentIntent because it has a status of succeeded."}}`), nil
		}
		return next(req)
	})
	// stripe-mock's fixture is in no state a void answers for, so the void
	// fails; what is checked is that each request met the schema.
	_, _ = stripe.New(cfg).Void(context.Background(), payment.Operation{Key: "order/o-1/void/1", PaymentID: "pi_1"})
	calls := rec.calls()
	for _, want := range []string{"/v1/payment_intents/pi_1"} {
		if c, ok := findCall(calls, http.MethodGet, want); !ok || c.Status != http.StatusOK {
			t.Errorf("GET %s: %+v (all calls %+v)", want, c, calls)
		}
		if c, ok := findCall(calls, http.MethodPost, want); !ok || c.Status != http.StatusOK {
			t.Errorf("POST %s (the void's key): %+v", want, c)
		}
	}
}
