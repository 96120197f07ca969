package app

import (
	"fmt"
	"net/http"
	"time"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/config"
)

// Timeouts bound how long an HTTP server gives one client, so that a client
// trickling its request or idling on a keep-alive connection cannot hold a
// goroutine and a descriptor for ever.
type Timeouts struct {
	ReadHeader time.Duration // the request line and headers
	Read       time.Duration // the whole request, body included
	// Write runs from the end of the request's headers to the end of the
	// answer: it covers reading the body and the handler, not only writing.
	Write time.Duration
	Idle  time.Duration // a keep-alive connection waiting for its next request
}

// APITimeouts are the shop API's, and its codec server's (served on the same
// listener). handle is the longest a handler may take: the API tokenizes (up
// to the processor's timeout) and then waits for a workflow's answer (up to
// its UpdateTimeout, 30 s), so the write timeout must outlast the body and
// that, or a slow but honest answer would be cut off. With the defaults (10 s
// + 30 s): headers 10 s, request 30 s (64 KiB for the API; the codec's 16 MiB
// at 4.5 Mbit/s), answer 80 s, idle 60 s.
func APITimeouts(handle time.Duration) Timeouts {
	const read = 30 * time.Second
	return Timeouts{
		ReadHeader: 10 * time.Second,
		Read:       read,
		Write:      read + handle + 10*time.Second,
		Idle:       60 * time.Second,
	}
}

// NewServer is an http.Server for h on addr under t.
func NewServer(addr string, h http.Handler, t Timeouts) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: t.ReadHeader,
		ReadTimeout:       t.Read,
		WriteTimeout:      t.Write,
		IdleTimeout:       t.Idle,
	}
}

// APIServer is the shop API's server on cfg.APIAddr. It refuses to build one
// whose codec server (mounted on the API) would answer off loopback without
// CARDFLOW_CODEC_AUTH: anyone reaching it could decrypt every payload; and one
// whose /metrics would, without CARDFLOW_METRICS_AUTH.
func APIServer(cfg config.Config, h http.Handler, t Timeouts) (*http.Server, error) {
	co := codec.ServerOptionsFromEnv()
	co.Loopback = config.Loopback(cfg.APIAddr)
	if err := co.Check(); err != nil {
		return nil, fmt.Errorf("api on %s: %w", cfg.APIAddr, err)
	}
	// The API serves /metrics on its own listener (Observed).
	if err := cfg.CheckMetrics(cfg.APIAddr); err != nil {
		return nil, fmt.Errorf("api on %s: %w", cfg.APIAddr, err)
	}
	return NewServer(cfg.APIAddr, h, t), nil
}
