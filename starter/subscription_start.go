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

// subscriptionBody is the body of POST /v1/subscriptions. The workflow input has
// the contract's JSON shape (durations as ISO 8601 strings) except for the card,
// which is card data until the vault tokenized it. The API's own request type
// and conversion are unexported in api/server.
type subscriptionBody struct {
	workflows.SubscriptionInput
	Card payment.CardData `json:"card"`
}

func bindSubscriptionBody(fs *flag.FlagSet, b *subscriptionBody) {
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
	synopsis: "--id ID --customer ID --card NUMBER --exp MM/YYYY --cvc CVC --amount N --currency CUR\n" +
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
		return s.startSubscription(ctx, *body)
	})
}

// startSubscription checks the request (422 naming the field, nothing started),
// tokenizes the card and starts the workflow with Update-with-Start.
func (s *session) startSubscription(ctx context.Context, body subscriptionBody) (workflows.SubscriptionView, error) {
	in := body.SubscriptionInput
	in.Card, in.Digest, in.Settings, in.State = payment.Card{}, "", workflows.SubscriptionSettings{}, nil
	if err := in.CheckRequest(); err != nil {
		return workflows.SubscriptionView{}, fromRejection(err)
	}
	card, err := s.tokenize(ctx, in.Customer.ID, body.Card)
	if err != nil {
		return workflows.SubscriptionView{}, err
	}
	in.Card = card
	return s.openSubscription(ctx, in)
}

// openSubscription starts the workflow of an input whose card is tokenized.
// The digest stays empty until the API's digest is exported: a repeat with the
// same id then answers the existing subscription.
func (s *session) openSubscription(ctx context.Context, in workflows.SubscriptionInput) (workflows.SubscriptionView, error) {
	id := workflows.SubscriptionWorkflowID(in.SubscriptionID)
	status := payment.SubscriptionActive
	if !in.Plan.Trial.IsZero() {
		status = payment.SubscriptionTrialing
	}
	start := s.temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:        id,
		TaskQueue: s.cfg.TaskQueue,
		// A closed subscription is never started again under its id: a second
		// one would bill the customer twice.
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("subscription"),
			workflows.AttrStatus.ValueSet(string(status)),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
	}, workflows.SubscriptionWorkflowType, in)
	h, err := s.temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   id,
			UpdateName:   workflows.SubscriptionOpen,
			Args:         []any{workflows.SubscriptionOpenRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var opened workflows.SubscriptionOpened
	if err == nil {
		err = h.Get(ctx, &opened)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		return opened.Subscription, &apiError{Status: 409, Code: "subscription_exists", Field: "subscription_id",
			Message: fmt.Sprintf("subscription %s exists and has ended; `starter subscription show %s` shows it", in.SubscriptionID, in.SubscriptionID)}
	case err != nil:
		return opened.Subscription, fromWorkflowError(err, "subscription", in.SubscriptionID)
	}
	return opened.Subscription, nil
}
