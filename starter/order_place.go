package main

import (
	"context"
	"errors"
	"flag"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// orderBody is the body of POST /v1/orders. It reuses the workflow input's
// fields and JSON names (the contract keeps them the same) and replaces the two
// that differ: the card is card data until the vault tokenized it, and
// fraud_screen is optional (default true).
//
// The API's own request type and its conversion to the input (defaults, digest,
// the UI's summary) are unexported in api/server, so only the JSON shape is
// shared here; the starter should call the API's conversion once it is exported.
type orderBody struct {
	workflows.OrderInput
	Card        payment.CardData `json:"card"`
	FraudScreen *bool            `json:"fraud_screen"`
}

func bindOrderBody(fs *flag.FlagSet, b *orderBody) {
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

// input is the workflow input without the card, with the contract's defaults.
func (b orderBody) input() workflows.OrderInput {
	in := b.OrderInput
	in.Card = payment.Card{}
	if in.Capture == "" {
		in.Capture = workflows.CaptureManual
	}
	if in.Submit == "" {
		in.Submit = workflows.SubmitImmediate
	}
	in.FraudScreen = b.FraudScreen == nil || *b.FraudScreen
	// Digest stays empty until the API's digest is exported: the workflow then
	// answers a second place of the same id with the existing order instead of
	// checking that the request is the same.
	in.Digest = ""
	return in
}

var orderPlaceCmd = command{
	name:     "place",
	run:      runOrderPlace,
	synopsis: "--id ID --currency CUR --customer ID --item SKU:QTY:AMOUNT... --card NUMBER --exp MM/YYYY --cvc CVC [flags] | --json FILE",
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
// started), tokenizes the card and starts the order with Update-with-Start.
func (s *session) placeOrder(ctx context.Context, body orderBody) (workflows.OrderView, error) {
	in := body.input()
	if err := in.CheckRequest(); err != nil {
		return workflows.OrderView{}, fromRejection(err)
	}
	card, err := s.tokenize(ctx, in.Customer.ID, body.Card)
	if err != nil {
		return workflows.OrderView{}, err
	}
	in.Card = card
	id := workflows.OrderWorkflowID(in.OrderID)
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: s.cfg.TaskQueue,
		// As the API: a running order takes the place update (a replay); a closed
		// one is never started again, so an order id can never pay twice.
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("order"),
			workflows.AttrStatus.ValueSet(string(payment.OrderProcessing)),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
	}, workflows.OrderWorkflowType, in)
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   workflows.UpdatePlaceOrder,
			Args:         []any{workflows.OrderPlaceRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var placed workflows.OrderPlaced
	if err == nil {
		err = h.Get(ctx, &placed)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return workflows.OrderView{}, &apiError{Status: 409, Code: workflows.ErrTypeOrderExists, Field: "order_id",
			Message: fmt.Sprintf("order %s exists and has ended; `starter order show %s` shows it", in.OrderID, in.OrderID)}
	}
	if err != nil {
		return workflows.OrderView{}, fromWorkflowError(err, "order", in.OrderID)
	}
	return placed.Order, nil
}
