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
		"subscription_payment_page.rev4.json",    // revision 4 (flow.RevPaymentPage): incomplete, the page's card, trial, first bill, continue-as-new
		// revision 5 (flow.RevThreeDS): the first bill challenged, passed, paid, continue-as-new
		"subscription_threeds_first_payment.rev5.json",
		"subscription_continue_as_new.rev5.json", // the trial's start verifies the card for zero (voided); the first bill merchant-initiated
		"subscription_card_updated.rev6.json",    // revision 6 (flow.RevProcessorEvents): card-updated from the processor
		// revision 7 (flow.RevCycleRefundsAtProcessor): cardflow's refund of cycle 1, the processor's report of
		// it (nothing added), a dashboard refund as processor-event (twice, applied once), cancel
		"subscription_refunded_at_processor.rev7.json",
		// revision 8 (flow.RevFirstCardVerified): incomplete, the page's card challenged (still incomplete), passed,
		// verified for zero and voided, trialing, the first bill merchant-initiated, continue-as-new
		"subscription_payment_page_challenge.rev8.json",
		// revision 9 (flow.RevDeclinedCardsCount): incomplete, the page's first card declined at its verification
		// (still incomplete), 4242 verified and voided, trialing, the first bill, continue-as-new
		"subscription_payment_page_declined_card.rev9.json",
	})
}

func TestThreeDSTimerIsNamed(t *testing.T) {
	flowtest.WantTimer(t, "testdata/subscription_threeds_first_payment.rev5.json", "3-D Secure challenge: authentication timeout")
}
