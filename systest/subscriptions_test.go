package systest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/subscription"
	"github.com/cardflow/cardflow/tools/testenv"
	enumspb "go.temporal.io/api/enums/v1"
)

// The subscription flows of API.md end to end: second-long plans (a 3 s
// interval, 1 s notices and retries) over the HTTP API, the sandbox processor
// with its test cards and scripted outcomes, and signed webhooks. The subtests
// share one cardflow and run in parallel.
func TestSubscriptions(t *testing.T) {
	env := testenv.New(t, testenv.Options{})

	t.Run("trial, two cycles, every notice, expiry", func(t *testing.T) {
		t.Parallel()
		id := subID("trial")
		req := subRequest(id, "4242424242424242")
		subPlan(req)["trial"] = "PT2S"
		subPlan(req)["cycles"] = 2
		v := subCreate(t, env, req, http.StatusCreated)
		if v.Status != "trialing" || v.Cycle != 0 || v.NextBillingAt == nil || v.WorkflowID != "subscription/"+id ||
			v.Card.Last4 != "4242" || v.Card.Brand != "visa" || !strings.HasPrefix(v.Card.Token, "tok_") || v.LastPayment != nil {
			t.Fatalf("first answer %+v", v)
		}
		// The same request again answers the same subscription; another one is refused.
		if again := subCreate(t, env, req, http.StatusOK); again.SubscriptionID != id {
			t.Errorf("repeat answered %+v", again)
		}
		other := subRequest(id, "4242424242424242")
		subPlan(other)["amount"] = 1999
		subCreate(t, env, other, http.StatusConflict)

		env.Hooks.WaitFor(t, "subscription.expired", id)
		subWantHooks(t, env, id, map[string]int{
			"subscription.trial_ending":      1,
			"subscription.pre_bill":          2,
			"subscription.payment_succeeded": 2,
			"subscription.expiring":          1,
			"subscription.expired":           1,
		})
		subWantLedger(t, env, id, verified([]subEntry{
			{"bill/1/1", "sale", "approved", "", 0},
			{"bill/2/1", "sale", "approved", "", 0},
		}))
		v = subGet(t, env, id)
		if v.Status != "expired" || v.Cycle != 2 || len(v.Payments) != 2 || v.Payments[1].Status != "succeeded" || v.Payments[1].Amount != 999 {
			t.Errorf("at the end %+v", v)
		}
		subFirstRun(t, env, id)
	})

	t.Run("soft decline, retry pays", func(t *testing.T) {
		t.Parallel()
		id := subID("soft")
		req := subRequest(id, "4242424242424242")
		subPlan(req)["trial"] = "PT2S"
		v := subCreate(t, env, req, http.StatusCreated)
		env.Outcomes(t, v.Card.Token, "insufficient_funds", "approve")
		soft := env.Hooks.WaitFor(t, "subscription.payment_soft_failed", id)
		if !strings.Contains(string(soft.Data), `"insufficient_funds"`) {
			t.Errorf("soft-fail data %s", soft.Data)
		}
		env.Hooks.WaitFor(t, "subscription.payment_succeeded", id)
		subWantLedger(t, env, id, verified([]subEntry{
			{"bill/1/1", "sale", "declined", "insufficient_funds", 0},
			{"bill/1/2", "sale", "approved", "", 0},
		}))
		if v := subGet(t, env, id); v.Status != "active" && v.Status != "expired" {
			t.Errorf("status %s after the retry paid", v.Status)
		}
	})

	t.Run("soft declines until the schedule is used up", func(t *testing.T) {
		t.Parallel()
		id := subID("exhausted")
		v := subCreate(t, env, subRequest(id, "4000000000009995"), http.StatusCreated)
		// No trial: the first answer already holds the first bill's result.
		if v.Status != "past_due" || v.LastPayment == nil || v.LastPayment.Failure == nil || v.LastPayment.Failure.Code != "insufficient_funds" || v.LastPayment.Failure.Class != "soft" {
			t.Fatalf("first answer %+v", v)
		}
		env.Hooks.WaitFor(t, "subscription.expired", id)
		subWantLedger(t, env, id, []subEntry{
			{"bill/1/1", "sale", "declined", "insufficient_funds", 0},
			{"bill/1/2", "sale", "declined", "insufficient_funds", 0},
			{"bill/1/3", "sale", "declined", "insufficient_funds", 0},
		})
		subWantHooks(t, env, id, map[string]int{"subscription.payment_soft_failed": 3, "subscription.expired": 1})
		if v := subGet(t, env, id); v.Status != "expired" {
			t.Errorf("status %s", v.Status)
		}
	})

	t.Run("hard decline suspends, a new card catches up", func(t *testing.T) {
		t.Parallel()
		id := subID("hard")
		req := subRequest(id, "4000000000009987")
		req["retry"] = map[string]any{"schedule": []string{"PT10S", "PT10S"}}
		v := subCreate(t, env, req, http.StatusCreated)
		if v.Status != "suspended" || v.LastPayment == nil || v.LastPayment.Failure == nil || v.LastPayment.Failure.Code != "lost_card" || v.LastPayment.Failure.Class != "hard" {
			t.Fatalf("first answer %+v", v)
		}
		status, body := env.Do(t, http.MethodPost, "/v1/subscriptions/"+id+"/catch-up", nil)
		subWantError(t, status, body, http.StatusConflict, "invalid_state", "")
		v = subCommand(t, env, http.MethodPut, id, "payment-method", map[string]any{"card": subCard("5555555555554444")}, http.StatusOK)
		if v.Status != "active" || v.Card.Last4 != "4444" || v.LastPayment == nil || v.LastPayment.Status != "succeeded" {
			t.Errorf("after the new card %+v", v)
		}
		entries := subWantLedger(t, env, id, []subEntry{
			{"bill/1/1", "sale", "declined", "lost_card", 0},
			{"bill/1/2", "sale", "approved", "", 0},
		})
		if entries[0].Token == entries[1].Token {
			t.Errorf("the catch-up charged the old token %s", entries[1].Token)
		}
		env.Hooks.WaitFor(t, "subscription.payment_hard_failed", id)
		env.Hooks.WaitFor(t, "subscription.payment_succeeded", id)
		subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)
		env.Hooks.WaitFor(t, "subscription.cancelled", id)
	})

	t.Run("account updater renews an expired card", func(t *testing.T) {
		t.Parallel()
		id := subID("updater")
		req := subRequest(id, "4000000000000069")
		req["account_updater"] = true
		v := subCreate(t, env, req, http.StatusCreated)
		if v.Status != "past_due" || v.Card.ExpYear != 2033 {
			t.Fatalf("first answer %+v: want past_due with the updated expiry", v)
		}
		env.Hooks.WaitFor(t, "subscription.card_updated", id)
		env.Hooks.WaitFor(t, "subscription.payment_succeeded", id)
		subWantLedger(t, env, id, []subEntry{
			{"bill/1/1", "sale", "declined", "expired_card", 0},
			{"bill/1/2", "sale", "approved", "", 0},
		})
		subWantHooks(t, env, id, map[string]int{"subscription.payment_hard_failed": 0})
	})

	t.Run("account updater answers closed", func(t *testing.T) {
		t.Parallel()
		id := subID("closed")
		req := subRequest(id, "4000000000009987")
		req["account_updater"] = true
		subPlan(req)["trial"] = "PT2S"
		v := subCreate(t, env, req, http.StatusCreated)
		env.Updater(t, v.Card.Token, map[string]any{"closed": true})
		env.Hooks.WaitFor(t, "subscription.expired", id)
		// The trial's verification declines the lost card (nothing to void);
		// the trial still runs to its first bill, as before revision 5.
		subWantLedger(t, env, id, []subEntry{{"verify/1", "verify", "declined", "lost_card", noAmount}, {"bill/1/1", "sale", "declined", "lost_card", 0}})
		// The hard fail, then one notice per schedule date, never a resubmission.
		subWantHooks(t, env, id, map[string]int{"subscription.payment_hard_failed": 3, "subscription.card_updated": 0})
		v = subGet(t, env, id)
		if v.Status != "expired" || !slices.ContainsFunc(v.Events, func(e subEvent) bool { return e.Code == "account_closed" }) {
			t.Errorf("at the end %+v", v)
		}
	})

	t.Run("opt-out after the pre-bill notice", func(t *testing.T) {
		t.Parallel()
		id := subID("optout")
		req := subRequest(id, "4242424242424242")
		subPlan(req)["trial"] = "PT3S"
		subNotice(req)["pre_bill"] = "PT2S"
		subCreate(t, env, req, http.StatusCreated)
		env.Hooks.WaitFor(t, "subscription.pre_bill", id)
		v := subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)
		if v.Status != "cancelled" || v.NextBillingAt != nil {
			t.Errorf("after cancel %+v", v)
		}
		env.Hooks.WaitFor(t, "subscription.cancelled", id)
		time.Sleep(3 * time.Second) // past the trial's end: nothing may be billed
		subWantLedger(t, env, id, verified(nil))
		subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusConflict)
		subCommand(t, env, http.MethodPost, id, "catch-up", nil, http.StatusConflict)
	})

	t.Run("refunds up to what was paid", func(t *testing.T) {
		t.Parallel()
		id := subID("refund")
		req := subRequest(id, "4242424242424242")
		subPlan(req)["interval"] = "PT1H" // one cycle within the test
		v := subCreate(t, env, req, http.StatusCreated)
		if v.Status != "active" || len(v.Payments) != 1 || v.Payments[0].Status != "succeeded" {
			t.Fatalf("first answer %+v", v)
		}
		v = subCommand(t, env, http.MethodPost, id, "refunds", map[string]any{"cycle": 1, "amount": 500}, http.StatusOK, "Idempotency-Key", "r-1")
		if v.Payments[0].Refunded != 500 {
			t.Errorf("after refunding 500: %+v", v.Payments)
		}
		// The same key again is the same refund, not a second one.
		subCommand(t, env, http.MethodPost, id, "refunds", map[string]any{"cycle": 1, "amount": 500}, http.StatusOK, "Idempotency-Key", "r-1")
		status, body := env.Do(t, http.MethodPost, "/v1/subscriptions/"+id+"/refunds", map[string]any{"cycle": 1, "amount": 500})
		subWantError(t, status, body, http.StatusUnprocessableEntity, "invalid_request", "amount")
		status, body = env.Do(t, http.MethodPost, "/v1/subscriptions/"+id+"/refunds", map[string]any{"cycle": 2, "amount": 1})
		subWantError(t, status, body, http.StatusUnprocessableEntity, "invalid_request", "cycle")
		v = subCommand(t, env, http.MethodPost, id, "refunds", map[string]any{"cycle": 1, "amount": 499}, http.StatusOK)
		if v.Payments[0].Refunded != 999 {
			t.Errorf("after refunding the rest: %+v", v.Payments)
		}
		subWantLedger(t, env, id, []subEntry{
			{"bill/1/1", "sale", "approved", "", 0},
			{"refund/1", "refund", "approved", "", 500},
			{"refund/2", "refund", "approved", "", 499},
		})
		env.Hooks.WaitFor(t, "subscription.refunded", id)
		subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)
	})

	t.Run("catch-up while past due", func(t *testing.T) {
		t.Parallel()
		id := subID("catchup")
		req := subRequest(id, "4242424242424242")
		subPlan(req)["trial"] = "PT2S"
		req["retry"] = map[string]any{"schedule": []string{"PT1M"}}
		v := subCreate(t, env, req, http.StatusCreated)
		env.Outcomes(t, v.Card.Token, "do_not_honor")
		env.Hooks.WaitFor(t, "subscription.payment_soft_failed", id)
		v = subCommand(t, env, http.MethodPost, id, "catch-up", nil, http.StatusOK)
		if v.Status != "active" || v.LastPayment == nil || v.LastPayment.Status != "succeeded" {
			t.Errorf("after catch-up %+v", v)
		}
		subWantLedger(t, env, id, verified([]subEntry{
			{"bill/1/1", "sale", "declined", "do_not_honor", 0},
			{"bill/1/2", "sale", "approved", "", 0},
		}))
	})

	t.Run("errors", func(t *testing.T) {
		t.Parallel()
		status, body := env.Do(t, http.MethodGet, "/v1/subscriptions/nobody", nil)
		subWantError(t, status, body, http.StatusNotFound, "not_found", "")
		status, body = env.Do(t, http.MethodPost, "/v1/subscriptions/nobody/cancel", nil)
		subWantError(t, status, body, http.StatusNotFound, "not_found", "")
		req := subRequest(subID("bad"), "4242424242424242")
		subPlan(req)["interval"] = "P1X"
		status, body = env.Do(t, http.MethodPost, "/v1/subscriptions", req)
		subWantError(t, status, body, http.StatusUnprocessableEntity, "invalid_request", "plan.interval")
		req = subRequest(subID("bad"), "4242424242424241")
		status, body = env.Do(t, http.MethodPost, "/v1/subscriptions", req)
		subWantError(t, status, body, http.StatusUnprocessableEntity, "", "card.number")
		status, _ = env.Do(t, http.MethodGet, "/v1/subscriptions/nobody", nil, "Authorization", "Bearer wrong")
		if status != http.StatusUnauthorized {
			t.Errorf("wrong key: %d", status)
		}
	})
}

