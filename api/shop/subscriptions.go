package shop

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/workflows"
)

// OpenSubscription starts the subscription's workflow with Update-with-Start
// and waits for its first answer (the trial began, or the first bill has a
// result). in carries the card's token and the request's digest. For a known
// id the answer is the existing subscription (Created false) when the digest is
// the same, else a 409 subscription_exists; that holds after the workflow
// closed too. Errors are *Error.
func OpenSubscription(ctx context.Context, c client.Client, taskQueue string, in workflows.SubscriptionInput) (workflows.SubscriptionOpened, error) {
	start := c.NewWithStartWorkflowOperation(SubscriptionStartOptions(in, taskQueue), workflows.SubscriptionWorkflowType, in)
	h, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			WorkflowID:   workflows.SubscriptionWorkflowID(in.SubscriptionID),
			UpdateName:   workflows.SubscriptionOpen,
			Args:         []any{workflows.SubscriptionOpenRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var opened workflows.SubscriptionOpened
	if err == nil {
		err = h.Get(ctx, &opened)
	}
	var closed *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &closed):
		return closedSubscription(ctx, c, in)
	case err != nil:
		// The open update's only rejection is another request under this id.
		if _, msg, _, ok := workflows.Rejection(err); ok {
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
func closedSubscription(ctx context.Context, c client.Client, in workflows.SubscriptionInput) (workflows.SubscriptionOpened, error) {
	var digest string
	if err := query(ctx, c, workflows.SubscriptionWorkflowID(in.SubscriptionID), workflows.QueryRequestDigest, &digest); err != nil {
		return workflows.SubscriptionOpened{}, Classify(err, "subscription", in.SubscriptionID)
	}
	if digest != in.Digest {
		return workflows.SubscriptionOpened{}, subscriptionExists("subscription " + in.SubscriptionID + " already exists with a different request")
	}
	v, err := QuerySubscription(ctx, c, in.SubscriptionID)
	return workflows.SubscriptionOpened{Subscription: v}, err
}

// QuerySubscription answers the subscription as its workflow shows it.
func QuerySubscription(ctx context.Context, c client.Client, id string) (workflows.SubscriptionView, error) {
	var v workflows.SubscriptionView
	if err := query(ctx, c, workflows.SubscriptionWorkflowID(id), workflows.QueryState, &v); err != nil {
		return v, Classify(err, "subscription", id)
	}
	return v, nil
}

// SubscriptionCommand sends a command as an update and answers the
// subscription after it took effect. key, the command's idempotency key, names
// the update (SubscriptionUpdateID); the payload carries it as well.
func SubscriptionCommand(ctx context.Context, c client.Client, id, name, key string, arg any) (workflows.SubscriptionView, error) {
	wid := workflows.SubscriptionWorkflowID(id)
	var v workflows.SubscriptionView
	if err := CheckIdempotencyKey(key); err != nil {
		return v, err
	}
	err := update(ctx, c, wid, name, SubscriptionUpdateID(name, key), arg, &v)
	if err == nil {
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
// suspended.
func ChangeSubscriptionCard(ctx context.Context, c client.Client, vault Tokenizer, now time.Time, id, key string, card payment.CardData) (workflows.SubscriptionView, error) {
	if err := CheckIdempotencyKey(key); err != nil {
		return workflows.SubscriptionView{}, err
	}
	v, err := QuerySubscription(ctx, c, id)
	if err != nil {
		return v, err
	}
	if err := payment.CheckSubscriptionCommand(v.Status, payment.SubscriptionPaymentMethod); err != nil {
		return v, InvalidState(err.Error())
	}
	tok, err := Tokenize(ctx, vault, now, v.CustomerID, card)
	if err != nil {
		return v, err
	}
	return SubscriptionCommand(ctx, c, id, workflows.SubscriptionPaymentMethod, key, workflows.PaymentMethodRequest{Key: key, Card: tok})
}
