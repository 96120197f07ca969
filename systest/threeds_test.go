package systest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// 3-D Secure end to end (API.md "3-D Secure"): every card of the contract's
// table with three_ds automatic, always and never, over HTTP, through the
// sandbox's challenge page and cardflow's return endpoint as a browser goes;
// a forged "passed" return; subscriptions billed merchant-initiated after an
// authenticated first payment, and one fixed by the customer after an
// authentication_required decline.

// tdsView is what these tests read of an order or a subscription.
type tdsView struct {
	Status         string `json:"status"`
	Cycle          int    `json:"cycle"`
	Message        string `json:"message"`
	Authentication *struct {
		Status         string `json:"status"`
		ECI            string `json:"eci"`
		LiabilityShift bool   `json:"liability_shift"`
	} `json:"authentication"`
	NextAction *payment.NextAction `json:"next_action"`
	Failure    *orderFailure       `json:"failure"`
	Amounts    struct {
		Authorized int64 `json:"authorized"`
	} `json:"amounts"`
	Card struct {
		Token string `json:"token"`
	} `json:"card"`
	LastPayment *struct {
		Status  string        `json:"status"`
		Failure *orderFailure `json:"failure"`
	} `json:"last_payment"`
}

func tdsDo(t *testing.T, env *testenv.Env, method, path string, body any, want int) tdsView {
	t.Helper()
	status, raw := env.Do(t, method, path, body)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, raw)
	}
	var v tdsView
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %s: %v", raw, err)
	}
	return v
}

var noRedirect = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// challenge answers the sandbox's challenge page (pass or fail) as a browser
// and follows the redirect to cardflow's return endpoint; it returns the
// return page's status code and body.
func challenge(t *testing.T, next *payment.NextAction, outcome string) (int, string) {
	t.Helper()
	return browse(t, challengeReturn(t, next, outcome))
}

