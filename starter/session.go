package main

import (
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/paylink"
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
	links    *paylink.Signer // the payment page's links, signed as the API signs them
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
		links:    paylink.New(cfg.PagePublicURL(), keys.Derive(paylink.Label)),
		now:      time.Now,
	}, nil
}

func (s *session) close() { s.temporal.Close() }

// pageLink fills the link of a run placed for the payment page, as the API
// does (api/server: orderLink): the workflow knows when the link expires, the
// link keys derive from the codec key both share.
func (s *session) pageLink(k paylink.Kind, id string, p *flow.PageView) *flow.PageView {
	if p == nil {
		return nil
	}
	c := *p
	c.URL = s.links.URL(paylink.Session{Kind: k, ID: id, Expires: p.ExpiresAt})
	return &c
}
