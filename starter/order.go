package main

import (
	"context"
	"flag"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// orderCommands are API.md's order commands, each a Temporal update named as
// the command (order/commands.go) answering the order.
var orderCommands = []command{
	orderPlaceCmd,
	{name: "show", synopsis: "<order_id>", summary: "Show the order (GET /v1/orders/{id}): the workflow's state query.", run: runOrderShow},
	orderUpdate(payment.OrderCapture, "Capture the total less cancelled items and release the rest (authorized)."),
	orderUpdate(payment.OrderShip, "Mark the order shipped; the return window starts (captured)."),
	orderUpdate(payment.OrderCancel, "Cancel the order: void if nothing is captured, else a full refund\n(pending_submission, payment_failed, authorized, captured)."),
	orderUpdate(payment.OrderAbandon, "The customer closed the payment page: the order is cancelled\n(payment_failed, pending_submission)."),
	orderUpdate(payment.OrderSubmit, "Process the held transaction (pending_submission)."),
	{name: "retry", synopsis: "<order_id> --card-file FILE|- --exp MM/YYYY [--idempotency-key KEY] | --json FILE",
		summary: "Pay again with another card (POST /v1/orders/{id}/payment-attempts; payment_failed).", run: runOrderRetry},
	orderItems(payment.OrderCancelItems, "Cancel items before capture; they are never charged, and cancelling all voids\n(POST /v1/orders/{id}/items/cancel; authorized)."),
	orderItems(payment.OrderReturn, "Refund returned items; all returned is a full refund\n(POST /v1/orders/{id}/returns; shipped)."),
	{name: flow.UpdateRetryOperation, synopsis: "<order_id> [--operation-key KEY]", run: runOrderRetryOperation, summary: retryOperationSummary},
}

const retryOperationSummary = "Operator: retry the processor call the workflow waits on (its \"attention\").\n" +
	"It runs again with the same idempotency key. Not in the shop API; invalid_state when nothing is pending."

func runOrderShow(c *cli, cmd command, args []string) error {
	pos, err := c.parse(c.flagSet("order", cmd), cmd, args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "order")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) { return shop.QueryOrder(ctx, s.temporal, id) })
}

// orderUpdate is a command without payload.
func orderUpdate(t payment.OrderTrigger, summary string) command {
	cmd := command{name: string(t), synopsis: "<order_id> [--idempotency-key KEY]", summary: summary}
	cmd.run = func(c *cli, cmd command, args []string) error {
		fs := c.flagSet("order", cmd)
		key := idempotencyFlag(fs)
		pos, err := c.parse(fs, cmd, args)
		if err != nil {
			return err
		}
		id, err := oneID(pos, "", "order")
		if err != nil {
			return err
		}
		return c.call(func(ctx context.Context, s *session) (any, error) {
			return shop.OrderCommand(ctx, s.temporal, id, string(t), *key, nil)
		})
	}
	return cmd
}

// orderItems is cancel-items or return.
func orderItems(t payment.OrderTrigger, summary string) command {
	cmd := command{name: string(t), synopsis: "<order_id> --item SKU:QUANTITY... [--idempotency-key KEY] | --json FILE", summary: summary}
	cmd.run = func(c *cli, cmd command, args []string) error {
		var key string
		bind := func(fs *flag.FlagSet, b *shop.ItemsRequest) {
			fs.Var(&quantitiesFlag{items: &b.Items}, "item", "`SKU:QUANTITY`; repeat for more items")
			fs.StringVar(&key, "idempotency-key", key, "apply the command once per key: a repeat answers the order")
		}
		body, pos, err := parseBody(c, func() *flag.FlagSet { return c.flagSet("order", cmd) }, cmd, args, bind)
		if err != nil {
			return err
		}
		id, err := oneID(pos, "", "order")
		if err != nil {
			return err
		}
		return c.call(func(ctx context.Context, s *session) (any, error) {
			return shop.OrderCommand(ctx, s.temporal, id, string(t), key, order.ItemsRequest{Items: body.Items})
		})
	}
	return cmd
}

func runOrderRetry(c *cli, cmd command, args []string) error {
	var key string
	bind := func(fs *flag.FlagSet, b *shop.CardRequest) {
		cardFlags(fs, &b.Card)
		fs.StringVar(&key, "idempotency-key", key, "apply the command once per key: a repeat answers the order")
	}
	body, pos, err := parseBody(c, func() *flag.FlagSet { return c.flagSet("order", cmd) }, cmd, args, bind)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "order")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.RetryOrder(ctx, s.temporal, s.vault, s.now(), id, key, body.Card, flow.Sender{Digest: shop.CardDigest(body.Card)})
	})
}

func runOrderRetryOperation(c *cli, cmd command, args []string) error {
	fs := c.flagSet("order", cmd)
	key := operationKeyFlag(fs)
	pos, err := c.parse(fs, cmd, args)
	if err != nil {
		return err
	}
	id, err := oneID(pos, "", "order")
	if err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return shop.OrderCommand(ctx, s.temporal, id, flow.UpdateRetryOperation, "", flow.RetryOperationRequest{IdempotencyKey: *key})
	})
}

// operationKeyFlag is retry-operation's guard: the retry runs only if the
// pending call is still the one the operator looked at.
func operationKeyFlag(fs *flag.FlagSet) *string {
	return fs.String("operation-key", "", "the pending call's idempotency key (attention.idempotency_key), if it must be that one")
}

func idempotencyFlag(fs *flag.FlagSet) *string {
	return fs.String("idempotency-key", "", "apply the command once per key: a repeat answers the order")
}
