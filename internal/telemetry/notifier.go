package telemetry

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// Notifier is n with every delivery attempt counted (WebhookDeliveries) and
// traced.
func (t *Telemetry) Notifier(n activities.Notifier) activities.Notifier {
	return notifier{n, t}
}

type notifier struct {
	next activities.Notifier
	t    *Telemetry
}

func (n notifier) Notify(ctx context.Context, note payment.Notification) error {
	ctx, span := n.t.tracer.Start(ctx, "webhook "+note.Type, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("cardflow.event_type", note.Type), attribute.String("cardflow.recipient", note.Recipient)))
	defer span.End()
	err := n.next.Notify(ctx, note)
	outcome := "delivered"
	if err != nil {
		outcome = "failed"
		span.RecordError(err)
		span.SetStatus(codes.Error, outcome)
	}
	n.t.m.webhooks.Add(ctx, 1, metric.WithAttributes(attribute.String("outcome", outcome), attribute.String("type", note.Type)))
	return err
}
