package systest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	stripego "github.com/stripe/stripe-go/v85"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/tools/testenv"
)

// A Stripe dispute of an order placed, captured and shipped on
// CARDFLOW_PROCESSOR=stripe (stripe-mock behind its shim) reaches the order
// through Stripe's webhook, signed by stripe-go's own helper: the view's
// dispute and events, the shop's order.disputed, then the return window
// closes (completed) while the dispute is open, and the run waits for
// charge.dispute.closed: lost, its amount disputed and not refunded, the
// shop's order.dispute_closed, and only then the run ends. Recorded as
// order_stripe_dispute.rev11.json for order/'s replay test
// (CARDFLOW_RECORD_HISTORY=1). The shim serves no disputes (stripe-mock's
// fixture is stateless and the shim follows PaymentIntents only), so the
// dispute object is the event's, as Stripe's webhook carries it; the
// PaymentIntent look-up that finds the order is the shim's.
func TestStripeDispute(t *testing.T) {
	const window = 3 * time.Second
	env, shim, _ := stripeEnv(t, testenv.Options{Orders: order.Settings{ReturnWindow: window}})

	id := orderID("stripe-dispute")
	v := orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
	if v.Status != "authorized" {
		t.Fatalf("placed %+v", v)
	}
	pi := shim.PaymentIntent("order/" + id + "/authenticate/1")
	if pi == "" {
		t.Fatal("no PaymentIntent carries the authentication's key")
	}
	orderCommand(t, env, id, "capture", nil, http.StatusOK)
	orderCommand(t, env, id, "ship", nil, http.StatusOK)

	hook := func(evt, typ, status string) map[string]any {
		t.Helper()
		payload := fmt.Sprintf(`{"id":%q,"object":"event","api_version":%q,"type":%q,"data":{"object":`+
			`{"id":"dp_sys","object":"dispute","amount":11498,"currency":"eur","charge":"ch_sys","payment_intent":%q,`+
			`"reason":"product_not_received","status":%q}}}`, evt, stripego.APIVersion, typ, pi, status)
		code, body := stripeHook(t, env, payload)
		var ans map[string]any
		if err := json.Unmarshal(body, &ans); err != nil || code != http.StatusOK {
			t.Fatalf("webhook %s: %d %s", evt, code, body)
		}
		return ans
	}
	if ans := hook("evt_dp_1", "charge.dispute.created", "needs_response"); ans["delivered"] != true {
		t.Fatalf("charge.dispute.created not delivered: %v", ans)
	}
	hook("evt_dp_1", "charge.dispute.created", "needs_response") // Stripe delivers at least once

	d := orderWaitDispute(t, env, id, "needs_response")
	if d.Status != "shipped" || d.Dispute.Amount != 11498 || d.Dispute.Reason != "product_not_received" || d.Amounts.Refunded != 0 {
		t.Errorf("disputed %+v", d)
	}
	w := env.Hooks.WaitFor(t, order.NoticeDisputed, id)
	var disputed struct {
		Amount int64 `json:"amount"`
		Order  struct {
			Status  string             `json:"status"`
			Dispute *order.DisputeView `json:"dispute"`
		} `json:"order"`
	}
	if err := json.Unmarshal(w.Data, &disputed); err != nil {
		t.Fatal(err)
	}
	if w.Recipient != "merchant" || disputed.Amount != 11498 || disputed.Order.Status != "shipped" || disputed.Order.Dispute == nil ||
		disputed.Order.Dispute.Status != "needs_response" {
		t.Errorf("order.disputed %s: %s", w.Recipient, w.Data)
	}

	// The return window closes; the run stays for the dispute's close.
	v = orderWaitStatus(t, env, id, "completed")
	time.Sleep(time.Second)
	desc, err := env.Client.DescribeWorkflowExecution(t.Context(), "order/"+id, "")
	if err != nil || desc.GetWorkflowExecutionInfo().GetCloseTime() != nil {
		t.Fatalf("order/%s closed with its dispute open: %v", id, err)
	}

	hook("evt_dp_2", "charge.dispute.closed", "lost")
	orderWaitClosed(t, env, id)
	v = orderGet(t, env, id)
	if v.Status != "completed" || v.Dispute == nil || v.Dispute.Status != "lost" || v.Amounts.Disputed != 11498 ||
		v.Amounts.Refunded != 0 || v.Amounts.Captured != 11498 {
		t.Errorf("after the close %+v, dispute %+v", v.Amounts, v.Dispute)
	}
	var types []string
	for _, e := range v.Events {
		types = append(types, e.Type)
		if e.Type == order.EventDisputed && (e.Amount != 11498 || e.Code != "product_not_received") {
			t.Errorf("disputed event %+v", e)
		}
	}
	if want := "authorized captured shipped disputed completed dispute_lost"; !strings.HasSuffix(strings.Join(types, " "), want) {
		t.Errorf("events %v, want them to end %s", types, want)
	}
	w = env.Hooks.WaitFor(t, order.NoticeDisputeClosed, id)
	if !strings.Contains(string(w.Data), `"status":"lost"`) || !strings.Contains(string(w.Data), `"disputed":11498`) {
		t.Errorf("order.dispute_closed: %s", w.Data)
	}
	n := map[string]int{}
	for _, h := range env.Hooks.For(t, id) {
		n[h.Type]++
	}
	if n[order.NoticeDisputed] != 1 || n[order.NoticeDisputeClosed] != 1 || n[order.NoticeRefunded] != 0 {
		t.Errorf("webhooks %v: one order.disputed, one order.dispute_closed, no refund", n)
	}
	for _, c := range shim.Calls() {
		if c.Mock != http.StatusOK || c.Status != http.StatusOK {
			t.Errorf("%s %s: stripe-mock answered %d, the shim %d", c.Method, c.Path, c.Mock, c.Status)
		}
	}
	orderScanHistory(t, env, id, "4242424242424242")
	events := env.Record(t, "order/"+id, "", "order_stripe_dispute.rev11.json")
	if rev := recordedRevision(events); rev < flow.RevDisputes {
		t.Errorf("the run recorded revision %d of %s, want 11 or later", rev, flow.ChangeID)
	}
}

// orderWaitDispute waits until the order's dispute shows status.
func orderWaitDispute(t *testing.T, env *testenv.Env, id, status string) orderView {
	t.Helper()
	var v orderView
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if v = orderGet(t, env, id); v.Dispute != nil && v.Dispute.Status == status {
			return v
		}
	}
	t.Fatalf("order %s: dispute %+v, not %s, after 20s", id, v.Dispute, status)
	return v
}
