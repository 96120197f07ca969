package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The API serves /metrics on its own listener: listening off loopback without
// CARDFLOW_METRICS_AUTH it stops at start, before it dials Temporal, naming
// the variable; with the token it gets past that check (to the next: the
// public development API key).
func TestAPIRefusesOpenMetricsOffLoopback(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "127.0.0.1:1") // never dialled: refused before
	t.Setenv("CARDFLOW_API_ADDR", "0.0.0.0:0")
	t.Setenv("CARDFLOW_METRICS_AUTH", "")
	err := run(nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CARDFLOW_METRICS_AUTH")

	t.Setenv("CARDFLOW_METRICS_AUTH", "scraper-token")
	err = run(nil)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "CARDFLOW_METRICS_AUTH")
	assert.Contains(t, err.Error(), "CARDFLOW_API_KEYS")
}
