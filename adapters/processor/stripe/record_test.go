package stripe_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sync"
)

// recorder is an http.RoundTripper that keeps every request the adapter makes
// and the status each got: what the tests assert on (idempotency keys, bodies,
// every call accepted).
type recorder struct {
	next http.RoundTripper
	mu   sync.Mutex
	got  []call
}

type call struct {
	Method, Path, Key string
	Form              url.Values
	Status            int
	Answer            string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var form url.Values
	if req.Body != nil {
		raw, _ := io.ReadAll(req.Body)
		form, _ = url.ParseQuery(string(raw))
		req.Body = io.NopCloser(bytes.NewReader(raw))
	}
	c := call{Method: req.Method, Path: req.URL.Path, Key: req.Header.Get("Idempotency-Key"), Form: form}
	resp, err := r.next.RoundTrip(req)
	if err == nil {
		c.Status = resp.StatusCode
		if resp.StatusCode >= 400 {
			raw, _ := io.ReadAll(resp.Body)
			c.Answer = string(raw)
			resp.Body = io.NopCloser(bytes.NewReader(raw))
		}
	}
	r.mu.Lock()
	r.got = append(r.got, c)
	r.mu.Unlock()
	return resp, err
}

func (r *recorder) calls() []call {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]call(nil), r.got...)
}

func (r *recorder) client() *http.Client { return &http.Client{Transport: r} }
