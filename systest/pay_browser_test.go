//go:build e2epay

package systest

// The payment page in a real browser (make e2e-pay; .ci/run runs it): headless
// Chromium, driven by chromedp, pays, declines, retries, cancels, starts a
// subscription and replaces a card in dunning through the processor's card
// fields, as a customer would, with screenshots of each page state under
// .cardflow/e2e-pay/. Then the no-card-data scan (nocarddata_test.go) runs over
// these workflows, the logs and the webhooks, and over every request the
// browser sent to cardflow's origin.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/testenv"
)

// shots is where the screenshots go, from the module's root.
const shots = "../.cardflow/e2e-pay"

// browser is one headless Chromium with the requests it sent to cardflow.
type browser struct {
	t      *testing.T
	ctx    context.Context
	origin string // cardflow's
	mu     sync.Mutex
	sent   []string // method, URL and body of each request to origin
}

func newBrowser(t *testing.T, origin string) *browser {
	t.Helper()
	path := os.Getenv("CARDFLOW_CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no Chromium at %s (set CARDFLOW_CHROMIUM): %v", path, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox,
		chromedp.WindowSize(900, 1000), chromedp.Flag("disable-gpu", true))
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	b := &browser{t: t, ctx: ctx, origin: origin}
	if err := chromedp.Listen(ctx, b.record); err != nil {
		t.Fatalf("listen: %v", err)
	}
	return b
}

// record keeps every request to cardflow's origin, its body included.
func (b *browser) record(ev any) {
	var r *network.Request
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		r = e.Request
	case network.EventRequestWillBeSent:
		r = e.Request
	}
	if r == nil || !strings.HasPrefix(r.URL, b.origin) {
		return
	}
	var body strings.Builder
	for _, p := range r.PostDataEntries {
		body.Write(p.Bytes)
	}
	b.mu.Lock()
	b.sent = append(b.sent, r.Method+" "+r.URL+" "+body.String())
	b.mu.Unlock()
}

func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 45*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.shot("failed-" + strings.ReplaceAll(what, " ", "-"))
		b.t.Fatalf("%s: %v", what, err)
	}
}

func (b *browser) shot(name string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG, lossless
	if err != nil {
		b.t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(shots, name+".png"), png, 0o644); err != nil {
		b.t.Errorf("save %s: %v", name, err)
	}
}

func (b *browser) text(sel string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

// waitText waits until the element's text holds want.
func (b *browser) waitText(sel, want string) {
	b.t.Helper()
	js := fmt.Sprintf(`(document.querySelector(%q) || {}).textContent && document.querySelector(%q).textContent.includes(%q)`, sel, sel, want)
	b.do("wait for "+want, chromedp.Legacy(pollTrue(js)))
}

// waitLocation waits until the page is at a URL starting with prefix.
func (b *browser) waitLocation(prefix string) string {
	b.t.Helper()
	b.do("go to "+prefix, chromedp.Legacy(pollTrue(fmt.Sprintf(`document.location.href.startsWith(%q)`, prefix))))
	loc, _ := chromedp.Run(b.ctx, chromedp.Location())
	return loc
}

type poller struct{ js string }

func pollTrue(js string) poller { return poller{js} }

func (p poller) Do(ctx context.Context) error {
	for {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](p.js))
		if err == nil && ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%s never held: %w", p.js, ctx.Err())
		case <-time.After(150 * time.Millisecond):
		}
	}
}

// acceptLanguage makes the browser send Accept-Language: lang on every
// request from now on ("" sends the browser's own).
func (b *browser) acceptLanguage(lang string) {
	b.t.Helper()
	h := network.Headers{}
	if lang != "" {
		h["Accept-Language"] = lang
	}
	b.do("Accept-Language "+lang, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: h})
		return err
	}))
}

// waitSettled waits until a paid page shows its outcome alone: the card
// fields and the cancel button gone, not a form still busy with the card.
func (b *browser) waitSettled() {
	b.t.Helper()
	b.do("fields gone after paying", chromedp.Legacy(pollTrue(`(function () {
		var f = document.getElementById("card-fields"), c = document.getElementById("cancel");
		return !!f && f.parentNode.hidden && f.offsetParent === null && !!c && c.hidden && c.offsetParent === null;
	})()`)))
}

