package systest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/proxy"
	"google.golang.org/protobuf/proto"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The order flows of API.md end to end: every row of the command table over
// HTTP, every failure class, idempotent replays, signed webhooks, the sandbox
// ledger against the order's amounts, and no card number in any history. The
// subtests share one cardflow and run in parallel; the timers (abandonment,
// re-authorization, return window) are seconds long.
func TestOrders(t *testing.T) {
	env := testenv.New(t, testenv.Options{Orders: order.Settings{
		AbandonAfter: time.Hour,
		ReturnWindow: 2 * time.Second,
	}})

	t.Run("authorize, cancel items, capture with replays, ship, returns", func(t *testing.T) {
		t.Parallel()
		id := orderID("life")
		req := orderRequest(id, "4242424242424242")
		v := orderCreate(t, env, req, http.StatusCreated)
		if v.Status != "authorized" || v.Amounts.Total != 11498 || v.Amounts.Authorized != 11498 || v.Attempts != 1 ||
			v.WorkflowID != "order/"+id || v.Card.Last4 != "4242" || v.Card.Brand != "visa" || !strings.HasPrefix(v.Card.Token, "tok_") ||
			v.Fraud == nil || v.Fraud.Decision != "pass" || v.Failure != nil || v.Message == "" || len(v.Events) == 0 {
			t.Fatalf("first answer %+v", v)
		}
		// The same request again answers the same order; another one is refused.
		if again := orderCreate(t, env, req, http.StatusOK); again.Attempts != 1 || again.Status != "authorized" {
			t.Errorf("repeat answered %+v", again)
		}
		other := orderRequest(id, "4242424242424242")
		other["items"] = []map[string]any{{"sku": "SHOE-1", "quantity": 1, "unit_amount": 4999}}
		orderCreate(t, env, other, http.StatusConflict)

		// Not allowed while authorized, and more than remains: rejected, nothing changes.
		orderCommand(t, env, id, "ship", nil, http.StatusConflict)
		orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusConflict)
		orderCommand(t, env, id, "payment-attempts", map[string]any{"card": orderCard("5555555555554444")}, http.StatusConflict)
		orderWantError(t, env, id, "items/cancel", orderItems("SHOE-1", 3), http.StatusUnprocessableEntity, "invalid_request", "items[0].quantity")
		orderWantError(t, env, id, "items/cancel", orderItems("HAT-1", 1), http.StatusUnprocessableEntity, "invalid_request", "items[0].sku")

		v = orderCommand(t, env, id, "items/cancel", orderItems("SOCK-1", 1), http.StatusOK)
		if v.Status != "authorized" || v.Items[1].Cancelled != 1 {
			t.Errorf("after cancelling a sock: %+v", v)
		}
		// Capture with an Idempotency-Key, twice: applied once, answered twice.
		v = orderCommand(t, env, id, "capture", nil, http.StatusOK, "Idempotency-Key", "cap-1")
		again := orderCommand(t, env, id, "capture", nil, http.StatusOK, "Idempotency-Key", "cap-1")
		if v.Status != "captured" || v.Amounts.Captured != 10998 || v.Amounts.Voided != 500 || again.Amounts != v.Amounts {
			t.Errorf("capture %+v, replay %+v", v.Amounts, again.Amounts)
		}
		orderCommand(t, env, id, "capture", nil, http.StatusConflict, "Idempotency-Key", "cap-2") // a new capture: not allowed

		orderCommand(t, env, id, "ship", nil, http.StatusOK)
		orderWantError(t, env, id, "returns", orderItems("SOCK-1", 3), http.StatusUnprocessableEntity, "invalid_request", "items[0].quantity")
		v = orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusOK, "Idempotency-Key", "ret-1")
		if v.Status != "shipped" || v.Amounts.Refunded != 4999 {
			t.Errorf("after the first return: %+v", v)
		}
		orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusOK, "Idempotency-Key", "ret-1") // replay: not refunded twice
		v = orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1, "SOCK-1", 2), http.StatusOK)
		if v.Status != "refunded" || v.Amounts.Refunded != 10998 {
			t.Errorf("after everything came back: %+v", v)
		}

		// The order has ended: commands are refused, GET and replays still answer.
		orderCommand(t, env, id, "cancel", nil, http.StatusConflict)
		orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusOK, "Idempotency-Key", "ret-1")
		if got := orderGet(t, env, id); got.Status != "refunded" {
			t.Errorf("GET after the end: %+v", got)
		}
		orderCreate(t, env, req, http.StatusOK)
		orderCreate(t, env, other, http.StatusConflict)

		orderWantLedger(t, env, v, []string{
			"authorize/1 authorize approved 11498", "capture/1 capture approved 10998", "void/1 void approved 500",
			"refund/1 refund approved 4999", "refund/2 refund approved 5999"})
		orderWantHooks(t, env, id, map[string]string{
			"order.payment_authorized": "customer", "order.items_cancelled": "merchant",
			"order.captured": "merchant", "order.refunded": "customer"})
		orderScanHistory(t, env, id, "4242424242424242", "5555555555554444")
	})

	t.Run("automatic capture, ship, return window, completed", func(t *testing.T) {
		t.Parallel()
		id := orderID("auto")
		req := orderRequest(id, "5555555555554444")
		req["capture"] = "automatic"
		v := orderCreate(t, env, req, http.StatusCreated)
		if v.Status != "captured" || v.Amounts.Captured != 11498 || v.Card.Brand != "mastercard" {
			t.Fatalf("first answer %+v", v)
		}
		orderCommand(t, env, id, "ship", nil, http.StatusOK)
		v = orderWaitStatus(t, env, id, "completed")
		orderWantLedger(t, env, v, []string{"sale/1 sale approved 11498"})
		orderWantHooks(t, env, id, map[string]string{"order.payment_authorized": "customer", "order.captured": "merchant"})
		orderCommand(t, env, id, "returns", orderItems("SHOE-1", 1), http.StatusConflict) // the window has closed
		orderScanHistory(t, env, id, "5555555555554444")
	})

	t.Run("cancel when authorized voids, when captured refunds", func(t *testing.T) {
		t.Parallel()
		id := orderID("void")
		orderCreate(t, env, orderRequest(id, "378282246310005"), http.StatusCreated)
		v := orderCommand(t, env, id, "cancel", nil, http.StatusOK)
		if v.Status != "cancelled" || v.Amounts.Voided != 11498 || v.Amounts.Captured != 0 {
			t.Errorf("cancelled: %+v", v)
		}
		orderWantLedger(t, env, v, []string{"authorize/1 authorize approved 11498", "void/1 void approved 11498"})
		orderWantHooks(t, env, id, map[string]string{"order.payment_authorized": "customer", "order.voided": "merchant", "order.cancelled": "merchant"})

		id = orderID("refund")
		orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		orderCommand(t, env, id, "capture", nil, http.StatusOK)
		v = orderCommand(t, env, id, "cancel", nil, http.StatusOK)
		if v.Status != "cancelled" || v.Amounts.Refunded != 11498 {
			t.Errorf("cancelled after capture: %+v", v)
		}
		orderWantLedger(t, env, v, []string{"authorize/1 authorize approved 11498", "capture/1 capture approved 11498", "refund/1 refund approved 11498"})
		orderWantHooks(t, env, id, map[string]string{"order.payment_authorized": "customer", "order.captured": "merchant",
			"order.refunded": "customer", "order.cancelled": "merchant"})
		orderScanHistory(t, env, id, "4242424242424242")
	})

	t.Run("all items cancelled voids", func(t *testing.T) {
		t.Parallel()
		id := orderID("items")
		orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		v := orderCommand(t, env, id, "items/cancel", orderItems("SHOE-1", 2, "SOCK-1", 3), http.StatusOK)
		if v.Status != "cancelled" || v.Amounts.Voided != 11498 {
			t.Errorf("all items cancelled: %+v", v)
		}
		orderWantLedger(t, env, v, []string{"authorize/1 authorize approved 11498", "void/1 void approved 11498"})
		orderWantHooks(t, env, id, map[string]string{"order.payment_authorized": "customer", "order.items_cancelled": "merchant",
			"order.voided": "merchant", "order.cancelled": "merchant"})
	})

	t.Run("soft and hard declines, retries with other cards", func(t *testing.T) {
		t.Parallel()
		id := orderID("declines")
		v := orderCreate(t, env, orderRequest(id, "4000000000009995"), http.StatusCreated)
		if v.Status != "payment_failed" || v.Failure == nil || *v.Failure != (orderFailure{"processor", "insufficient_funds", "soft", "51"}) {
			t.Fatalf("soft decline: %+v failure %+v", v, v.Failure)
		}
		v = orderCommand(t, env, id, "payment-attempts", map[string]any{"card": orderCard("4000000000009987")}, http.StatusOK)
		if v.Status != "payment_failed" || v.Attempts != 2 || v.Failure == nil || *v.Failure != (orderFailure{"processor", "lost_card", "hard", "41"}) {
			t.Fatalf("hard decline: %+v failure %+v", v, v.Failure)
		}
		orderWantError(t, env, id, "payment-attempts", map[string]any{"card": orderCard("4242424242424241")}, http.StatusUnprocessableEntity, "", "card.number")
		orderCommand(t, env, id, "capture", nil, http.StatusConflict)
		retry := map[string]any{"card": orderCard("4242424242424242")}
		v = orderCommand(t, env, id, "payment-attempts", retry, http.StatusOK, "Idempotency-Key", "pay-3")
		if v.Status != "authorized" || v.Attempts != 3 || v.Failure != nil || v.Card.Last4 != "4242" {
			t.Fatalf("third attempt: %+v", v)
		}
		// The same attempt again (a client retrying after a timeout): answered, not paid twice.
		if again := orderCommand(t, env, id, "payment-attempts", retry, http.StatusOK, "Idempotency-Key", "pay-3"); again.Attempts != 3 {
			t.Errorf("replayed attempt: %+v", again)
		}
		orderCommand(t, env, id, "payment-attempts", retry, http.StatusConflict, "Idempotency-Key", "pay-4")
		orderCommand(t, env, id, "capture", nil, http.StatusOK)
		ledger := orderWantLedger(t, env, orderGet(t, env, id), []string{
			"authorize/1 authorize declined 11498", "authorize/2 authorize declined 11498",
			"authorize/3 authorize approved 11498", "capture/1 capture approved 11498"})
		if ledger[0].Code != "insufficient_funds" || ledger[1].Code != "lost_card" || ledger[0].Token == ledger[1].Token {
			t.Errorf("declines in the ledger: %+v", ledger[:2])
		}
		if n := orderHookCount(t, env, id, "order.payment_failed"); n != 2 {
			t.Errorf("%d payment_failed webhooks, want 2", n)
		}
		orderScanHistory(t, env, id, "4000000000009995", "4000000000009987", "4242424242424242")
	})

	t.Run("validation failure, then abandoned", func(t *testing.T) {
		t.Parallel()
		id := orderID("invalid")
		req := orderRequest(id, "4242424242424242")
		req["currency"] = "THB" // a currency cardflow knows but the merchant does not accept
		v := orderCreate(t, env, req, http.StatusCreated)
		if v.Status != "payment_failed" || v.Failure == nil || v.Failure.Stage != "validation" || v.Failure.Code != "currency_not_accepted" || v.Fraud != nil {
			t.Fatalf("validation failure: %+v failure %+v", v, v.Failure)
		}
		v = orderCommand(t, env, id, "abandon", nil, http.StatusOK)
		if v.Status != "cancelled" {
			t.Errorf("abandoned: %+v", v)
		}
		orderWantLedger(t, env, v, nil)
		orderWantHooks(t, env, id, map[string]string{"order.payment_failed": "customer", "order.cancelled": "merchant"})
	})

	t.Run("fraud reject, review, no screen", func(t *testing.T) {
		t.Parallel()
		id := orderID("fraud")
		v := orderCreate(t, env, orderRequest(id, "4000000000004954"), http.StatusCreated)
		if v.Status != "payment_failed" || v.Failure == nil || v.Failure.Stage != "fraud" || v.Fraud == nil ||
			v.Fraud.Decision != "reject" || v.Fraud.Score < 90 || v.Fraud.Threshold != 75 {
			t.Fatalf("fraud reject: %+v failure %+v fraud %+v", v, v.Failure, v.Fraud)
		}
		orderWantLedger(t, env, v, nil) // the processor was never asked
		orderCommand(t, env, id, "cancel", nil, http.StatusOK)

		id = orderID("review")
		v = orderCreate(t, env, orderRequest(id, "4000000000009235"), http.StatusCreated)
		if v.Status != "authorized" || v.Fraud == nil || v.Fraud.Decision != "review" || !orderHasEvent(v, "fraud_screened", "review") {
			t.Fatalf("fraud review: %+v fraud %+v", v, v.Fraud)
		}

		id = orderID("noscreen")
		req := orderRequest(id, "4000000000004954")
		req["fraud_screen"] = false
		if v = orderCreate(t, env, req, http.StatusCreated); v.Status != "authorized" || v.Fraud != nil {
			t.Fatalf("not screened: %+v fraud %+v", v, v.Fraud)
		}
	})

	t.Run("hold, submit, abandon, cancel", func(t *testing.T) {
		t.Parallel()
		id := orderID("hold")
		req := orderRequest(id, "4242424242424242")
		req["submit"] = "hold"
		v := orderCreate(t, env, req, http.StatusCreated)
		if v.Status != "pending_submission" || v.Amounts.Authorized != 0 {
			t.Fatalf("held: %+v", v)
		}
		orderWantLedger(t, env, v, nil)
		orderCommand(t, env, id, "capture", nil, http.StatusConflict)
		v = orderCommand(t, env, id, "submit", nil, http.StatusOK)
		if v.Status != "authorized" || v.Amounts.Authorized != 11498 {
			t.Fatalf("submitted: %+v", v)
		}
		orderCommand(t, env, id, "submit", nil, http.StatusConflict)

		id = orderID("hold-abandon")
		req = orderRequest(id, "4242424242424242")
		req["submit"] = "hold"
		orderCreate(t, env, req, http.StatusCreated)
		if v = orderCommand(t, env, id, "abandon", "{}", http.StatusOK); v.Status != "cancelled" {
			t.Errorf("abandoned: %+v", v)
		}

		id = orderID("hold-cancel")
		req = orderRequest(id, "4242424242424242")
		req["submit"] = "hold"
		orderCreate(t, env, req, http.StatusCreated)
		if v = orderCommand(t, env, id, "cancel", nil, http.StatusOK); v.Status != "cancelled" {
			t.Errorf("cancelled while held: %+v", v)
		}
		orderWantLedger(t, env, v, nil)
	})

	t.Run("bad requests start nothing", func(t *testing.T) {
		t.Parallel()
		tests := []struct {
			name        string
			edit        func(map[string]any)
			status      int
			code, field string
		}{
			{"luhn", func(r map[string]any) { r["card"].(map[string]any)["number"] = "4242424242424241" }, 422, "", "card.number"},
			{"cvc", func(r map[string]any) { r["card"].(map[string]any)["cvc"] = "12" }, 422, "", "card.cvc"},
			{"expired", func(r map[string]any) { r["card"].(map[string]any)["exp_year"] = 2020 }, 422, "", "card.exp_year"},
			{"month", func(r map[string]any) { r["card"].(map[string]any)["exp_month"] = 13 }, 422, "", "card.exp_month"},
			{"quantity", func(r map[string]any) { r["items"].([]map[string]any)[0]["quantity"] = 0 }, 422, "invalid_request", "items[0].quantity"},
			{"unit amount", func(r map[string]any) { r["items"].([]map[string]any)[1]["unit_amount"] = -5 }, 422, "invalid_request", "items[1].unit_amount"},
			{"no items", func(r map[string]any) { r["items"] = []map[string]any{} }, 422, "invalid_request", "items"},
			{"duplicate sku", func(r map[string]any) { r["items"].([]map[string]any)[1]["sku"] = "SHOE-1" }, 422, "invalid_request", "items[1].sku"},
			{"currency", func(r map[string]any) { r["currency"] = "EURO" }, 422, "invalid_request", "currency"},
			{"capture", func(r map[string]any) { r["capture"] = "later" }, 422, "invalid_request", "capture"},
			{"submit", func(r map[string]any) { r["submit"] = "never" }, 422, "invalid_request", "submit"},
			{"order id", func(r map[string]any) { r["order_id"] = "a b" }, 422, "invalid_request", "order_id"},
			{"customer", func(r map[string]any) { r["customer"] = map[string]any{"email": "jane@example.com"} }, 422, "invalid_request", "customer.id"},
			{"unknown field", func(r map[string]any) { r["coupon"] = "FREE" }, 400, "unknown_field", "coupon"},
			{"wrong type", func(r map[string]any) { r["items"].([]map[string]any)[0]["quantity"] = "two" }, 400, "wrong_type", "items.quantity"},
		}
		for _, tt := range tests {
			id := orderID("bad")
			req := orderRequest(id, "4242424242424242")
			tt.edit(req)
			status, body := env.Do(t, http.MethodPost, "/v1/orders", req)
			orderCheckError(t, tt.name, status, body, tt.status, tt.code, tt.field)
			if status, _ := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil); status != http.StatusNotFound {
				t.Errorf("%s: GET answered %d, want 404: nothing started", tt.name, status)
			}
			if l := env.LedgerWithPrefix(t, "order/"+id+"/"); len(l) != 0 {
				t.Errorf("%s: ledger %+v", tt.name, l)
			}
		}
		for _, cmd := range []string{"capture", "ship", "cancel", "submit", "abandon"} {
			status, body := env.Do(t, http.MethodPost, "/v1/orders/nope/"+cmd, nil)
			orderCheckError(t, cmd+" unknown order", status, body, http.StatusNotFound, "not_found", "")
		}
		status, body := env.Do(t, http.MethodGet, "/v1/orders/nope", nil)
		orderCheckError(t, "GET unknown order", status, body, http.StatusNotFound, "not_found", "")
	})
}

