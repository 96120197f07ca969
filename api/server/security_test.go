package server

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
	"go.uber.org/zap"
)

// The API's doors (issue 12): key scopes, card data in ids, strict JSON,
// bounded amounts, and no vault entry for a create request that starts nothing.

const readKey = "rk_dashboard"

func TestReadOnlyKeyMayOnlyGet(t *testing.T) {
	keys := []string{fuzzKey, readKey}
	view := order.View{OrderID: "o-1", Status: payment.OrderAuthorized, CustomerID: "c-42"}
	r := serveWithKeys(keys, http.MethodGet, "/v1/orders/o-1", nil, &fuzzTemporal{order: view}, "Authorization", "Bearer "+readKey)
	if r.status != http.StatusOK {
		t.Fatalf("GET with a read-only key: %d %s", r.status, r.body)
	}
	for _, c := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1/orders", fuzzOrderBody},
		{http.MethodPost, "/v1/orders/o-1/capture", ""},
		{http.MethodPost, "/v1/orders/o-1/cancel", ""},
		{http.MethodPost, "/v1/subscriptions", fuzzSubscriptionBody},
		{http.MethodPut, "/v1/subscriptions/s-1/payment-method", `{"card": {}}`},
		{http.MethodPost, "/v1/subscriptions/s-1/refunds", `{"cycle": 1, "amount": 999}`},
		{http.MethodDelete, "/v1/orders/o-1", ""},
	} {
		r := serveWithKeys(keys, c.method, c.path, []byte(c.body), &fuzzTemporal{order: view}, "Authorization", "Bearer "+readKey)
		if e := wantError(t, r, http.StatusForbidden, nil); e.Error.Code != "forbidden" {
			t.Errorf("%s %s with a read-only key: code %q", c.method, c.path, e.Error.Code)
		}
		wantUntouched(t, r)
	}
	// The full key still may.
	r = serveWithKeys(keys, http.MethodPost, "/v1/orders/o-1/capture", nil, &fuzzTemporal{order: view})
	if r.status == http.StatusForbidden || r.status == http.StatusUnauthorized {
		t.Fatalf("capture with the full key: %d %s", r.status, r.body)
	}
}

func TestKeyWithoutScopeRefused(t *testing.T) {
	_, err := shop.ParseKeys([]string{"sk_a", "rk_b", "live_secret"})
	if err == nil {
		t.Fatal("a key with neither sk_ nor rk_ accepted")
	}
	if strings.Contains(err.Error(), "live_secret") {
		t.Errorf("the error shows the key: %v", err)
	}
	for _, bad := range []string{"sk_", "rk_", "SK_x", ""} {
		if _, err := shop.ParseKeys([]string{bad}); err == nil {
			t.Errorf("key %q accepted", bad)
		}
	}
	// Configured anyway (a test harness, not the api command), it never matches.
	r := serveWithKeys([]string{"live_secret"}, http.MethodGet, "/v1/orders/o-1", nil, &fuzzTemporal{}, "Authorization", "Bearer live_secret")
	wantError(t, r, http.StatusUnauthorized, nil)
	wantUntouched(t, r)
}

func TestRequestCarriesItsKey(t *testing.T) {
	s := &Server{Config: Config{Keys: []string{fuzzKey, readKey}}}
	s.Handler() // defaults
	for secret, scope := range map[string]shop.Scope{fuzzKey: shop.ScopeFull, readKey: shop.ScopeRead} {
		var got shop.Key
		var ok bool
		h := s.auth(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { got, ok = shop.KeyFrom(r.Context()) }))
		req := httptest.NewRequest(http.MethodGet, "/v1/orders/o-1", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		h.ServeHTTP(httptest.NewRecorder(), req)
		if !ok || got.Secret != secret || got.Scope != scope {
			t.Errorf("key %s: the request carries %+v (%t)", scope, got, ok)
		}
		if strings.Contains(got.String(), secret[3:]) {
			t.Errorf("the key prints its secret: %s", got)
		}
	}
}

