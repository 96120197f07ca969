package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A worker serves /metrics on loopback by default (API.md "Operations");
// CARDFLOW_METRICS_ADDR moves it, set empty it turns it off, a flag wins.
func TestMetricsAddr(t *testing.T) {
	assert.Equal(t, "127.0.0.1:9090", Default().MetricsAddr)
	t.Setenv("CARDFLOW_METRICS_ADDR", ":9464")
	c, err := Load("test", nil)
	require.NoError(t, err)
	assert.Equal(t, ":9464", c.MetricsAddr)
	t.Setenv("CARDFLOW_METRICS_ADDR", "")
	c, err = Load("test", nil)
	require.NoError(t, err)
	assert.Empty(t, c.MetricsAddr, "set empty is off, not the default")
	c, err = Load("test", []string{"-metrics-addr", "127.0.0.1:9191"})
	require.NoError(t, err)
	assert.Equal(t, "127.0.0.1:9191", c.MetricsAddr)
}
