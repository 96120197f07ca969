package systest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// TestRecordHistoriesPaymentPage plays the payment page's flows of revision 4
// (flow.RevPaymentPage) whose histories order/ and subscription/ replay; with
// CARDFLOW_RECORD_HISTORY=1 it writes them (testenv.Record never overwrites).
func TestRecordHistoriesPaymentPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Orders: order.Settings{ReturnWindow: time.Second}})
	attempt := func(url, number string) string {
		_, _, ans := page(t, "POST", url+"/attempt", `{"token":"`+browserToken(t, env, number)+`"}`, "Content-Type", "application/json")
		return ans
	}

	// Awaiting payment, a decline, another card, capture, ship, completed.
	id := orderID("rec-page")
	_, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-rec-page"))
	var v pageOrder
	pageJSON(t, b, &v)
	if a := attempt(v.PaymentPage.URL, "4000000000000002"); !strings.Contains(a, "failed") {
		t.Fatalf("decline: %s", a)
	}
	if a := attempt(v.PaymentPage.URL, "4242424242424242"); !strings.Contains(a, "paid") {
		t.Fatalf("pay: %s", a)
	}
	orderCommand(t, env, id, "capture", nil, http.StatusOK)
	orderCommand(t, env, id, "ship", nil, http.StatusOK)
	orderWaitStatus(t, env, id, "completed")
	orderWaitClosed(t, env, id)
	env.Record(t, "order/"+id, "", "order_payment_page.rev4.json")

	// Awaiting payment, cancelled on the page.
	id = orderID("rec-page-cancel")
	_, b = env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-rec-page-2"))
	pageJSON(t, b, &v)
	page(t, "POST", v.PaymentPage.URL+"/cancel", "")
	orderWaitStatus(t, env, id, "cancelled")
	orderWaitClosed(t, env, id)
	env.Record(t, "order/"+id, "", "order_payment_page_cancel.rev4.json")

	// Incomplete, the page's card, trialing, the first bill, continue-as-new.
	sid := subID("rec-page-sub")
	status, b := pageSubscription(t, env, sid, "c-rec-page-sub", "US", map[string]any{"name": "rec", "amount": 500, "currency": "EUR", "interval": "PT1H", "trial": "PT1S"})
	if status != http.StatusCreated {
		t.Fatalf("create: %d %s", status, b)
	}
	var s struct {
		PaymentPage struct{ URL string } `json:"payment_page"`
	}
	pageJSON(t, b, &s)
	if a := attempt(s.PaymentPage.URL, "4242424242424242"); !strings.Contains(a, "paid") {
		t.Fatalf("subscription's card: %s", a)
	}
	wid := "subscription/" + sid
	events := env.Record(t, wid, firstRun(t, env, wid), "subscription_payment_page.rev4.json")
	if last := events[len(events)-1].GetEventType(); last != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW {
		t.Fatalf("the first run ended with %s, want continue-as-new", last)
	}
	if v := subGet(t, env, sid); v.Status != "active" || v.Cycle != 1 {
		t.Errorf("after the first bill: %+v", v)
	}
}

// TestRecordHistoryPaymentPageLinkExpires plays revision 10
// (flow.RevPageLinkEnds) for order/'s replay test, and checks it over HTTP:
// an order placed for the page, a card declined there, and then nobody: the
// order is cancelled when its link expires (expires_at), not AbandonAfter
// after the decline. With CARDFLOW_RECORD_HISTORY=1 it writes the run.
func TestRecordHistoryPaymentPageLinkExpires(t *testing.T) {
	t.Parallel()
	// The decline comes halfway: the link expires abandon after the order was
	// placed, where a restarted clock would end it abandon after the decline,
	// half an abandon later. The check tells the two apart with a quarter of
	// an abandon to spare for a late timer on a loaded machine.
	const abandon = 10 * time.Second
	env := testenv.New(t, testenv.Options{Orders: order.Settings{AbandonAfter: abandon}})
	id := orderID("rec-page-expires")
	_, b := env.Do(t, "POST", "/v1/orders", pageOrderRequest(id, "c-rec-page-expires"))
	var v pageOrder
	pageJSON(t, b, &v)
	if v.PaymentPage == nil {
		t.Fatalf("no payment page: %s", b)
	}
	time.Sleep(abandon / 2)
	if a, ans := pageAttempt(t, env, v.PaymentPage.URL, "4000000000000002"); a.Outcome != "failed" {
		t.Fatalf("decline: %s", ans)
	}
	declinedAt := time.Now()
	end := orderWaitStatus(t, env, id, "cancelled")
	last := end.Events[len(end.Events)-1]
	if last.Type != order.EventTimedOut || last.At.Before(v.PaymentPage.ExpiresAt) {
		t.Errorf("last event %+v, want timed_out at the link's expiry %v", last, v.PaymentPage.ExpiresAt)
	}
	if !last.At.Before(declinedAt.Add(abandon * 3 / 4)) {
		t.Errorf("timed out at %v, the link expired at %v: the decline at %v restarted the clock", last.At, v.PaymentPage.ExpiresAt, declinedAt)
	}
	orderWaitClosed(t, env, id)
	events := env.Record(t, "order/"+id, "", "order_payment_page_link_expires.rev10.json")
	if rev := recordedRevision(events); rev < flow.RevPageLinkEnds {
		t.Errorf("the run recorded revision %d of %s, want 10 or later", rev, flow.ChangeID)
	}
}

