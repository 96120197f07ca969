package workers

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/telemetry"
	"github.com/cardflow/cardflow/payment"
)

// TestStripeCallsAreTraced: the Stripe adapter, observed as the worker
// observes it, makes each Stripe call a client span, a child of the
// activity's span, whose context reaches Stripe as a W3C traceparent.
func TestStripeCallsAreTraced(t *testing.T) {
	var mu sync.Mutex
	var parents []string
	stripeAPI := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		parents = append(parents, r.Header.Get("Traceparent"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"id":"re_1","object":"refund","status":"succeeded","amount":2000,"currency":"eur","payment_intent":"pi_1"}`))
	}))
	defer stripeAPI.Close()
	spans := tracetest.NewInMemoryExporter()
	tel, err := telemetry.New("test", telemetry.Options{Spans: spans})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tel.Shutdown(context.Background()) }()
	cfg := config.Default()
	cfg.Processor, cfg.StripeSecretKey, cfg.StripeAPIBase = config.ProcessorStripe, "sk_test_x", stripeAPI.URL
	proc := NewProcessor(cfg)
	acts, _ := Observe(&activities.Activities{Processor: proc, Notifier: &fakeNotifier{}}, worker.Options{}, tel)

	ctx, activity := tel.Tracer().Start(context.Background(), "RunActivity:Refund")
	o, err := acts.Processor.Refund(ctx, payment.Operation{Key: "order/o-1/refund/1", PaymentID: "pi_1", Amount: payment.Money{Amount: 2000, Currency: "EUR"}})
	activity.End()
	if err != nil || !o.Approved {
		t.Fatalf("refund: %+v, %v", o, err)
	}

	// The processor decorator's span (telemetry.Processor) sits between the
	// activity and the HTTP call.
	var call, refund *tracetest.SpanStub
	all := spans.GetSpans()
	for i, s := range all {
		switch {
		case s.Name == "processor refund":
			refund = &all[i]
		case s.SpanKind == trace.SpanKindClient && strings.HasPrefix(s.Name, "HTTP "):
			call = &all[i]
		}
	}
	if call == nil || refund == nil {
		t.Fatalf("no client span of the Stripe call or no processor span among %d spans", len(all))
	}
	if refund.Parent.SpanID() != activity.SpanContext().SpanID() {
		t.Errorf("the processor span is not a child of the activity's: parent %v", refund.Parent.SpanID())
	}
	if call.Parent.SpanID() != refund.SpanContext.SpanID() || call.SpanContext.TraceID() != activity.SpanContext().TraceID() {
		t.Errorf("the Stripe call's span is not a child of the processor span in the activity's trace: parent %v", call.Parent.SpanID())
	}
	if len(parents) != 1 {
		t.Fatalf("%d requests reached Stripe, want 1", len(parents))
	}
	want := "00-" + call.SpanContext.TraceID().String() + "-" + call.SpanContext.SpanID().String() + "-01"
	if parents[0] != want {
		t.Errorf("traceparent %q, want the call's span %q", parents[0], want)
	}
}
