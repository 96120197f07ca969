package app

import (
	"fmt"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
)

// Keys loads the payload-encryption keyring: CARDFLOW_CODEC_KEY, else the dev key
// kept under the state directory (created once).
func Keys(cfg config.Config) (*codec.Keyring, error) {
	k, err := codec.FromEnv(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("codec key: %w", err)
	}
	return k, nil
}

// Dial connects to Temporal with cardflow's logger and payload encryption: every
// payload and failure message this client (and a worker on it) writes is encrypted.
func Dial(cfg config.Config, log *zap.Logger, keys *codec.Keyring) (client.Client, error) {
	dc, fc := codec.Converters(keys)
	var gz client.GrpcCompression = &client.GrpcCompressionNone{}
	if cfg.TemporalGzip {
		gz = &client.GrpcCompressionGzip{}
	}
	c, err := client.Dial(client.Options{
		HostPort:          cfg.TemporalAddress,
		Namespace:         cfg.TemporalNamespace,
		Logger:            logging.Temporal(log),
		DataConverter:     dc,
		FailureConverter:  fc,
		ConnectionOptions: client.ConnectionOptions{GrpcCompression: gz},
	})
	if err != nil {
		return nil, fmt.Errorf("dial temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}
