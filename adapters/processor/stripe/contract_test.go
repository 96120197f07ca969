package stripe_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/adapters/internal/stripeapi"
	"github.com/cardflow/cardflow/adapters/processor/porttest"
	"github.com/cardflow/cardflow/adapters/processor/stripe"
	stripevault "github.com/cardflow/cardflow/adapters/vault/stripe"
	"github.com/cardflow/cardflow/tools/stripemock"
)

// mockTarget is the Stripe adapter and vault against a fresh stripe-mock,
// every request recorded.
func mockTarget(t *testing.T) (porttest.Target, *recorder) {
	rec := &recorder{next: http.DefaultTransport}
	cfg := stripeapi.Config{Key: "sk_test_cardflow", BaseURL: stripemock.Start(t), HTTPClient: rec.client()}
	cfg.HTTPClient.Timeout = 10 * time.Second
	return porttest.Target{Processor: stripe.New(cfg), Tokenize: stripevault.New(cfg).Tokenize, ShapeOnly: true}, rec
}

// TestContractAgainstStripeMock holds the adapter to the port's contract
// against Stripe's OpenAPI spec: every request it makes must be one Stripe
// accepts (stripe-mock answers 4xx to any other, and the test fails on it),
// and every answer must parse into a well-formed outcome. stripe-mock keeps no
// state, so amounts and statuses are its fixtures', not checked here.
func TestContractAgainstStripeMock(t *testing.T) {
	target, rec := mockTarget(t)
	porttest.Run(t, target)

	calls := rec.calls()
	if len(calls) == 0 {
		t.Fatal("no request reached stripe-mock")
	}
	for _, c := range calls {
		if c.Status != http.StatusOK {
			t.Errorf("stripe-mock refused %s %s (%d): %s", c.Method, c.Path, c.Status, c.Answer)
		}
	}
	t.Logf("%d requests validated by stripe-mock against Stripe's OpenAPI spec", len(calls))
}

// TestMoneyCallsCarryThePortsKey checks the recorded requests: every call
// that moves money sends the port's idempotency key, unchanged, as Stripe's
// Idempotency-Key (stripe-go would otherwise invent a random one per call,
// and a retried activity would charge twice).
func TestMoneyCallsCarryThePortsKey(t *testing.T) {
	target, rec := mockTarget(t)
	porttest.Run(t, target)

	want := map[string]string{ // path of each money call, in order: the key it must carry
		"POST /v1/payment_intents#1":           "order/o-contract/authorize/1",
		"POST /v1/payment_intents/*/capture#1": "order/o-contract/capture/1",
		"POST /v1/payment_intents/*/cancel#1":  "order/o-contract/void/1",
		"POST /v1/refunds#1":                   "order/o-contract/refund/1",
		"POST /v1/payment_intents#2":           "subscription/s-contract/sale/1",
		"POST /v1/payment_intents#3":           "subscription/s-contract/sale/2",
		"POST /v1/payment_intents#4":           "order/o-contract-2/authorize/1",
	}
	seen := map[string]int{}
	got := map[string]string{}
	meta := map[string]string{} // the keys written into metadata for the books (ledger.go)
	for _, c := range rec.calls() {
		for _, f := range []string{"cardflow_idempotency_key", "cardflow_capture_key", "cardflow_void_key"} {
			if v := c.Form.Get("metadata[" + f + "]"); v != "" {
				meta[v] = f
			}
		}
		path := c.Path
		if p, ok := strings.CutPrefix(path, "/v1/payment_intents/"); ok {
			path = "/v1/payment_intents/*/" + p[strings.LastIndex(p, "/")+1:]
		}
		name := c.Method + " " + path
		if !money(name) {
			continue
		}
		seen[name]++
		got[name+"#"+strconv.Itoa(seen[name])] = c.Key
		if c.Form.Get("metadata[cardflow_idempotency_key]") != "" && c.Form.Get("metadata[cardflow_idempotency_key]") != c.Key {
			t.Errorf("%s: metadata key %q differs from the Idempotency-Key %q", name, c.Form.Get("metadata[cardflow_idempotency_key]"), c.Key)
		}
	}
	for _, k := range want {
		if meta[k] == "" {
			t.Errorf("key %s never written into Stripe's metadata: the books cannot tie its operation to the workflow", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("money calls: got %v, want %v", got, want)
	}
	for k, key := range want {
		if got[k] != key {
			t.Errorf("%s: Idempotency-Key %q, want %q", k, got[k], key)
		}
	}
}

func money(name string) bool {
	switch name {
	case "POST /v1/payment_intents", "POST /v1/payment_intents/*/capture", "POST /v1/payment_intents/*/cancel", "POST /v1/refunds":
		return true
	}
	return false
}
