package app

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"
	"time"

	"github.com/cardflow/cardflow/internal/telemetry"
)

// Observed is the API's handler h with GET /metrics beside it on the same
// listener, and every request traced and measured by its route. token is
// CARDFLOW_METRICS_AUTH: set, a scrape must send it (Metrics).
func Observed(h http.Handler, tel *telemetry.Telemetry, token string) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Metrics(tel, token))
	mux.Handle("/", h)
	return tel.Handler(mux)
}

// MetricsTimeouts are a /metrics server's: a scrape is one small GET.
var MetricsTimeouts = Timeouts{ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 30 * time.Second, Idle: 60 * time.Second}

// MetricsServer serves GET /metrics of tel on addr (a worker's
// CARDFLOW_METRICS_ADDR), asking for token as Metrics does.
func MetricsServer(addr string, tel *telemetry.Telemetry, token string) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", Metrics(tel, token))
	return NewServer(addr, mux, MetricsTimeouts)
}

// Metrics is tel's Prometheus handler behind token: with a token, a scrape
// without "Authorization: Bearer <token>" gets 401 and no figure. The token is
// compared over its SHA-256 in constant time, so neither its content nor its
// length leaks through timing. An empty token asks for nothing: only a
// listener on loopback may run so (config.CheckMetrics).
func Metrics(tel *telemetry.Telemetry, token string) http.Handler {
	h := tel.Metrics()
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		sum := sha256.Sum256([]byte(got))
		if !ok || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the bearer token of CARDFLOW_METRICS_AUTH", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
