package telemetry

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cardflow/cardflow/internal/logging"
)

// spanRef stands in for the SDK tracer's span: anything with a SpanContext.
type spanRef struct{ trace.Span }

func TestLogLinesCarryTheTraceID(t *testing.T) {
	tel, _ := newT(t)
	ctx, span := tel.Tracer().Start(context.Background(), "x")
	defer span.End()
	want := span.SpanContext().TraceID().String()
	core, lines := observer.New(zap.InfoLevel)

	// The workflow's and activity's logger, through the SDK's tracer.
	logTracer{}.GetLogger(logging.Temporal(zap.New(core)), spanRef{span}).Info("from a workflow")
	// cardflow's own lines.
	WithTrace(ctx, zap.New(core)).Info("from the API")
	WithTrace(context.Background(), zap.New(core)).Info("no span")

	all := lines.All()
	if len(all) != 3 {
		t.Fatalf("%d lines", len(all))
	}
	for _, l := range all[:2] {
		if got := l.ContextMap()[TraceIDKey]; got != want {
			t.Errorf("%q: %s = %v, want %s (fields %v)", l.Message, TraceIDKey, got, want, l.ContextMap())
		}
	}
	if _, ok := all[2].ContextMap()[TraceIDKey]; ok || strings.Contains(all[2].Message, want) {
		t.Error("a line without a span got a trace id")
	}
}
