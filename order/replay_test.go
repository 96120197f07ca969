package order_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/order"
)

// Every history in testdata/ was recorded from a real dev server by the system
// tests (CARDFLOW_RECORD_HISTORY=1 go test ./systest/) and stored decrypted. A
// change to the workflows that would replay any of them differently fails here:
// such a change must go behind workflow.GetVersion. Add recordings; never
// re-record an existing one to make this test pass.
var mustHave = []string{
	"order_lifecycle.json",        // place, capture, ship, return window, completed
	"order_declined_retry.json",   // decline, retry with another card, then on
	"order_hold_reauth.json",      // held for submit, re-authorization before expiry
	"order_processor_outage.json", // capture unanswered past its policy, attention, retry-operation, cancel
	// Revision 2 (flow.RevLean): the same flows with fewer events.
	"order_lifecycle.rev2.json",
	"order_declined_retry.rev2.json",
	"order_hold_reauth.rev2.json",
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
			order.Register(r)
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
