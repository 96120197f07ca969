package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// The page's flows play the customer's browser over HTTP, as the page's own
// script does: the card fields tokenize at the processor with the publishable
// key (the card number goes there and nowhere else), the page's endpoints on
// the API take the token. They need the API running (make run does).

// demoPage is where the payment page sends the customer back.
var demoPage = &flow.PaymentPage{ReturnURL: "https://shop.example/thanks", CancelURL: "https://shop.example/cart"}

// pageAnswer is what the page's endpoints answer its script.
type pageAnswer struct {
	Outcome, Message, Redirect string
}

// browserToken tokenizes number as the processor's card fields do.
func (d *demo) browserToken(ctx context.Context, number string) (string, error) {
	body, _ := json.Marshal(map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(d.s.cfg.CardFieldsBase(), "/")+"/v1/tokens", bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+d.s.cfg.SandboxPublishableKey)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", fmt.Errorf("card fields: %w", err)
	}
	defer resp.Body.Close()
	var out struct {
		Card struct{ Token string } `json:"card"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated || out.Card.Token == "" {
		return "", fmt.Errorf("card fields: the processor answered %d", resp.StatusCode)
	}
	return out.Card.Token, nil
}

// pageCall posts to one of the page's endpoints (attempt, status, cancel).
func (d *demo) pageCall(ctx context.Context, link, endpoint string, body any) (pageAnswer, error) {
	var r io.Reader = http.NoBody
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, link+"/"+endpoint, r)
	if err != nil {
		return pageAnswer{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return pageAnswer{}, fmt.Errorf("payment page %s: %w (is the API running?)", endpoint, err)
	}
	defer resp.Body.Close()
	var a pageAnswer
	if err := json.NewDecoder(resp.Body).Decode(&a); err != nil || resp.StatusCode != http.StatusOK {
		return a, fmt.Errorf("payment page %s: %d %s", endpoint, resp.StatusCode, a.Message)
	}
	return a, nil
}

// pay enters number on the page and wants outcome ("paid" or "failed").
func (d *demo) pay(ctx context.Context, link, number, outcome string) (pageAnswer, error) {
	tok, err := d.browserToken(ctx, number)
	if err != nil {
		return pageAnswer{}, err
	}
	a, err := d.pageCall(ctx, link, "attempt", map[string]string{"token": tok})
	if err == nil && a.Outcome != outcome {
		err = fmt.Errorf("the page paid with ••%s: outcome %q (%s), want %q", number[len(number)-4:], a.Outcome, a.Message, outcome)
	}
	return a, err
}

// pageOrder places the demo order for the page and answers its link.
func (o *orderSteps) forPage() *orderSteps {
	b := demoOrder(o.id, "")
	b.Card, b.PaymentPage = payment.CardData{}, demoPage
	o.place(b, payment.OrderAwaitingPayment)
	if o.err == nil && (o.v.PaymentPage == nil || o.v.PaymentPage.URL == "") {
		o.err = fmt.Errorf("place: the order has no payment-page link")
	}
	return o
}

// onPage runs one browser step on the order's page, then reads the order back.
func (o *orderSteps) onPage(step func(link string) (pageAnswer, error), want payment.OrderStatus) *orderSteps {
	if o.err != nil {
		return o
	}
	if _, o.err = step(o.v.PaymentPage.URL); o.err == nil {
		page := o.v.PaymentPage
		o.v, o.err = shop.QueryOrder(o.ctx, o.d.s.temporal, o.id)
		o.v.PaymentPage = page
		o.check("payment page", want)
	}
	return o
}

// pageFlows are the payment page's flows (API.md "The payment page").
func pageFlows() []scenario {
	steps := func(ctx context.Context, d *demo, id string) *orderSteps { return &orderSteps{ctx: ctx, d: d, id: id} }
	return []scenario{
		{"order", "page", "payment page: declined, another card, authorized", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).forPage().
				onPage(func(link string) (pageAnswer, error) { return d.pay(ctx, link, cardDoNotHonor, "failed") }, payment.OrderPaymentFailed).
				onPage(func(link string) (pageAnswer, error) { return d.pay(ctx, link, cardMastercard, "paid") }, payment.OrderAuthorized).done()
		}},
		{"order", "page-cancel", "payment page: the customer cancels", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).forPage().
				onPage(func(link string) (pageAnswer, error) { return d.pageCall(ctx, link, "cancel", nil) }, payment.OrderCancelled).done()
		}},
		{"order", "page-open", "payment page left open for you: open the link in a browser", func(ctx context.Context, d *demo, id string) (string, string, error) {
			o := steps(ctx, d, id).forPage()
			if o.err != nil {
				return o.done()
			}
			return string(o.v.Status), "pay at " + o.v.PaymentPage.URL, nil
		}},
		{"subscription", "page", "payment page: a subscription's first card, then its trial", func(ctx context.Context, d *demo, id string) (string, string, error) {
			in := d.subscriptionRequest(id, func(r *shop.SubscriptionRequest) { r.Plan.Trial = "P14D" })
			in.PaymentPage = demoPage
			v, err := d.s.startSubscription(ctx, in, nil)
			if err == nil {
				err = expect("start", v.Status, payment.SubscriptionIncomplete)
			}
			if err == nil && (v.PaymentPage == nil || v.PaymentPage.URL == "") {
				err = fmt.Errorf("start: the subscription has no payment-page link")
			}
			if err == nil {
				_, err = d.pay(ctx, v.PaymentPage.URL, cardVisa, "paid")
			}
			if err == nil {
				v, err = shop.QuerySubscription(ctx, d.s.temporal, id)
			}
			if err == nil {
				err = expect("payment page", v.Status, payment.SubscriptionTrialing)
			}
			if err != nil {
				return string(v.Status), "", err
			}
			return string(v.Status), "card ••" + v.Card.Last4 + " from the page", nil
		}},
	}
}
