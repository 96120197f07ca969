package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A worker publishing /metrics off loopback without CARDFLOW_METRICS_AUTH
// stops at start, before it dials Temporal, naming the variable; with the
// token it gets past that check (and on to the next: here the public
// development webhook secret, since Temporal is elsewhere).
func TestWorkerRefusesOpenMetricsOffLoopback(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1") // never dialled: refused before
	t.Setenv("CARDFLOW_METRICS_ADDR", "0.0.0.0:0")
	t.Setenv("CARDFLOW_METRICS_AUTH", "")
	err := run(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CARDFLOW_METRICS_AUTH")
	assert.Contains(t, err.Error(), "0.0.0.0:0")

	t.Setenv("TEMPORAL_ADDRESS", "temporal.internal:7233")
	t.Setenv("CARDFLOW_WEBHOOK_URL", "https://shop.example/hooks")
	t.Setenv("CARDFLOW_METRICS_AUTH", "scraper-token")
	err = run(nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "CARDFLOW_METRICS_AUTH")
	assert.Contains(t, err.Error(), "CARDFLOW_WEBHOOK_SECRET")
}
