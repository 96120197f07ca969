package main

import (
	"context"
	"flag"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/internal/paylink"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// bindOrderBody binds the flags of an order's request body (API.md, Orders):
// the API's own type, so the starter places exactly what the API would.
func bindOrderBody(fs *flag.FlagSet, b *shop.OrderRequest) {
	fs.StringVar(&b.OrderID, "id", b.OrderID, "order id (order_id)")
	fs.StringVar(&b.Currency, "currency", b.Currency, "ISO 4217 currency, e.g. EUR")
	fs.StringVar(&b.Customer.ID, "customer", b.Customer.ID, "customer id")
	fs.StringVar(&b.Customer.Email, "email", b.Customer.Email, "customer e-mail (feeds the fraud screen)")
	fs.StringVar(&b.Customer.Country, "country", b.Customer.Country, "customer country, ISO 3166 alpha-2")
	fs.Var(&orderItemsFlag{items: &b.Items}, "item", "an item `SKU:QUANTITY:UNIT_AMOUNT` (minor units); repeat for more")
	cardFlags(fs, &b.Card)
	fs.StringVar(&b.Capture, "capture", b.Capture, "manual (authorize now, capture later; default) or automatic")
	fs.StringVar(&b.Submit, "submit", b.Submit, "immediate (default) or hold (wait for the submit command)")
	fs.Var(optionalBool{&b.FraudScreen}, "fraud-screen", "run the fraud screen (default true)")
}

var orderPlaceCmd = command{
	name:     "place",
	run:      runOrderPlace,
	synopsis: "--id ID --currency CUR --customer ID --item SKU:QTY:AMOUNT... --card-file FILE|- --exp MM/YYYY [flags] | --json FILE",
	summary: "Place an order and answer once the first payment attempt has a result (POST /v1/orders).\n" +
		"The card is tokenized with the processor; only the token goes to Temporal.",
}

func runOrderPlace(c *cli, cmd command, args []string) error {
	fs := func() *flag.FlagSet { return c.flagSet("order", cmd) }
	body, pos, err := parseBody(c, fs, cmd, args, bindOrderBody)
	if err != nil {
		return err
	}
	if body.OrderID, err = oneID(pos, body.OrderID, "order"); err != nil {
		return err
	}
	return c.call(func(ctx context.Context, s *session) (any, error) {
		return s.placeOrder(ctx, *body)
	})
}

// placeOrder checks the request as the API does (422 naming the field, nothing
// started) and places the order with the request's digest: the same order id
// again answers the order for the same request, and is a 409 order_exists for
// another. As the API, it tokenizes the card only for a new order.
func (s *session) placeOrder(ctx context.Context, req shop.OrderRequest) (order.View, error) {
	in, err := req.Input(order.Settings{})
	if err == nil && req.PaymentPage == nil {
		err = shop.CheckCard(req.Card, s.now())
	}
	if err != nil {
		return order.View{}, err
	}
	placed, err := shop.CreateOrder(ctx, s.temporal, s.cfg.TaskQueue, in, func(ctx context.Context) (payment.Card, error) {
		if req.PaymentPage != nil {
			return payment.Card{}, nil // the customer enters it on the page
		}
		return shop.Tokenize(ctx, s.vault, s.now(), in.Customer.ID, req.Card)
	})
	placed.Order.PaymentPage = s.pageLink(paylink.Order, placed.Order.OrderID, placed.Order.PaymentPage)
	return placed.Order, err
}
