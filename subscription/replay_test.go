package subscription_test

import (
	"testing"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/subscription"
)

// Every recording in testdata/ replays (flowtest.Replay); these must be there.
func TestReplayRecordedHistories(t *testing.T) {
	flowtest.Replay(t, subscription.Register, []string{
		"subscription_continue_as_new.json",      // trial, first bill, continue-as-new
		"subscription_continue_as_new.rev2.json", // revision 2 (flow.RevLean): the same with fewer events
		"subscription_continue_as_new.rev3.json", // revision 3 (flow.RevGuarded): the created event's actor, request digests
		"subscription_card_updated.rev6.json",    // revision 6 (flow.RevProcessorEvents): card-updated from the processor
	})
}
