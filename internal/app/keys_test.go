package app

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
)

// Off loopback the development codec key is refused, whether it would be
// created under the state directory or was copied into CARDFLOW_CODEC_KEY:
// it sits in plain sight beside the process's state.
func TestDevCodecKeyRefusedOffLoopback(t *testing.T) {
	cfg := config.Default()
	cfg.Dir = t.TempDir()
	dev, err := codec.LoadOrCreateDevKey(cfg.Dir)
	require.NoError(t, err, "on loopback the dev key is made")

	cfg.TemporalAddress = "temporal:7233"
	_, err = Keys(cfg)
	assert.ErrorContains(t, err, codec.EnvKey+" is not set")

	t.Setenv(codec.EnvKey, dev.Primary()+":000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	_, err = Keys(cfg)
	assert.ErrorContains(t, err, "development key")

	t.Setenv(codec.EnvKey, "prod-1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	k, err := Keys(cfg)
	require.NoError(t, err)
	assert.Equal(t, "prod-1", k.Primary())
}

// A process off loopback does not start with the development API key: it
// fails before it dials anything.
func TestStartRefusesDevAPIKeyOffLoopback(t *testing.T) {
	t.Setenv(codec.EnvKey, "prod-1:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	_, err := Start("api", []string{"-addr", "0.0.0.0:8080", "-dir", t.TempDir()}, config.APIKeys)
	assert.ErrorContains(t, err, "CARDFLOW_API_KEYS holds the development secret")
}
