// Package stripetest answers Stripe's list endpoints from recorded objects, as
// Stripe pages them (limit, starting_after, has_more): stripe-mock keeps no
// state, so what Stripe's books hold after a payment's life is given here.
package stripetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
)

// Lists serves GET <path> for each of its paths (/v1/payment_intents,
// /v1/refunds) from the objects, newest first as Stripe lists them, at most
// Page a page (or the request's limit if smaller).
type Lists struct {
	Page    int
	Objects map[string][]json.RawMessage

	mu       sync.Mutex
	requests []string // path?query of each request
}

// Start serves l until the test ends and answers its base URL.
func (l *Lists) Start(t testing.TB) string {
	srv := httptest.NewServer(http.HandlerFunc(l.serve))
	t.Cleanup(srv.Close)
	return srv.URL
}

// Requests are the requests served, path and query.
func (l *Lists) Requests() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.requests...)
}

func (l *Lists) serve(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	l.requests = append(l.requests, r.URL.Path+"?"+r.URL.RawQuery)
	l.mu.Unlock()
	objs, ok := l.Objects[r.URL.Path]
	if r.Method != http.MethodGet || !ok {
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"error":{"type":"invalid_request_error","message":"Unrecognized request URL"}}`))
		return
	}
	q := r.URL.Query()
	start := 0
	if after := q.Get("starting_after"); after != "" {
		for i, o := range objs {
			var id struct{ ID string }
			if json.Unmarshal(o, &id) == nil && id.ID == after {
				start = i + 1
			}
		}
	}
	size := l.Page
	if n, err := strconv.Atoi(q.Get("limit")); err == nil && n > 0 && (size <= 0 || n < size) {
		size = n
	}
	end := min(len(objs), start+size)
	page := struct {
		Object  string            `json:"object"`
		URL     string            `json:"url"`
		HasMore bool              `json:"has_more"`
		Data    []json.RawMessage `json:"data"`
	}{"list", r.URL.Path, end < len(objs), append([]json.RawMessage{}, objs[start:end]...)}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(page)
}
