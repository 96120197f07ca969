package systest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/tools/testenv"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// Unknown outcomes end to end, over the real dev server and the sandbox's fault
// injection: a capture whose answer was lost is retried under the same key and
// gets the first result; a capture that keeps failing past its retry policy
// leaves the order authorized with its attention visible (GET and a visibility
// query on CardflowAttention), commands answer 409, and an operator's
// retry-operation captures it, once. The subtests share the sandbox's faults,
// so they run one after the other.
func TestOrderProcessorOutage(t *testing.T) {
	env := testenv.New(t, testenv.Options{Orders: order.Settings{Limits: flow.Limits{
		ProcessorMaxAttempts: 3,
		ProcessorGiveUpAfter: 30 * time.Second,
	}}})
	ensureAttentionAttribute(t, env)

	t.Run("timed out after the processor acted: same key, first result", func(t *testing.T) {
		id := orderID("lost")
		orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		setFaults(t, env, "timeout=1")
		answer := make(chan orderView, 1)
		go func() {
			status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/capture", nil)
			if status != http.StatusOK {
				t.Errorf("capture: %d %s", status, body)
			}
			answer <- orderDecode(t, body)
		}()
		// The sandbox captured, and holds its answer back past the client's timeout.
		waitFor(t, "the capture in the ledger", func() bool { return len(env.LedgerWithPrefix(t, "order/"+id+"/capture/")) > 0 })
		setFaults(t, env, "")
		v := <-answer
		if v.Status != "captured" || v.Amounts.Captured != 11498 {
			t.Fatalf("capture answered %+v", v)
		}
		orderWantLedger(t, env, v, []string{"authorize/1 authorize approved 11498", "capture/1 capture approved 11498"})
	})

	t.Run("failing past the retry policy: attention, 409, retry-operation", func(t *testing.T) {
		id := orderID("outage")
		wid := order.WorkflowID(id)
		orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		setFaults(t, env, "error=1")
		status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/capture", nil)
		orderCheckError(t, "capture during the outage", status, body, http.StatusBadGateway, "processor_error", "")

		v, attention := orderAttention(t, env, id)
		if v.Status != "authorized" || attention == nil || attention.Operation != "capture" ||
			attention.IdempotencyKey != wid+"/capture/1" || attention.Error == "" || attention.Since.IsZero() {
			t.Fatalf("order during the outage: %s, attention %+v", v.Status, attention)
		}
		query := "CardflowAttention = 'capture' AND WorkflowId = '" + wid + "'"
		waitFor(t, "the order in the visibility query", func() bool { return countWorkflows(t, env, query) == 1 })
		// The alert's query (README, Retry policies and timeouts).
		alert := "CardflowAttention IS NOT NULL AND WorkflowId = '" + wid + "'"
		if n := countWorkflows(t, env, alert); n != 1 {
			t.Errorf("%q counts %d", alert, n)
		}
		orderCommand(t, env, id, "cancel", nil, http.StatusConflict)

		setFaults(t, env, "")
		v = retryOperation(t, env, wid)
		if v.Status != "captured" || v.Amounts.Captured != 11498 {
			t.Fatalf("retry-operation answered %+v", v)
		}
		if _, a := orderAttention(t, env, id); a != nil {
			t.Errorf("attention after the retry: %+v", a)
		}
		waitFor(t, "the attention gone from visibility", func() bool { return countWorkflows(t, env, alert) == 0 })

		v = orderCommand(t, env, id, "cancel", nil, http.StatusOK)
		orderWantLedger(t, env, v, []string{"authorize/1 authorize approved 11498", "capture/1 capture approved 11498", "refund/1 refund approved 11498"})
		if testenv.Recording() {
			orderWaitClosed(t, env, id)
			env.Record(t, wid, "", "order_processor_outage.json")
		}
	})
}

// ensureAttentionAttribute registers CardflowAttention on the test's dev server
// if it lacks it, so this test does not depend on who started the server. It
// asks first: on the cluster of `make test-cluster` the attribute is
// registered, and the tests' certificate (a writer) may not add one.
func ensureAttentionAttribute(t *testing.T, env *testenv.Env) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	have, err := env.Client.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: "default"})
	if err != nil {
		t.Fatalf("list search attributes: %v", err)
	}
	if _, ok := have.GetCustomAttributes()["CardflowAttention"]; ok {
		return
	}
	_, err = env.Client.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        "default",
		SearchAttributes: map[string]enumspb.IndexedValueType{"CardflowAttention": enumspb.INDEXED_VALUE_TYPE_KEYWORD},
	})
	var exists *serviceerror.AlreadyExists
	if err != nil && !errors.As(err, &exists) {
		t.Fatalf("register CardflowAttention: %v", err)
	}
}

// setFaults sets the sandbox's fault injection ("" turns it off).
func setFaults(t *testing.T, env *testenv.Env, faults string) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"faults": faults})
	req, err := http.NewRequest(http.MethodPut, env.Sandbox+"/v1/sandbox/faults", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+testenv.SandboxKey)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("set faults %q: %v", faults, err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("set faults %q: %d", faults, res.StatusCode)
	}
}

type attentionView struct {
	Operation      string    `json:"operation"`
	IdempotencyKey string    `json:"idempotency_key"`
	Error          string    `json:"error"`
	Since          time.Time `json:"since"`
	Retries        int       `json:"retries"`
}

// orderAttention GETs the order and its attention field.
func orderAttention(t *testing.T, env *testenv.Env, id string) (orderView, *attentionView) {
	t.Helper()
	status, body := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil)
	if status != http.StatusOK {
		t.Fatalf("get %s: %d %s", id, status, body)
	}
	var a struct {
		Attention *attentionView `json:"attention"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		t.Fatal(err)
	}
	if orderHasPAN(body) {
		t.Errorf("the order carries a card number: %s", body)
	}
	return orderDecode(t, body), a.Attention
}

// retryOperation sends the operator's retry-operation update, as the Temporal
// UI or `temporal workflow update execute` would, and decodes the order.
func retryOperation(t *testing.T, env *testenv.Env, wid string) orderView {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	h, err := env.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   wid,
		UpdateName:   flow.UpdateRetryOperation,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	var v order.View
	if err == nil {
		err = h.Get(ctx, &v)
	}
	if err != nil {
		t.Fatalf("retry-operation on %s: %v", wid, err)
	}
	b, _ := json.Marshal(v)
	return orderDecode(t, b)
}

func countWorkflows(t *testing.T, env *testenv.Env, query string) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := env.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: query})
	if err != nil {
		t.Fatalf("count %q: %v", query, err)
	}
	return res.GetCount()
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !ok(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 20s", what)
		}
	}
}