// challengeReturn answers the sandbox's challenge page and returns where it
// sends the browser back: cardflow's return endpoint with its signed state.
func challengeReturn(t *testing.T, next *payment.NextAction, outcome string) string {
	t.Helper()
	if next == nil || next.Type != payment.NextActionRedirect {
		t.Fatalf("no redirect next_action: %+v", next)
	}
	page, err := http.Get(next.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(page.Body)
	page.Body.Close()
	if page.StatusCode != http.StatusOK || !strings.Contains(string(b), `value="pass"`) {
		t.Fatalf("challenge page %d: %s", page.StatusCode, b)
	}
	resp, err := noRedirect.PostForm(next.URL, url.Values{"outcome": {outcome}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(back, payment.ReturnPath+"?") {
		t.Fatalf("challenge answer %d, back to %q", resp.StatusCode, back)
	}
	return back
}

func browse(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := noRedirect.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestThreeDSOrders(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	type want struct {
		status, auth, code string // after the attempt (and a passed challenge); auth "" is null
	}
	cards := []struct {
		number             string
		automatic, always  want
		never              want
		challengeAutomatic bool
	}{
		{"4000000000003220", want{"authorized", "challenged", ""}, want{"authorized", "challenged", ""}, want{"payment_failed", "", "authentication_required"}, true},
		{"4000000000003063", want{"authorized", "frictionless", ""}, want{"authorized", "frictionless", ""}, want{"payment_failed", "", "authentication_required"}, false},
		{"4000008400001629", want{"payment_failed", "challenged", "do_not_honor"}, want{"payment_failed", "challenged", "do_not_honor"}, want{"payment_failed", "", "authentication_required"}, true},
		{"4000000000003055", want{"authorized", "not_required", ""}, want{"authorized", "frictionless", ""}, want{"authorized", "", ""}, false},
		{"4000000000003097", want{"authorized", "unavailable", ""}, want{"authorized", "unavailable", ""}, want{"authorized", "", ""}, false},
	}
	for _, c := range cards {
		for _, mode := range []string{"automatic", "always", "never"} {
			w := map[string]want{"automatic": c.automatic, "always": c.always, "never": c.never}[mode]
			t.Run(c.number+"/"+mode, func(t *testing.T) {
				t.Parallel()
				id := orderID("tds-" + mode)
				req := orderRequest(id, c.number)
				req["three_ds"] = mode
				v := tdsDo(t, env, http.MethodPost, "/v1/orders", req, http.StatusCreated)
				if c.challengeAutomatic && mode != "never" {
					if v.Status != "requires_action" || v.NextAction == nil || v.Authentication != nil || v.Amounts.Authorized != 0 {
						t.Fatalf("before the challenge: %+v", v)
					}
					hook := env.Hooks.WaitFor(t, "order.action_required", id)
					if !strings.Contains(string(hook.Data), v.NextAction.URL) {
						t.Errorf("order.action_required without next_action: %s", hook.Data)
					}
					if status, page := challenge(t, v.NextAction, "pass"); status != http.StatusOK || !strings.Contains(page, `role="status"`) {
						t.Errorf("return page %d: %s", status, page)
					}
					v = tdsDo(t, env, http.MethodGet, "/v1/orders/"+id, nil, http.StatusOK)
				}
				if v.Status != w.status || v.NextAction != nil {
					t.Fatalf("status %s (next_action %+v), want %s: %+v", v.Status, v.NextAction, w.status, v)
				}
				if got := authStatus(v); got != w.auth {
					t.Errorf("authentication %q, want %q", got, w.auth)
				}
				if w.code != "" && (v.Failure == nil || v.Failure.Code != w.code || v.Failure.Class != "soft") {
					t.Errorf("failure %+v, want %s soft", v.Failure, w.code)
				}
				if w.auth == "challenged" || w.auth == "frictionless" {
					if !v.Authentication.LiabilityShift || v.Authentication.ECI != "05" {
						t.Errorf("authentication %+v: want ECI 05 and a liability shift", v.Authentication)
					}
				}
				if w.status == "authorized" {
					tdsDo(t, env, http.MethodPost, "/v1/orders/"+id+"/cancel", nil, http.StatusOK)
				}
				for _, e := range env.LedgerWithPrefix(t, "order/"+id+"/") {
					if e.Type == "authorize" && e.Status == "approved" && w.status != "authorized" {
						t.Errorf("an approved authorization for a %s order: %+v", w.status, e)
					}
				}
			})
		}
	}

	t.Run("challenge failed, then another card", func(t *testing.T) {
		t.Parallel()
		id := orderID("tds-fail")
		v := tdsDo(t, env, http.MethodPost, "/v1/orders", orderRequest(id, "4000000000003220"), http.StatusCreated)
		challenge(t, v.NextAction, "fail")
		v = tdsDo(t, env, http.MethodGet, "/v1/orders/"+id, nil, http.StatusOK)
		if v.Status != "payment_failed" || v.Failure == nil || v.Failure.Code != "authentication_failed" || v.Failure.Class != "soft" || authStatus(v) != "failed" {
			t.Fatalf("after a failed challenge: %+v", v)
		}
		if v.Message != payment.DeclineFor(payment.AuthenticationFailed).Message {
			t.Errorf("message %q", v.Message)
		}
		v = tdsDo(t, env, http.MethodPost, "/v1/orders/"+id+"/payment-attempts", map[string]any{"card": orderCard("4000000000003063")}, http.StatusOK)
		if v.Status != "authorized" || authStatus(v) != "frictionless" {
			t.Errorf("retry: %+v", v)
		}
	})

	t.Run("a forged passed return is refused", func(t *testing.T) {
		t.Parallel()
		id := orderID("tds-forged")
		v := tdsDo(t, env, http.MethodPost, "/v1/orders", orderRequest(id, "4000000000003220"), http.StatusCreated)
		authID := v.NextAction.URL[strings.LastIndex(v.NextAction.URL, "/")+1:]
		// A browser that never passed the challenge, with a state it could
		// not have made without the secret, and with one signed right.
		forged := env.API + payment.ReturnPath + "?state=" + payment.ReturnState([]byte("guessed"), "order/"+id+"/authenticate/1") + "&authentication_id=" + authID + "&result=passed"
		if status, _ := browse(t, forged); status != http.StatusNotFound {
			t.Errorf("a state not signed by cardflow: %d, want 404", status)
		}
		signed := payment.ReturnURL(env.API, []byte(config.DevReturnSecret), "order/"+id+"/authenticate/1") + "&authentication_id=" + authID + "&status=challenged&eci=05"
		if status, page := browse(t, signed); status != http.StatusOK || strings.Contains(page, "authorized") {
			t.Errorf("a return before the challenge: %d %s", status, page)
		}
		v = tdsDo(t, env, http.MethodGet, "/v1/orders/"+id, nil, http.StatusOK)
		if v.Status != "requires_action" || v.Amounts.Authorized != 0 || v.NextAction == nil {
			t.Errorf("a return without a passed challenge moved the order: %+v", v)
		}
		for _, e := range env.LedgerWithPrefix(t, "order/"+id+"/") {
			if e.Type == "authorize" {
				t.Errorf("the forged return authorized: %+v", e)
			}
		}
		// The real challenge still works afterwards.
		challenge(t, v.NextAction, "pass")
		if v = tdsDo(t, env, http.MethodGet, "/v1/orders/"+id, nil, http.StatusOK); v.Status != "authorized" {
			t.Errorf("after the real challenge: %+v", v)
		}
		recordThreeDS(t, env, "order/"+id, "order_threeds_challenge.rev5.json")
	})
}

func authStatus(v tdsView) string {
	if v.Authentication == nil {
		return ""
	}
	return v.Authentication.Status
}

// waitSub polls the subscription until ok or 60 s pass.
func waitSub(t *testing.T, env *testenv.Env, id string, ok func(tdsView) bool) tdsView {
	t.Helper()
	var v tdsView
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if v = tdsDo(t, env, http.MethodGet, "/v1/subscriptions/"+id, nil, http.StatusOK); ok(v) {
			return v
		}
	}
	t.Fatalf("subscription %s: %+v", id, v)
	return v
}

func TestThreeDSSubscriptions(t *testing.T) {
	env := testenv.New(t, testenv.Options{})

	t.Run("first payment challenged, then twelve cycles without the customer", func(t *testing.T) {
		t.Parallel()
		id := orderID("tds-sub")
		req := subRequest(id, "4000000000003220")
		req["plan"] = map[string]any{"name": "pro-fast", "amount": 999, "currency": "EUR", "interval": "PT1S", "cycles": 13}
		req["notice"] = map[string]any{}
		v := tdsDo(t, env, http.MethodPost, "/v1/subscriptions", req, http.StatusCreated)
		if v.NextAction == nil || v.LastPayment == nil || v.LastPayment.Status != "requires_action" {
			t.Fatalf("create: %+v", v)
		}
		env.Hooks.WaitFor(t, "subscription.action_required", id)
		challenge(t, v.NextAction, "pass")
		v = waitSub(t, env, id, func(v tdsView) bool { return v.Status == "expired" })
		var sales []string
		for _, e := range env.LedgerWithPrefix(t, "subscription/"+id+"/") {
			if e.Type == "sale" {
				sales = append(sales, e.Status)
			}
		}
		if len(sales) != 13 || strings.Contains(strings.Join(sales, ","), "declined") {
			t.Errorf("sales %v: want 13 approved", sales)
		}
		for _, h := range env.Hooks.For(t, id) {
			if h.Type == "subscription.payment_soft_failed" {
				t.Errorf("a bill needed the customer: %s", h.Data)
			}
		}
		// The first run: the challenge, the authenticated first bill, continue-as-new.
		d, err := env.Client.DescribeWorkflowExecution(context.Background(), "subscription/"+id, "")
		if err != nil {
			t.Fatal(err)
		}
		if testenv.Recording() {
			env.Record(t, "subscription/"+id, d.GetWorkflowExecutionInfo().GetFirstRunId(), "subscription_threeds_first_payment.rev5.json")
		}
	})

	t.Run("merchant-initiated bill declined authentication_required, fixed by a card change", func(t *testing.T) {
		t.Parallel()
		id := orderID("tds-mit")
		req := subRequest(id, "4242424242424242")
		req["plan"] = map[string]any{"name": "pro-fast", "amount": 999, "currency": "EUR", "interval": "PT2S", "cycles": 3}
		req["notice"] = map[string]any{}
		req["retry"] = map[string]any{"schedule": []string{"PT1M"}}
		v := tdsDo(t, env, http.MethodPost, "/v1/subscriptions", req, http.StatusCreated)
		if v.Status != "active" {
			t.Fatalf("create: %+v", v)
		}
		env.Outcomes(t, v.Card.Token, payment.AuthenticationRequired) // the issuer insists on cycle 2
		v = waitSub(t, env, id, func(v tdsView) bool { return v.Status == "past_due" })
		if v.LastPayment.Failure == nil || v.LastPayment.Failure.Code != "authentication_required" || v.LastPayment.Failure.Class != "soft" {
			t.Fatalf("past due: %+v", v.LastPayment)
		}
		env.Hooks.WaitFor(t, "subscription.action_required", id)
		v = tdsDo(t, env, http.MethodPut, "/v1/subscriptions/"+id+"/payment-method", map[string]any{"card": subCard("4000000000003220")}, http.StatusOK)
		if v.NextAction == nil || v.Status != "past_due" {
			t.Fatalf("card change: %+v", v)
		}
		challenge(t, v.NextAction, "pass")
		v = tdsDo(t, env, http.MethodGet, "/v1/subscriptions/"+id, nil, http.StatusOK)
		if v.Status != "active" || v.Cycle != 2 || authStatus(v) != "challenged" {
			t.Fatalf("after the challenge: %+v", v)
		}
		waitSub(t, env, id, func(v tdsView) bool { return v.Status == "expired" })
		var sales []string
		for _, e := range env.LedgerWithPrefix(t, "subscription/"+id+"/") {
			if e.Type == "sale" {
				sales = append(sales, fmt.Sprintf("%s:%s", e.IdempotencyKey[len("subscription/"+id+"/"):], e.Status))
			}
		}
		if want := "bill/1/1:approved,bill/2/1:declined,bill/2/2:approved,bill/3/1:approved"; strings.Join(sales, ",") != want {
			t.Errorf("sales %v, want %s", sales, want)
		}
	})
}

// recordThreeDS stores a history for the replay tests (CARDFLOW_RECORD_HISTORY=1).
func recordThreeDS(t *testing.T, env *testenv.Env, wid, file string) {
	if testenv.Recording() {
		env.Record(t, wid, "", file)
	}
}
