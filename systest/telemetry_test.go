package systest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/telemetry"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/tools/testenv"
)

// Known flows move cardflow's counters by exactly what they did, scraped
// from /metrics as Prometheus would: three approved authorizations, one
// decline with its code, the HTTP requests by route and status, webhook
// deliveries, an attention opened and resolved; and every metric the
// Grafana dashboard reads is there.
func TestMetricsAfterKnownFlows(t *testing.T) {
	env := testenv.New(t, testenv.Options{Orders: order.Settings{Limits: flow.Limits{
		ProcessorMaxAttempts: 3,
		ProcessorGiveUpAfter: 30 * time.Second,
	}}})
	ensureAttentionAttribute(t, env)
	calls := telemetry.ProcessorCalls + "_total"
	money := telemetry.MoneyMoved + "_total"
	requests := telemetry.HTTPDuration + "_seconds"

	var ids []string
	for range 3 {
		id := orderID("metered")
		orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
		ids = append(ids, id)
	}
	declined := orderID("metered-declined")
	orderCreate(t, env, orderRequest(declined, "4000000000009995"), http.StatusCreated)

	s := env.Metrics(t)
	if got := s.Value(calls, "operation", "authorize", "outcome", telemetry.Approved); got != 3 {
		t.Errorf("approved authorizations %v, want 3", got)
	}
	if got := s.Value(money, "operation", "authorize", "currency", "EUR"); got != 3*11498 {
		t.Errorf("money authorized %v, want 3 × 11498", got)
	}
	if got := s.Value(calls, "operation", "authorize", "outcome", telemetry.Declined, "code", "insufficient_funds"); got != 1 {
		t.Errorf("insufficient_funds declines %v, want 1", got)
	}
	if got := s.Value(calls, "outcome", telemetry.Declined); got != 1 {
		t.Errorf("declines %v, want 1", got)
	}
	if got := s.Value(requests, "route", "/v1/orders", "method", "POST", "status", "201"); got != 4 {
		t.Errorf("POST /v1/orders 201 %v, want 4", got)
	}
	orderWantError(t, env, "no-such-order", "capture", nil, http.StatusNotFound, "not_found", "")
	s = env.Metrics(t)
	if got := s.Value(requests, "route", "/v1/orders/{id}/capture", "status", "404"); got != 1 {
		t.Errorf("capture 404 %v, want 1", got)
	}
	for _, id := range append(ids, declined) {
		for _, route := range s.LabelValues(requests, "route") {
			if strings.Contains(route, id) {
				t.Errorf("route label %q holds an order id", route)
			}
		}
	}

	// Every delivery the receiver saw was counted as delivered.
	waitFor(t, "webhook deliveries counted", func() bool {
		n := 0
		for _, h := range env.Hooks.All(t) {
			n += h.Deliveries
		}
		return n >= 4 && env.Metrics(t).Value(telemetry.WebhookDeliveries+"_total", "outcome", "delivered") == float64(n)
	})

	// A capture unanswered past its retry policy opens an attention;
	// retry-operation resolves it. Two captures in the outage open two; the
	// gauge of open attentions (counted from Temporal's visibility) says 2,
	// then 1 once one resolves.
	wid := order.WorkflowID(ids[0])
	setFaults(t, env, "error=1")
	for _, id := range ids[:2] {
		status, body := env.Do(t, http.MethodPost, "/v1/orders/"+id+"/capture", nil)
		orderCheckError(t, "capture during the outage", status, body, http.StatusBadGateway, "processor_error", "")
	}
	setFaults(t, env, "")
	s = env.Metrics(t)
	if got := s.Value(telemetry.AttentionsOpened+"_total", "operation", "capture", "workflow_type", "OrderPayment"); got != 2 {
		t.Errorf("attentions opened %v, want 2", got)
	}
	if got := s.Value(calls, "operation", "capture", "outcome", telemetry.Failed); got != 6 {
		t.Errorf("failed captures %v, want the 3 attempts of each", got)
	}
	openNow := func(want float64) {
		t.Helper()
		waitFor(t, fmt.Sprintf("%s = %v", telemetry.AttentionsOpen, want), func() bool {
			return env.Metrics(t).Value(telemetry.AttentionsOpen) == want
		})
	}
	openNow(2)
	if v := retryOperation(t, env, wid); v.Status != "captured" {
		t.Fatalf("retry-operation answered %s", v.Status)
	}
	openNow(1)
	s = env.Metrics(t)
	if got := s.Value(telemetry.AttentionsResolved+"_total", "operation", "capture"); got != 1 {
		t.Errorf("attentions resolved %v, want 1", got)
	}
	if got := s.Value(money, "operation", "capture", "currency", "EUR"); got != 11498 {
		t.Errorf("money captured %v, want 11498", got)
	}
	// The worker's error line about the attention carries the trace id.
	if !regexp.MustCompile(`"msg":"processor call unanswered[^\n]*"` + telemetry.TraceIDKey + `":"[0-9a-f]{32}"`).MatchString(env.Logs()) {
		t.Errorf("no attention log line with a %s", telemetry.TraceIDKey)
	}

	// The SDK's own metrics, and every family the dashboard reads.
	if s.Value("temporal_workflow_task_schedule_to_start_latency_seconds") == 0 {
		t.Error("no workflow-task schedule-to-start latency from the SDK")
	}
	for _, name := range dashboardMetrics(t) {
		if _, ok := s[name]; !ok {
			t.Errorf("the dashboard reads %s, which /metrics does not have", name)
		}
	}
}

