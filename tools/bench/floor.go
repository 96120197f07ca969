package main

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The floor: what the order happy path costs on Temporal alone. The workflow runs
// the same activities, of the same kinds, in the same places as OrderPayment's
// happy path (workflows/order*.go, capture manual, submit immediate, fraud screen
// on) — local Validate and Screen, then Authorize with a Notify not waited for
// (place); Capture with a Notify not waited for (capture); nothing (ship); the
// return window's timer; the Notifies awaited at the end — with no-op bodies,
// default data converter, no search attributes, no audit trail, no extra timers.

const floorWorkflowType = "BenchFloorOrder"

// floorInput is what the floor's start carries.
type floorInput struct {
	OrderID      string        `json:"order_id"`
	ReturnWindow time.Duration `json:"return_window"`
	// StatusUpserts makes the floor upsert CardflowStatus on each of its four
	// status changes, as the order does (bench -floor-status-upserts): what the
	// contract's search attribute costs Temporal alone.
	StatusUpserts bool `json:"status_upserts,omitempty"`
}

// floorCall is every floor activity's argument and result.
type floorCall struct {
	OrderID string `json:"order_id"`
	Op      string `json:"op"`
}

type floorActivities struct{}

func (floorActivities) Validate(_ context.Context, c floorCall) (floorCall, error)  { return c, nil }
func (floorActivities) Screen(_ context.Context, c floorCall) (floorCall, error)    { return c, nil }
func (floorActivities) Authorize(_ context.Context, c floorCall) (floorCall, error) { return c, nil }
func (floorActivities) Capture(_ context.Context, c floorCall) (floorCall, error)   { return c, nil }
func (floorActivities) Notify(_ context.Context, c floorCall) error                 { return nil }

var floorActs floorActivities

func registerFloor(w worker.Worker) {
	w.RegisterWorkflowWithOptions(floorOrder, workflow.RegisterOptions{Name: floorWorkflowType})
	w.RegisterActivity(&floorActivities{})
}

// Same timeouts and retry policies as the order's.
var (
	floorLocal = workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: time.Minute,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 10 * time.Second},
	}
	floorRegular = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute},
	}
)

func floorOrder(ctx workflow.Context, in floorInput) (string, error) {
	status := "processing"
	started := false
	setStatus := func(s string) {
		status = s
		if in.StatusUpserts {
			_ = workflow.UpsertTypedSearchAttributes(ctx, floorStatusAttr.ValueSet(s))
		}
	}
	var notices []workflow.Future
	call := func(op string) floorCall { return floorCall{OrderID: in.OrderID, Op: op} }
	notify := func(ctx workflow.Context, op string) {
		notices = append(notices, workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorRegular), floorActs.Notify, call(op)))
	}
	if err := workflow.SetUpdateHandler(ctx, "place", func(ctx workflow.Context) (string, error) {
		err := workflow.Await(ctx, func() bool { return started })
		return status, err
	}); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "capture", func(ctx workflow.Context) (string, error) {
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorRegular), floorActs.Capture, call("capture")).Get(ctx, nil); err != nil {
			return "", err
		}
		setStatus("captured")
		notify(ctx, "captured")
		return status, nil
	}, workflow.UpdateHandlerOptions{Validator: func() error { return floorAllows(status, "authorized") }}); err != nil {
		return "", err
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, "ship", func(ctx workflow.Context) (string, error) {
		setStatus("shipped")
		return status, nil
	}, workflow.UpdateHandlerOptions{Validator: func() error { return floorAllows(status, "captured") }}); err != nil {
		return "", err
	}

	lctx := workflow.WithLocalActivityOptions(ctx, floorLocal)
	for _, op := range []any{floorActs.Validate, floorActs.Screen} {
		if err := workflow.ExecuteLocalActivity(lctx, op, call("check")).Get(ctx, nil); err != nil {
			return "", err
		}
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, floorRegular), floorActs.Authorize, call("authorize")).Get(ctx, nil); err != nil {
		return "", err
	}
	setStatus("authorized")
	started = true
	notify(ctx, "authorized")

	if err := workflow.Await(ctx, func() bool { return status == "shipped" }); err != nil {
		return "", err
	}
	if err := workflow.Sleep(ctx, in.ReturnWindow); err != nil {
		return "", err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return "", err
	}
	for _, f := range notices {
		if err := f.Get(ctx, nil); err != nil {
			return "", err
		}
	}
	setStatus("completed")
	return "completed", nil
}

var floorStatusAttr = temporal.NewSearchAttributeKeyKeyword("CardflowStatus")

func floorAllows(status, want string) error {
	if status != want {
		return errors.New("invalid_state: order is " + status)
	}
	return nil
}