func TestCardNumberInIDsRefused(t *testing.T) {
	tests := []struct {
		name, path, body string
		header           []string
		field            string
	}{
		{"order_id", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"o-1001"`, `"4242424242424242"`)), nil, "order_id"},
		{"order_id in fours", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"o-1001"`, `"o-4242-4242-4242-4242"`)), nil, "order_id"},
		{"customer.id", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"c-42"`, `"c4242424242424242"`)), nil, "customer.id"},
		{"sku", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"SHOE-1"`, `"SKU-5555555555554444"`)), nil, "items[0].sku"},
		{"Idempotency-Key", "/v1/orders", fuzzOrderBody, []string{"Idempotency-Key", "k-4242424242424242"}, "Idempotency-Key"},
		{"subscription_id", "/v1/subscriptions", string(fuzzEdit(fuzzSubscriptionBody, `"s-1"`, `"4242424242424242"`)), nil, "subscription_id"},
		{"order in the path", "/v1/orders/4242424242424242/capture", "", nil, "order_id"},
		{"subscription in the path", "/v1/subscriptions/4242424242424242/cancel", "", nil, "subscription_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fuzzServe(http.MethodPost, tt.path, []byte(tt.body), &fuzzTemporal{}, tt.header...)
			wantError(t, r, http.StatusUnprocessableEntity, regexp.MustCompile(`^`+regexp.QuoteMeta(tt.field)+`$`))
			wantUntouched(t, r)
			if strings.Contains(string(r.body), "42424242") || strings.Contains(string(r.body), "4242-4242") || strings.Contains(string(r.body), "55555555") {
				t.Errorf("the answer repeats the card number: %s", r.body)
			}
		})
	}
	// An id of digits that is no card number passes.
	r := fuzzServe(http.MethodPost, "/v1/orders", fuzzEdit(fuzzOrderBody, `"o-1001"`, `"o-2026-11-21-000123"`), &fuzzTemporal{})
	if r.status == http.StatusUnprocessableEntity {
		t.Errorf("an ordinary id refused: %s", r.body)
	}
}

func TestDuplicateOrOtherCaseJSONNamesRefused(t *testing.T) {
	tests := []struct {
		name, body, code, field string
	}{
		{"cvc twice", string(fuzzEdit(fuzzOrderBody, `"cvc": "123"`, `"cvc": "123", "cvc": "999"`)), "duplicate_field", "card.cvc"},
		{"cvc and CVC", string(fuzzEdit(fuzzOrderBody, `"cvc": "123"`, `"cvc": "123", "CVC": "999"`)), "unknown_field", "CVC"},
		{"CVC alone", string(fuzzEdit(fuzzOrderBody, `"cvc": "123"`, `"CVC": "123"`)), "unknown_field", "CVC"},
		{"order_id twice", string(fuzzEdit(fuzzOrderBody, `"order_id": "o-1001",`, `"order_id": "o-1001", "order_id": "o-1002",`)), "duplicate_field", "order_id"},
		{"escaped twice", string(fuzzEdit(fuzzOrderBody, `"cvc": "123"`, `"cvc": "123", "c\u0076c": "999"`)), "duplicate_field", "card.cvc"},
		{"Kelvin sign", string(fuzzEdit(fuzzOrderBody, `"sku"`, `"s\u212au"`)), "unknown_field", "s\u212au"},
		{"quantity twice", string(fuzzEdit(fuzzOrderBody, `"quantity": 2`, `"quantity": 2, "quantity": 200`)), "duplicate_field", "items.quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fuzzServe(http.MethodPost, "/v1/orders", []byte(tt.body), &fuzzTemporal{})
			e := wantError(t, r, http.StatusBadRequest, regexp.MustCompile(`^`+regexp.QuoteMeta(tt.field)+`$`))
			if e.Error.Code != tt.code {
				t.Errorf("code %q, want %q", e.Error.Code, tt.code)
			}
			wantUntouched(t, r)
			if strings.Contains(string(r.body), "999") {
				t.Errorf("the answer repeats a value: %s", r.body)
			}
		})
	}
	// Commands decode the same way.
	r := fuzzServe(http.MethodPost, "/v1/subscriptions/s-1/refunds", []byte(`{"cycle": 1, "amount": 1, "amount": 999}`), &fuzzTemporal{})
	if e := wantError(t, r, http.StatusBadRequest, nil); e.Error.Code != "duplicate_field" || e.Error.Field != "amount" {
		t.Errorf("refund with amount twice: %+v", e.Error)
	}
	wantUntouched(t, r)
}

