package main

import (
	"context"
	"flag"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// subscriptionCommands are API.md's subscription commands, each a Temporal
// update (workflows/subscription_commands.go) answering the subscription.
var subscriptionCommands = []command{
	subscriptionStartCmd,
	{name: "show", synopsis: "<subscription_id>", run: runSubscriptionShow,
		summary: "Show the subscription (GET /v1/subscriptions/{id}): the workflow's state query."},
	{name: "cancel", synopsis: "<subscription_id> [--idempotency-key KEY]", run: runSubscriptionCancel,
		summary: "The customer opts out: no further billing (POST /v1/subscriptions/{id}/cancel)."},
	{name: "payment-method", synopsis: "<subscription_id> --card NUMBER --exp MM/YYYY --cvc CVC [--idempotency-key KEY] | --json FILE",
		run: runSubscriptionPaymentMethod,
		summary: "Replace the card; when past_due or suspended a catch-up bill runs at once\n" +
			"(PUT /v1/subscriptions/{id}/payment-method)."},
	{name: "catch-up", synopsis: "<subscription_id> [--idempotency-key KEY]", run: runSubscriptionCatchUp,
		summary: "Bill what is outstanding now (POST /v1/subscriptions/{id}/catch-up; past_due)."},
	{name: "refund", synopsis: "<subscription_id> --cycle N --amount MINOR_UNITS [--idempotency-key KEY] | --json FILE",
		run: runSubscriptionRefund, summary: "Refund (part of) a paid cycle (POST /v1/subscriptions/{id}/refunds)."},
	{name: workflows.UpdateRetryOperation, synopsis: "<subscription_id> [--operation-key KEY]", run: runSubscriptionRetryOperation,
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
	return c.call(func(ctx context.Context, s *session) (any, error) { return s.subscription(ctx, id) })
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
		return s.subscriptionCommand(ctx, id, workflows.SubscriptionCancel, key, workflows.SubscriptionCancelRequest{Key: key})
	})
}

func runSubscriptionCatchUp(c *cli, cmd command, args []string) error {
	id, key, err := c.subscriptionKeyed(cmd, args)
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return s.subscriptionCommand(ctx, id, workflows.SubscriptionCatchUp, key, workflows.CatchUpRequest{Key: key})
	})
}

func runSubscriptionPaymentMethod(c *cli, cmd command, args []string) error {
	var key string
	bind := func(fs *flag.FlagSet, b *cardBody) {
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
	return c.call(func(ctx context.Context, s *session) (any, error) { return s.changeCard(ctx, id, key, body.Card) })
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
		return s.subscriptionCommand(ctx, id, workflows.UpdateRetryOperation, "", workflows.RetryOperationRequest{IdempotencyKey: *key})
	})
}

// refundBody is the body of POST /v1/subscriptions/{id}/refunds.
type refundBody struct {
	Cycle  int   `json:"cycle"`
	Amount int64 `json:"amount"`
}

func runSubscriptionRefund(c *cli, cmd command, args []string) error {
	var key string
	bind := func(fs *flag.FlagSet, b *refundBody) {
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
		return s.subscriptionCommand(ctx, id, workflows.SubscriptionRefund, key,
			workflows.SubscriptionRefundRequest{Key: key, Cycle: body.Cycle, Amount: body.Amount})
	})
}

func (s *session) subscription(ctx context.Context, id string) (workflows.SubscriptionView, error) {
	var v workflows.SubscriptionView
	if err := s.query(ctx, workflows.SubscriptionWorkflowID(id), workflows.QueryState, &v); err != nil {
		return v, fromWorkflowError(err, "subscription", id)
	}
	return v, nil
}

// subscriptionCommand sends a command as an update. The key goes in the payload
// (the workflow remembers keys across runs) and names the update as the API
// names it (name/key), so Temporal also deduplicates within a run.
func (s *session) subscriptionCommand(ctx context.Context, id, name, key string, arg any) (workflows.SubscriptionView, error) {
	if len(key) > 255 {
		return workflows.SubscriptionView{}, invalidRequest("Idempotency-Key", "the idempotency key is longer than 255 characters")
	}
	updateID := ""
	if key != "" {
		updateID = name + "/" + key
	}
	wid := workflows.SubscriptionWorkflowID(id)
	var v workflows.SubscriptionView
	err := s.update(ctx, wid, name, updateID, arg, &v)
	if err != nil && s.closed(ctx, err, wid) {
		return v, invalidState("subscription " + id + " has ended")
	}
	if err != nil {
		return v, fromWorkflowError(err, "subscription", id)
	}
	return v, nil
}

// changeCard checks that the subscription takes a new card before its customer
// gets a new vault entry, then hands the token to the workflow.
func (s *session) changeCard(ctx context.Context, id, key string, card payment.CardData) (workflows.SubscriptionView, error) {
	v, err := s.subscription(ctx, id)
	if err != nil {
		return v, err
	}
	if err := payment.CheckSubscriptionCommand(v.Status, payment.SubscriptionPaymentMethod); err != nil {
		return v, invalidState(err.Error())
	}
	tok, err := s.tokenize(ctx, v.CustomerID, card)
	if err != nil {
		return v, err
	}
	return s.subscriptionCommand(ctx, id, workflows.SubscriptionPaymentMethod, key, workflows.PaymentMethodRequest{Key: key, Card: tok})
}
