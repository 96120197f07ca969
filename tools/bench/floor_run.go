package main

import (
	"context"
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// runFloor measures the floor workflow, driven with the Temporal client the way
// the API drives an order: update-with-start, then the capture and ship updates.
// With upserts the floor upserts CardflowStatus on each status change, as the
// order does: the difference is what the search attribute costs Temporal.
func (b *bench) runFloor(ctx context.Context, t target, conc, n int, upserts bool) (phaseResult, error) {
	name := "floor"
	if upserts {
		name = "floor+upserts"
	}
	s, err := b.startSystem(t, fmt.Sprintf("floor%s-c%d-n%d", map[bool]string{true: "-up"}[upserts], conc, n), "floor", false)
	if err != nil {
		return phaseResult{}, err
	}
	defer s.stop()
	id := func(i int) string { return fmt.Sprintf("floor-%d", i) }
	update := func(ctx context.Context, l *latencies, wid, name, want string) error {
		return timed(l, func() error {
			h, err := s.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateName: name, WaitForStage: client.WorkflowUpdateStageCompleted})
			if err != nil {
				return err
			}
			return wantStatus(h, ctx, want)
		})
	}
	lr := lifecycleRun{name: name, n: n, conc: conc, window: b.opts.window, queue: s.queue, tc: s.tc,
		step: func(ctx context.Context, i int, lat *commandLatencies) error {
			wid := id(i)
			start := s.tc.NewWithStartWorkflowOperation(client.StartWorkflowOptions{
				ID: wid, TaskQueue: s.queue,
				WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING,
				WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			}, floorWorkflowType, floorInput{OrderID: wid, ReturnWindow: b.opts.window, StatusUpserts: upserts})
			if err := timed(&lat.place, func() error {
				h, err := s.tc.UpdateWithStartWorkflow(ctx, client.UpdateWithStartWorkflowOptions{
					StartWorkflowOperation: start,
					UpdateOptions:          client.UpdateWorkflowOptions{UpdateName: "place", WaitForStage: client.WorkflowUpdateStageCompleted},
				})
				if err != nil {
					return err
				}
				return wantStatus(h, ctx, "authorized")
			}); err != nil {
				return fmt.Errorf("place %s: %w", wid, err)
			}
			if err := update(ctx, &lat.capture, wid, "capture", "captured"); err != nil {
				return fmt.Errorf("capture %s: %w", wid, err)
			}
			if err := update(ctx, &lat.ship, wid, "ship", "shipped"); err != nil {
				return fmt.Errorf("ship %s: %w", wid, err)
			}
			return nil
		}}
	return b.measure(ctx, s, lr, id)
}

func wantStatus(h client.WorkflowUpdateHandle, ctx context.Context, want string) error {
	var st string
	if err := h.Get(ctx, &st); err != nil {
		return err
	}
	if st != want {
		return fmt.Errorf("status %s, want %s", st, want)
	}
	return nil
}
