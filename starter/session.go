package main

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
)

// callTimeout bounds one command: an update waits for the workflow's answer,
// which includes processor calls.
const callTimeout = 30 * time.Second

// session is one starter invocation's connections: Temporal (with cardflow's
// payload codec, so what it writes is encrypted like the API's and the worker's)
// and the processor's vault, which alone ever sees card numbers.
type session struct {
	cfg      config.Config
	temporal client.Client
	vault    *vault.Client
	now      func() time.Time
}

func dial(cfg config.Config) (*session, error) {
	keys, err := app.Keys(cfg)
	if err != nil {
		return nil, err
	}
	c, err := app.Dial(cfg, zap.NewNop(), keys)
	if err != nil {
		return nil, err
	}
	return &session{
		cfg:      cfg,
		temporal: c,
		vault:    vault.New(cfg.ProcessorURL, cfg.SandboxSecretKey, cfg.ProcessorTimeout),
		now:      time.Now,
	}, nil
}

func (s *session) close() { s.temporal.Close() }