// After the refund window the workflow completes: GET still answers, commands
// are 409, and the create request is still recognised (same 200, other 409).
func TestSubscriptionAfterTheEnd(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{Subscriptions: subscription.Settings{RetainFor: time.Second}})
	id := subID("ended")
	req := subRequest(id, "4242424242424242")
	subPlan(req)["interval"] = "PT1H"
	subCreate(t, env, req, http.StatusCreated)
	subCommand(t, env, http.MethodPost, id, "cancel", nil, http.StatusOK)

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := env.Client.GetWorkflow(ctx, "subscription/"+id, "").Get(ctx, nil); err != nil {
		t.Fatalf("the workflow of %s: %v", id, err)
	}
	if v := subGet(t, env, id); v.Status != "cancelled" || len(v.Payments) != 1 {
		t.Errorf("after the end %+v", v)
	}
	status, body := env.Do(t, http.MethodPost, "/v1/subscriptions/"+id+"/refunds", map[string]any{"cycle": 1, "amount": 1})
	subWantError(t, status, body, http.StatusConflict, "invalid_state", "")
	if v := subCreate(t, env, req, http.StatusOK); v.Status != "cancelled" {
		t.Errorf("repeat after the end %+v", v)
	}
	subPlan(req)["amount"] = 5
	subCreate(t, env, req, http.StatusConflict)
	subWantLedger(t, env, id, []subEntry{{"bill/1/1", "sale", "approved", "", 0}})
}

