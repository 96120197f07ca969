package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// runOrders measures the real lifecycle through the shop API over HTTP.
func (b *bench) runOrders(ctx context.Context, t target, conc, n int) (phaseResult, error) {
	s, err := b.startSystem(t, fmt.Sprintf("orders-c%d-n%d", conc, n), "cardflow", true)
	if err != nil {
		return phaseResult{}, err
	}
	defer s.stop()
	hc := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 2 * conc}}
	lr := lifecycleRun{name: "orders", n: n, conc: conc, window: b.opts.window, queue: s.queue, tc: s.tc,
		step: func(ctx context.Context, i int, lat *commandLatencies) error {
			// The sandbox outlives the phase: ids (and so idempotency keys) carry
			// the phase's name, so a later phase never replays an earlier one's keys.
			oid := fmt.Sprintf("%s-%d", s.name, i)
			if err := timed(&lat.place, func() error {
				return post(ctx, hc, s.apiURL+"/v1/orders", orderBody(oid), http.StatusCreated, "authorized")
			}); err != nil {
				return fmt.Errorf("place %s: %w", oid, err)
			}
			if err := timed(&lat.capture, func() error {
				return post(ctx, hc, s.apiURL+"/v1/orders/"+oid+"/capture", nil, http.StatusOK, "captured")
			}); err != nil {
				return fmt.Errorf("capture %s: %w", oid, err)
			}
			if err := timed(&lat.ship, func() error {
				return post(ctx, hc, s.apiURL+"/v1/orders/"+oid+"/ship", nil, http.StatusOK, "shipped")
			}); err != nil {
				return fmt.Errorf("ship %s: %w", oid, err)
			}
			return nil
		}}
	return b.measure(ctx, s, lr, func(i int) string { return fmt.Sprintf("order/%s-%d", s.name, i) })
}

// orderBody is the README's order: two items, an approved Visa, manual capture,
// immediate submit, fraud screen on (the defaults).
func orderBody(id string) []byte {
	b, _ := json.Marshal(map[string]any{
		"order_id": id, "currency": "EUR",
		"customer": map[string]string{"id": "c-bench", "email": "bench@example.com", "country": "DE"},
		"items":    []map[string]any{{"sku": "SHOE-1", "quantity": 2, "unit_amount": 4999}},
		"card":     map[string]any{"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123", "holder": "Bench"},
	})
	return b
}

// post sends one API call and checks the status code and the order's status.
func post(ctx context.Context, hc *http.Client, url string, body []byte, code int, status string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+apiKey)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var v struct {
		Status string `json:"status"`
	}
	if res.StatusCode != code || json.Unmarshal(raw, &v) != nil || v.Status != status {
		return fmt.Errorf("answer %d %.1000s, want %d with status %s", res.StatusCode, raw, code, status)
	}
	return nil
}