// card fills the card fields in their iframe and pays.
func (b *browser) card(c ncCard, shot string) {
	b.t.Helper()
	b.do("card fields", chromedp.WaitVisible(chromedp.CSS("iframe#card-fields")))
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	frames, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS("iframe#card-fields")))
	if err != nil || len(frames) == 0 {
		b.t.Fatalf("iframe: %v", err)
	}
	in := chromedp.FromNode(frames[0])
	b.do("type the card", chromedp.WaitVisible(chromedp.CSS(`input[autocomplete="cc-number"]`), in),
		chromedp.SendKeys(chromedp.CSS(`input[autocomplete="cc-number"]`), c.number, in),
		chromedp.SendKeys(chromedp.CSS(`input[autocomplete="cc-exp"]`), "1230", in),
		chromedp.SendKeys(chromedp.CSS(`input[autocomplete="cc-csc"]`), c.cvc, in),
		chromedp.SendKeys(chromedp.CSS(`input[autocomplete="cc-name"]`), "Jane Doe", in))
	if shot != "" {
		b.shot(shot)
	}
	b.do("pay", chromedp.Click(chromedp.CSS(`button[type="submit"]`), in))
}

// shop is the shop's side: where the page sends the customer back.
func shopServer(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<!doctype html><title>Shop</title><h1>Shop: %s</h1><p id=q>%s</p>", r.URL.Path, r.URL.RawQuery)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestPaymentPageInABrowser(t *testing.T) {
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Options{})
	shop := shopServer(t)
	b := newBrowser(t, env.PageOrigin)
	f := &ncFlows{env: env, minWorkflows: 5}
	page := map[string]string{"return_url": shop.URL + "/thanks", "cancel_url": shop.URL + "/cart"}
	placeForPage := func(name string) string {
		id := orderID("page-" + name)
		var v struct {
			PaymentPage struct{ URL string } `json:"payment_page"`
		}
		pageJSON(t, f.call(t, "POST", "/v1/orders", map[string]any{
			"order_id": id, "currency": "EUR", "customer": map[string]any{"id": "c-page-" + name, "email": "jane@example.com", "country": "US"},
			"items":        []map[string]any{{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}, {"sku": "SOCKS", "quantity": 1, "unit_amount": 500}},
			"payment_page": page,
		}, http.StatusCreated), &v)
		f.mu.Lock()
		f.orders = append(f.orders, id)
		f.mu.Unlock()
		return v.PaymentPage.URL
	}

	t.Run("pay with 4242", func(t *testing.T) {
		b.t = t
		u := placeForPage("visa")
		b.do("open", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#message")))
		if got := b.text("#total"); got != "104.98 EUR" {
			t.Errorf("total %q", got)
		}
		b.shot("01-order-awaiting-payment")
		b.card(ncVisa, "02-card-fields-filled")
		b.waitText("#message", "authorized")
		b.waitSettled()
		b.shot("03-paid-message")
		loc := b.waitLocation(shop.URL + "/thanks")
		b.shot("04-returned-to-shop")
		id := f.orders[len(f.orders)-1]
		if !strings.Contains(loc, "order_id="+id) {
			t.Errorf("returned to %s, want the order id", loc)
		}
		v := pageGetOrder(t, env, id)
		if v.Status != "authorized" || v.Card.Last4 != "4242" || v.Amounts.Authorized != 10498 {
			t.Errorf("order after the page: %+v", v)
		}
		if !v.hasActor("payment_page") {
			t.Errorf("no event names the payment page: %+v", v.Events)
		}
		// The link again: the order moved on, the page shows its state.
		b.do("open again", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#message")))
		if got := b.text("#message"); !strings.Contains(got, "paid") {
			t.Errorf("the link after paying shows %q", got)
		}
		b.shot("05-link-after-paid")
	})

	t.Run("decline with 4000000000000002, then pay with 5555, in German", func(t *testing.T) {
		b.t = t
		u := placeForPage("decline")
		b.acceptLanguage("de-DE,de;q=0.9")
		defer b.acceptLanguage("")
		b.do("open", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#cancel")))
		if got := b.text("#cancel"); got != "Abbrechen" {
			t.Errorf("cancel reads %q in German", got)
		}
		if got := b.text("#total"); got != "104,98 EUR" {
			t.Errorf("German total %q", got)
		}
		b.card(ncDoNot, "")
		b.waitText("#message", "abgelehnt")
		b.shot("06-declined-german")
		b.card(ncMaster, "07-another-card-german")
		b.waitText("#message", "autorisiert")
		b.shot("08-paid-german")
		b.waitLocation(shop.URL + "/thanks")
		v := pageGetOrder(t, env, f.orders[len(f.orders)-1])
		if v.Status != "authorized" || v.Card.Last4 != "4444" || v.Attempts != 2 {
			t.Errorf("order after a decline and a retry: %+v", v)
		}
	})

	// The 3-D Secure challenge in place: the page sends the browser to the
	// sandbox's challenge page, the return comes back to the page.
	challengeIn := func(t *testing.T, c ncCard, button, shot string) {
		t.Helper()
		b.card(c, "")
		b.do("challenge page", chromedp.WaitVisible(chromedp.CSS(`button[value="`+button+`"]`)))
		b.shot(shot + "-challenge")
		b.do("answer the challenge", chromedp.Click(chromedp.CSS(`button[value="`+button+`"]`)))
		b.waitLocation(env.PageOrigin + "/pay/")
	}
	t.Run("3-D Secure: 4000000000003220 passes the challenge in place", func(t *testing.T) {
		b.t = t
		u := placeForPage("tds-pass")
		id := f.orders[len(f.orders)-1]
		b.do("open", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#message")))
		challengeIn(t, ncChallenge, "pass", "10-3ds-pass")
		b.waitText("#message", "authorized")
		b.shot("11-3ds-pass-back-on-page")
		loc := b.waitLocation(shop.URL + "/thanks")
		b.shot("12-3ds-pass-returned-to-shop")
		if !strings.Contains(loc, "order_id="+id) {
			t.Errorf("returned to %s", loc)
		}
		var o struct {
			Status         string
			Authentication struct {
				Status         string
				LiabilityShift bool `json:"liability_shift"`
			}
		}
		pageJSON(t, f.call(t, "GET", "/v1/orders/"+id, nil, http.StatusOK), &o)
		if o.Status != "authorized" || o.Authentication.Status != "challenged" || !o.Authentication.LiabilityShift {
			t.Errorf("order after the challenge: %+v", o)
		}
	})
	t.Run("3-D Secure: a failed challenge in German, then 4242; 4000008400001629 passed, declined, then 5555", func(t *testing.T) {
		b.t = t
		u := placeForPage("tds-fail")
		id := f.orders[len(f.orders)-1]
		b.acceptLanguage("de-DE,de;q=0.9")
		b.do("open", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#cancel")))
		challengeIn(t, ncChallenge, "fail", "13-3ds-fail")
		b.waitText("#message", "Ihre Bank konnte nicht bestätigen")
		b.shot("14-3ds-failed-german-message")
		b.card(ncVisa, "")
		b.waitText("#message", "autorisiert")
		b.shot("15-3ds-failed-then-4242-paid")
		b.waitLocation(shop.URL + "/thanks")
		if v := pageGetOrder(t, env, id); v.Status != "authorized" || v.Card.Last4 != "4242" {
			t.Errorf("after the failed challenge and 4242: %+v", v)
		}
		b.acceptLanguage("")
		u = placeForPage("tds-decline")
		id = f.orders[len(f.orders)-1]
		b.do("open", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#message")))
		challengeIn(t, ncChallengeDecline, "pass", "16-3ds-1629")
		b.waitText("#message", "declined")
		b.shot("17-3ds-1629-passed-then-declined")
		b.card(ncMaster, "")
		b.waitText("#message", "authorized")
		b.waitSettled()
		b.shot("18-3ds-1629-then-5555-paid")
		b.waitLocation(shop.URL + "/thanks")
		if v := pageGetOrder(t, env, id); v.Status != "authorized" || v.Card.Last4 != "4444" {
			t.Errorf("after 1629 and 5555: %+v", v)
		}
	})

	t.Run("cancel", func(t *testing.T) {
		b.t = t
		u := placeForPage("cancel")
		b.do("open and cancel", chromedp.Navigate(u), chromedp.WaitVisible(chromedp.CSS("#cancel")), chromedp.Click(chromedp.CSS("#cancel")))
		loc := b.waitLocation(shop.URL + "/cart")
		b.shot("09-cancelled-landed-on-cancel-url")
		if v := pageGetOrder(t, env, f.orders[len(f.orders)-1]); v.Status != "cancelled" {
			t.Errorf("after Cancel: %s (at %s)", v.Status, loc)
		}
	})

	t.Run("subscription started incomplete becomes trialing", func(t *testing.T) {
		b.t = t
		id := orderID("page-sub")
		var v struct {
			Status      string
			PaymentPage struct{ URL string } `json:"payment_page"`
		}
		pageJSON(t, f.call(t, "POST", "/v1/subscriptions", map[string]any{
			"subscription_id": id, "customer": map[string]any{"id": "c-page-sub", "email": "jane@example.com", "country": "US"},
			"plan":         map[string]any{"name": "pro-monthly", "amount": 999, "currency": "EUR", "interval": "P1M", "trial": "P14D"},
			"payment_page": page,
		}, http.StatusCreated), &v)
		f.mu.Lock()
		f.subs = append(f.subs, id)
		f.mu.Unlock()
		if v.Status != "incomplete" {
			t.Fatalf("started %s", v.Status)
		}
		b.do("open", chromedp.Navigate(v.PaymentPage.URL), chromedp.WaitVisible(chromedp.CSS("#total")))
		b.shot("10-subscription-incomplete")
		b.card(ncVisa2, "")
		b.waitLocation(shop.URL + "/thanks")
		if s := subGet(t, env, id); s.Status != "trialing" || s.Card.Last4 != "4242" {
			t.Errorf("after the page: %+v", s)
		}
	})

	t.Run("a dunning link replaces the card and the catch-up bill is paid", func(t *testing.T) {
		b.t = t
		id := orderID("page-dunning")
		pageJSON(t, f.call(t, "POST", "/v1/subscriptions", map[string]any{
			"subscription_id": id, "customer": map[string]any{"id": "c-page-dun", "email": "jane@example.com", "country": "US"},
			"card":  ncSoft.json(),
			"plan":  map[string]any{"name": "pro-monthly", "amount": 999, "currency": "EUR", "interval": "P1M"},
			"retry": map[string]any{"schedule": []string{"P1D", "P3D"}},
		}, http.StatusCreated), &struct{}{})
		f.mu.Lock()
		f.subs = append(f.subs, id)
		f.mu.Unlock()
		if s := subGet(t, env, id); s.Status != "past_due" {
			t.Fatalf("after the first bill: %s", s.Status)
		}
		var link struct{ URL string }
		pageJSON(t, f.call(t, "POST", "/v1/subscriptions/"+id+"/payment-page", page, http.StatusOK), &link)
		b.do("open", chromedp.Navigate(link.URL), chromedp.WaitVisible(chromedp.CSS("#total")))
		b.shot("11-dunning-link")
		b.card(ncVisa3, "")
		b.waitText("#message", "saved")
		b.shot("12-dunning-card-replaced")
		b.waitLocation(shop.URL + "/thanks")
		s := subGet(t, env, id)
		if s.Status != "active" || s.LastPayment == nil || s.LastPayment.Status != "succeeded" || s.Card.Last4 != "4242" {
			t.Errorf("after the dunning page: %+v", s)
		}
		paid := 0
		for _, l := range env.LedgerWithPrefix(t, subscription.WorkflowID(id)+"/") {
			if l.Type == "sale" && l.Status == "approved" && l.Amount == 999 {
				paid++
			}
		}
		if paid != 1 {
			t.Errorf("the catch-up bill: %d approved sales of 999, want 1", paid)
		}
	})

	t.Run("expired and forged links are 404 pages", func(t *testing.T) {
		b.t = t
		keys, _ := codec.ParseKeys(testenv.CodecKey)
		links := paylink.New(env.PageOrigin, keys.Derive(paylink.Label))
		expired := links.URL(paylink.Session{Kind: paylink.Order, ID: f.orders[0], Expires: time.Now().Add(-time.Minute)})
		forged := paylink.New(env.PageOrigin, [][]byte{[]byte("not the key")}).URL(paylink.Session{Kind: paylink.Order, ID: f.orders[0], Expires: time.Now().Add(time.Hour)})
		for name, u := range map[string]string{"13-expired-link-404": expired, "14-forged-link-404": forged} {
			res, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(u))
			if err != nil || res.Status != http.StatusNotFound {
				t.Errorf("%s: %v %v", name, res, err)
			}
			if got := b.text("h1"); !strings.Contains(got, "not found") {
				t.Errorf("%s shows %q", name, got)
			}
			b.shot(name)
		}
	})

	if t.Failed() {
		t.Fatal("a flow failed: the scan would be incomplete")
	}
	b.mu.Lock()
	sent := b.sent
	b.mu.Unlock()
	if len(sent) < 10 {
		t.Errorf("recorded %d requests to cardflow's origin", len(sent))
	}
	for _, s := range sent {
		f.answers = append(f.answers, []byte(s))
	}
	for _, id := range f.workflowIDs() {
		badSettle(t, env, id)
	}
	f.scan(t)
	t.Logf("the browser sent %d requests to cardflow's origin %s", len(sent), env.PageOrigin)
}