// firstRun is the run id of the workflow's first run, once it continued as new.
func firstRun(t *testing.T, env *testenv.Env, wid string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		d, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
		if err != nil {
			t.Fatal(err)
		}
		if f := d.GetWorkflowExecutionInfo().GetFirstRunId(); f != d.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
			return f
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never continued as new", wid)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// TestRecordHistoryPaymentPageChallenge plays revision 8
// (flow.RevFirstCardVerified) for subscription/'s replay test: incomplete,
// the page's card challenged (still incomplete), passed, verified, the trial,
// the first bill, continue-as-new. With CARDFLOW_RECORD_HISTORY=1 it writes
// the first run.
func TestRecordHistoryPaymentPageChallenge(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	sid := subID("rec-page-sub-3ds")
	pageURL := pageSubscriptionURL(t, env, sid, "c-rec-page-sub-3ds", "DE", recPagePlan)
	a, ans := pageAttempt(t, env, pageURL, "4000000000003220")
	if a.Outcome != "challenge" {
		t.Fatalf("attempt with a challenge card: %s", ans)
	}
	if v := subGet(t, env, sid); v.Status != "incomplete" {
		t.Errorf("while the challenge waits: %+v", v)
	}
	resp, err := noRedirect.Get(challengeReturn(t, &payment.NextAction{Type: payment.NextActionRedirect, URL: a.Redirect}, "pass"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	wid := "subscription/" + sid
	recordSubscriptionRun(t, env, wid, "subscription_payment_page_challenge.rev8.json", flow.RevFirstCardVerified)
	if v := subGet(t, env, sid); v.Status != "active" || v.Cycle != 1 {
		t.Errorf("after the first bill: %+v", v)
	}
}

// TestRecordHistoryPaymentPageDeclinedCard plays revision 9
// (flow.RevDeclinedCardsCount) for subscription/'s replay test, and checks
// it over HTTP: incomplete; the page's first card (4000000000000002)
// declined at its zero-amount verification, so the page answers the decline
// and the subscription stays incomplete; 4242 verified, the trial, the first
// bill, continue-as-new. With CARDFLOW_RECORD_HISTORY=1 it writes the first
// run.
func TestRecordHistoryPaymentPageDeclinedCard(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	sid := subID("rec-page-sub-decl")
	pageURL := pageSubscriptionURL(t, env, sid, "c-rec-page-sub-decl", "DE", recPagePlan)
	a, ans := pageAttempt(t, env, pageURL, "4000000000000002")
	if a.Outcome != "failed" || a.Redirect != "" || !strings.Contains(a.Message, "declined") {
		t.Fatalf("the page's answer to a declined card: %s, want failed with the decline's message", ans)
	}
	if v := subGet(t, env, sid); v.Status != "incomplete" || v.NextBillingAt != nil {
		t.Fatalf("after the declined card: %+v, want incomplete with nothing scheduled", v)
	}
	if a, ans = pageAttempt(t, env, pageURL, "4242424242424242"); a.Outcome != "paid" {
		t.Fatalf("the page's answer to 4242: %s", ans)
	}
	wid := "subscription/" + sid
	recordSubscriptionRun(t, env, wid, "subscription_payment_page_declined_card.rev9.json", flow.RevDeclinedCardsCount)
	v := subGet(t, env, sid)
	if v.Status != "active" || v.Cycle != 1 || v.Card.Last4 != "4242" {
		t.Errorf("after the first bill: %+v", v)
	}
	var declined, approved int
	for _, e := range env.LedgerWithPrefix(t, wid+"/verify/") {
		switch e.Status {
		case "declined":
			declined++
		case "approved":
			approved++
		}
	}
	if declined != 1 || approved != 1 {
		t.Errorf("verifications at the sandbox: %d declined, %d approved; want 1 and 1", declined, approved)
	}
}

// recordSubscriptionRun records subscription wid's first run into file
// (CARDFLOW_RECORD_HISTORY=1) and checks it ended in continue-as-new, at
// revision rev or a later one.
func recordSubscriptionRun(t *testing.T, env *testenv.Env, wid, file string, rev flow.Revision) {
	t.Helper()
	events := env.Record(t, wid, firstRun(t, env, wid), file)
	if last := events[len(events)-1].GetEventType(); last != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW {
		t.Fatalf("the first run of %s ended with %s, want continue-as-new", wid, last)
	}
	if got := recordedRevision(events); got < rev {
		t.Errorf("the run of %s recorded revision %d of %s, want %d or later", wid, got, flow.ChangeID, rev)
	}
}

// recPagePlan is the recordings' plan for the payment page: a second's trial,
// hourly bills, so the first run ends at the first bill.
var recPagePlan = map[string]any{"name": "rec", "amount": 500, "currency": "EUR", "interval": "PT1H", "trial": "PT1S"}

// recordedRevision is the revision a run's history records: the version of
// flow.ChangeID in its last TemporalChangeVersion upsert (-1 without one). A
// recording test asks for its revision or a later one, since the run takes
// the latest when it plays, and only a missing file is written.
func recordedRevision(events []*historypb.HistoryEvent) flow.Revision {
	rev := flow.Revision(-1)
	prefix := flow.ChangeID + "-"
	for _, e := range events {
		u := e.GetUpsertWorkflowSearchAttributesEventAttributes()
		p := u.GetSearchAttributes().GetIndexedFields()["TemporalChangeVersion"]
		if p == nil {
			continue
		}
		var versions []string
		if err := json.Unmarshal(p.GetData(), &versions); err != nil {
			continue
		}
		for _, v := range versions {
			if n, err := strconv.Atoi(strings.TrimPrefix(v, prefix)); err == nil && strings.HasPrefix(v, prefix) {
				rev = flow.Revision(n)
			}
		}
	}
	return rev
}
