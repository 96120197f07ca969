package systest

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// A bill that needs the customer: its webhook's data.payment_page opens the
// payment page of that subscription, and a card entered there pays the
// catch-up bill (API.md "3-D Secure", "Card tokens and the payment page").
func TestDunningLinkInWebhook(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	id := orderID("dun-mit")
	req := subRequest(id, "4242424242424242")
	req["plan"] = map[string]any{"name": "pro-dunning", "amount": 999, "currency": "EUR", "interval": "PT2S", "cycles": 3}
	req["notice"] = map[string]any{}
	req["retry"] = map[string]any{"schedule": []string{"PT1H"}}
	v := tdsDo(t, env, http.MethodPost, "/v1/subscriptions", req, http.StatusCreated)
	if v.Status != "active" {
		t.Fatalf("create: %+v", v)
	}
	env.Outcomes(t, v.Card.Token, payment.AuthenticationRequired)
	waitSub(t, env, id, func(v tdsView) bool { return v.Status == "past_due" })
	hook := env.Hooks.WaitFor(t, "subscription.action_required", id)
	var data struct {
		Status      string `json:"status"`
		PaymentPage *struct {
			URL       string    `json:"url"`
			ExpiresAt time.Time `json:"expires_at"`
		} `json:"payment_page"`
	}
	if err := json.Unmarshal(hook.Data, &data); err != nil || data.PaymentPage == nil || !strings.HasPrefix(data.PaymentPage.URL, env.PageOrigin+"/pay/") {
		t.Fatalf("action_required without a link: %s", hook.Data)
	}
	if d := time.Until(data.PaymentPage.ExpiresAt); d < 23*time.Hour || d > 25*time.Hour {
		t.Errorf("expires_at %s: want 24h", data.PaymentPage.ExpiresAt)
	}
	if strings.Contains(env.Logs(), data.PaymentPage.URL) {
		t.Errorf("the link is in the logs")
	}
	code, _, body := page(t, "GET", data.PaymentPage.URL, "")
	if code != http.StatusOK || !strings.Contains(body, "pro-dunning") || !strings.Contains(body, "9.99 EUR") || !strings.Contains(body, id) {
		t.Fatalf("page: %d %s", code, body)
	}
	// The browser's way: the card fields' token to the page's attempt.
	_, _, ans := page(t, "POST", data.PaymentPage.URL+"/attempt", `{"token":"`+browserToken(t, env, "5555555555554444")+`"}`, "Content-Type", "application/json")
	if !strings.Contains(ans, `"outcome":"paid"`) {
		t.Errorf("attempt: %s", ans)
	}
	paid := env.Hooks.WaitFor(t, "subscription.payment_succeeded", id)
	v = waitSub(t, env, id, func(v tdsView) bool { return v.Status == "active" && v.Cycle >= 2 })
	var sales []string
	for _, e := range env.LedgerWithPrefix(t, "subscription/"+id+"/") {
		if e.Type == "sale" && e.Amount == 999 {
			sales = append(sales, e.IdempotencyKey[len("subscription/"+id+"/"):]+":"+e.Status)
		}
	}
	if len(sales) < 3 || sales[1] != "bill/2/1:declined" || sales[2] != "bill/2/2:approved" {
		t.Errorf("sales %v", sales)
	}
	if !strings.Contains(string(paid.Data), `"amount":999`) {
		t.Errorf("payment_succeeded %s", paid.Data)
	}

	t.Run("a hard decline's webhook has a link", func(t *testing.T) {
		id := orderID("dun-hard")
		req := subRequest(id, "4242424242424242")
		req["plan"] = map[string]any{"name": "pro-hard", "amount": 999, "currency": "EUR", "interval": "PT2S", "cycles": 3}
		req["notice"] = map[string]any{}
		req["retry"] = map[string]any{"schedule": []string{"PT1H"}}
		req["account_updater"] = false
		v := tdsDo(t, env, http.MethodPost, "/v1/subscriptions", req, http.StatusCreated)
		env.Outcomes(t, v.Card.Token, "lost_card")
		hook := env.Hooks.WaitFor(t, "subscription.payment_hard_failed", id)
		if !strings.Contains(string(hook.Data), `"payment_page":{"url":`) || !strings.Contains(string(hook.Data), `"status":"suspended"`) || !strings.Contains(string(hook.Data), env.PageOrigin+"/pay/") {
			t.Errorf("hard fail without a link: %s", hook.Data)
		}
	})
}
