package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// settle waits until every lifecycle is where its plan says and its workflow
// is at rest, for at most limit, and returns how many are not.
func settle(ctx context.Context, tc client.Client, flows []*scenario, limit time.Duration, logf func(string, ...any)) int {
	deadline := time.Now().Add(limit)
	pending := flows
	got := map[*scenario]string{}
	for {
		var next []*scenario
		var mu sync.Mutex
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, f := range pending {
			sem <- struct{}{}
			wg.Go(func() {
				defer func() { <-sem }()
				why := settled(ctx, tc, f)
				if why == "" {
					return
				}
				mu.Lock()
				defer mu.Unlock()
				next = append(next, f)
				got[f] = why
			})
		}
		wg.Wait()
		pending = next
		if len(pending) == 0 || time.Now().After(deadline) || ctx.Err() != nil {
			break
		}
		time.Sleep(2 * time.Second)
	}
	for i, f := range pending {
		if i < 30 {
			logf("stuck %s %s (%s): want %s, got %s; drive: %v", f.kind, f.id, f.plan, f.want, got[f], f.err)
		}
	}
	return len(pending)
}

// settled says why the flow is not settled yet; "" when it is.
func settled(ctx context.Context, tc client.Client, f *scenario) string {
	ok, got, err := f.check(ctx)
	switch {
	case err != nil:
		return err.Error()
	case !ok:
		return got
	}
	if err := atRest(ctx, tc, f.kind+"/"+f.id); err != nil {
		return got + ", but " + err.Error()
	}
	return ""
}

// atRest says why a workflow that shows the planned state is not at rest: a
// closed run that did not complete, a workflow task failing again and again
// (a bug that panics), or activities still pending (a money call retrying).
func atRest(ctx context.Context, tc client.Client, workflowID string) error {
	d, err := tc.DescribeWorkflowExecution(ctx, workflowID, "")
	if err != nil {
		return fmt.Errorf("describe %s: %w", workflowID, err)
	}
	switch s := d.GetWorkflowExecutionInfo().GetStatus(); s {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
	default:
		return fmt.Errorf("workflow %s closed as %s", workflowID, s)
	}
	if t := d.GetPendingWorkflowTask(); t != nil && t.GetAttempt() > 1 {
		return fmt.Errorf("workflow %s: its workflow task is on attempt %d", workflowID, t.GetAttempt())
	}
	if acts := d.GetPendingActivities(); len(acts) > 0 {
		a := acts[0]
		return fmt.Errorf("workflow %s: %d activities pending, %s on attempt %d (%s)", workflowID, len(acts),
			a.GetActivityType().GetName(), a.GetAttempt(), a.GetLastFailure().GetMessage())
	}
	return nil
}
