package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/payment"
)

// The sandbox's 3-D Secure cards (API.md, "3-D Secure").
const (
	cardChallenge    = "4000000000003220" // challenge required
	cardFrictionless = "4000000000003063" // authenticated without a challenge
)

// challenge plays the customer's browser on the order's next_action: the
// sandbox's challenge page answered pass or fail, then the redirect to
// cardflow's return endpoint, which asks the processor for the result.
func (o *orderSteps) challenge(pass bool, want payment.OrderStatus) *orderSteps {
	if o.err != nil {
		return o
	}
	if o.v.NextAction == nil {
		o.err = fmt.Errorf("challenge: the order has no next_action")
		return o
	}
	outcome := "fail"
	if pass {
		outcome = "pass"
	}
	ctx, cancel := context.WithTimeout(o.ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.v.NextAction.URL, strings.NewReader(url.Values{"outcome": {outcome}}.Encode()))
	if err != nil {
		o.err = err
		return o
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req) // follows the redirect to the return endpoint
	if err != nil {
		o.err = fmt.Errorf("challenge: %w", err)
		return o
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		o.err = fmt.Errorf("challenge: the return page answered %d", resp.StatusCode)
		return o
	}
	o.v, o.err = shop.QueryOrder(o.ctx, o.d.s.temporal, o.id)
	o.check("challenge "+outcome, want)
	return o
}

// threeDSFlows are the order flows of 3-D Secure.
func threeDSFlows() []scenario {
	steps := func(ctx context.Context, d *demo, id string) *orderSteps { return &orderSteps{ctx: ctx, d: d, id: id} }
	return []scenario{
		{"order", "3ds-frictionless", "3-D Secure frictionless: authorized with the authentication", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardFrictionless), payment.OrderAuthorized).done()
		}},
		{"order", "3ds-challenge", "3-D Secure challenge passed on the sandbox's page, then authorized", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardChallenge), payment.OrderRequiresAction).
				challenge(true, payment.OrderAuthorized).done()
		}},
		{"order", "3ds-failed", "3-D Secure challenge failed (soft), retry with a frictionless card", func(ctx context.Context, d *demo, id string) (string, string, error) {
			return steps(ctx, d, id).place(demoOrder(id, cardChallenge), payment.OrderRequiresAction).
				challenge(false, payment.OrderPaymentFailed).retry(cardFrictionless, payment.OrderAuthorized).done()
		}},
		{"order", "3ds-never", "three_ds never on a card that requires it: authentication_required (1A)", func(ctx context.Context, d *demo, id string) (string, string, error) {
			b := demoOrder(id, cardChallenge)
			b.ThreeDS = payment.ThreeDSNever
			return steps(ctx, d, id).place(b, payment.OrderPaymentFailed).done()
		}},
	}
}
