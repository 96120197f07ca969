package telemetry

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Unmatched is the route of a request no pattern matched.
const Unmatched = "unmatched"

// Handler is h with every request traced as a server span, continuing the
// caller's traceparent, and measured (HTTPDuration) by route: the pattern of
// the innermost ServeMux that matched it, which the mux records on the
// request, never its path, so that ids do not become label values.
func (t *Telemetry) Handler(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
		ctx, span := t.tracer.Start(ctx, r.Method, trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(attribute.String("http.request.method", r.Method)))
		defer span.End()
		sw := &statusWriter{ResponseWriter: w, code: http.StatusOK}
		r = r.WithContext(ctx)
		h.ServeHTTP(sw, r)
		route := Route(r.Pattern)
		span.SetName(r.Method + " " + route)
		span.SetAttributes(attribute.String("http.route", route), attribute.Int("http.response.status_code", sw.code))
		if sw.code >= 500 {
			span.SetStatus(codes.Error, http.StatusText(sw.code))
		}
		t.m.http.Record(ctx, time.Since(start).Seconds(), metric.WithAttributes(
			attribute.String("route", route), attribute.String("method", method(r.Method)),
			attribute.String("status", strconv.Itoa(sw.code))))
	})
}

// Route is a ServeMux pattern without its method ("POST /v1/orders/{id}/capture"
// is /v1/orders/{id}/capture), or Unmatched.
func Route(pattern string) string {
	if pattern == "" {
		return Unmatched
	}
	if i := strings.IndexAny(pattern, " \t"); i >= 0 {
		return strings.TrimSpace(pattern[i:])
	}
	return pattern
}

// method bounds the method label: a client may send any token as a method.
func method(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// statusWriter remembers the status a handler answered.
type statusWriter struct {
	http.ResponseWriter
	code  int
	wrote bool
}

func (s *statusWriter) WriteHeader(code int) {
	if !s.wrote {
		s.code, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	s.wrote = true
	return s.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer (Flush,
// deadlines).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Transport is base (http.DefaultTransport when nil) with every request a
// client span whose context goes out as a W3C traceparent header. The span
// names the method and host, not the path: processor paths carry tokens.
func (t *Telemetry) Transport(base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return transport{base, t}
}

type transport struct {
	base http.RoundTripper
	t    *Telemetry
}

func (tr transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, span := tr.t.tracer.Start(req.Context(), "HTTP "+req.Method, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("http.request.method", req.Method), attribute.String("server.address", req.URL.Host)))
	defer span.End()
	// A RoundTripper must not change the caller's request.
	req = req.Clone(ctx)
	tr.t.prop.Inject(ctx, propagation.HeaderCarrier(req.Header))
	res, err := tr.base.RoundTrip(req)
	if err != nil {
		span.RecordError(err)
		span.SetStatus(codes.Error, "transport")
		return nil, err
	}
	span.SetAttributes(attribute.Int("http.response.status_code", res.StatusCode))
	if res.StatusCode >= 500 {
		span.SetStatus(codes.Error, http.StatusText(res.StatusCode))
	}
	return res, nil
}
