package app

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/logging"
	"github.com/cardflow/cardflow/internal/telemetry"
)

// Process is what every cardflow process starts with: its configuration, logger,
// payload keys, telemetry and a Temporal client using them.
type Process struct {
	Config    config.Config
	Log       *zap.Logger
	Keys      *codec.Keyring
	Telemetry *telemetry.Telemetry
	Client    client.Client
}

// Start reads the configuration (environment, then args), builds the logger and
// dials Temporal. Off loopback it refuses the development secrets among those
// the process uses, and the development codec key. Close releases what it
// opened.
func Start(name string, args []string, uses ...config.Secret) (*Process, error) {
	cfg, err := config.Load(name, args)
	if err != nil {
		return nil, err
	}
	if err := cfg.RefuseDevSecrets(uses...); err != nil {
		return nil, err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return nil, err
	}
	keys, err := Keys(cfg)
	if err != nil {
		return nil, err
	}
	tel, err := telemetry.New(name, telemetry.Options{})
	if err != nil {
		return nil, err
	}
	c, err := Dial(cfg, log, keys, tel.Client)
	if err != nil {
		return nil, err
	}
	return &Process{Config: cfg, Log: log.Named(name), Keys: keys, Telemetry: tel, Client: c}, nil
}

// Close closes the Temporal client, sends the spans still buffered (for up
// to 5 s) and flushes the log.
func (p *Process) Close() {
	p.Client.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := p.Telemetry.Shutdown(ctx); err != nil {
		p.Log.Warn("telemetry shutdown", zap.Error(err))
	}
	_ = p.Log.Sync()
}
