package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A variable set to "" is empty, not the default: an emptied API key list is
// no key at all (the development key would otherwise come back), and an
// emptied required value or webhook secret is an error that names it.
func TestEmptyVariableMeansEmptyNotDefault(t *testing.T) {
	t.Setenv("CARDFLOW_API_KEYS", "")
	c, err := Load("test", nil)
	require.NoError(t, err)
	assert.Empty(t, c.APIKeys)

	t.Setenv("TEMPORAL_ADDRESS", "")
	_, err = Load("test", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "TEMPORAL_ADDRESS is empty")
	t.Setenv("TEMPORAL_ADDRESS", "localhost:7233")

	t.Setenv("CARDFLOW_WEBHOOK_URL", "http://127.0.0.1:9/hooks")
	t.Setenv("CARDFLOW_WEBHOOK_SECRET", "")
	_, err = Load("test", nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CARDFLOW_WEBHOOK_SECRET is empty")
}

// A number, duration or boolean that does not parse stops the process, naming
// the variable, instead of quietly running with the default.
func TestUnparsableVariableIsAnError(t *testing.T) {
	for k, v := range map[string]string{
		"CARDFLOW_WORKFLOW_CACHE":    "lots",
		"CARDFLOW_PROCESSOR_TIMEOUT": "10",
		"CARDFLOW_TEMPORAL_GZIP":     "maybe",
	} {
		t.Run(k, func(t *testing.T) {
			t.Setenv(k, v)
			_, err := Load("test", nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), k)
		})
	}
}

// Off loopback the public development secrets are refused: with whsec_local
// anyone could forge order.captured, with sk_test_local call the API. On
// loopback (make run, the tests) they are what is meant.
func TestDevSecretsRefusedOffLoopback(t *testing.T) {
	dev := Default()
	dev.WebhookURL = "http://127.0.0.1:9000/hooks"
	require.True(t, dev.OnLoopback())
	assert.NoError(t, dev.RefuseDevSecrets(APIKeys, WebhookSecret))

	for name, deploy := range map[string]func(*Config){
		"temporal elsewhere":         func(c *Config) { c.TemporalAddress = "temporal:7233" },
		"api on every interface":     func(c *Config) { c.APIAddr = ":8080" },
		"processor elsewhere":        func(c *Config) { c.ProcessorURL = "http://sandbox:8091" },
		"webhook receiver elsewhere": func(c *Config) { c.WebhookURL = "https://shop.example/hooks" },
	} {
		t.Run(name, func(t *testing.T) {
			c := dev
			deploy(&c)
			assert.False(t, c.OnLoopback())
			err := c.RefuseDevSecrets(APIKeys)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "CARDFLOW_API_KEYS")
			err = c.RefuseDevSecrets(WebhookSecret)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "CARDFLOW_WEBHOOK_SECRET")

			assert.ErrorContains(t, c.RefuseDevSecrets(SandboxKey), "CARDFLOW_SANDBOX_SECRET_KEY")

			c.APIKeys, c.WebhookSecret, c.SandboxSecretKey = []string{"sk_live_own"}, "whsec_own,"+DevWebhookSecret, "sk_sandbox_own"
			assert.ErrorContains(t, c.RefuseDevSecrets(WebhookSecret), "CARDFLOW_WEBHOOK_SECRET", "not even as the old secret of a rotation")
			c.WebhookSecret = "whsec_own"
			assert.NoError(t, c.RefuseDevSecrets(APIKeys, WebhookSecret, SandboxKey))
		})
	}
}

// The worker's payment-page links and 3-D Secure returns name
// CARDFLOW_PUBLIC_URL: off loopback, unset or on loopback is refused.
func TestPublicURLRefusedOffLoopback(t *testing.T) {
	dev := Default()
	assert.NoError(t, dev.RefuseDevSecrets(PublicURL), "on loopback the API's address will do")
	c := dev
	c.TemporalAddress = "temporal:7233"
	for url, want := range map[string]string{
		"":                       "CARDFLOW_PUBLIC_URL is not set",
		"http://127.0.0.1:8080":  "loopback",
		"https://localhost":      "loopback",
		"pay.shop.example":       "not an http(s) URL",
		"ftp://pay.shop.example": "not an http(s) URL",
	} {
		c.PublicURL = url
		assert.ErrorContains(t, c.RefuseDevSecrets(PublicURL), want, url)
	}
	c.PublicURL = "https://pay.shop.example"
	assert.NoError(t, c.RefuseDevSecrets(PublicURL))
}

// /metrics off loopback needs CARDFLOW_METRICS_AUTH, whatever the process's
// other addresses: a worker talking to Temporal on loopback may still publish
// its metrics on every interface. On loopback, or not served, it needs none.
func TestMetricsOffLoopbackNeedAToken(t *testing.T) {
	c := Default()
	for _, addr := range []string{"0.0.0.0:9090", ":9090", "10.0.0.7:9090", "worker:9090"} {
		err := c.CheckMetrics(addr)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "CARDFLOW_METRICS_AUTH")
		assert.Contains(t, err.Error(), addr)
	}
	for _, addr := range []string{"", "127.0.0.1:9090", "localhost:9090", "[::1]:9090"} {
		assert.NoError(t, c.CheckMetrics(addr), addr)
	}
	t.Setenv("CARDFLOW_METRICS_AUTH", "scraper-token")
	c, err := Load("test", nil)
	require.NoError(t, err)
	assert.Equal(t, "scraper-token", c.MetricsAuth)
	assert.NoError(t, c.CheckMetrics("0.0.0.0:9090"))

	// The processes ask it at start, before they dial Temporal: a worker
	// whose every other address is loopback, metrics on all interfaces.
	c.MetricsAuth = ""
	c.MetricsAddr = "0.0.0.0:9090"
	require.True(t, c.OnLoopback())
	err = c.RefuseDevSecrets(WebhookSecret, WorkerMetrics)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "CARDFLOW_METRICS_AUTH")
	assert.NoError(t, c.RefuseDevSecrets(APIMetrics), "the API's listener is on loopback")
	c.APIAddr = ":8080"
	assert.ErrorContains(t, c.RefuseDevSecrets(APIMetrics), "CARDFLOW_METRICS_AUTH")
	c.MetricsAuth = "scraper-token"
	c.APIAddr = ":8080"
	assert.NoError(t, c.RefuseDevSecrets(APIMetrics, WorkerMetrics))
}
