package app

import (
	"fmt"
	"os"
	"strings"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
)

// Keys loads the payload-encryption keyring: CARDFLOW_CODEC_KEY, else the dev key
// kept under the state directory (created once). Off loopback the dev key is
// refused, and so is a key whose id says it is one (copied from codec.key):
// it sits in plain sight beside the process's state.
func Keys(cfg config.Config) (*codec.Keyring, error) {
	if _, set := os.LookupEnv(codec.EnvKey); !set && !cfg.OnLoopback() {
		return nil, fmt.Errorf("codec key: %s is not set, and this process is not on loopback: the development key under %s is refused", codec.EnvKey, cfg.Dir)
	}
	k, err := codec.FromEnv(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("codec key: %w", err)
	}
	if !cfg.OnLoopback() && strings.HasPrefix(k.Primary(), codec.DevKeyPrefix) {
		return nil, fmt.Errorf("codec key: %s's active key %s is a development key, and this process is not on loopback: make a key of your own", codec.EnvKey, k.Primary())
	}
	return k, nil
}

// Dial connects to Temporal with cardflow's logger and payload encryption: every
// payload and failure message this client (and a worker on it) writes is encrypted.
// TLS, mTLS and an API key come from the environment (TemporalOptions); each
// of tune adjusts the options before dialling (telemetry.Telemetry.Client
// adds metrics and tracing).
func Dial(cfg config.Config, log *zap.Logger, keys *codec.Keyring, tune ...func(*client.Options)) (client.Client, error) {
	opts, err := TemporalOptions(os.LookupEnv)
	if err != nil {
		return nil, err
	}
	opts.HostPort, opts.Namespace = cfg.TemporalAddress, cfg.TemporalNamespace
	opts.Logger = logging.Temporal(log)
	opts.DataConverter, opts.FailureConverter = codec.Converters(keys)
	opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionNone{}
	if cfg.TemporalGzip {
		opts.ConnectionOptions.GrpcCompression = &client.GrpcCompressionGzip{}
	}
	for _, t := range tune {
		t(&opts)
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("dial temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}
