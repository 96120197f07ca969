package main

import (
	"context"
	"flag"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/subscription"
)

// subscriptionCommands are API.md's subscription commands, each a Temporal
// update (subscription/commands.go) answering the subscription.
var subscriptionCommands = []command{
	subscriptionStartCmd,
	{name: "show", synopsis: "<subscription_id>", run: runSubscriptionShow,
		summary: "Show the subscription (GET /v1/subscriptions/{id}): the workflow's state query."},
	{name: "cancel", synopsis: "<subscription_id> [--idempotency-key KEY]", run: runSubscriptionCancel,
		summary: "The customer opts out: no further billing (POST /v1/subscriptions/{id}/cancel)."},
	{name: "payment-method", synopsis: "<subscription_id> --card-file FILE|- --exp MM/YYYY [--idempotency-key KEY] | --json FILE",
		run: runSubscriptionPaymentMethod,
		summary: "Replace the card; when past_due or suspended a catch-up bill runs at once\n" +
			"(PUT /v1/subscriptions/{id}/payment-method)."},
	{name: "catch-up", synopsis: "<subscription_id> [--idempotency-key KEY]", run: runSubscriptionCatchUp,
		summary: "Bill what is outstanding now (POST /v1/subscriptions/{id}/catch-up; past_due)."},
	{name: "refund", synopsis: "<subscription_id> --cycle N --amount MINOR_UNITS [--idempotency-key KEY] | --json FILE",
		run: runSubscriptionRefund, summary: "Refund (part of) a paid cycle (POST /v1/subscriptions/{id}/refunds)."},
	{name: flow.UpdateRetryOperation, synopsis: "<subscription_id> [--operation-key KEY]", run: runSubscriptionRetryOperation,
		summary: retryOperationSummary},
}

func runSubscriptionShow(c *cli, cmd command, args []string) error {
	pos, err := c.parse(c.flagSet("subscription", cmd), cmd, args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "subscription")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) { return shop.QuerySubscription(ctx, s.temporal, id) })
}

// subscriptionKeyed parses a command whose only input is the idempotency key.
func (c *cli) subscriptionKeyed(cmd command, args []string) (id, key string, err error) {
	fs := c.flagSet("subscription", cmd)
	k := fs.String("idempotency-key", "", "apply the command once per key: a repeat answers the subscription")
	pos, err := c.parse(fs, cmd, args)
	if err != nil {
		return "", "", err
	}
	id, err = oneID(pos, "", "subscription")
	return id, *k, err
}

func runSubscriptionCancel(c *cli, cmd command, args []string) error {
	id, key, err := c.subscriptionKeyed(cmd, args)
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.SubscriptionCommand(ctx, s.temporal, id, subscription.UpdateCancel, key, subscription.CancelRequest{Key: key})
	})
}

func runSubscriptionCatchUp(c *cli, cmd command, args []string) error {
	id, key, err := c.subscriptionKeyed(cmd, args)
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.SubscriptionCommand(ctx, s.temporal, id, subscription.UpdateCatchUp, key, subscription.CatchUpRequest{Key: key})
	})
}

func runSubscriptionPaymentMethod(c *cli, cmd command, args []string) error {
	var key string
	bind := func(fs *flag.FlagSet, b *shop.CardRequest) {
		cardFlags(fs, &b.Card)
		fs.StringVar(&key, "idempotency-key", key, "apply the command once per key: a repeat answers the subscription")
	}
	body, pos, err := parseBody(c, func() *flag.FlagSet { return c.flagSet("subscription", cmd) }, cmd, args, bind)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "subscription")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.ChangeSubscriptionCard(ctx, s.temporal, s.vault, s.now(), id, key, body.Card, flow.Sender{Digest: shop.CardDigest(body.Card)})
	})
}

func runSubscriptionRetryOperation(c *cli, cmd command, args []string) error {
	fs := c.flagSet("subscription", cmd)
	key := operationKeyFlag(fs)
	pos, err := c.parse(fs, cmd, args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "subscription")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.SubscriptionCommand(ctx, s.temporal, id, flow.UpdateRetryOperation, "", flow.RetryOperationRequest{IdempotencyKey: *key})
	})
}

func runSubscriptionRefund(c *cli, cmd command, args []string) error {
	var key string
	bind := func(fs *flag.FlagSet, b *shop.RefundRequest) {
		fs.IntVar(&b.Cycle, "cycle", b.Cycle, "the paid cycle to refund")
		fs.Int64Var(&b.Amount, "amount", b.Amount, "how much, in minor units")
		fs.StringVar(&key, "idempotency-key", key, "apply the command once per key: a repeat answers the subscription")
	}
	body, pos, err := parseBody(c, func() *flag.FlagSet { return c.flagSet("subscription", cmd) }, cmd, args, bind)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "subscription")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.SubscriptionCommand(ctx, s.temporal, id, subscription.UpdateRefund, key,
			subscription.RefundRequest{Key: key, Cycle: body.Cycle, Amount: body.Amount})
	})
}
