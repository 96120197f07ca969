package systest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The contract's card tokens and payment page over HTTP (API.md "Card tokens
// and the payment page"); pay_browser_test.go plays the same in a browser.

// pageOrder is an order as the page's tests read it.
type pageOrder struct {
	OrderID string `json:"order_id"`
	Status  string `json:"status"`
	Amounts struct {
		Total, Authorized int64
	} `json:"amounts"`
	Card struct {
		Token, Brand, Last4 string
		BINCountry          string `json:"bin_country"`
	} `json:"card"`
	Attempts    int    `json:"attempts"`
	Message     string `json:"message"`
	PaymentPage *struct {
		URL       string    `json:"url"`
		ExpiresAt time.Time `json:"expires_at"`
	} `json:"payment_page"`
	Events []struct {
		Type, Actor string
	} `json:"events"`
}

func (o pageOrder) hasActor(actor string) bool {
	for _, e := range o.Events {
		if e.Actor == actor {
			return true
		}
	}
	return false
}

func pageJSON(t *testing.T, b []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
}

func pageGetOrder(t *testing.T, env *testenv.Env, id string) pageOrder {
	t.Helper()
	status, b := env.Do(t, "GET", "/v1/orders/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("GET order %s: %d %s", id, status, b)
	}
	var v pageOrder
	pageJSON(t, b, &v)
	return v
}

// browserToken tokenizes as the card fields do: the publishable key, from
// the sandbox's own origin, no customer.
func browserToken(t *testing.T, env *testenv.Env, number string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", env.Sandbox+"/v1/tokens", strings.NewReader(
		`{"number":"`+number+`","exp_month":12,"exp_year":2030,"cvc":"123"}`))
	req.Header.Set("Authorization", "Bearer "+testenv.SandboxPublishableKey)
	req.Header.Set("Origin", env.Sandbox)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out struct {
		Card struct{ Token string } `json:"card"`
	}
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("browser tokenize: %d %v", res.StatusCode, err)
	}
	return out.Card.Token
}

// page calls the payment page (no API key) and answers status, headers and body.
func page(t *testing.T, method, url, body string, header ...string) (int, http.Header, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, r)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

// pageReturn answers the challenge at redirect with outcome and follows the
// browser to cardflow's return endpoint, which must send it back to a page
// link; it answers that link's path.
func pageReturn(t *testing.T, redirect, outcome string) string {
	t.Helper()
	resp, err := noRedirect.Get(challengeReturn(t, &payment.NextAction{Type: payment.NextActionRedirect, URL: redirect}, outcome))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/pay/") {
		t.Fatalf("return: %d to %q", resp.StatusCode, loc)
	}
	return loc
}

// pageSubscription starts subscription id for the payment page (no card) and
// answers the API's status and body.
func pageSubscription(t *testing.T, env *testenv.Env, id, customer, country string, plan map[string]any) (int, []byte) {
	t.Helper()
	return env.Do(t, "POST", "/v1/subscriptions", map[string]any{
		"subscription_id": id, "customer": map[string]any{"id": customer, "country": country},
		"plan":         plan,
		"payment_page": map[string]any{"return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart"},
	})
}

// pageSubscriptionURL starts subscription id for the payment page and
// answers its page's URL.
func pageSubscriptionURL(t *testing.T, env *testenv.Env, id, customer, country string, plan map[string]any) string {
	t.Helper()
	status, b := pageSubscription(t, env, id, customer, country, plan)
	if status != http.StatusCreated {
		t.Fatalf("create %s: %d %s", id, status, b)
	}
	var v struct {
		PaymentPage struct{ URL string } `json:"payment_page"`
	}
	pageJSON(t, b, &v)
	return v.PaymentPage.URL
}

// pageReply is what the page's script hears from its attempt and status calls.
type pageReply struct{ Outcome, Message, Redirect string }

// pageAttempt pays on the page at pageURL with a card-fields token of
// number, as the page's script does, and answers the reply and its body.
func pageAttempt(t *testing.T, env *testenv.Env, pageURL, number string) (pageReply, string) {
	t.Helper()
	u := env.API + strings.TrimPrefix(pageURL, env.PageOrigin)
	_, _, ans := page(t, "POST", u+"/attempt", `{"token":"`+browserToken(t, env, number)+`"}`, "Content-Type", "application/json")
	var r pageReply
	pageJSON(t, []byte(ans), &r)
	return r, ans
}

