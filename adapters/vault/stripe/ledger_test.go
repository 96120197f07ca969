package stripe_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	stripe "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/adapters/vault/stripe/stripetest"
	"github.com/cardflow/cardflow/tools/stripemock"
)

// TestLedgerReadsStripesBooks maps recorded list pages onto ledger entries:
// each operation with the key its workflow call wrote (or, made in the
// dashboard, a key of its workflow naming Stripe's id), amounts in ISO minor
// units, other systems' objects left out, every page read.
func TestLedgerReadsStripesBooks(t *testing.T) {
	books := stripetest.Books()
	c := stripe.New(stripe.Config{Key: "sk_test_cardflow", BaseURL: books.Start(t), Timeout: 5 * time.Second})
	got, err := c.Ledger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"authorize order/o-1/authorize/1 pi_o1 5000 EUR approved",
		"capture order/o-1/capture/1 pi_o1 3000 EUR approved",
		"void order/o-1/void/1 pi_o1 2000 EUR approved",
		"authorize order/o-2/authorize/1 pi_o2 2500 EUR declined insufficient_funds",
		"authorize order/o-3/authorize/1 pi_o3 1200 JPY approved",
		"void order/o-3/void/pi_o3 pi_o3 1200 JPY approved",
		"sale subscription/s-1/bill/1/1 pi_s1 999 EUR approved",
		"refund order/o-1/refund/1 pi_o1 1000 EUR approved",
		"refund subscription/s-1/refund/re_s1 pi_s1 999 EUR approved",
		"refund order/o-1/refund/2 pi_o1 500 EUR declined refund_failed",
	}
	var lines []string
	for _, e := range got {
		s := fmt.Sprintf("%s %s %s %d %s", e.Type, e.IdempotencyKey, e.PaymentID, e.Amount, e.Currency)
		if e.Approved {
			s += " approved"
		} else {
			s += " declined " + e.Code
		}
		lines = append(lines, s)
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("entries:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// Three pages of PaymentIntents and two of refunds, each after the last
	// object of the one before.
	var pages []string
	for _, r := range books.Requests() {
		path, q, _ := strings.Cut(r, "?")
		after := ""
		for _, kv := range strings.Split(q, "&") {
			if v, ok := strings.CutPrefix(kv, "starting_after="); ok {
				after = v
			}
		}
		pages = append(pages, path+" after "+after)
		if !strings.Contains(q, "limit=100") {
			t.Errorf("%s: no limit=100", r)
		}
	}
	wantPages := []string{"/v1/payment_intents after ", "/v1/payment_intents after pi_other", "/v1/payment_intents after pi_o3",
		"/v1/refunds after ", "/v1/refunds after re_other"}
	if strings.Join(pages, "; ") != strings.Join(wantPages, "; ") {
		t.Errorf("pages: %v, want %v", pages, wantPages)
	}
}

// TestLedgerCallsAcceptedByStripeMock holds the list calls (limit, expand of
// each PaymentIntent's latest charge) to Stripe's schema: stripe-mock answers
// 4xx to a request Stripe would refuse, and its fixture pages must parse.
func TestLedgerCallsAcceptedByStripeMock(t *testing.T) {
	var mu sync.Mutex
	var calls []string
	rec := roundTrip(func(r *http.Request) (*http.Response, error) {
		resp, err := http.DefaultTransport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		mu.Lock()
		calls = append(calls, fmt.Sprintf("%s %s %d", r.Method, r.URL.Path, resp.StatusCode))
		mu.Unlock()
		return resp, nil
	})
	cfg := stripe.Config{Key: "sk_test_cardflow", BaseURL: stripemock.Start(t), HTTPClient: &http.Client{Transport: rec, Timeout: 10 * time.Second}}
	if _, err := stripe.New(cfg).Ledger(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /v1/payment_intents 200", "GET /v1/refunds 200"}
	if !slices.Equal(calls, want) {
		t.Errorf("calls %v, want %v (stripe-mock answers 4xx to what Stripe would refuse)", calls, want)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
