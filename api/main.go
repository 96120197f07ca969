// Command api serves cardflow's shop API (../shared/API.md) on CARDFLOW_API_ADDR.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/api/server"
	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "api:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	p, err := app.Start("api", args, config.APIKeys, config.SandboxKey, config.ReturnSecret, config.PublicURL, config.APIMetrics)
	if err != nil {
		return err
	}
	defer p.Close()
	cfg, log := p.Config, p.Log
	// A key without the prefix of its scope (sk_, rk_) stops the start.
	if _, err := shop.ParseKeys(cfg.APIKeys); err != nil {
		return err
	}
	// Refused before it listens when its codec server or its /metrics would be
	// open off loopback.
	srv, err := app.APIServer(cfg, app.Observed(server.New(p.Client, cfg, log, p.Keys, nil), p.Telemetry, cfg.MetricsAuth),
		app.APITimeouts(cfg.ProcessorTimeout+server.DefaultUpdateTimeout))
	if err != nil {
		return err
	}
	// HTTPS with CARDFLOW_TLS_CERT/KEY; plain HTTP is refused off loopback.
	if srv.TLSConfig, err = app.APITLS(cfg); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() {
		if srv.TLSConfig != nil {
			errc <- srv.ListenAndServeTLS("", "")
			return
		}
		errc <- srv.ListenAndServe()
	}()
	log.Info("api listening", zap.String("addr", cfg.APIAddr), zap.Bool("tls", srv.TLSConfig != nil), zap.String("temporal", cfg.TemporalAddress))
	select {
	case err := <-errc:
		return fmt.Errorf("listen on %s: %w", cfg.APIAddr, err)
	case <-ctx.Done():
	}
	// Finish in-flight requests before exiting.
	shutdown, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("api stopped")
	return nil
}