func pageOrderRequest(id, customer string) map[string]any {
	return map[string]any{
		"order_id": id, "currency": "EUR",
		"customer":     map[string]any{"id": customer, "email": "jane@example.com", "country": "US"},
		"items":        []map[string]any{{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}},
		"payment_page": map[string]any{"return_url": "https://shop.example/thanks", "cancel_url": "https://shop.example/cart"},
	}
}

func TestPaymentPageContract(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})

	t.Run("an order for the page awaits payment and answers its link", func(t *testing.T) {
		id := orderID("pp-order")
		before := time.Now()
		status, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-pp-1"))
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, b)
		}
		var v pageOrder
		pageJSON(t, b, &v)
		if v.Status != "awaiting_payment" || v.Attempts != 0 || v.PaymentPage == nil || !strings.HasPrefix(v.PaymentPage.URL, env.PageOrigin+"/pay/") {
			t.Fatalf("created: %s", b)
		}
		if d := v.PaymentPage.ExpiresAt.Sub(before); d < 23*time.Hour || d > 25*time.Hour {
			t.Errorf("expires_at %s: want the abandon timer's 24h", v.PaymentPage.ExpiresAt)
		}
		if s, _ := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-pp-1")); s != http.StatusOK {
			t.Errorf("the same request again: %d", s)
		}

		code, h, body := page(t, "GET", v.PaymentPage.URL, "")
		if code != http.StatusOK || !strings.Contains(body, "99.98 EUR") || !strings.Contains(body, `role="status"`) || !strings.Contains(body, ">Cancel<") {
			t.Fatalf("page: %d %s", code, body)
		}
		csp := h.Get("Content-Security-Policy")
		for _, want := range []string{"frame-src " + env.Sandbox, "script-src 'self'", "frame-ancestors 'none'", "default-src 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("CSP %q lacks %q", csp, want)
			}
		}
		if h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("headers: %v", h)
		}
		if strings.Contains(body, "<script>") || strings.Contains(body, "https://") && !strings.Contains(body, "https://shop.example") {
			t.Errorf("inline script or a third party in the page")
		}
		_, _, de := page(t, "GET", v.PaymentPage.URL, "", "Accept-Language", "de-DE,de;q=0.9,en;q=0.5")
		if !strings.Contains(de, ">Abbrechen<") || !strings.Contains(de, "99,98 EUR") || !strings.Contains(de, `lang="de"`) {
			t.Errorf("German page: %s", de)
		}

		// A decline, then another card: the page's attempts.
		session := strings.TrimPrefix(v.PaymentPage.URL, env.PageOrigin)
		_, _, ans := page(t, "POST", env.API+session+"/attempt", `{"token":"`+browserToken(t, env, "4000000000000002")+`"}`, "Content-Type", "application/json")
		if !strings.Contains(ans, `"outcome":"failed"`) || strings.Contains(ans, "redirect") {
			t.Errorf("declined attempt: %s", ans)
		}
		if o := pageGetOrder(t, env, id); o.Status != "payment_failed" || !o.hasActor("payment_page") {
			t.Errorf("after the decline: %+v", o)
		}
		_, _, ans = page(t, "POST", env.API+session+"/attempt", `{"token":"`+browserToken(t, env, "5555555555554444")+`"}`, "Content-Type", "application/json")
		if !strings.Contains(ans, `"outcome":"paid"`) || !strings.Contains(ans, "https://shop.example/thanks?order_id="+id) {
			t.Errorf("paid attempt: %s", ans)
		}
		o := pageGetOrder(t, env, id)
		if o.Status != "authorized" || o.Card.Last4 != "4444" || o.Card.Brand != "mastercard" || o.Amounts.Authorized != 9998 || o.Attempts != 2 {
			t.Errorf("paid: %+v", o)
		}
		// The link after the order moved on shows its state, takes no attempt.
		_, _, body = page(t, "GET", v.PaymentPage.URL, "")
		if !strings.Contains(body, "This order is paid.") || strings.Contains(body, "card-fields") {
			t.Errorf("the link of a paid order: %s", body)
		}
		_, _, ans = page(t, "POST", env.API+session+"/attempt", `{"token":"`+browserToken(t, env, "4242424242424242")+`"}`, "Content-Type", "application/json")
		if o2 := pageGetOrder(t, env, id); o2.Attempts != 2 || !strings.Contains(ans, "failed") {
			t.Errorf("a replayed attempt after payment: %s, attempts %d", ans, o2.Attempts)
		}
	})

	t.Run("the 3-D Secure challenge runs from the page and comes back to it", func(t *testing.T) {
		id := orderID("pp-3ds")
		status, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-pp-3ds"))
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, b)
		}
		var v pageOrder
		pageJSON(t, b, &v)
		session := strings.TrimPrefix(v.PaymentPage.URL, env.PageOrigin)
		de := []string{"Content-Type", "application/json", "Accept-Language", "de"}
		// attempt pays with number through the page and answers the challenge
		// page the browser is sent to.
		attempt := func(number string) *payment.NextAction {
			t.Helper()
			_, _, ans := page(t, "POST", env.API+session+"/attempt", `{"token":"`+browserToken(t, env, number)+`"}`, de...)
			var a struct{ Outcome, Redirect, Message string }
			pageJSON(t, []byte(ans), &a)
			if a.Outcome != "challenge" || !strings.Contains(a.Redirect, "/v1/hosted/challenge/") || !strings.Contains(a.Message, "Bank") {
				t.Fatalf("attempt with a challenge card: %s", ans)
			}
			return &payment.NextAction{Type: payment.NextActionRedirect, URL: a.Redirect}
		}
		// back answers the challenge and follows the return to the page:
		// the page's status answer as the page's script gets it.
		back := func(next *payment.NextAction, outcome string) string {
			t.Helper()
			ret := challengeReturn(t, next, outcome)
			resp, err := noRedirect.Get(ret)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc := resp.Header.Get("Location")
			if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/pay/") || loc == session {
				t.Fatalf("return: %d to %q", resp.StatusCode, loc)
			}
			code, _, body := page(t, "GET", env.API+loc, "", "Accept-Language", "de")
			if code != http.StatusOK || !strings.Contains(body, `data-returned="1"`) {
				t.Fatalf("the page after the return: %d %s", code, body)
			}
			// A forged state is a 404, and so is the page link with its
			// signature bent (the session is not a free parameter).
			if c, _ := browse(t, strings.Replace(ret, "state=", "state=x", 1)); c != http.StatusNotFound {
				t.Errorf("forged state: %d", c)
			}
			if c, _, _ := page(t, "GET", env.API+loc+"x", ""); c != http.StatusNotFound {
				t.Errorf("bent page link: %d", c)
			}
			_, _, ans := page(t, "POST", env.API+loc+"/status", "", de...)
			return ans
		}

		ans := back(attempt("4000000000003220"), "fail")
		if !strings.Contains(ans, `"outcome":"failed"`) || !strings.Contains(ans, "Ihre Bank konnte nicht bestätigen, dass Sie es sind.") {
			t.Errorf("failed challenge: %s", ans)
		}
		if o := pageGetOrder(t, env, id); o.Status != "payment_failed" {
			t.Errorf("after the failed challenge: %+v", o)
		}
		ans = back(attempt("4000008400001629"), "pass")
		if !strings.Contains(ans, `"outcome":"failed"`) || !strings.Contains(ans, "abgelehnt") {
			t.Errorf("passed, then declined: %s", ans)
		}
		ans = back(attempt("4000000000003220"), "pass")
		if !strings.Contains(ans, `"outcome":"paid"`) || !strings.Contains(ans, "https://shop.example/thanks?order_id="+id) || !strings.Contains(ans, "Ihre Bank hat bestätigt") {
			t.Errorf("passed challenge: %s", ans)
		}
		var o struct {
			Status         string
			Amounts        struct{ Authorized int64 }
			Authentication struct {
				Status         string
				LiabilityShift bool `json:"liability_shift"`
			}
		}
		_, ob := env.Do(t, "GET", "/v1/orders/"+id, nil)
		pageJSON(t, ob, &o)
		if o.Status != "authorized" || o.Amounts.Authorized != 9998 || o.Authentication.Status != "challenged" || !o.Authentication.LiabilityShift {
			t.Errorf("paid after the challenge: %s", ob)
		}
	})

	t.Run("cancel abandons and names cancel_url", func(t *testing.T) {
		id := orderID("pp-cancel")
		_, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-pp-2"))
		var v pageOrder
		pageJSON(t, b, &v)
		_, _, ans := page(t, "POST", v.PaymentPage.URL+"/cancel", "")
		if !strings.Contains(ans, `"redirect":"https://shop.example/cart"`) {
			t.Errorf("cancel: %s", ans)
		}
		if o := pageGetOrder(t, env, id); o.Status != "cancelled" {
			t.Errorf("after cancel: %s", o.Status)
		}
	})

	t.Run("expired and forged links are 404 pages", func(t *testing.T) {
		id := orderID("pp-404")
		_, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-pp-3"))
		var v pageOrder
		pageJSON(t, b, &v)
		keys, _ := codec.ParseKeys(testenv.CodecKey)
		links := paylink.New(env.API, keys.Derive(paylink.Label))
		for name, u := range map[string]string{
			"expired":       links.URL(paylink.Session{Kind: paylink.Order, ID: id, Expires: time.Now().Add(-time.Second)}),
			"another key":   paylink.New(env.API, [][]byte{[]byte("guess")}).URL(paylink.Session{Kind: paylink.Order, ID: id, Expires: time.Now().Add(time.Hour)}),
			"made up":       env.API + "/pay/" + strings.Repeat("A", 40),
			"tampered":      strings.Replace(v.PaymentPage.URL, env.PageOrigin, env.API, 1) + "x",
			"another order": env.API + "/pay/" + strings.Split(links.Token(paylink.Session{Kind: paylink.Order, ID: "o-other", Expires: time.Now().Add(time.Hour)}), ".")[0] + "." + strings.Split(strings.TrimPrefix(v.PaymentPage.URL, env.PageOrigin+"/pay/"), ".")[1],
		} {
			code, _, body := page(t, "GET", u, "")
			if code != http.StatusNotFound || !strings.Contains(body, "Payment page not found") {
				t.Errorf("%s link: %d %s", name, code, body)
			}
			if code, _, _ := page(t, "POST", u+"/attempt", `{"token":"tok_x"}`); code != http.StatusNotFound {
				t.Errorf("%s link's attempt: %d", name, code)
			}
		}
		if o := pageGetOrder(t, env, id); o.Status != "awaiting_payment" {
			t.Errorf("the forged links moved the order: %s", o.Status)
		}
	})

	t.Run("tokens in the API", func(t *testing.T) {
		tok := browserToken(t, env, "4242424242424242")
		req := orderRequest(orderID("tok-1"), "4242424242424242")
		req["customer"] = map[string]any{"id": "c-tok-1", "country": "US"}
		req["card"] = map[string]any{"token": tok}
		status, b := env.Do(t, "POST", "/v1/orders", req)
		var v pageOrder
		pageJSON(t, b, &v)
		if status != http.StatusCreated || v.Status != "authorized" || v.Card.Token != tok || v.Card.Last4 != "4242" || v.Card.Brand != "visa" || v.Card.BINCountry != "US" {
			t.Fatalf("order with a browser token: %d %s", status, b)
		}
		other := orderRequest(orderID("tok-2"), "4242424242424242")
		other["customer"] = map[string]any{"id": "c-tok-2", "country": "US"}
		for name, card := range map[string]map[string]any{
			"another customer's token": {"token": tok},
			"an unknown token":         {"token": "tok_000000000000000000000000"},
			"a token and a card":       {"token": tok, "number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
		} {
			other["card"] = card
			status, b := env.Do(t, "POST", "/v1/orders", other)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"field":"card.token"`) {
				t.Errorf("%s: %d %s", name, status, b)
			}
		}
		both := pageOrderRequest(orderID("tok-3"), "c-tok-3")
		both["card"] = map[string]any{"token": tok}
		if status, b := env.Do(t, "POST", "/v1/orders", both); status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"field":"payment_page"`) {
			t.Errorf("a card and a page: %d %s", status, b)
		}
		bad := pageOrderRequest(orderID("tok-4"), "c-tok-4")
		bad["payment_page"] = map[string]any{"return_url": "javascript:alert(1)", "cancel_url": "https://shop.example/cart"}
		if status, b := env.Do(t, "POST", "/v1/orders", bad); status != http.StatusUnprocessableEntity || !strings.Contains(string(b), "payment_page.return_url") {
			t.Errorf("a javascript: return_url: %d %s", status, b)
		}
	})

	t.Run("a subscription's first card is authenticated from the page and comes back to it", func(t *testing.T) {
		id := subID("pp-sub-3ds")
		status, b := pageSubscription(t, env, id, "c-pp-sub-3ds", "DE", map[string]any{"name": "pro", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D"})
		if status != http.StatusCreated || !strings.Contains(string(b), `"status":"incomplete"`) {
			t.Fatalf("create: %d %s", status, b)
		}
		var v struct {
			PaymentPage struct{ URL string } `json:"payment_page"`
		}
		pageJSON(t, b, &v)
		session := strings.TrimPrefix(v.PaymentPage.URL, env.PageOrigin)
		_, _, ans := page(t, "POST", env.API+session+"/attempt", `{"token":"`+browserToken(t, env, "4000000000003220")+`"}`, "Content-Type", "application/json")
		var a struct{ Outcome, Redirect string }
		pageJSON(t, []byte(ans), &a)
		if a.Outcome != "challenge" || !strings.Contains(a.Redirect, "/v1/hosted/challenge/") {
			t.Fatalf("attempt with a challenge card: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "incomplete" {
			t.Errorf("while the challenge waits: %+v", s)
		}
		loc := pageReturn(t, a.Redirect, "pass")
		_, _, ans = page(t, "POST", env.API+loc+"/status", "", "Content-Type", "application/json")
		if !strings.Contains(ans, `"outcome":"paid"`) || !strings.Contains(ans, "https://shop.example/thanks?subscription_id="+id) {
			t.Errorf("status after the passed challenge: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "3220" {
			t.Errorf("after the challenge: %+v", s)
		}
	})

	t.Run("a subscription's first card failing its challenge leaves it incomplete for another card", func(t *testing.T) {
		id := subID("pp-sub-3ds-fail")
		pageURL := pageSubscriptionURL(t, env, id, "c-pp-sub-3ds-fail", "DE", map[string]any{"name": "pro", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D"})
		a, ans := pageAttempt(t, env, pageURL, "4000000000003220")
		if a.Outcome != "challenge" {
			t.Fatalf("attempt with a challenge card: %s", ans)
		}
		loc := pageReturn(t, a.Redirect, "fail")
		_, _, ans = page(t, "POST", env.API+loc+"/status", "", "Content-Type", "application/json")
		if !strings.Contains(ans, `"outcome":"failed"`) || !strings.Contains(ans, payment.DeclineFor(payment.AuthenticationFailed).Message) {
			t.Errorf("status after the failed challenge: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "incomplete" {
			t.Errorf("after the failed challenge: %+v", s)
		}
		_, _, ans = page(t, "POST", env.API+loc+"/attempt", `{"token":"`+browserToken(t, env, "4242424242424242")+`"}`, "Content-Type", "application/json")
		if !strings.Contains(ans, `"redirect":"https://shop.example/thanks?subscription_id=`+id) {
			t.Errorf("second card: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "4242" {
			t.Errorf("after the second card: %+v", s)
		}
	})

	t.Run("a subscription for the page starts incomplete; its card-change link", func(t *testing.T) {
		id := subID("pp-sub")
		status, b := pageSubscription(t, env, id, "c-pp-sub", "US", map[string]any{"name": "pro", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D"})
		if status != http.StatusCreated || !strings.Contains(string(b), `"status":"incomplete"`) || !strings.Contains(string(b), `"url":"`+env.PageOrigin+`/pay/`) {
			t.Fatalf("create: %d %s", status, b)
		}
		var v struct {
			PaymentPage struct{ URL string } `json:"payment_page"`
		}
		pageJSON(t, b, &v)
		_, _, ans := page(t, "POST", v.PaymentPage.URL+"/attempt", `{"token":"`+browserToken(t, env, "4242424242424242")+`"}`, "Content-Type", "application/json")
		if !strings.Contains(ans, `"redirect":"https://shop.example/thanks?subscription_id=`+id) {
			t.Errorf("attempt: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "4242" {
			t.Errorf("after the page: %+v", s)
		}
		status, b = env.Do(t, "POST", "/v1/subscriptions/"+id+"/payment-page", nil)
		if status != http.StatusOK || !strings.Contains(string(b), `"url":"`+env.PageOrigin+`/pay/`) {
			t.Errorf("card-change link: %d %s", status, b)
		}
		// A new card the issuer declines leaves the card that works (revision 9);
		// another card then replaces it.
		var link struct {
			URL string `json:"url"`
		}
		pageJSON(t, b, &link)
		if a, ans := pageAttempt(t, env, link.URL, "4000000000000002"); a.Outcome != "failed" || a.Redirect != "" || !strings.Contains(a.Message, "declined") {
			t.Errorf("a declined card on the card-change page: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "4242" {
			t.Errorf("after the declined card: %+v, want trialing on 4242 still", s)
		}
		if a, ans := pageAttempt(t, env, link.URL, "5555555555554444"); a.Outcome != "paid" {
			t.Errorf("another card on the card-change page: %s", ans)
		}
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "4444" {
			t.Errorf("after the second card: %+v, want trialing on 4444", s)
		}
	})
}
