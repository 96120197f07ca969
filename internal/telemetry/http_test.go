package telemetry

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// apiLike nests muxes as the API does: /v1/ behind a middleware that passes
// the request on, and the routes on an inner mux.
func apiLike() http.Handler {
	v1 := http.NewServeMux()
	v1.HandleFunc("POST /v1/orders/{id}/capture", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusAccepted) })
	v1.HandleFunc("GET /v1/orders/{id}", func(w http.ResponseWriter, r *http.Request) { _, _ = io.WriteString(w, "{}") })
	mux := http.NewServeMux()
	mux.Handle("/v1/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		v1.ServeHTTP(w, r)
	}))
	return mux
}

func TestHandlerMeasuresByRouteNeverPath(t *testing.T) {
	tel, spans := newT(t)
	srv := httptest.NewServer(tel.Handler(apiLike()))
	defer srv.Close()
	send := func(method, path string, auth bool) {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if auth {
			req.Header.Set("Authorization", "Bearer x")
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	send("POST", "/v1/orders/o-secret-1/capture", true)
	send("POST", "/v1/orders/o-secret-2/capture", true)
	send("GET", "/v1/orders/o-secret-3", true)
	send("GET", "/v1/orders/o-secret-4", false)
	send("GET", "/nowhere/o-secret-5", true)
	send("BREW", "/v1/orders/o-secret-6", true)

	s, text := scrape(t, tel)
	name := HTTPDuration + "_seconds"
	for _, c := range []struct {
		labels []string
		want   float64
	}{
		{[]string{"route", "/v1/orders/{id}/capture", "method", "POST", "status", "202"}, 2},
		{[]string{"route", "/v1/orders/{id}", "method", "GET", "status", "200"}, 1},
		{[]string{"route", "/v1/", "status", "401"}, 1},
		{[]string{"route", Unmatched, "status", "404"}, 1},
		{[]string{"method", "other"}, 1},
	} {
		if got := s.Value(name, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v\n%v", name, c.labels, got, c.want, s.LabelValues(name, "route"))
		}
	}
	if strings.Contains(text, "o-secret") {
		t.Error("an id from a path became a label value")
	}
	got := spans.GetSpans()
	if len(got) != 6 || got[0].Name != "POST /v1/orders/{id}/capture" || got[0].SpanKind != trace.SpanKindServer {
		t.Errorf("first span %q (%d spans), want a server span named after the route", got[0].Name, len(got))
	}
}

// A caller's traceparent is continued by the API, and the transport sends
// the span it makes as the next hop's traceparent: one trace end to end.
func TestTraceparentCarriesTheTrace(t *testing.T) {
	tel, spans := newT(t)
	var seen http.Header
	downstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r.Header.Clone() }))
	defer downstream.Close()
	hc := &http.Client{Transport: tel.Transport(nil)}
	api := httptest.NewServer(tel.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodPost, downstream.URL+"/v1/tokens/tok_9/risk", nil)
		res, err := hc.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		res.Body.Close()
		if req.Header.Get("traceparent") != "" {
			t.Error("the transport changed the caller's request")
		}
	})))
	defer api.Close()

	const caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
	req, _ := http.NewRequest(http.MethodGet, api.URL, nil)
	req.Header.Set("traceparent", caller)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()

	sent := propagation.TraceContext{}.Extract(context.Background(), propagation.HeaderCarrier(seen))
	sc := trace.SpanContextFromContext(sent)
	if sc.TraceID().String() != "4bf92f3577b34da6a3ce929d0e0e4736" {
		t.Fatalf("downstream got traceparent %q, want the caller's trace", seen.Get("traceparent"))
	}
	for _, s := range spans.GetSpans() {
		if s.SpanContext.TraceID() != sc.TraceID() {
			t.Errorf("span %q in trace %s, want the caller's", s.Name, s.SpanContext.TraceID())
		}
		for _, a := range s.Attributes {
			if strings.Contains(a.Value.Emit(), "tok_9") {
				t.Errorf("span %q holds the path's token in %s", s.Name, a.Key)
			}
		}
	}
	if n := len(spans.GetSpans()); n != 2 {
		t.Errorf("%d spans, want the API's and the call's", n)
	}
}
