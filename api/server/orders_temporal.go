package server

import (
	"context"
	"errors"
	"net/http"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/cardflow/cardflow/workflows"
)

// placeOrder starts the order's workflow and waits for its first attempt, in one
// call: Update-with-Start. If the workflow runs already (the same order id again),
// the place update reaches it instead, and its validator tells a replay from a
// conflict. A closed workflow is never started again (reuse policy: reject
// duplicate), so an order id can never pay twice.
func (s *Server) placeOrder(ctx context.Context, in workflows.OrderInput) (workflows.OrderPlaced, error) {
	start := s.Temporal.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
		ID:                       workflows.OrderWorkflowID(in.OrderID),
		TaskQueue:                s.Config.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: temporal.NewSearchAttributes(
			workflows.AttrKind.ValueSet("order"),
			workflows.AttrStatus.ValueSet("processing"),
			workflows.AttrCustomerID.ValueSet(in.Customer.ID),
		),
		StaticSummary: orderSummary(in),
		StaticDetails: orderDetails(in),
	}, workflows.OrderWorkflowType, in)
	handle, err := s.Temporal.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
		StartWorkflowOperation: start,
		UpdateOptions: client.UpdateWorkflowOptions{
			UpdateName:   workflows.UpdatePlaceOrder,
			Args:         []any{workflows.OrderPlaceRequest{Digest: in.Digest}},
			WaitForStage: client.WorkflowUpdateStageCompleted,
		},
	})
	var placed workflows.OrderPlaced
	if err == nil {
		err = handle.Get(ctx, &placed)
	}
	return placed, err
}

// updateOrder sends a command. An Idempotency-Key becomes the update id, scoped
// by the command, so a replayed command is answered, not applied again.
func (s *Server) updateOrder(ctx context.Context, id, command, key string, arg any) (workflows.OrderView, error) {
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflows.OrderWorkflowID(id),
		UpdateName:   command,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if key != "" {
		opts.UpdateID = command + ":" + key
	}
	if arg != nil {
		opts.Args = []any{arg}
	}
	var v workflows.OrderView
	handle, err := s.Temporal.UpdateWorkflow(ctx, opts)
	if err == nil {
		err = handle.Get(ctx, &v)
	}
	return v, err
}

// queryOrder answers the order as its workflow shows it, also after it closed.
func (s *Server) queryOrder(ctx context.Context, id string) (workflows.OrderView, error) {
	var v workflows.OrderView
	val, err := s.Temporal.QueryWorkflow(ctx, workflows.OrderWorkflowID(id), "", workflows.QueryState)
	if err == nil {
		err = val.Get(&v)
	}
	return v, err
}

// queryDigest answers the digest of the request that started the order.
func (s *Server) queryDigest(ctx context.Context, id string) (string, error) {
	var d string
	val, err := s.Temporal.QueryWorkflow(ctx, workflows.OrderWorkflowID(id), "", workflows.QueryOrderDigest)
	if err == nil {
		err = val.Get(&d)
	}
	return d, err
}

// writeOrderError answers an error of an order call: 409 order_exists for
// another request under a known order id, 409 invalid_state for a command to an
// order that has ended; the rest as writeWorkflowError does.
func (s *Server) writeOrderError(w http.ResponseWriter, r *http.Request, err error, id string) {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		switch app.Type() {
		case workflows.ErrTypeOrderExists:
			writeError(w, http.StatusConflict, workflows.ErrTypeOrderExists, app.Message(), "order_id")
			return
		}
	}
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		// An update to a closed workflow is "not found", but the order exists: its
		// status allows no command any more.
		ctx, cancel := context.WithTimeout(r.Context(), s.Config.UpdateTimeout)
		defer cancel()
		if v, qerr := s.queryOrder(ctx, id); qerr == nil {
			writeError(w, http.StatusConflict, workflows.ErrTypeInvalidState, "order "+id+" is "+string(v.Status)+": it takes no more commands", "")
			return
		}
	}
	s.writeWorkflowError(w, err, "order", id)
}
