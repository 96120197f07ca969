package systest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/internal/reconcile"
	"github.com/cardflow/cardflow/tools/testenv"
)

// A few orders and a subscription through the real API agree with the sandbox's
// ledger; then a charge made directly at the processor under one order's keys
// (as a buggy or doubled call would) is reported with the order's id.
func TestReconcileAgainstSandbox(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Temporal dev server")
	}
	env := testenv.New(t, testenv.Options{})
	run := fmt.Sprint(time.Now().UnixNano())
	shipped, declined, sub := "rc-ship-"+run, "rc-decl-"+run, "rc-sub-"+run

	token := rcPlace(t, env, shipped, "4242424242424242", http.StatusCreated)
	rcCommand(t, env, "/v1/orders/"+shipped+"/capture", nil)
	rcCommand(t, env, "/v1/orders/"+shipped+"/ship", nil)
	rcCommand(t, env, "/v1/orders/"+shipped+"/returns", map[string]any{"items": []map[string]any{{"sku": "SHOE-1", "quantity": 1}}})

	rcPlace(t, env, declined, "4000000000000002", http.StatusCreated) // soft decline
	rcCommand(t, env, "/v1/orders/"+declined+"/payment-attempts", map[string]any{"card": rcCard("5555555555554444")})
	rcCommand(t, env, "/v1/orders/"+declined+"/cancel", nil) // void

	status, body := env.Do(t, http.MethodPost, "/v1/subscriptions", map[string]any{
		"subscription_id": sub,
		"customer":        map[string]any{"id": "c-42", "email": "jane@example.com", "country": "DE"},
		"card":            rcCard("4242424242424242"),
		"plan":            map[string]any{"name": "pro", "amount": 999, "currency": "EUR", "interval": "PT1H"},
		"retry":           map[string]any{"schedule": []string{"PT1S"}},
	})
	if status != http.StatusCreated {
		t.Fatalf("create subscription %s: %d %s", sub, status, body)
	}
	rcCommand(t, env, "/v1/subscriptions/"+sub+"/refunds", map[string]any{"cycle": 1, "amount": 300})

	// The package's tests share one dev server; this one reconciles its own
	// workflows (the others' workers are gone by now).
	src := ownWorkflows{reconcile.Temporal{Client: env.Client}, run}
	led := reconcile.HTTPLedger{BaseURL: env.Sandbox, Key: testenv.SandboxKey}
	rep := reconcileSoon(t, src, led, func(r reconcile.Report) bool { return r.OK() && r.Orders >= 2 && r.Subscriptions >= 1 })
	if !rep.OK() {
		t.Fatalf("clean books disagree: %v", rep.Discrepancies)
	}

	// An extra sale on the shipped order's card under its key space.
	extra := "order/" + shipped + "/sale/99"
	status, body = rcSandboxCall(t, env, "/v1/payments", extra, map[string]any{"type": "sale", "token": token, "amount": 9998, "currency": "EUR"})
	if status != http.StatusOK || !strings.Contains(string(body), `"approved"`) {
		t.Fatalf("extra sale: %d %s", status, body)
	}
	rep, err := reconcile.Run(context.Background(), src, led, reconcile.Options{Recheck: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	_ = rep.Write(&out)
	t.Logf("after the extra sale:\n%s", out.String())
	if rep.Count(reconcile.KindMismatch) == 0 || rep.Count(reconcile.KindDoubleCharge) == 0 {
		t.Fatalf("the extra sale is not reported: %+v", rep)
	}
	for _, d := range rep.Discrepancies {
		if d.WorkflowID != "order/"+shipped || !strings.Contains(strings.Join(d.Keys, " "), extra) {
			t.Errorf("discrepancy not about the extra sale: %s", d)
		}
	}
}

// reconcileSoon reconciles until ok says the report is the one expected (the
// last workflow notifications and visibility settle a moment after the API
// answers), for at most 30 s, and returns the last report.
func reconcileSoon(t *testing.T, src reconcile.Source, led reconcile.LedgerSource, ok func(reconcile.Report) bool) reconcile.Report {
	t.Helper()
	var rep reconcile.Report
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(500 * time.Millisecond) {
		var err error
		rep, err = reconcile.Run(context.Background(), src, led, reconcile.Options{Recheck: 200 * time.Millisecond})
		if err != nil {
			t.Fatalf("reconcile: %v", err)
		}
		if ok(rep) || time.Now().After(deadline) {
			return rep
		}
	}
}

func rcCard(number string) map[string]any {
	return map[string]any{"number": number, "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Jane Doe"}
}

// place creates an order of two shoes and returns its card token.
func rcPlace(t *testing.T, env *testenv.Env, id, number string, want int) string {
	t.Helper()
	status, body := env.Do(t, http.MethodPost, "/v1/orders", map[string]any{
		"order_id": id, "currency": "EUR",
		"customer": map[string]any{"id": "c-42", "email": "jane@example.com", "country": "DE"},
		"items":    []map[string]any{{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}},
		"card":     rcCard(number),
	})
	if status != want {
		t.Fatalf("place %s: %d %s", id, status, body)
	}
	var v struct {
		Card struct {
			Token string `json:"token"`
		} `json:"card"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.Card.Token == "" {
		t.Fatalf("place %s: no card token in %s", id, body)
	}
	return v.Card.Token
}

func rcCommand(t *testing.T, env *testenv.Env, path string, body any) {
	t.Helper()
	status, out := env.Do(t, http.MethodPost, path, body)
	if status != http.StatusOK {
		t.Fatalf("POST %s: %d %s", path, status, out)
	}
}

// sandboxCall makes a money call at the processor directly, as nobody but a
// workflow should.
func rcSandboxCall(t *testing.T, env *testenv.Env, path, key string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, err := http.NewRequest(http.MethodPost, env.Sandbox+path, strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Authorization", "Bearer "+testenv.SandboxKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	var out json.RawMessage
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// ownWorkflows lists only the workflows whose id holds the test's run suffix.
type ownWorkflows struct {
	reconcile.Temporal
	run string
}

func (o ownWorkflows) List(ctx context.Context, kind string) ([]string, error) {
	ids, err := o.Temporal.List(ctx, kind)
	var own []string
	for _, id := range ids {
		if strings.Contains(id, o.run) {
			own = append(own, id)
		}
	}
	return own, err
}