// TestOrderTimers runs the timers of an order in seconds: auto-cancel of an
// abandoned payment, re-authorization before expiry (approved and declined).
func TestOrderTimers(t *testing.T) {
	// AbandonAfter is the time a test has to see payment_failed before the
	// order cancels itself: 1.5 s was missed by a poll on a loaded machine.
	env := testenv.New(t, testenv.Options{Orders: order.Settings{
		AbandonAfter: 5 * time.Second,
		AuthValidity: 4 * time.Second,
		ReauthLead:   2 * time.Second,
		ReturnWindow: time.Second,
	}})

	t.Run("abandoned payment is cancelled", func(t *testing.T) {
		t.Parallel()
		id := orderID("timeout")
		orderCreate(t, env, orderRequest(id, "4000000000000002"), http.StatusCreated)
		v := orderWaitStatus(t, env, id, "cancelled")
		if !orderHasEvent(v, "timed_out", "") {
			t.Errorf("events %+v", v.Events)
		}
		orderWantHooks(t, env, id, map[string]string{"order.payment_failed": "customer", "order.cancelled": "merchant"})
	})

	t.Run("re-authorization approved, then declined", func(t *testing.T) {
		t.Parallel()
		id := orderID("reauth")
		v := orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		// The first renewal is approved, the second declined: payment_failed, the customer told.
		env.Outcomes(t, v.Card.Token, "approve", "insufficient_funds")
		v = orderWaitStatus(t, env, id, "payment_failed")
		if v.Failure == nil || v.Failure.Code != "insufficient_funds" || !orderHasEvent(v, "reauthorized", "") {
			t.Errorf("after the declined renewal: %+v failure %+v", v, v.Failure)
		}
		orderWantLedger(t, env, v, []string{
			"authorize/1 authorize approved 11498",
			"authorize/2 authorize approved 11498", "void/1 void approved 11498",
			"authorize/3 authorize declined 11498", "void/2 void approved 11498"})
		orderWantHooks(t, env, id, map[string]string{"order.payment_authorized": "customer", "order.payment_failed": "customer"})
		orderScanHistory(t, env, id, "4242424242424242")
	})
}

