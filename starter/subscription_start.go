package main

import (
	"context"
	"flag"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/subscription"
)

// bindSubscriptionBody binds the flags of a subscription's request body
// (API.md, Subscriptions): the API's own type, durations as ISO 8601 strings.
func bindSubscriptionBody(fs *flag.FlagSet, b *shop.SubscriptionRequest) {
	fs.StringVar(&b.SubscriptionID, "id", b.SubscriptionID, "subscription id (subscription_id)")
	fs.StringVar(&b.Customer.ID, "customer", b.Customer.ID, "customer id")
	fs.StringVar(&b.Customer.Email, "email", b.Customer.Email, "customer e-mail")
	fs.StringVar(&b.Customer.Country, "country", b.Customer.Country, "customer country, ISO 3166 alpha-2")
	cardFlags(fs, &b.Card)
	fs.StringVar(&b.Plan.Name, "plan", b.Plan.Name, "plan name, e.g. pro-monthly")
	fs.Int64Var(&b.Plan.Amount, "amount", b.Plan.Amount, "amount per cycle in minor units")
	fs.StringVar(&b.Plan.Currency, "currency", b.Plan.Currency, "ISO 4217 currency, e.g. EUR")
	fs.Var(durationFlag{&b.Plan.Interval}, "interval", "billing interval, ISO 8601 (`P1M`, PT10S)")
	fs.Var(durationFlag{&b.Plan.Trial}, "trial", "free trial before the first bill, ISO 8601 (`P14D`)")
	fs.IntVar(&b.Plan.Cycles, "cycles", b.Plan.Cycles, "cycles to bill; 0 until cancelled")
	fs.Var(durationFlag{&b.Notice.PreBill}, "pre-bill", "pre-bill notice this long before each bill (`P3D`)")
	fs.Var(durationFlag{&b.Notice.TrialEnd}, "trial-end", "trial-end notice this long before the trial ends (`P3D`)")
	fs.Var(durationFlag{&b.Notice.Expiration}, "expiration", "expiration notice this long before the plan ends (`P7D`)")
	fs.Var(durationsFlag{&b.Retry.Schedule}, "retry", "retry schedule of a failed bill, comma-separated (`P1D,P3D,P5D`)")
	fs.BoolVar(&b.AccountUpdater, "account-updater", b.AccountUpdater, "ask the card account updater after a hard decline")
}

var subscriptionStartCmd = command{
	name: "start",
	run:  runSubscriptionStart,
	synopsis: "--id ID --customer ID --card-file FILE|- --exp MM/YYYY --amount N --currency CUR\n" +
		"        --interval P1M [--trial P14D] [--retry P1D,P3D] [flags] | --json FILE",
	summary: "Start a subscription; answer once the trial began or the first bill has a result\n" +
		"(POST /v1/subscriptions). The card is tokenized; only the token goes to Temporal.",
}

func runSubscriptionStart(c *cli, cmd command, args []string) error {
	fs := func() *flag.FlagSet { return c.flagSet("subscription", cmd) }
	body, pos, err := parseBody(c, fs, cmd, args, bindSubscriptionBody)
	if err != nil {
		return err
	}
	if body.SubscriptionID, err = oneID(pos, body.SubscriptionID, "subscription"); err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return s.startSubscription(ctx, *body, nil)
	})
}

// startSubscription checks the request as the API does (422 naming the field,
// nothing started), tokenizes the card and opens the subscription with the
// request's digest. script, when set, runs between tokenizing and opening (the
// demo scripts the sandbox's outcomes for the new token there).
func (s *session) startSubscription(ctx context.Context, req shop.SubscriptionRequest, script func(tok string) error) (subscription.View, error) {
	in, err := req.Input(subscription.Settings{})
	if err != nil {
		return subscription.View{}, err
	}
	if req.PaymentPage != nil { // the customer enters the card on the page
		opened, err := shop.OpenSubscription(ctx, s.temporal, s.cfg.TaskQueue, in)
		v := opened.Subscription
		v.PaymentPage = s.pageLink(paylink.Subscription, v.SubscriptionID, v.PaymentPage)
		return v, err
	}
	if in.Card, err = shop.Tokenize(ctx, s.vault, s.now(), in.Customer.ID, req.Card); err != nil {
		return subscription.View{}, err
	}
	if script != nil {
		if err := script(in.Card.Token); err != nil {
			return subscription.View{}, err
		}
	}
	opened, err := shop.OpenSubscription(ctx, s.temporal, s.cfg.TaskQueue, in)
	return opened.Subscription, err
}
