package workflows

import (
	"testing"

	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// The first run of a real subscription (trial, first bill, continue-as-new),
// recorded on a dev server by systest with CARDFLOW_RECORD_HISTORY=1 and stored
// decrypted. Replaying it fails when a change to the workflow would break the
// subscriptions running in production: guard such a change with
// workflow.GetVersion, and keep this file (add new recordings, never replace old ones).
func TestSubscriptionReplay(t *testing.T) {
	r := worker.NewWorkflowReplayer()
	r.RegisterWorkflowWithOptions(Subscription, workflow.RegisterOptions{Name: SubscriptionWorkflowType})
	if err := r.ReplayWorkflowHistoryFromJSONFile(nil, "testdata/subscription_continue_as_new.json"); err != nil {
		t.Fatalf("replay: %v", err)
	}
}
