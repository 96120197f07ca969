package telemetry

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardflow/cardflow/payment"
)

// newT is a Telemetry whose spans land in memory.
func newT(t *testing.T) (*Telemetry, *tracetest.InMemoryExporter) {
	t.Helper()
	spans := tracetest.NewInMemoryExporter()
	tel, err := New("test", Options{Spans: spans})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tel.Shutdown(context.Background()) })
	return tel, spans
}

// scrape GETs tel's /metrics handler and parses the answer, as Prometheus would.
func scrape(t *testing.T, tel *Telemetry) (Scrape, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	tel.Metrics().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics answered %d", rec.Code)
	}
	text := rec.Body.String()
	s, err := ParseScrape(strings.NewReader(text))
	if err != nil {
		t.Fatalf("parse /metrics: %v\n%s", err, text)
	}
	return s, text
}

// fakeProcessor answers each call with its outcome and error.
type fakeProcessor struct {
	out payment.Outcome
	err error
	ctx context.Context // the context of the last call
}

func (f *fakeProcessor) Authorize(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	f.ctx = ctx
	return f.out, f.err
}
func (f *fakeProcessor) Sale(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	f.ctx = ctx
	return f.out, f.err
}
func (f *fakeProcessor) Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	f.ctx = ctx
	return f.out, f.err
}
func (f *fakeProcessor) Void(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	f.ctx = ctx
	return f.out, f.err
}
func (f *fakeProcessor) Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	f.ctx = ctx
	return f.out, f.err
}
func (f *fakeProcessor) UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error) {
	f.ctx = ctx
	return payment.CardUpdate{}, f.err
}

func TestProcessorCountsOutcomesAndMoney(t *testing.T) {
	tel, spans := newT(t)
	f := &fakeProcessor{}
	p := tel.Processor(f)
	ctx := context.Background()
	eur := func(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }
	charge := payment.Charge{Key: "order/o-1/authorize/1", Token: "tok_1", Amount: eur(1000)}

	f.out = payment.Outcome{Approved: true, Amount: eur(1000)}
	for range 3 {
		if _, err := p.Authorize(ctx, charge); err != nil {
			t.Fatal(err)
		}
	}
	// No amount echoed: what was asked moved.
	f.out = payment.Outcome{Approved: true}
	if _, err := p.Capture(ctx, payment.Operation{Key: "order/o-1/capture/1", Amount: eur(700)}); err != nil {
		t.Fatal(err)
	}
	f.out = payment.Outcome{Failure: payment.DeclineFor(payment.InsufficientFunds).Failure(payment.StageProcessor)}
	_, _ = p.Authorize(ctx, charge)
	f.out = payment.Outcome{Failure: &payment.Failure{Code: "made_up_by_a_processor"}}
	_, _ = p.Sale(ctx, charge)
	f.out, f.err = payment.Outcome{}, &payment.ProcessorError{Status: 409, Code: "idempotency_key_reused"}
	_, _ = p.Refund(ctx, payment.Operation{Key: "order/o-1/refund/1", Amount: eur(5)})
	f.err = errors.New("connection refused")
	_, _ = p.Void(ctx, payment.Operation{Key: "order/o-1/void/1"})
	_, _ = p.UpdateCard(ctx, "k", "tok_1")

	s, text := scrape(t, tel)
	calls := ProcessorCalls + "_total"
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"operation", "authorize", "outcome", Approved, "code", ""}, 3},
		{[]string{"operation", "capture", "outcome", Approved}, 1},
		{[]string{"operation", "authorize", "outcome", Declined, "code", "insufficient_funds"}, 1},
		{[]string{"operation", "sale", "outcome", Declined, "code", "other"}, 1},
		{[]string{"operation", "refund", "outcome", Rejected}, 1},
		{[]string{"operation", "void", "outcome", Failed}, 1},
		{[]string{"operation", "update_card", "outcome", Failed}, 1},
		{nil, 9},
	} {
		if got := s.Value(calls, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", calls, c.labels, got, c.want)
		}
	}
	money := MoneyMoved + "_total"
	if got := s.Value(money, "operation", "authorize", "currency", "EUR"); got != 3000 {
		t.Errorf("money authorized %v, want 3000", got)
	}
	if got := s.Value(money, "operation", "capture", "currency", "EUR"); got != 700 {
		t.Errorf("money captured %v, want 700", got)
	}
	if got := s.Value(money); got != 3700 {
		t.Errorf("money moved %v, want 3700: declines and errors move none", got)
	}
	for _, secret := range []string{"tok_1", "o-1", "made_up"} {
		if strings.Contains(text, secret) {
			t.Errorf("/metrics holds %q", secret)
		}
	}
	if n := len(spans.GetSpans()); n != 9 {
		t.Errorf("%d spans, want one a call (9)", n)
	}
	if sc := trace.SpanContextFromContext(f.ctx); !sc.IsValid() {
		t.Error("the adapter was not called inside the call's span")
	}
}

type fakeNotifier struct{ err error }

func (f fakeNotifier) Notify(context.Context, payment.Notification) error { return f.err }

func TestNotifierCountsDeliveries(t *testing.T) {
	tel, spans := newT(t)
	n := payment.Notification{Key: "order/o-1/1", Type: "payment.authorized", OrderID: "o-1"}
	_ = tel.Notifier(fakeNotifier{}).Notify(context.Background(), n)
	_ = tel.Notifier(fakeNotifier{errors.New("500")}).Notify(context.Background(), n)
	_ = tel.Notifier(fakeNotifier{errors.New("500")}).Notify(context.Background(), n)
	s, _ := scrape(t, tel)
	name := WebhookDeliveries + "_total"
	if got := s.Value(name, "outcome", "delivered", "type", "payment.authorized"); got != 1 {
		t.Errorf("delivered %v, want 1", got)
	}
	if got := s.Value(name, "outcome", "failed"); got != 2 {
		t.Errorf("failed %v, want 2", got)
	}
	if got := spans.GetSpans(); len(got) != 3 || got[0].Name != "webhook payment.authorized" {
		t.Errorf("spans %v, want 3 named after the event type", got)
	}
}

// The SDK's timers record seconds: their histograms get buckets in seconds,
// not OpenTelemetry's default 0 to 10,000.
func TestLatencyBucketsAreSeconds(t *testing.T) {
	tel, _ := newT(t)
	h, err := tel.Meter().Float64Histogram("x_latency", metric.WithUnit("s"))
	if err != nil {
		t.Fatal(err)
	}
	h.Record(context.Background(), 0.02)
	s, _ := scrape(t, tel)
	f := s["x_latency_seconds"]
	if f == nil || len(f.Metric) != 1 {
		t.Fatalf("no x_latency_seconds family: %v", s)
	}
	var bounds []float64
	for _, b := range f.Metric[0].Histogram.Bucket {
		bounds = append(bounds, b.GetUpperBound())
	}
	if bounds[0] != secondsBuckets[0] || len(bounds) < len(secondsBuckets) {
		t.Errorf("buckets %v, want %v", bounds, secondsBuckets)
	}
}
