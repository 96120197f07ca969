package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// shop talks to the soak's API as a shop would, and like a careful shop it
// retries what failed in transit — a connection refused while the dev server
// restarts, a 504 while a killed worker's task times out — with the same
// Idempotency-Key and the same body. That the retries change nothing is part of
// what the soak proves.
type shop struct {
	base    string
	sandbox string
	http    *http.Client
	// patience bounds the retries of one request.
	patience time.Duration
	retries  atomic.Int64 // requests sent again
}

// answer is the final answer to one logical request.
type answer struct {
	status   int
	body     []byte
	attempts int
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s", a.status, strings.TrimSpace(string(a.body)))
}

// retryable is an answer that says nothing about the request's effect: the
// API or Temporal could not be reached, or the workflow did not answer in time.
func retryable(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusGatewayTimeout, http.StatusTooManyRequests:
		return true
	}
	return false
}

// do sends one request to the API, retrying transport failures and retryable
// answers with backoff until patience runs out. key, when set, is the
// Idempotency-Key of every try.
func (s *shop) do(ctx context.Context, method, path string, body any, key string) (answer, error) {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return answer{}, fmt.Errorf("%s %s: encode body: %w", method, path, err)
		}
	}
	deadline := time.Now().Add(s.patience)
	backoff := 250 * time.Millisecond
	var last string
	for attempt := 1; ; attempt++ {
		a, err := s.once(ctx, method, s.base+path, raw, key)
		a.attempts = attempt
		switch {
		case err == nil && !retryable(a.status):
			return a, nil
		case err != nil:
			last = err.Error()
		default:
			last = a.String()
		}
		if time.Now().Add(backoff).After(deadline) || ctx.Err() != nil {
			return a, fmt.Errorf("%s %s: gave up after %d tries, last: %s", method, path, attempt, last)
		}
		s.retries.Add(1)
		select {
		case <-ctx.Done():
			return a, fmt.Errorf("%s %s: %w", method, path, ctx.Err())
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, 4*time.Second)
	}
}

func (s *shop) once(ctx context.Context, method, url string, body []byte, key string) (answer, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := s.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		return answer{}, fmt.Errorf("read the answer: %w", err)
	}
	return answer{status: res.StatusCode, body: out}, nil
}

// sandboxSet configures the sandbox's test mode (scripted outcomes, updater
// answers). Those endpoints are never faulty and the sandbox never restarts,
// so one try is enough.
func (s *shop) sandboxSet(ctx context.Context, method, path string, body any) error {
	raw, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, s.sandbox+path, bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+sandboxKey)
	res, err := s.http.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(res.Body)
		return fmt.Errorf("%s %s: %s %s", method, path, res.Status, b)
	}
	return nil
}

func decodeInto(a answer, v any) error {
	if err := json.Unmarshal(a.body, v); err != nil {
		return fmt.Errorf("decode %q: %w", a.body, err)
	}
	return nil
}
