package workers

import (
	"net/http"

	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/internal/telemetry"
)

// Observe adds tel to a worker: its processor and notifier counted and
// traced, their HTTP calls traced with a W3C traceparent when the adapter
// takes a transport (transporter), and the interceptor that counts
// attentions. The SDK's own metrics and tracing come with the client
// (telemetry.Telemetry.Client). The result is a copy of acts; the adapters
// are the same, given the tracing transport.
func Observe(acts *activities.Activities, opts worker.Options, tel *telemetry.Telemetry) (*activities.Activities, worker.Options) {
	for _, adapter := range []any{acts.Processor, acts.Notifier} {
		if a, ok := adapter.(transporter); ok {
			a.WithTransport(tel.Transport(nil))
		}
	}
	a := *acts
	a.Processor = tel.Processor(acts.Processor)
	a.Notifier = tel.Notifier(acts.Notifier)
	opts.Interceptors = append(append([]interceptor.WorkerInterceptor(nil), opts.Interceptors...), tel.Worker()...)
	return &a, opts
}

// transporter is an adapter that sends its HTTP requests through the
// transport it is given.
type transporter interface{ WithTransport(http.RoundTripper) }
