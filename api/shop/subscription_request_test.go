package shop

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

const subBody = `{
  "subscription_id": "s-1",
  "customer": {"id": "c-42", "email": "jane@example.com", "country": "DE"},
  "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"},
  "plan": {"name": "pro-monthly", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D", "cycles": 12},
  "notice": {"pre_bill": "P3D", "trial_end": "P3D", "expiration": "P7D"},
  "retry": {"schedule": ["P1D", "P3D", "P5D"]},
  "account_updater": true
}`

// subEdit returns subBody with one replacement.
func subEdit(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(subBody, old) {
		t.Fatalf("body has no %q", old)
	}
	return strings.Replace(subBody, old, new, 1)
}

// The request as the workflow gets it: durations parsed, the card left out
// until the vault has tokenized it.
func TestSubscriptionRequestInput(t *testing.T) {
	var req SubscriptionRequest
	if err := json.Unmarshal([]byte(subBody), &req); err != nil {
		t.Fatal(err)
	}
	in, err := req.Input(subscription.Settings{KeepEvents: 10})
	if err != nil {
		t.Fatal(err)
	}
	p := in.Plan
	if p.Interval.String() != "P1M" || p.Trial.String() != "P14D" || p.Amount != 999 || p.Currency != "EUR" || p.Cycles != 12 {
		t.Errorf("plan %+v", p)
	}
	if in.Notice.PreBill.String() != "P3D" || in.Notice.Expiration.String() != "P7D" || len(in.Retry.Schedule) != 3 || in.Retry.Schedule[2].String() != "P5D" {
		t.Errorf("notices %+v, retry %+v", in.Notice, in.Retry)
	}
	if !in.AccountUpdater || in.Settings.KeepEvents != 10 || in.Card.Token != "" {
		t.Errorf("input %+v", in)
	}
	in.Card = payment.Card{Brand: payment.Visa, Last4: "4242"}
	if got, want := subscription.Summary(in), "Subscription s-1 · pro-monthly · 9.99 EUR / P1M · visa ••4242"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

// The digest tells a repeated request from another one with the same id.
func TestSubscriptionRequestDigest(t *testing.T) {
	digest := func(body string) string {
		t.Helper()
		var req SubscriptionRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		in, err := req.Input(subscription.Settings{})
		if err != nil {
			t.Fatal(err)
		}
		if in.Digest != req.Digest(in) {
			t.Error("Input's digest is not Digest's")
		}
		return in.Digest
	}
	same := digest(subBody)
	if digest(subBody) != same {
		t.Error("the same request has two digests")
	}
	for _, other := range []string{
		subEdit(t, `"amount": 999`, `"amount": 1999`),
		subEdit(t, `"exp_year": 2030`, `"exp_year": 2031`),
		subEdit(t, `"P5D"`, `"P6D"`),
		subEdit(t, `"account_updater": true`, `"account_updater": false`),
		subEdit(t, `4242424242424242`, `5555555555554444`),
	} {
		if digest(other) == same {
			t.Errorf("another request has the same digest: %s", other)
		}
	}
	// The CVC is not part of what identifies the request, and never hashed.
	if digest(subEdit(t, `"cvc": "123"`, `"cvc": "456"`)) != same {
		t.Error("the CVC changes the digest")
	}
}
