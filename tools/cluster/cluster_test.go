package cluster

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/internal/devcerts"
)

// The frontend of `make test-cluster` (mTLS) refuses a client and a worker
// that present no client certificate, and serves the same client with the
// certificate. It needs that cluster: it reads TEMPORAL_ADDRESS and the
// TEMPORAL_TLS_* variables scripts/test-cluster.sh exports.
func TestFrontendRefusesClientWithoutCertificate(t *testing.T) {
	addr, ca := os.Getenv("TEMPORAL_ADDRESS"), os.Getenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH")
	certs := devcerts.Files{CA: ca, ClientCert: os.Getenv("TEMPORAL_TLS_CLIENT_CERT_PATH"), ClientKey: os.Getenv("TEMPORAL_TLS_CLIENT_KEY_PATH")}
	if addr == "" || ca == "" || certs.ClientCert == "" {
		t.Skip("needs the mTLS cluster of `make test-cluster`")
	}
	dial := func(withCert bool) (client.Client, error) {
		tls, err := ClientTLS(certs, withCert)
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		return client.DialContext(ctx, client.Options{HostPort: addr, Logger: quiet{},
			ConnectionOptions: client.ConnectionOptions{TLS: tls}})
	}
	_, err := dial(false)
	require.Error(t, err, "a client without a certificate is refused")

	// A worker on a client that dials lazily is refused when it starts polling.
	tls, err := ClientTLS(certs, false)
	require.NoError(t, err)
	lazy, err := client.NewLazyClient(client.Options{HostPort: addr, Logger: quiet{}, ConnectionOptions: client.ConnectionOptions{TLS: tls}})
	require.NoError(t, err)
	defer lazy.Close()
	w := worker.New(lazy, "refused", worker.Options{})
	require.Error(t, w.Start(), "a worker without a certificate is refused")

	c, err := dial(true)
	require.NoError(t, err, "the same client with the certificate")
	_, err = c.CheckHealth(context.Background(), &client.CheckHealthRequest{})
	require.NoError(t, err)
	c.Close()
}
