package app

import (
	"crypto/tls"
	"fmt"

	"github.com/cardflow/cardflow/internal/config"
)

// APITLS is the shop API's TLS configuration: its certificate
// (CARDFLOW_TLS_CERT, CARDFLOW_TLS_KEY), loaded now so that a bad file stops
// the process before it listens. Without one it is nil, plain HTTP, which only
// a listener on loopback may serve: off loopback card data and API keys would
// cross the network in the clear, so the API refuses to start.
func APITLS(cfg config.Config) (*tls.Config, error) {
	switch {
	case cfg.TLSCert == "" && cfg.TLSKey == "":
		if !config.Loopback(cfg.APIAddr) {
			return nil, fmt.Errorf("api on %s: off loopback the API serves TLS only: set CARDFLOW_TLS_CERT and CARDFLOW_TLS_KEY", cfg.APIAddr)
		}
		return nil, nil
	case cfg.TLSCert == "" || cfg.TLSKey == "":
		return nil, fmt.Errorf("api: CARDFLOW_TLS_CERT and CARDFLOW_TLS_KEY go together: set both or neither")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
	if err != nil {
		return nil, fmt.Errorf("api: TLS certificate %s, key %s: %w", cfg.TLSCert, cfg.TLSKey, err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}