// subFirstRun checks that the subscription's first run ended in continue-as-new
// (after its first paid cycle) and, with CARDFLOW_RECORD_HISTORY=1, stores that
// history for the workflows package's replay test.
func subFirstRun(t *testing.T, env *testenv.Env, id string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	wid := "subscription/" + id
	d, err := env.Client.DescribeWorkflowExecution(ctx, wid, "")
	if err != nil {
		t.Fatalf("describe %s: %v", wid, err)
	}
	first := d.GetWorkflowExecutionInfo().GetFirstRunId()
	if first == "" || first == d.GetWorkflowExecutionInfo().GetExecution().GetRunId() {
		t.Fatalf("%s has a single run %q: no continue-as-new", wid, first)
	}
	// Named for the revision that recorded it (workflows/revision.go); the
	// earlier revisions' recordings (no suffix, .rev2) stay as they were.
	events := env.Record(t, wid, first, "subscription_continue_as_new.rev3.json")
	if last := events[len(events)-1].GetEventType(); last != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW {
		t.Fatalf("the first run of %s ended with %s, want continue-as-new", wid, last)
	}
	// What a billing run costs (bench/RESULTS.md): the validity check is a local
	// activity, no upsert at the start (the API set the attributes), the
	// status alone when the trial ends, and the paid cycle continues as new at
	// once: its webhook goes out from the next run, so no grace timer waits for it.
	s := shapeOf(events)
	s.wantUpserts(t, wid, 1)
	for typ, n := range map[string]int{
		"MarkerRecorded LocalActivity":   1,
		"ActivityTaskScheduled Validate": 0,
		"ActivityTaskScheduled Sale":     1,
	} {
		if s.types[typ] != n {
			t.Errorf("%s: %d× %s, want %d (%v)", wid, s.types[typ], typ, n, s.types)
		}
	}
	if s.after("ActivityTaskScheduled Sale", "TimerStarted") || s.after("ActivityTaskScheduled Sale", "ActivityTaskScheduled Notify") {
		t.Errorf("%s: a timer or a webhook after the bill, before continue-as-new: %v", wid, s.order)
	}
}