// orderID makes ids unique across runs on the shared dev server.
func orderID(name string) string { return fmt.Sprintf("%s-%d", name, time.Now().UnixNano()) }

func orderCard(number string) map[string]any {
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": cvcFor(number), "holder": "Jane Doe"}
}

func cvcFor(number string) string {
	if strings.HasPrefix(number, "34") || strings.HasPrefix(number, "37") {
		return "1234"
	}
	return "123"
}

// orderRequest is API.md's example order: 2 × 49.99 + 3 × 5.00 EUR = 114.98 EUR.
func orderRequest(id, number string) map[string]any {
	return map[string]any{
		"order_id": id,
		"currency": "EUR",
		"customer": map[string]any{"id": "c-42", "email": "jane@example.com", "country": "DE"},
		"items": []map[string]any{
			{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999},
			{"sku": "SOCK-1", "quantity": 3, "unit_amount": 500},
		},
		"card":         orderCard(number),
		"capture":      "manual",
		"submit":       "immediate",
		"fraud_screen": true,
	}
}

func orderItems(pairs ...any) map[string]any {
	var items []map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		items = append(items, map[string]any{"sku": pairs[i], "quantity": pairs[i+1]})
	}
	return map[string]any{"items": items}
}

// orderView is the contract's order, decoded independently of the code that
// writes it.
type orderView struct {
	OrderID  string `json:"order_id"`
	Status   string `json:"status"`
	Currency string `json:"currency"`
	Amounts  struct {
		Total, Authorized, Captured, Refunded, Voided, Disputed int64
	} `json:"amounts"`
	Items []struct {
		SKU        string `json:"sku"`
		Quantity   int64  `json:"quantity"`
		UnitAmount int64  `json:"unit_amount"`
		Cancelled  int64  `json:"cancelled"`
		Returned   int64  `json:"returned"`
	} `json:"items"`
	Card struct {
		Token    string `json:"token"`
		Brand    string `json:"brand"`
		Last4    string `json:"last4"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
	} `json:"card"`
	Fraud *struct {
		Score     int    `json:"score"`
		Threshold int    `json:"threshold"`
		Decision  string `json:"decision"`
	} `json:"fraud"`
	Failure    *orderFailure `json:"failure"`
	Message    string        `json:"message"`
	Attempts   int           `json:"attempts"`
	WorkflowID string        `json:"workflow_id"`
	Events     []struct {
		At     time.Time `json:"at"`
		Type   string    `json:"type"`
		Amount int64     `json:"amount"`
		Code   string    `json:"code"`
	} `json:"events"`
	Dispute *order.DisputeView `json:"dispute"`
}

type orderFailure struct {
	Stage         string `json:"stage"`
	Code          string `json:"code"`
	Class         string `json:"class"`
	ProcessorCode string `json:"processor_code"`
}

// orderContractKeys are the order's fields in API.md; each answer has them all.
var orderContractKeys = []string{"order_id", "status", "currency", "amounts", "items", "card", "fraud", "failure",
	"message", "attempts", "workflow_id", "events"}

func orderDecode(t *testing.T, body []byte) orderView {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(body, &keys); err != nil {
		t.Fatalf("decode order %s: %v", body, err)
	}
	for _, k := range orderContractKeys {
		if _, ok := keys[k]; !ok {
			t.Errorf("order answer without %q: %s", k, body)
		}
	}
	var v orderView
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decode order %s: %v", body, err)
	}
	if v.Items == nil || v.Events == nil {
		t.Errorf("items and events must be lists, not null: %s", body)
	}
	return v
}

func orderCreate(t *testing.T, env *testenv.Env, req map[string]any, want int) orderView {
	t.Helper()
	status, body := env.Do(t, http.MethodPost, "/v1/orders", req)
	if status != want {
		t.Fatalf("create %s: %d, want %d: %s", req["order_id"], status, want, body)
	}
	if want == http.StatusConflict {
		orderCheckError(t, "create", status, body, want, "order_exists", "order_id")
		return orderView{}
	}
	return orderDecode(t, body)
}

func orderGet(t *testing.T, env *testenv.Env, id string) orderView {
	t.Helper()
	status, body := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, status, body)
	}
	return orderDecode(t, body)
}

// orderCommand posts a command and checks the status; a 409 must be invalid_state.
func orderCommand(t *testing.T, env *testenv.Env, id, cmd string, arg any, want int, header ...string) orderView {
	t.Helper()
	status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/"+cmd, arg, header...)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", cmd, id, status, want, body)
	}
	if want == http.StatusConflict {
		orderCheckError(t, cmd, status, body, want, "invalid_state", "")
	}
	if want != http.StatusOK {
		return orderView{}
	}
	return orderDecode(t, body)
}

func orderWantError(t *testing.T, env *testenv.Env, id, cmd string, arg any, want int, code, field string) {
	t.Helper()
	status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/"+cmd, arg)
	orderCheckError(t, cmd, status, body, want, code, field)
}

func orderCheckError(t *testing.T, what string, status int, body []byte, want int, code, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || status != want || (code != "" && e.Error.Code != code) || e.Error.Field != field || e.Error.Message == "" {
		t.Errorf("%s: answer %d %s, want %d code %q field %q", what, status, body, want, code, field)
	}
}

// orderWaitStatus polls the order until it has the status (timers run in seconds).
func orderWaitStatus(t *testing.T, env *testenv.Env, id, status string) orderView {
	t.Helper()
	var v orderView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v = orderGet(t, env, id); v.Status == status {
			return v
		}
	}
	t.Fatalf("order %s is %s, not %s, after 20s: %+v", id, v.Status, status, v)
	return v
}

func orderHasEvent(v orderView, typ, code string) bool {
	return slices.ContainsFunc(v.Events, func(e struct {
		At     time.Time `json:"at"`
		Type   string    `json:"type"`
		Amount int64     `json:"amount"`
		Code   string    `json:"code"`
	}) bool {
		return e.Type == typ && (code == "" || e.Code == code)
	})
}

// orderWantLedger checks the order's money movements in the sandbox's ledger, in
// order ("<key suffix> <type> <status> <amount>"), and that the order reports
// exactly what the ledger's approved entries add up to.
func orderWantLedger(t *testing.T, env *testenv.Env, v orderView, want []string) []testenv.LedgerEntry {
	t.Helper()
	prefix := "order/" + v.OrderID + "/"
	got := env.LedgerWithPrefix(t, prefix)
	var g []string
	var authorized, captured, voided, refunded int64
	for _, l := range got {
		g = append(g, fmt.Sprintf("%s %s %s %d", strings.TrimPrefix(l.IdempotencyKey, prefix), l.Type, l.Status, l.Amount))
		if l.Currency != "EUR" && l.Currency != v.Currency {
			t.Errorf("ledger entry in %s: %+v", l.Currency, l)
		}
		if l.Status != "approved" {
			continue
		}
		switch l.Type {
		case "authorize":
			authorized += l.Amount
		case "sale":
			authorized += l.Amount
			captured += l.Amount
		case "capture":
			captured += l.Amount
		case "void":
			voided += l.Amount
		case "refund":
			refunded += l.Amount
		}
	}
	if !slices.Equal(g, want) {
		t.Errorf("ledger of %s\n got %q\nwant %q", v.OrderID, g, want)
	}
	a := v.Amounts
	if a.Authorized != authorized || a.Captured != captured || a.Voided != voided || a.Refunded != refunded {
		t.Errorf("order %s reports %+v, the ledger authorized %d captured %d voided %d refunded %d",
			v.OrderID, a, authorized, captured, voided, refunded)
	}
	return got
}

// orderWantHooks waits for one webhook of each type with its recipient (the
// receiver verified every signature) and checks that none carries a card number.
func orderWantHooks(t *testing.T, env *testenv.Env, id string, want map[string]string) {
	t.Helper()
	for typ, recipient := range want {
		h := env.Hooks.WaitFor(t, typ, id)
		if h.Recipient != recipient {
			t.Errorf("%s for %s went to %q, want %q", typ, id, h.Recipient, recipient)
		}
		var data struct {
			Order struct {
				OrderID string `json:"order_id"`
				Status  string `json:"status"`
			} `json:"order"`
		}
		if err := json.Unmarshal(h.Data, &data); err != nil || data.Order.OrderID != id {
			t.Errorf("%s data %s: %v", typ, h.Data, err)
		}
	}
	for _, h := range env.Hooks.For(t, id) {
		if _, ok := want[h.Type]; !ok {
			t.Errorf("unexpected webhook %s for %s", h.Type, id)
		}
		if orderHasPAN(h.Raw) {
			t.Errorf("webhook %s carries a card number: %s", h.Type, h.Raw)
		}
	}
}

func orderHookCount(t *testing.T, env *testenv.Env, id, typ string) int {
	t.Helper()
	env.Hooks.WaitFor(t, typ, id)
	n := 0
	for _, h := range env.Hooks.For(t, id) {
		if h.Type == typ {
			n++
		}
	}
	return n
}

// orderScanHistory checks that no event of the order's history holds one of the
// card numbers used: neither in the bytes Temporal stores nor in the payloads
// decrypted with the codec key.
func orderScanHistory(t *testing.T, env *testenv.Env, id string, numbers ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	keys, err := codec.ParseKeys(testenv.CodecKey)
	if err != nil {
		t.Fatal(err)
	}
	dec := codec.NewCodec(keys)
	h := &historypb.History{}
	for it := env.Client.GetWorkflowHistory(ctx, "order/"+id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT); it.HasNext(); {
		ev, err := it.Next()
		if err != nil {
			t.Fatalf("history of order/%s: %v", id, err)
		}
		h.Events = append(h.Events, ev)
	}
	raw, err := proto.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if err := proxy.VisitPayloads(ctx, h, proxy.VisitPayloadsOptions{
		SkipSearchAttributes: true,
		Visitor: func(_ *proxy.VisitPayloadsContext, p []*commonpb.Payload) ([]*commonpb.Payload, error) {
			return dec.Decode(p)
		},
	}); err != nil {
		t.Fatalf("decrypt history of order/%s: %v", id, err)
	}
	plain, err := proto.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Events) == 0 || !bytes.Contains(plain, []byte(`"order_id":"`+id+`"`)) {
		t.Fatalf("history of order/%s: %d events, input not readable after decryption", id, len(h.Events))
	}
	for _, n := range numbers {
		if bytes.Contains(raw, []byte(n)) || bytes.Contains(plain, []byte(n)) {
			t.Errorf("the history of order/%s holds card number %s…", id, n[:6])
		}
	}
}

// orderTestCards are every card number the order tests use.
var orderTestCards = []string{"4242424242424242", "5555555555554444", "378282246310005", "4000000000000002",
	"4000000000009995", "4000000000009987", "4000000000004954", "4000000000009235", "4242424242424241"}

// orderHasPAN reports whether b holds one of the test card numbers.
func orderHasPAN(b []byte) bool {
	return slices.ContainsFunc(orderTestCards, func(n string) bool { return bytes.Contains(b, []byte(n)) })
}

// TestRecordHistoriesOrders plays the lifecycles whose histories the workflows
// package replays (workflows/replay_test.go) to catch non-deterministic changes.
// It always runs them; with CARDFLOW_RECORD_HISTORY=1 it also writes the
// histories. Record when adding a history, never to make the replay test pass.
func TestRecordHistoriesOrders(t *testing.T) {
	env := testenv.New(t, testenv.Options{Orders: order.Settings{
		AuthValidity: 3 * time.Second,
		ReauthLead:   time.Second,
		ReturnWindow: time.Second,
	}})
	// Recordings are named for the revision that made them (workflows/revision.go);
	// earlier revisions' ones (no suffix: revision 1, .rev2) stay as they were recorded.
	record := func(id, file string) []*historypb.HistoryEvent {
		return env.Record(t, "order/"+id, "", file)
	}

	// Place, capture, ship, return window, completed.
	id := orderID("rec-life")
	orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
	orderCommand(t, env, id, "capture", nil, http.StatusOK)
	orderCommand(t, env, id, "ship", nil, http.StatusOK)
	orderWaitStatus(t, env, id, "completed")
	env.Hooks.WaitFor(t, "order.captured", id)
	orderWaitClosed(t, env, id)
	life := shapeOf(record(id, "order_lifecycle.rev3.json"))
	// What one lifecycle costs (bench/RESULTS.md): no upsert at the start (the
	// API set the attributes), the status alone on each of its four changes,
	// the validity check and fraud screen as local activities.
	life.wantUpserts(t, id, 4)
	for typ, n := range map[string]int{
		"MarkerRecorded LocalActivity":       2,
		"MarkerRecorded Version":             1,
		"ActivityTaskScheduled Authenticate": 1, // since revision 5: the 3-D Secure server says whether the card needs a challenge
		"ActivityTaskScheduled Authorize":    1,
		"ActivityTaskScheduled Capture":      1,
		"ActivityTaskScheduled Notify":       2,
		"WorkflowExecutionUpdateAccepted":    3,
		"WorkflowExecutionCompleted":         1,
	} {
		if life.types[typ] != n {
			t.Errorf("%s: %d× %s, want %d (%v)", id, life.types[typ], typ, n, life.types)
		}
	}
	// Workflow tasks depend on timing (a webhook's completion may need its
	// own); the rest is the flow's: 34 events, of which 5 upserts (31 before
	// revision 5 asked the 3-D Secure server: one activity's 3 events).
	if n := life.events - life.workflowTaskEvents(); n != 34 {
		t.Errorf("%s: %d history events besides workflow tasks, want 34 (%v)", id, n, life.types)
	}

	// Soft decline, retry with another card, items cancelled, capture, refund.
	id = orderID("rec-retry")
	orderCreate(t, env, orderRequest(id, "4000000000009995"), http.StatusCreated)
	orderCommand(t, env, id, "payment-attempts", map[string]any{"card": orderCard("5555555555554444")}, http.StatusOK)
	orderCommand(t, env, id, "items/cancel", orderItems("SOCK-1", 1), http.StatusOK)
	orderCommand(t, env, id, "capture", nil, http.StatusOK)
	orderCommand(t, env, id, "cancel", nil, http.StatusOK)
	orderWaitClosed(t, env, id)
	record(id, "order_declined_retry.rev3.json")

	// Held for submit, re-authorization before expiry, void.
	id = orderID("rec-hold")
	req := orderRequest(id, "4242424242424242")
	req["submit"] = "hold"
	orderCreate(t, env, req, http.StatusCreated)
	orderCommand(t, env, id, "submit", nil, http.StatusOK)
	for deadline := time.Now().Add(10 * time.Second); !orderHasEvent(orderGet(t, env, id), "reauthorized", ""); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("order %s was not re-authorized", id)
		}
	}
	orderCommand(t, env, id, "cancel", nil, http.StatusOK)
	orderWaitClosed(t, env, id)
	record(id, "order_hold_reauth.rev3.json")
}

// orderWaitClosed waits until the order's workflow has completed (its
// notifications delivered), so a recorded history is whole.
func orderWaitClosed(t *testing.T, env *testenv.Env, id string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		d, err := env.Client.DescribeWorkflowExecution(context.Background(), "order/"+id, "")
		if err == nil && d.GetWorkflowExecutionInfo().GetCloseTime() != nil {
			return
		}
	}
	t.Fatalf("order/%s did not close within 20s", id)
}