// dashboardMetrics lists the metric families deploy/grafana/cardflow.json's
// queries read (a histogram's without _bucket, _sum, _count).
func dashboardMetrics(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile("../deploy/grafana/cardflow.json")
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		Panels []struct {
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	var out []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			for _, m := range regexp.MustCompile(`\b(cardflow|temporal)_[a-z_]+`).FindAllString(tg.Expr, -1) {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					m = strings.TrimSuffix(m, suffix)
				}
				if !slices.Contains(out, m) {
					out = append(out, m)
				}
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("the dashboard reads no metric")
	}
	return out
}

// One order's placement is one trace: the API's request, the update-with-start
// the API sends, the workflow, its activities, the processor call and the
// webhook, linked parent to child, with no card number in any attribute.
func TestOneOrderIsOneTrace(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	id := orderID("traced")
	orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
	env.Hooks.WaitFor(t, order.NoticePaymentAuthorized, id)
	// The workflow's span ends with the run.
	orderCommand(t, env, id, "cancel", nil, http.StatusOK)
	orderWaitClosed(t, env, id)

	spans := env.Spans.GetSpans()
	root := findSpan(spans, func(s tracetest.SpanStub) bool {
		return s.Name == "POST /v1/orders" && s.SpanKind == trace.SpanKindServer
	})
	if root == nil {
		t.Fatal("no span of the API's POST /v1/orders")
	}
	ids := map[trace.SpanID]bool{}
	var names []string
	for _, s := range spans {
		if s.SpanContext.TraceID() == root.SpanContext.TraceID() {
			ids[s.SpanContext.SpanID()] = true
			names = append(names, s.Name)
		}
	}
	for _, want := range []string{
		"POST /v1/orders", "UpdateWithStartWorkflow:place", "RunWorkflow:OrderPayment", "HandleUpdate:place",
		"RunActivity:Authorize", "processor authorize", "HTTP POST", "webhook " + order.NoticePaymentAuthorized,
	} {
		if !slices.Contains(names, want) {
			t.Errorf("the order's trace lacks %q: %v", want, names)
		}
	}
	for _, s := range spans {
		if s.SpanContext.TraceID() != root.SpanContext.TraceID() {
			continue
		}
		if s.SpanContext.SpanID() != root.SpanContext.SpanID() && !ids[s.Parent.SpanID()] {
			t.Errorf("span %q has a parent outside the trace", s.Name)
		}
		for _, a := range s.Attributes {
			if orderHasPAN([]byte(a.Value.Emit())) || strings.Contains(strings.ToLower(string(a.Key)), "cvc") {
				t.Errorf("span %q attribute %s holds card data", s.Name, a.Key)
			}
		}
	}
	// The cancel is a request of its own: a trace of its own.
	if c := findSpan(spans, func(s tracetest.SpanStub) bool { return s.Name == "POST /v1/orders/{id}/cancel" }); c == nil ||
		c.SpanContext.TraceID() == root.SpanContext.TraceID() {
		t.Error("the cancel's request is not a trace of its own")
	}
}

func findSpan(spans tracetest.SpanStubs, ok func(tracetest.SpanStub) bool) *tracetest.SpanStub {
	for i := range spans {
		if ok(spans[i]) {
			return &spans[i]
		}
	}
	return nil
}
