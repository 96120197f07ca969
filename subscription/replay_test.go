package subscription_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/subscription"
)

// Every history in testdata/ was recorded from a real dev server by the system
// tests (CARDFLOW_RECORD_HISTORY=1 go test ./systest/) and stored decrypted. A
// change to the workflows that would replay any of them differently fails here:
// such a change must go behind workflow.GetVersion. Add recordings; never
// re-record an existing one to make this test pass.
var mustHave = []string{
	"subscription_continue_as_new.json", // trial, first bill, continue-as-new
	// Revision 2 (flow.RevLean): the same flows with fewer events.
	"subscription_continue_as_new.rev2.json",
}

func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	for _, name := range mustHave {
		require.Contains(t, files, filepath.Join("testdata", name))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			subscription.Register(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
