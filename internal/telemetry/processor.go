package telemetry

import (
	"context"
	"errors"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// Outcomes of a processor call.
const (
	Approved = "approved" // approved, or answered (the account updater)
	Declined = "declined" // a decline: a value, with its code
	Rejected = "rejected" // a contract error (4xx): the request cannot succeed
	Failed   = "error"    // a transport fault, timeout or 5xx: retried
)

// Processor is p with every call counted (ProcessorCalls, MoneyMoved) and
// traced as a client span that the processor's HTTP call, when traced, is a
// child of.
func (t *Telemetry) Processor(p activities.Processor) activities.Processor {
	return processor{p, t}
}

type processor struct {
	next activities.Processor
	t    *Telemetry
}

var _ activities.Processor = processor{}

func (p processor) Authorize(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.money(ctx, "authorize", c.Key, c.Amount, func(ctx context.Context) (payment.Outcome, error) { return p.next.Authorize(ctx, c) })
}

func (p processor) Sale(ctx context.Context, c payment.Charge) (payment.Outcome, error) {
	return p.money(ctx, "sale", c.Key, c.Amount, func(ctx context.Context) (payment.Outcome, error) { return p.next.Sale(ctx, c) })
}

func (p processor) Capture(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.money(ctx, "capture", op.Key, op.Amount, func(ctx context.Context) (payment.Outcome, error) { return p.next.Capture(ctx, op) })
}

func (p processor) Void(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.money(ctx, "void", op.Key, op.Amount, func(ctx context.Context) (payment.Outcome, error) { return p.next.Void(ctx, op) })
}

func (p processor) Refund(ctx context.Context, op payment.Operation) (payment.Outcome, error) {
	return p.money(ctx, "refund", op.Key, op.Amount, func(ctx context.Context) (payment.Outcome, error) { return p.next.Refund(ctx, op) })
}

func (p processor) UpdateCard(ctx context.Context, key, token string) (payment.CardUpdate, error) {
	ctx, span := p.t.tracer.Start(ctx, "processor update_card", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("cardflow.idempotency_key", key)))
	defer span.End()
	u, err := p.next.UpdateCard(ctx, key, token)
	p.count(ctx, span, "update_card", outcomeOf(err), "", err)
	return u, err
}

// money runs one money call: a span, its outcome counted, and what an
// approval moved summed.
func (p processor) money(ctx context.Context, op, key string, req payment.Money, call func(context.Context) (payment.Outcome, error)) (payment.Outcome, error) {
	ctx, span := p.t.tracer.Start(ctx, "processor "+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("cardflow.operation", op),
		attribute.String("cardflow.idempotency_key", key),
		attribute.Int64("cardflow.amount", req.Amount),
		attribute.String("cardflow.currency", req.Currency)))
	defer span.End()
	o, err := call(ctx)
	outcome, code := outcomeOf(err), ""
	switch {
	case err != nil:
	case !o.Approved:
		outcome, code = Declined, declineCode(o.Failure)
	default:
		moved := o.Amount
		if moved.Amount == 0 || moved.Currency == "" {
			// A processor that does not echo the amount moved what was asked.
			moved = req
		}
		p.t.m.money.Add(ctx, moved.Amount, metric.WithAttributes(
			attribute.String("operation", op), attribute.String("currency", currency(moved.Currency))))
	}
	p.count(ctx, span, op, outcome, code, err)
	return o, err
}

func (p processor) count(ctx context.Context, span trace.Span, op, outcome, code string, err error) {
	p.t.m.calls.Add(ctx, 1, metric.WithAttributes(
		attribute.String("operation", op), attribute.String("outcome", outcome), attribute.String("code", code)))
	span.SetAttributes(attribute.String("cardflow.outcome", outcome))
	if code != "" {
		span.SetAttributes(attribute.String("cardflow.decline_code", code))
	}
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, outcome)
	}
}

func outcomeOf(err error) string {
	var perr *payment.ProcessorError
	switch {
	case err == nil:
		return Approved
	case errors.As(err, &perr):
		return Rejected
	default:
		return Failed
	}
}

// declineCode is the failure's code when the catalogue knows it, else
// "other": a label takes a bounded set of values, whatever a processor says.
func declineCode(f *payment.Failure) string {
	if f == nil {
		return "other"
	}
	if _, ok := payment.LookupDecline(f.Code); !ok {
		return "other"
	}
	return f.Code
}

// currency is an ISO 4217 code cardflow knows, else "other".
func currency(c string) string {
	if _, err := payment.CurrencyExponent(c); err != nil {
		return "other"
	}
	return c
}