func TestAmountsBounded(t *testing.T) {
	over := "100000000000" // shop.MaxAmount + 1
	tests := []struct {
		name, path, body, field string
	}{
		{"unit_amount", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"unit_amount": 4999`, `"unit_amount": `+over)), "items[0].unit_amount"},
		{"order total", "/v1/orders", string(fuzzEdit(fuzzOrderBody, `"quantity": 2, "unit_amount": 4999`, `"quantity": 1000000, "unit_amount": 100000`)), "items"},
		{"plan.amount", "/v1/subscriptions", string(fuzzEdit(fuzzSubscriptionBody, `"amount": 999`, `"amount": `+over)), "plan.amount"},
		{"refund amount", "/v1/subscriptions/s-1/refunds", `{"cycle": 1, "amount": ` + over + `}`, "amount"},
		{"quantity to cancel", "/v1/orders/o-1/items/cancel", `{"items": [{"sku": "SHOE-1", "quantity": 1000001}]}`, "items[0].quantity"},
		{"quantity to return", "/v1/orders/o-1/returns", `{"items": [{"sku": "SHOE-1", "quantity": 9223372036854775807}]}`, "items[0].quantity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := fuzzServe(http.MethodPost, tt.path, []byte(tt.body), &fuzzTemporal{})
			wantError(t, r, http.StatusUnprocessableEntity, regexp.MustCompile(`^`+regexp.QuoteMeta(tt.field)+`$`))
			wantUntouched(t, r)
		})
	}
	// The largest amounts pass.
	max := "99999999999"
	for _, body := range [][]byte{
		fuzzEdit(fuzzOrderBody, `"quantity": 2, "unit_amount": 4999`, `"quantity": 1, "unit_amount": `+max),
		fuzzEdit(fuzzSubscriptionBody, `"amount": 999`, `"amount": `+max),
	} {
		path := "/v1/orders"
		if strings.Contains(string(body), "subscription_id") {
			path = "/v1/subscriptions"
		}
		if r := fuzzServe(http.MethodPost, path, body, &fuzzTemporal{}); r.status == http.StatusUnprocessableEntity {
			t.Errorf("the maximum refused: %s", r.body)
		}
	}
}

// createDigest is the digest the API computes for a create request's body.
func createDigest(t *testing.T, path, body string) string {
	t.Helper()
	if path == "/v1/orders" {
		var req shop.OrderRequest
		if err := json.Unmarshal([]byte(body), &req); err != nil {
			t.Fatal(err)
		}
		return req.Digest()
	}
	var req shop.SubscriptionRequest
	if err := json.Unmarshal([]byte(body), &req); err != nil {
		t.Fatal(err)
	}
	in, err := req.Input(subscription.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	return in.Digest
}

// A create request for a known id is answered without a vault entry: a
// replay by the existing order or subscription, another request by a 409.
func TestReplayedOrConflictingCreateNotTokenized(t *testing.T) {
	creates := []struct {
		path, body string
		answer     any
		conflict   string
	}{
		{"/v1/orders", fuzzOrderBody, order.Placed{Order: order.View{OrderID: "o-1001", Status: payment.OrderAuthorized}}, order.ErrTypeExists},
		{"/v1/subscriptions", fuzzSubscriptionBody, subscription.Opened{Subscription: subscription.View{SubscriptionID: "s-1", Status: payment.SubscriptionTrialing}}, "subscription_exists"},
	}
	for _, c := range creates {
		t.Run(c.path+" replayed", func(t *testing.T) {
			tmp := &fuzzTemporal{digest: createDigest(t, c.path, c.body), answer: c.answer}
			r := fuzzServe(http.MethodPost, c.path, []byte(c.body), tmp)
			if r.status != http.StatusOK {
				t.Fatalf("replay: %d %s", r.status, r.body)
			}
			if len(r.vault.cards) != 0 {
				t.Errorf("the replay stored %d more cards in the vault", len(r.vault.cards))
			}
			wantCalls(t, r, "query", "update")
		})
		t.Run(c.path+" conflicting", func(t *testing.T) {
			tmp := &fuzzTemporal{digest: "another request's", answer: c.answer}
			r := fuzzServe(http.MethodPost, c.path, []byte(c.body), tmp)
			if e := wantError(t, r, http.StatusConflict, nil); e.Error.Code != c.conflict {
				t.Errorf("code %q, want %q", e.Error.Code, c.conflict)
			}
			if len(r.vault.cards) != 0 {
				t.Errorf("the conflicting request stored %d cards in the vault", len(r.vault.cards))
			}
			wantCalls(t, r, "query")
		})
		t.Run(c.path+" new", func(t *testing.T) {
			r := fuzzServe(http.MethodPost, c.path, []byte(c.body), &fuzzTemporal{})
			if len(r.vault.cards) != 1 {
				t.Errorf("a new request tokenized %d cards", len(r.vault.cards))
			}
			wantCalls(t, r, "query", "start", "update-with-start")
		})
	}
}

// readSpy is a request body that records whether anyone read it.
type readSpy struct {
	r    io.Reader
	read bool
}

func (b *readSpy) Read(p []byte) (int, error) { b.read = true; return b.r.Read(p) }

// A read-only key's write is refused before its body is read: no card data
// it carries is decoded, checked or logged, and a large or trickled body
// costs the server nothing but the headers.
func TestReadOnlyKeyRefusedBeforeTheBodyIsRead(t *testing.T) {
	s := &Server{
		Temporal: &fuzzTemporal{},
		Vault:    &fuzzVault{},
		Log:      zap.NewNop(),
		Config:   Config{Keys: []string{fuzzKey, readKey}, UpdateTimeout: time.Second},
		Now:      func() time.Time { return fuzzNow },
	}
	for _, path := range []string{"/v1/orders", "/v1/subscriptions", "/v1/orders/o-1/payment-attempts"} {
		body := &readSpy{r: strings.NewReader(fuzzOrderBody)}
		req := httptest.NewRequest(http.MethodPost, path, body)
		req.Header.Set("Authorization", "Bearer "+readKey)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden || body.read {
			t.Errorf("POST %s with a read-only key: %d, body read %v; want 403 with the body unread", path, rec.Code, body.read)
		}
	}
	// The same request with the full key is read (the spy works).
	body := &readSpy{r: strings.NewReader(fuzzOrderBody)}
	req := httptest.NewRequest(http.MethodPost, "/v1/orders", body)
	req.Header.Set("Authorization", "Bearer "+fuzzKey)
	s.Handler().ServeHTTP(httptest.NewRecorder(), req)
	if !body.read {
		t.Error("the full key's create left its body unread: the spy sees nothing")
	}
}

// While the attempt limits refuse a new card (the view's
// retry_blocked_until), an order's retry and a subscription's card change
// answer 429 too_many_attempts before the card reaches the vault or any
// update reaches the workflow; once that moment has passed they go on.
func TestBlockedCardNeverReachesTheVault(t *testing.T) {
	until := fuzzNow.Add(30 * time.Minute)
	card := []byte(`{"card": ` + fuzzOrderCard + `}`)
	blocked := []struct {
		name, path string
		tmp        *fuzzTemporal
	}{
		{"order retry", "/v1/orders/o-1/payment-attempts", &fuzzTemporal{order: order.View{OrderID: "o-1", Status: payment.OrderPaymentFailed, CustomerID: "c-42", RetryBlockedUntil: &until}}},
		{"subscription card change", "/v1/subscriptions/s-1/payment-method", &fuzzTemporal{subscription: subscription.View{SubscriptionID: "s-1", Status: payment.SubscriptionIncomplete, CustomerID: "c-42", RetryBlockedUntil: &until}}},
	}
	for _, c := range blocked {
		method := http.MethodPost
		if strings.HasSuffix(c.path, "payment-method") {
			method = http.MethodPut
		}
		r := fuzzServe(method, c.path, card, c.tmp)
		if e := wantError(t, r, http.StatusTooManyRequests, nil); e.Error.Code != "too_many_attempts" || e.Error.Field != "card" {
			t.Errorf("%s while blocked: %+v", c.name, e.Error)
		}
		if len(r.vault.cards) > 0 || r.tmp.mutated() {
			t.Errorf("%s while blocked: the vault tokenized %d cards, Temporal got %v", c.name, len(r.vault.cards), r.tmp.methods())
		}
		// The moment passed: the card goes to the vault and the update is sent.
		past := fuzzNow.Add(-time.Minute)
		if c.tmp.order.RetryBlockedUntil != nil {
			c.tmp.order.RetryBlockedUntil = &past
		} else {
			c.tmp.subscription.RetryBlockedUntil = &past
		}
		c.tmp.calls = nil
		r = fuzzServe(method, c.path, card, c.tmp)
		if len(r.vault.cards) != 1 || !r.tmp.mutated() {
			t.Errorf("%s after the window: %d %s, %d cards tokenized, Temporal got %v", c.name, r.status, r.body, len(r.vault.cards), r.tmp.methods())
		}
	}
}
