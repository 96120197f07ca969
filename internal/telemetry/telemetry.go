package telemetry

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// Scope names cardflow's meter and tracer.
const Scope = "github.com/cardflow/cardflow"

// Options tune New; the zero value is production's.
type Options struct {
	// Spans, when set, receives every span at its end (tests pass a
	// tracetest.InMemoryExporter); otherwise spans go over OTLP when
	// OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
	Spans sdktrace.SpanExporter
}

// Telemetry is one process's metrics and traces.
type Telemetry struct {
	registry  *prometheus.Registry
	meters    *sdkmetric.MeterProvider
	tracers   *sdktrace.TracerProvider
	tracer    trace.Tracer
	prop      propagation.TextMapPropagator
	intercept interceptor.Interceptor
	m         instruments
}

// New builds the telemetry of the process called service ("worker", "api"):
// service.name is cardflow-<service> unless OTEL_SERVICE_NAME says otherwise.
func New(service string, o Options) (*Telemetry, error) {
	res, err := resource.Merge(
		resource.NewSchemaless(attribute.String("service.name", "cardflow-"+service)),
		resource.Environment())
	if err != nil {
		return nil, fmt.Errorf("telemetry: resource: %w", err)
	}
	// A registry of its own, not Prometheus' global one: two Telemetry in one
	// test binary do not see each other's counts.
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("telemetry: prometheus exporter: %w", err)
	}
	t := &Telemetry{
		registry: reg,
		meters:   sdkmetric.NewMeterProvider(sdkmetric.WithResource(res), sdkmetric.WithReader(exp), sdkmetric.WithView(secondsView)),
		prop:     propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}),
	}
	topts := []sdktrace.TracerProviderOption{sdktrace.WithResource(res)}
	switch {
	case o.Spans != nil:
		topts = append(topts, sdktrace.WithSyncer(o.Spans))
	case otlpConfigured():
		// The exporter reads the endpoint, headers, TLS and timeout from the
		// standard OTEL_EXPORTER_OTLP_* variables itself; it dials lazily.
		e, err := otlptracehttp.New(context.Background())
		if err != nil {
			return nil, fmt.Errorf("telemetry: OTLP trace exporter: %w", err)
		}
		topts = append(topts, sdktrace.WithBatcher(e))
	}
	// Without an exporter spans are still made: their trace ids reach the
	// logs and the traceparent headers, so a trace collected downstream and
	// the log lines of one order still meet.
	t.tracers = sdktrace.NewTracerProvider(topts...)
	t.tracer = t.tracers.Tracer(Scope)
	if t.intercept, err = tracing(t.tracer, t.prop); err != nil {
		return nil, fmt.Errorf("telemetry: tracing interceptor: %w", err)
	}
	if t.m, err = newInstruments(t.meters.Meter(Scope)); err != nil {
		return nil, fmt.Errorf("telemetry: instruments: %w", err)
	}
	return t, nil
}

func otlpConfigured() bool {
	return os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != ""
}

// secondsBuckets bound the latency histograms (the SDK's timers and the
// API's): OpenTelemetry's default buckets (0 to 10,000) suit milliseconds, and
// every latency here is in seconds.
var secondsBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

var secondsView = sdkmetric.NewView(
	sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
	sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{Boundaries: secondsBuckets}})

// Metrics serves every metric in Prometheus' text format.
func (t *Telemetry) Metrics() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{})
}

// Meter is cardflow's meter, for instruments beyond the ones here.
func (t *Telemetry) Meter() metric.Meter { return t.meters.Meter(Scope) }

// Tracer is cardflow's tracer.
func (t *Telemetry) Tracer() trace.Tracer { return t.tracer }

// Client adds the SDK's metrics and its tracing interceptor to a Temporal
// client's options; a worker built on that client inherits both (the SDK
// applies client interceptors that are also worker interceptors to its
// workers).
func (t *Telemetry) Client(o *client.Options) {
	o.MetricsHandler = t.SDKMetrics()
	o.Interceptors = append(o.Interceptors, t.intercept)
}

// SDKMetrics is the Temporal SDK's metrics handler on this telemetry.
// Counters are monotonic, so Prometheus sees counters (rate() works on them),
// and a meter error is reported instead of the SDK's default, a panic.
func (t *Telemetry) SDKMetrics() client.MetricsHandler {
	return temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter:                t.meters.Meter("temporal-sdk-go"),
		UseMonotonicCounters: true,
		OnError:              otel.Handle,
	})
}

// Worker is the interceptors a worker adds to its client's: the attention counts.
func (t *Telemetry) Worker() []interceptor.WorkerInterceptor {
	return []interceptor.WorkerInterceptor{&attentions{}}
}

// Replayer is every interceptor a worker on Client's options runs, for a
// workflow replayer, which has no client.
func (t *Telemetry) Replayer() []interceptor.WorkerInterceptor {
	return append([]interceptor.WorkerInterceptor{t.intercept}, t.Worker()...)
}

// Shutdown flushes what is buffered (spans on their way to OTLP) and stops
// both providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	return errors.Join(t.tracers.Shutdown(ctx), t.meters.Shutdown(ctx))
}
