package systest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/notify"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The attacker's suite, webhooks: a shop that verifies with the exported
// helper accepts cardflow's real delivery and nothing an attacker makes of it —
// a forged order.captured signed with the public development secret, a
// genuine delivery replayed later or with its type changed. And a worker that
// would sign with the development secret does not start off loopback.
func TestAttackForgedWebhookIsRefused(t *testing.T) {
	env := testenv.New(t, testenv.Options{})
	id := orderID("o-forge")
	orderCreate(t, env, orderRequest(id, "4242424242424242"), 201)
	real := env.Hooks.WaitFor(t, "order.payment_authorized", id)
	secret := []byte(testenv.WebhookSecret)
	require.NoError(t, notify.Verify(secret, real.Signature, real.Raw, notify.DefaultTolerance, time.Now()), "the genuine delivery verifies")

	forged := bytes.Replace(real.Raw, []byte(`"order.payment_authorized"`), []byte(`"order.captured"`), 1)
	require.NotEqual(t, real.Raw, forged)
	attempts := map[string]struct {
		header string
		body   []byte
		at     time.Time
		want   error
	}{
		"forged with the public dev secret": {notify.Sign(time.Now(), forged, []byte(config.DevWebhookSecret)), forged, time.Now(), notify.ErrSignatureMismatch},
		"genuine signature, changed type":   {real.Signature, forged, time.Now(), notify.ErrSignatureMismatch},
		"genuine delivery replayed later":   {real.Signature, real.Raw, time.Now().Add(notify.DefaultTolerance + time.Minute), notify.ErrSignatureExpired},
		"no signature":                      {"", forged, time.Now(), notify.ErrMalformedSignature},
	}
	for name, a := range attempts {
		err := notify.Verify(secret, a.header, a.body, notify.DefaultTolerance, a.at)
		assert.Truef(t, errors.Is(err, a.want), "%s: Verify = %v, want %v", name, err, a.want)
	}
	assert.ErrorIs(t, notify.Verify(secret, real.Signature, real.Raw, 0, time.Now()), notify.ErrNoTolerance,
		"a receiver cannot switch the replay check off")

	t.Setenv("CARDFLOW_CODEC_KEY", testenv.CodecKey)
	_, err := app.Start("worker", []string{"-webhook-url", "https://shop.example/hooks", "-dir", t.TempDir()}, config.WebhookSecret)
	assert.ErrorContains(t, err, "CARDFLOW_WEBHOOK_SECRET holds the development secret")
}
