package telemetry

import (
	"errors"

	"go.opentelemetry.io/otel/metric"
)

// cardflow's own instruments, by their OpenTelemetry names; Prometheus adds
// _total to counters and _seconds to the histogram.
const (
	// ProcessorCalls counts calls through the activities' Processor by
	// operation, outcome (approved, declined, rejected, error) and, for
	// declines, code.
	ProcessorCalls = "cardflow_processor_calls"
	// MoneyMoved sums the minor units of approved money calls by operation
	// and currency.
	MoneyMoved = "cardflow_money_moved"
	// WebhookDeliveries counts delivery attempts by outcome (delivered,
	// failed) and event type.
	WebhookDeliveries = "cardflow_webhook_deliveries"
	// HTTPDuration is the API's request latency by route (the mux pattern),
	// method and status; its _count counts the requests.
	HTTPDuration = "cardflow_http_request_duration"
	// AttentionsOpened and AttentionsResolved count the CardflowAttention
	// search attribute being set and cleared, by operation, through the
	// workflow's metrics handler (the SDK adds workflow_type, namespace and
	// task_queue).
	AttentionsOpened   = "cardflow_attentions_opened"
	AttentionsResolved = "cardflow_attentions_resolved"
)

type instruments struct {
	calls, money, webhooks metric.Int64Counter
	http                   metric.Float64Histogram
}

func newInstruments(m metric.Meter) (instruments, error) {
	var i instruments
	var errs [4]error
	i.calls, errs[0] = m.Int64Counter(ProcessorCalls, metric.WithDescription("Processor calls by operation, outcome and decline code."))
	i.money, errs[1] = m.Int64Counter(MoneyMoved, metric.WithDescription("Minor units moved by approved processor calls, by operation and currency."))
	i.webhooks, errs[2] = m.Int64Counter(WebhookDeliveries, metric.WithDescription("Webhook delivery attempts by outcome and event type."))
	i.http, errs[3] = m.Float64Histogram(HTTPDuration, metric.WithUnit("s"),
		metric.WithDescription("API requests by route, method and status, and their latency."))
	return i, errors.Join(errs[:]...)
}
