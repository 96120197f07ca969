package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
)

// Log field names of the trace and span ids: the SDK's tracer would write
// TraceID and SpanID; cardflow's lines use one spelling.
const (
	TraceIDKey = "trace_id"
	SpanIDKey  = "span_id"
)

// tracing is the SDK's OpenTelemetry tracing interceptor on cardflow's tracer
// and W3C propagator. It adds a header to what it starts and schedules, never
// a command, so recorded histories still replay.
func tracing(t trace.Tracer, p propagation.TextMapPropagator) (interceptor.Interceptor, error) {
	tr, err := temporalotel.NewTracer(temporalotel.TracerOptions{Tracer: t, TextMapPropagator: p})
	if err != nil {
		return nil, err
	}
	return interceptor.NewTracingInterceptor(logTracer{tr}), nil
}

// logTracer is the SDK's tracer with the ids on the workflow's and activity's
// logger under cardflow's field names.
type logTracer struct{ interceptor.Tracer }

func (l logTracer) GetLogger(logger log.Logger, ref interceptor.TracerSpanRef) log.Logger {
	s, ok := ref.(interface{ SpanContext() trace.SpanContext })
	if !ok || !s.SpanContext().IsValid() {
		return logger
	}
	sc := s.SpanContext()
	return log.With(logger, TraceIDKey, sc.TraceID().String(), SpanIDKey, sc.SpanID().String())
}

// WithTrace is log with the trace and span ids of ctx's span, when it has
// one, for lines that should meet their trace.
func WithTrace(ctx context.Context, l *zap.Logger) *zap.Logger {
	sc := trace.SpanContextFromContext(ctx)
	if !sc.IsValid() {
		return l
	}
	return l.With(zap.String(TraceIDKey, sc.TraceID().String()), zap.String(SpanIDKey, sc.SpanID().String()))
}
