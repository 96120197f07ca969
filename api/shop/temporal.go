package shop

import (
	"context"

	"go.temporal.io/sdk/client"
)

// query reads a workflow's query into out; it also answers after the workflow
// closed.
func query(ctx context.Context, c client.Client, workflowID, name string, out any) error {
	v, err := c.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// update sends an update and waits for its result. updateID, when set, makes a
// repeated command answer instead of applying again.
func update(ctx context.Context, c client.Client, workflowID, name, updateID string, arg, out any) error {
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		UpdateID:     updateID,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if arg != nil {
		opts.Args = []any{arg}
	}
	h, err := c.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}
