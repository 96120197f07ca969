package app

import (
	"net/http"
	"time"

	"github.com/cardflow/cardflow/internal/telemetry"
)

// Observed is the API's handler h with GET /metrics beside it on the same
// listener, and every request traced and measured by its route.
func Observed(h http.Handler, tel *telemetry.Telemetry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tel.Metrics())
	mux.Handle("/", h)
	return tel.Handler(mux)
}

// MetricsTimeouts are a /metrics server's: a scrape is one small GET.
var MetricsTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second, Idle: 60 * time.Second}

// MetricsServer serves GET /metrics of tel on addr (a worker's
// CARDFLOW_METRICS_ADDR).
func MetricsServer(addr string, tel *telemetry.Telemetry) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", tel.Metrics())
	return NewServer(addr, mux, MetricsTimeouts)
}
