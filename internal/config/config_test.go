package config

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/payment"
)

func TestLoadPrecedence(t *testing.T) {
	t.Setenv("TEMPORAL_ADDRESS", "temporal:7233")
	t.Setenv("CARDFLOW_API_KEYS", "sk_a, sk_b,,")
	t.Setenv("CARDFLOW_PROCESSOR_TIMEOUT", "3s")
	t.Setenv("CARDFLOW_WORKFLOW_CACHE", "500")
	t.Setenv("CARDFLOW_TEMPORAL_GZIP", "true")
	c, err := Load("test", []string{"-webhook-url", "http://hooks.local/x"})
	require.NoError(t, err)
	assert.Equal(t, "temporal:7233", c.TemporalAddress)
	assert.Equal(t, []string{"sk_a", "sk_b"}, c.APIKeys)
	assert.Equal(t, 3*time.Second, c.ProcessorTimeout)
	assert.Equal(t, "http://hooks.local/x", c.WebhookURL)
	assert.Equal(t, "cardflow", c.TaskQueue)
	assert.Equal(t, 500, c.WorkflowCache)
	assert.True(t, c.TemporalGzip)

	c, err = Load("test", []string{"-temporal-address", "flag:1"})
	require.NoError(t, err)
	assert.Equal(t, "flag:1", c.TemporalAddress, "flags win over the environment")

	_, err = Load("test", []string{"-no-such-flag"})
	assert.Error(t, err)
}

func TestDefaults(t *testing.T) {
	c := Default()
	assert.Equal(t, "localhost:7233", c.TemporalAddress)
	assert.Equal(t, []string{"sk_test_local"}, c.APIKeys)
	assert.Equal(t, "127.0.0.1:8080", c.APIAddr)
	assert.Equal(t, 2000, c.WorkflowCache)
	assert.False(t, c.TemporalGzip, "cardflow's payloads are ciphertext: gzip costs CPU and saves nothing")
}

func TestAcceptedBrands(t *testing.T) {
	t.Setenv("CARDFLOW_ACCEPTED_BRANDS", "")
	c, err := Load("test", nil)
	require.NoError(t, err)
	assert.Empty(t, c.AcceptedBrands, "unset accepts every network")

	t.Setenv("CARDFLOW_ACCEPTED_BRANDS", " visa, Mastercard,elo,,visa ")
	c, err = Load("test", nil)
	require.NoError(t, err)
	assert.Equal(t, []payment.Brand{payment.Visa, payment.Mastercard, payment.Elo}, c.AcceptedBrands)

	c, err = Load("test", []string{"-accepted-brands", "rupay,mir"})
	require.NoError(t, err)
	assert.Equal(t, []payment.Brand{payment.RuPay, payment.Mir}, c.AcceptedBrands, "flags win over the environment")

	c, err = Load("test", []string{"-accepted-brands", ""})
	require.NoError(t, err)
	assert.Empty(t, c.AcceptedBrands, "an empty flag accepts every network")

	t.Setenv("CARDFLOW_ACCEPTED_BRANDS", "visa,mastercrad")
	_, err = Load("test", nil)
	require.Error(t, err, "a typo is an error, not a silently refused network")
	assert.Contains(t, err.Error(), `"mastercrad"`)

	_, err = Load("test", []string{"-accepted-brands", "cartes_bancaires"})
	assert.Error(t, err)
}

func TestParseBrands(t *testing.T) {
	all := make([]string, 0, len(payment.Brands()))
	for _, b := range payment.Brands() {
		all = append(all, string(b))
	}
	got, err := ParseBrands(strings.Join(all, ","))
	require.NoError(t, err)
	assert.Equal(t, payment.Brands(), got, "every brand's JSON value parses")

	got, err = ParseBrands(" , ")
	require.NoError(t, err)
	assert.Nil(t, got)
}

func TestProcessorSelection(t *testing.T) {
	c, err := Load("test", nil)
	require.NoError(t, err)
	assert.Equal(t, ProcessorSandbox, c.Processor, "the sandbox unless told otherwise")

	t.Setenv("CARDFLOW_PROCESSOR", "stripe")
	_, err = Load("test", nil)
	require.ErrorContains(t, err, "STRIPE_SECRET_KEY", "Stripe without a key cannot run")

	t.Setenv("STRIPE_SECRET_KEY", "sk_test_123")
	t.Setenv("STRIPE_API_BASE", "http://127.0.0.1:12111")
	t.Setenv("STRIPE_WEBHOOK_SECRET", "whsec_123")
	c, err = Load("test", nil)
	require.NoError(t, err)
	assert.Equal(t, ProcessorStripe, c.Processor)
	assert.Equal(t, "sk_test_123", c.StripeSecretKey)
	assert.Equal(t, "http://127.0.0.1:12111", c.StripeAPIBase)
	assert.Equal(t, "whsec_123", c.StripeWebhookSecret)

	_, err = Load("test", []string{"-processor", "adyen"})
	assert.ErrorContains(t, err, `CARDFLOW_PROCESSOR="adyen"`)
}
