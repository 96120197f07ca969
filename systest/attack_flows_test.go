package systest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/tools/testenv"
)

// The attacker's suite, the workflows' part (issue 12 items 4, 6, 10): each
// test plays an attacker against a real cardflow over HTTP and asserts that
// the attack fails.

// attackOrder is API.md's example order for a customer of the test's own (the
// fraud screen remembers cards per customer).
func attackOrder(id, customer, number string) map[string]any {
	req := orderRequest(id, number)
	req["customer"] = map[string]any{"id": customer, "email": "jane@example.com", "country": "DE"}
	return req
}

// attackEvents are an answer's events as raw JSON objects: type, code, actor.
func attackEvents(t *testing.T, body []byte) []map[string]any {
	t.Helper()
	var v struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return v.Events
}

// A card tester loops stolen numbers through one order's payment-attempts:
// after ten declined attempts within the hour the eleventh answers 429
// too_many_attempts, and so does a good card after it; nothing is charged,
// the ledger holds at most the ten declines, and the refused cards never
// reach the vault.
func TestAttackCardTestingLoop(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	id := orderID("attack-cardtest")
	if v := orderCreate(t, env, attackOrder(id, "c-tester", "4000000000000002"), http.StatusCreated); v.Status != "payment_failed" {
		t.Fatalf("first attempt %s, want payment_failed", v.Status)
	}
	declining := []string{"4000000000009995", "4000000000009987", "4000000000009979", "4000000000000127", "4000000000000002"}
	for i := 2; i <= 10; i++ {
		card := map[string]any{"card": orderCard(declining[i%len(declining)])}
		if v := orderCommand(t, env, id, "payment-attempts", card, http.StatusOK); v.Status != "payment_failed" || v.Attempts != i {
			t.Fatalf("attempt %d: %s after %d attempts, want payment_failed", i, v.Status, v.Attempts)
		}
	}
	orderWantError(t, env, id, "payment-attempts", map[string]any{"card": orderCard("4000000000009979")}, http.StatusTooManyRequests, "too_many_attempts", "card")
	orderWantError(t, env, id, "payment-attempts", map[string]any{"card": orderCard("4242424242424242")}, http.StatusTooManyRequests, "too_many_attempts", "card")

	status, body := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil)
	v := orderDecode(t, body)
	if status != http.StatusOK || v.Status != "payment_failed" || v.Attempts != 10 || v.Amounts.Authorized != 0 {
		t.Errorf("after the loop: %d %s, %d attempts, authorized %d; want payment_failed, 10, 0", status, v.Status, v.Attempts, v.Amounts.Authorized)
	}
	if !bytes.Contains(body, []byte(`"retry_blocked_until"`)) {
		t.Errorf("the blocked order does not say until when: %s", body)
	}
	declined := 0
	for _, e := range env.LedgerWithPrefix(t, "order/"+id+"/") {
		if e.Status == "approved" {
			t.Errorf("the card tester got a charge through: %+v", e)
		}
		declined++
	}
	if declined > 10 {
		t.Errorf("%d declined charges at the processor, want at most 10", declined)
	}

	// A refused attempt stores no card: the limit is asked of the workflow
	// before the card goes to the vault (an API whose vault calls are counted).
	api := atkNewAPI(t, env)
	for _, n := range []string{"4000000000009995", "5555555555554444"} {
		status, body := api.do(t, atkFullKey, http.MethodPost, "/v1/orders/"+id+"/payment-attempts", map[string]any{"card": orderCard(n)})
		if status != http.StatusTooManyRequests {
			t.Errorf("attempt with %s…: %d, want 429: %s", n[:6], status, body)
		}
	}
	if n := api.tokenized.Load(); n != 0 {
		t.Errorf("the refused attempts tokenized %d cards, want none", n)
	}
}

// A card tester learns nothing from the wording: a card reported stolen reads
// to the customer like a card reported lost and like any plain decline, while
// the merchant's failure keeps the exact code.
func TestAttackStolenCardLearnsOnlyAPlainDecline(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	const plain = "Your card was declined. Please try again or use another card."
	for number, code := range map[string]string{"4000000000009979": "stolen_card", "4000000000009987": "lost_card"} {
		id := orderID("attack-" + code)
		status, body := env.Do(t, http.MethodPost, "/v1/orders", attackOrder(id, "c-"+id, number))
		v := orderDecode(t, body)
		if status != http.StatusCreated || v.Status != "payment_failed" || v.Failure == nil {
			t.Fatalf("%s: %d %s", code, status, body)
		}
		if v.Failure.Code != code || v.Failure.Class != "hard" {
			t.Errorf("%s: failure %+v, want the exact code for the merchant", code, v.Failure)
		}
		if v.Message != plain {
			t.Errorf("%s: customer message %q, want the plain decline %q", code, v.Message, plain)
		}
	}
}