// subView is the contract's subscription, decoded independently of the code
// that writes it.
type subView struct {
	SubscriptionID string     `json:"subscription_id"`
	Status         string     `json:"status"`
	Cycle          int        `json:"cycle"`
	NextBillingAt  *time.Time `json:"next_billing_at"`
	Card           struct {
		Token    string `json:"token"`
		Brand    string `json:"brand"`
		Last4    string `json:"last4"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
	} `json:"card"`
	LastPayment *struct {
		At      time.Time `json:"at"`
		Cycle   int       `json:"cycle"`
		Amount  int64     `json:"amount"`
		Status  string    `json:"status"`
		Failure *struct {
			Stage string `json:"stage"`
			Code  string `json:"code"`
			Class string `json:"class"`
		} `json:"failure"`
	} `json:"last_payment"`
	Payments []struct {
		Cycle     int    `json:"cycle"`
		Amount    int64  `json:"amount"`
		Status    string `json:"status"`
		Refunded  int64  `json:"refunded"`
		PaymentID string `json:"payment_id"`
	} `json:"payments"`
	WorkflowID string     `json:"workflow_id"`
	Events     []subEvent `json:"events"`
}

type subEvent struct {
	Type string `json:"type"`
	Code string `json:"code"`
}

// subID makes ids unique across runs on the shared dev server.
func subID(name string) string { return fmt.Sprintf("%s-%d", name, time.Now().UnixNano()) }

func subCard(number string) map[string]any {
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}
}

// subRequest is a second-long plan: one 3 s cycle, notices 1 s ahead, two
// retries 1 s apart.
func subRequest(id, number string) map[string]any {
	return map[string]any{
		"subscription_id": id,
		"customer":        map[string]any{"id": "c-42", "email": "jane@example.com", "country": "DE"},
		"card":            subCard(number),
		"plan":            map[string]any{"name": "pro-fast", "amount": 999, "currency": "EUR", "interval": "PT3S", "cycles": 1},
		"notice":          map[string]any{"pre_bill": "PT1S", "trial_end": "PT1S", "expiration": "PT1S"},
		"retry":           map[string]any{"schedule": []string{"PT1S", "PT1S"}},
		"account_updater": false,
	}
}

func subPlan(req map[string]any) map[string]any   { return req["plan"].(map[string]any) }
func subNotice(req map[string]any) map[string]any { return req["notice"].(map[string]any) }

func subDecode(t *testing.T, body []byte) subView {
	t.Helper()
	var v subView
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode subscription %s: %v", body, err)
	}
	if v.Payments == nil || v.Events == nil {
		t.Errorf("payments and events must be lists, not null: %s", body)
	}
	return v
}

func subCreate(t *testing.T, env *testenv.Env, req map[string]any, want int) subView {
	t.Helper()
	status, body := env.Do(t, http.MethodPost, "/v1/subscriptions", req)
	if status != want {
		t.Fatalf("create: %d, want %d: %s", status, want, body)
	}
	if want == http.StatusConflict {
		subWantError(t, status, body, want, "", "subscription_id")
		return subView{}
	}
	return subDecode(t, body)
}

func subGet(t *testing.T, env *testenv.Env, id string) subView {
	t.Helper()
	status, body := env.Do(t, http.MethodGet, "/v1/subscriptions/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, status, body)
	}
	return subDecode(t, body)
}

func subCommand(t *testing.T, env *testenv.Env, method, id, cmd string, arg any, want int, header ...string) subView {
	t.Helper()
	status, body := env.Do(t, method, "/v1/subscriptions/"+id+"/"+cmd, arg, header...)
	if status != want {
		t.Fatalf("%s %s: %d, want %d: %s", cmd, id, status, want, body)
	}
	if want != http.StatusOK {
		return subView{}
	}
	return subDecode(t, body)
}

func subWantError(t *testing.T, status int, body []byte, want int, code, field string) {
	t.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
			Field   string `json:"field"`
		} `json:"error"`
	}
	if err := json.Unmarshal(body, &e); err != nil || status != want || (code != "" && e.Error.Code != code) || e.Error.Field != field || e.Error.Message == "" {
		t.Errorf("answer %d %s, want %d code %q field %q", status, body, want, code, field)
	}
}

// subEntry is an expected ledger line: key suffix, type, status, decline code
// and amount (0 means the plan's 999).
type subEntry struct {
	key, typ, status, code string
	amount                 int64
}

// noAmount is a ledger entry of 0 minor units (subEntry's 0 means 999).
const noAmount = -1

// verified puts before a subscription's ledger the zero-amount verification
// (and its void) that a trial starts with since workflow revision 5 (3-D
// Secure): it authenticates the card when the card requires it and gives the
// later, merchant-initiated bills their network transaction id.
func verified(bills []subEntry) []subEntry {
	return append([]subEntry{
		{"verify/1", "verify", "approved", "", noAmount},
		{"verify-void/1", "void", "approved", "", noAmount},
	}, bills...)
}

// subWantLedger checks the subscription's money movements, in order.
func subWantLedger(t *testing.T, env *testenv.Env, id string, want []subEntry) []testenv.LedgerEntry {
	t.Helper()
	prefix := "subscription/" + id + "/"
	got := env.LedgerWithPrefix(t, prefix)
	var g, w []string
	for _, l := range got {
		g = append(g, fmt.Sprintf("%s %s %s %s %d %s", strings.TrimPrefix(l.IdempotencyKey, prefix), l.Type, l.Status, l.Code, l.Amount, l.Currency))
	}
	for _, e := range want {
		switch e.amount {
		case 0:
			e.amount = 999
		case noAmount:
			e.amount = 0
		}
		w = append(w, fmt.Sprintf("%s %s %s %s %d EUR", e.key, e.typ, e.status, e.code, e.amount))
	}
	if !slices.Equal(g, w) {
		t.Errorf("ledger of %s\n got %q\nwant %q", id, g, w)
	}
	return got
}

// subWantHooks waits briefly for the webhooks of a subscription and checks how
// many of each type arrived (signatures are verified by the receiver).
func subWantHooks(t *testing.T, env *testenv.Env, id string, want map[string]int) {
	t.Helper()
	count := func() map[string]int {
		n := map[string]int{}
		for _, h := range env.Hooks.For(t, id) {
			n[h.Type]++
		}
		return n
	}
	var got map[string]int
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got = count()
		ok := true
		for typ, n := range want {
			ok = ok && got[typ] == n
		}
		if ok || time.Now().After(deadline) {
			break
		}
	}
	for typ, n := range want {
		if got[typ] != n {
			t.Errorf("%d %s webhooks for %s, want %d (all: %v)", got[typ], typ, id, n, got)
		}
	}
}
