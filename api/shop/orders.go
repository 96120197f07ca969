package shop

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
)

// CreateOrder places an order (PlaceOrder) and tokenizes its card only when
// the order is new: for an order id Temporal knows, the request's digest
// decides first, so a replay answers the existing order (Created false) and
// another request under the id is a 409 order_exists, neither leaving a
// sealed card in the vault. tokenize runs for a new order id only; in is
// checked, without its card. Two first requests for one id at once both
// tokenize: Temporal starts one workflow, the other request is a replay or a
// conflict of it, and its token stays unused in the vault (rare, and harmless
// but for the space).
func CreateOrder(ctx context.Context, c client.Client, taskQueue string, in order.Input, tokenize func(context.Context) (payment.Card, error)) (order.Placed, error) {
	if placed, known, err := replayOrder(ctx, c, in); known || err != nil {
		return placed, err
	}
	card, err := tokenize(ctx)
	if err != nil {
		return order.Placed{}, err
	}
	in.Card = card
	return PlaceOrder(ctx, c, taskQueue, in)
}

// replayOrder answers a create request for an order id Temporal knows (known):
// the order when the digest is the request's, after its first attempt (the
// place update waits for it, as for the first request), else 409. It reports
// not known for an id without a workflow, and for one whose workflow has not
// run its first task yet: PlaceOrder decides then.
func replayOrder(ctx context.Context, c client.Client, in order.Input) (placed order.Placed, known bool, err error) {
	wid := order.WorkflowID(in.OrderID)
	var digest string
	err = flow.Query(ctx, c, wid, order.QueryDigest, &digest)
	var notFound *serviceerror.NotFound
	var notReady *serviceerror.WorkflowNotReady
	switch {
	case errors.As(err, &notFound), errors.As(err, &notReady):
		return placed, false, nil
	case err != nil:
		return placed, true, orderError(ctx, c, err, in.OrderID)
	case digest != in.Digest:
		return placed, true, orderError(ctx, c, order.Exists(in.OrderID), in.OrderID)
	}
	err = flow.Send(ctx, c, wid, order.UpdatePlace, "", order.PlaceRequest{Digest: in.Digest}, &placed)
	if errors.As(err, &notFound) { // the workflow has closed
		v, err := QueryOrder(ctx, c, in.OrderID)
		return order.Placed{Order: v}, true, err
	}
	if err != nil {
		return placed, true, orderError(ctx, c, err, in.OrderID)
	}
	return placed, true, nil
}

// PlaceOrder starts the order's workflow and waits for its first attempt, in
// one call: Update-with-Start. in carries the card's token and the request's
// digest. For an order id already known the answer is the existing order
// (Created false) when the digest is the same, else a 409 order_exists; that
// holds after the order's workflow closed too. Errors are *Error.
func PlaceOrder(ctx context.Context, c client.Client, taskQueue string, in order.Input) (order.Placed, error) {
	start := c.NewWithStartWorkflowOperation(order.StartOptions(in, taskQueue), order.WorkflowType, in)
	handle, err := c.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   order.UpdatePlace,
			Args:         []any{order.PlaceRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var placed order.Placed
	if err == nil {
		err = handle.Get(ctx, &placed)
	}
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	switch {
	case errors.As(err, &started):
		return endedOrder(ctx, c, in)
	case err != nil:
		return placed, orderError(ctx, c, err, in.OrderID)
	}
	return placed, nil
}

// endedOrder answers a place of an order whose workflow has closed: the order
// for the same request, else 409.
func endedOrder(ctx context.Context, c client.Client, in order.Input) (order.Placed, error) {
	var digest string
	if err := flow.Query(ctx, c, order.WorkflowID(in.OrderID), order.QueryDigest, &digest); err != nil {
		return order.Placed{}, orderError(ctx, c, err, in.OrderID)
	}
	if digest != in.Digest {
		return order.Placed{}, orderError(ctx, c, order.Exists(in.OrderID), in.OrderID)
	}
	v, err := QueryOrder(ctx, c, in.OrderID)
	return order.Placed{Order: v}, err
}

// QueryOrder answers the order as its workflow shows it, also after it closed.
func QueryOrder(ctx context.Context, c client.Client, id string) (order.View, error) {
	var v order.View
	if err := flow.Query(ctx, c, order.WorkflowID(id), flow.QueryState, &v); err != nil {
		return v, orderError(ctx, c, err, id)
	}
	return v, nil
}

// OrderCommand sends a command (an update named as the command, arg its
// payload or nil) and answers the order after it took effect. key, the
// command's idempotency key, names the update (flow.UpdateID).
func OrderCommand(ctx context.Context, c client.Client, id, command, key string, arg any) (order.View, error) {
	var v order.View
	if err := flow.Send(ctx, c, order.WorkflowID(id), command, key, arg, &v); err != nil {
		return v, orderError(ctx, c, err, id)
	}
	v.RequestDigest = "" // for flow.Send's check, not for the shop
	return v, nil
}

// RetryOrder is a new attempt with another card. The order is looked at first,
// so a card is tokenized (for the order's customer) only when a retry can
// happen: not while too many declined attempts block it (429). by names the
// sender and the request's digest (CardDigest); the zero Sender for none.
func RetryOrder(ctx context.Context, c client.Client, vault Tokenizer, now time.Time, id, key string, card payment.CardData, by flow.Sender) (order.View, error) {
	v, err := QueryOrder(ctx, c, id)
	if err != nil {
		return v, err
	}
	retry := string(payment.OrderRetry)
	if err := payment.OrderLifecycle.Check(v.Status, payment.OrderRetry); err != nil {
		if key != "" {
			// Perhaps a replay of the retry that moved the order on: the update
			// answers it from its id, or its validator refuses (409), and no card
			// is tokenized in vain.
			return OrderCommand(ctx, c, id, retry, key, order.RetryRequest{Sender: by})
		}
		return v, InvalidState(err.Error())
	}
	if until := v.RetryBlockedUntil; until != nil && now.Before(*until) {
		// The workflow refuses it too; asking first keeps the card out of the vault.
		return v, &Error{Status: StatusTooManyRequests, Code: flow.ErrTypeTooManyAttempts, Field: "card",
			Message: "too many declined attempts on order " + id + "; try again after " + until.UTC().Format(time.RFC3339)}
	}
	tok, err := Tokenize(ctx, vault, now, v.CustomerID, card)
	if err != nil {
		return v, err
	}
	return OrderCommand(ctx, c, id, retry, key, order.RetryRequest{Sender: by, Card: tok})
}

// orderError classifies an error of an order call: 409 order_exists for
// another request under a known order id, 409 invalid_state for a command to an
// order that has ended (Temporal reports an update to a closed workflow as not
// found, but the order exists); the rest as Classify does.
func orderError(ctx context.Context, c client.Client, err error, id string) error {
	var app *temporal.ApplicationError
	if errors.As(err, &app) && app.Type() == order.ErrTypeExists {
		return &Error{Status: StatusConflict, Code: order.ErrTypeExists, Message: app.Message(), Field: "order_id"}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		var v order.View
		if flow.Query(ctx, c, order.WorkflowID(id), flow.QueryState, &v) == nil {
			return InvalidState("order " + id + " is " + string(v.Status) + ": it takes no more commands")
		}
	}
	return Classify(err, "order", id)
}