// Every command's audit event names the key that ran it by its id, never by
// the key: "key:sk_…_" and 4 hex digits of the key's SHA-256.
func TestAttackEventsNameTheKeyIDNotTheKey(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	sum := sha256.Sum256([]byte(testenv.APIKey))
	want := "key:sk_…_" + hex.EncodeToString(sum[:2])
	secret := strings.TrimPrefix(testenv.APIKey, "sk_")

	id := orderID("attack-actor")
	orderCreate(t, env, attackOrder(id, "c-"+id, "4242424242424242"), http.StatusCreated)
	orderCommand(t, env, id, "capture", nil, http.StatusOK)
	_, body := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil)
	events := attackEvents(t, body)
	if len(events) < 3 {
		t.Fatalf("events %s", body)
	}
	for _, e := range events {
		if e["actor"] != want {
			t.Errorf("order event %v: actor %v, want %s", e["type"], e["actor"], want)
		}
	}

	sid := subID("attack-actor")
	subCreate(t, env, subRequest(sid, "4242424242424242"), http.StatusCreated)
	_, sbody := env.Do(t, http.MethodGet, "/v1/subscriptions/"+sid, nil)
	sev := attackEvents(t, sbody)
	if len(sev) == 0 || sev[0]["type"] != "created" || sev[0]["actor"] != want {
		t.Errorf("subscription events %s: the created event must name %s", sbody, want)
	}
	for what, b := range map[string][]byte{"order": body, "subscription": sbody, "logs": []byte(env.Logs())} {
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("the %s holds the API key", what)
		}
	}
}

// An attacker (or a buggy client) reuses an Idempotency-Key with another body
// to get a different command answered as the first: 422
// idempotency_key_reused, nothing applied; the same body again is answered.
func TestAttackReusedIdempotencyKeyWithAnotherBody(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	id := orderID("attack-key")
	orderCreate(t, env, attackOrder(id, "c-"+id, "4242424242424242"), http.StatusCreated)
	key := []string{"Idempotency-Key", "k-" + id}
	orderCommand(t, env, id, "items/cancel", orderItems("SOCK-1", 1), http.StatusOK, key...)
	status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/items/cancel", orderItems("SHOE-1", 1), key...)
	orderCheckError(t, "items/cancel with a reused key", status, body, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key")
	v := orderCommand(t, env, id, "items/cancel", orderItems("SOCK-1", 1), http.StatusOK, key...)
	for _, it := range v.Items {
		if want := map[string]int64{"SOCK-1": 1, "SHOE-1": 0}[it.SKU]; it.Cancelled != want {
			t.Errorf("%s: %d cancelled, want %d", it.SKU, it.Cancelled, want)
		}
	}
	if bytes.Contains(body, []byte("request_digest")) {
		t.Errorf("the answer shows the request digest: %s", body)
	}

	sid := subID("attack-key")
	req := subRequest(sid, "4242424242424242")
	subPlan(req)["interval"] = "PT1H"
	subCreate(t, env, req, http.StatusCreated)
	skey := []string{"Idempotency-Key", "r-" + sid}
	subCommand(t, env, http.MethodPost, sid, "refunds", map[string]any{"cycle": 1, "amount": 100}, http.StatusOK, skey...)
	status, body = env.Do(t, http.MethodPost, "/v1/subscriptions/"+sid+"/refunds", map[string]any{"cycle": 1, "amount": 200}, skey...)
	subWantError(t, status, body, http.StatusUnprocessableEntity, "idempotency_key_reused", "Idempotency-Key")
	if s := subCommand(t, env, http.MethodPost, sid, "refunds", map[string]any{"cycle": 1, "amount": 100}, http.StatusOK, skey...); s.Payments[0].Refunded != 100 {
		t.Errorf("refunded %d after the same refund twice and another refused, want 100", s.Payments[0].Refunded)
	}
	subWantLedger(t, env, sid, []subEntry{{"bill/1/1", "sale", "approved", "", 0}, {"refund/1", "refund", "approved", "", 100}})
}
