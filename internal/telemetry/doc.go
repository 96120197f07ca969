// Package telemetry gives a cardflow process its metrics and traces: an
// OpenTelemetry meter provider exported in Prometheus' text format (the
// /metrics handler), a tracer provider exported over OTLP when
// OTEL_EXPORTER_OTLP_ENDPOINT is set, the Temporal SDK's metrics handler and
// tracing interceptor on both, and cardflow's own instruments, which reach the
// code by decoration: the activities' Processor and Notifier, an HTTP
// middleware, an HTTP transport and a worker interceptor that counts
// attentions. Label values are bounded sets (operations, outcomes, decline
// codes from the catalogue, currencies, mux patterns, statuses): never ids,
// tokens or card data.
package telemetry
