package order_test

import (
	"testing"

	"github.com/cardflow/cardflow/flow/flowtest"
	"github.com/cardflow/cardflow/order"
)

// Every recording in testdata/ replays (flowtest.Replay); these must be there.
func TestReplayRecordedHistories(t *testing.T) {
	flowtest.Replay(t, order.Register, []string{
		"order_lifecycle.json",                // place, capture, ship, return window, completed
		"order_declined_retry.json",           // decline, retry with another card, then on
		"order_hold_reauth.json",              // held for submit, re-authorization before expiry
		"order_processor_outage.json",         // capture unanswered past its policy, attention, retry-operation, cancel
		"order_lifecycle.rev2.json",           // revision 2 (flow.RevLean): the same flows with fewer events
		"order_declined_retry.rev2.json",      //
		"order_hold_reauth.rev2.json",         //
		"order_lifecycle.rev3.json",           // revision 3 (flow.RevGuarded): actors and request digests in the payloads
		"order_declined_retry.rev3.json",      //
		"order_hold_reauth.rev3.json",         //
		"order_payment_page.rev4.json",        // revision 4 (flow.RevPaymentPage): awaiting payment, the page's decline and payment, capture, ship, completed
		"order_payment_page_cancel.rev4.json", // awaiting payment, abandoned on the page
		// revision 5 (flow.RevThreeDS): a 3-D Secure challenge, a return the
		// processor says is not over (a forged "passed"), the real one, the
		// authorization with the authentication data
		"order_threeds_challenge.rev5.json",
		"order_lifecycle.rev5.json",       // the flows of revision 3 again: each attempt asks for authentication (not required)
		"order_declined_retry.rev5.json",  //
		"order_hold_reauth.rev5.json",     // the re-authorization merchant-initiated with the network transaction id
		"order_processor_event.rev6.json", // revision 6 (flow.RevProcessorEvents): Stripe orders, refunds in the dashboard as processor-event
		// revision 10 (flow.RevPageLinkEnds): awaiting payment, a decline on the page, cancelled when the link expires
		"order_payment_page_link_expires.rev10.json",
		// revision 11 (flow.RevDisputes): a Stripe order disputed (delivered
		// twice), completed with the dispute open, waiting, the dispute lost
		"order_stripe_dispute.rev11.json",
	})
}

// An ended order waiting for its dispute's close says so in the UI.
func TestDisputeTimerIsNamed(t *testing.T) {
	flowtest.WantTimer(t, "testdata/order_stripe_dispute.rev11.json", "dispute: wait for its close")
}

// A page order's deadline after a decline is its link's, named so in the UI.
func TestPageLinkTimerIsNamed(t *testing.T) {
	flowtest.WantTimer(t, "testdata/order_payment_page_link_expires.rev10.json", "auto-cancel when the payment page's link expires")
}

// A run waiting for a challenge shows in the Temporal UI with a timer named
// for what it waits for.
func TestThreeDSTimerIsNamed(t *testing.T) {
	flowtest.WantTimer(t, "testdata/order_threeds_challenge.rev5.json", "3-D Secure challenge: authentication timeout")
}
