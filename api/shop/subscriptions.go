package shop

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/subscription"
)

// CreateSubscription opens a subscription (OpenSubscription) and tokenizes
// its card only when it is new, as CreateOrder does for an order: a replay
// answers the existing subscription (Created false), another request under
// its id is a 409 subscription_exists, neither leaving a card in the vault.
func CreateSubscription(ctx context.Context, c client.Client, taskQueue string, in subscription.Input, tokenize func(context.Context) (payment.Card, error)) (subscription.Opened, error) {
	if opened, known, err := replaySubscription(ctx, c, in); known || err != nil {
		return opened, err
	}
	card, err := tokenize(ctx)
	if err != nil {
		return subscription.Opened{}, err
	}
	in.Card = card
	return OpenSubscription(ctx, c, taskQueue, in)
}

// replaySubscription is replayOrder for subscriptions: the open update
// answers a replay once the subscription has something to tell.
func replaySubscription(ctx context.Context, c client.Client, in subscription.Input) (opened subscription.Opened, known bool, err error) {
	wid := subscription.WorkflowID(in.SubscriptionID)
	var digest string
	err = flow.Query(ctx, c, wid, subscription.QueryDigest, &digest)
	var notFound *serviceerror.NotFound
	var notReady *serviceerror.WorkflowNotReady
	switch {
	case errors.As(err, &notFound), errors.As(err, &notReady):
		return opened, false, nil
	case err != nil:
		return opened, true, Classify(err, "subscription", in.SubscriptionID)
	case digest != in.Digest:
		return opened, true, subscriptionExists("subscription " + in.SubscriptionID + " already exists with a different request")
	}
	err = flow.Send(ctx, c, wid, subscription.UpdateOpen, "", subscription.OpenRequest{Digest: in.Digest}, &opened)
	if errors.As(err, &notFound) { // the workflow has completed
		v, err := QuerySubscription(ctx, c, in.SubscriptionID)
		return subscription.Opened{Subscription: v}, true, err
	}
	if err != nil {
		if _, msg, _, ok := flow.Rejection(err); ok {
			return opened, true, subscriptionExists(msg)
		}
		return opened, true, Classify(err, "subscription", in.SubscriptionID)
	}
	return opened, true, nil
}

// OpenSubscription starts the subscription's workflow with Update-with-Start
// and waits for its first answer (the trial began, or the first bill has a
// result). in carries the card's token and the request's digest. For a known
// id the answer is the existing subscription (Created false) when the digest is
// the same, else a 409 subscription_exists; that holds after the workflow
// closed too. Errors are *Error.
func OpenSubscription(ctx context.Context, c client.Client, taskQueue string, in subscription.Input) (subscription.Opened, error) {
	start := c.NewWithStartWorkflowOperation(subscription.StartOptions(in, taskQueue), subscription.WorkflowType, in)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   subscription.WorkflowID(in.SubscriptionID),
			UpdateName:   subscription.UpdateOpen,
			Args:         []any{subscription.OpenRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var opened subscription.Opened
	if err == nil {
		err = h.Get(ctx, &opened)
	}
	var closed *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &closed):
		return closedSubscription(ctx, c, in)
	case err != nil:
		// The open update's only rejection is another request under this id.
		if _, msg, _, ok := flow.Rejection(err); ok {
			return opened, subscriptionExists(msg)
		}
		return opened, Classify(err, "subscription", in.SubscriptionID)
	}
	return opened, nil
}

func subscriptionExists(msg string) *Error {
	return &Error{Status: StatusConflict, Code: codeSubscriptionEx, Message: msg, Field: "subscription_id"}
}

// closedSubscription answers an open of a subscription whose workflow has
// completed: the subscription for the same request, else 409.
func closedSubscription(ctx context.Context, c client.Client, in subscription.Input) (subscription.Opened, error) {
	var digest string
	if err := flow.Query(ctx, c, subscription.WorkflowID(in.SubscriptionID), subscription.QueryDigest, &digest); err != nil {
		return subscription.Opened{}, Classify(err, "subscription", in.SubscriptionID)
	}
	if digest != in.Digest {
		return subscription.Opened{}, subscriptionExists("subscription " + in.SubscriptionID + " already exists with a different request")
	}
	v, err := QuerySubscription(ctx, c, in.SubscriptionID)
	return subscription.Opened{Subscription: v}, err
}

// QuerySubscription answers the subscription as its workflow shows it.
func QuerySubscription(ctx context.Context, c client.Client, id string) (subscription.View, error) {
	var v subscription.View
	if err := flow.Query(ctx, c, subscription.WorkflowID(id), flow.QueryState, &v); err != nil {
		return v, Classify(err, "subscription", id)
	}
	return v, nil
}

// SubscriptionCommand sends a command as an update and answers the
// subscription after it took effect. key, the command's idempotency key, names
// the update (flow.UpdateID); the payload carries it as well.
func SubscriptionCommand(ctx context.Context, c client.Client, id, name, key string, arg any) (subscription.View, error) {
	wid := subscription.WorkflowID(id)
	var v subscription.View
	err := flow.Send(ctx, c, wid, name, key, arg, &v)
	if err == nil {
		v.RequestDigest = "" // for flow.Send's check, not for the shop
		return v, nil
	}
	// Temporal reports an update to a completed workflow as not found; for a
	// shop that subscription exists and has ended, so the command is not allowed.
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		d, derr := c.DescribeWorkflowExecution(ctx, wid, "")
		if derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
			return v, InvalidState("subscription " + id + " has ended")
		}
	}
	return v, Classify(err, "subscription", id)
}

// ChangeSubscriptionCard checks that the subscription takes a new card before
// its customer gets a new vault entry, then hands the token to the workflow,
// which runs a catch-up bill at once when the subscription is past due or
// suspended. by names the sender and the request's digest (CardDigest).
func ChangeSubscriptionCard(ctx context.Context, c client.Client, vault Tokenizer, now time.Time, id, key string, card payment.CardData, by flow.Sender) (subscription.View, error) {
	v, err := QuerySubscription(ctx, c, id)
	if err != nil {
		return v, err
	}
	if err := payment.SubscriptionLifecycle.Check(v.Status, payment.SubscriptionPaymentMethod); err != nil {
		return v, InvalidState(err.Error())
	}
	if until := v.RetryBlockedUntil; until != nil && now.Before(*until) {
		// The workflow refuses it too; asking first keeps the card out of the vault.
		return v, &Error{Status: StatusTooManyRequests, Code: flow.ErrTypeTooManyAttempts, Field: "card",
			Message: "too many declined cards on subscription " + id + "; try again after " + until.UTC().Format(time.RFC3339)}
	}
	tok, err := Tokenize(ctx, vault, now, v.CustomerID, card)
	if err != nil {
		return v, err
	}
	return SubscriptionCommand(ctx, c, id, subscription.UpdatePaymentMethod, key, subscription.PaymentMethodRequest{Sender: by, Key: key, Card: tok})
}
