package app

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/internal/devcerts"
)

func lookupIn(env map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// mTLS from either name of each variable: Temporal's (envconfig) or API.md's.
func TestTemporalConnectionReadsEitherName(t *testing.T) {
	f, err := devcerts.Generate(t.TempDir())
	require.NoError(t, err)
	for name, env := range map[string]map[string]string{
		"envconfig": {"TEMPORAL_TLS_CLIENT_CERT_PATH": f.ClientCert, "TEMPORAL_TLS_CLIENT_KEY_PATH": f.ClientKey, "TEMPORAL_TLS_SERVER_CA_CERT_PATH": f.CA},
		"API.md":    {"TEMPORAL_TLS_CERT": f.ClientCert, "TEMPORAL_TLS_KEY": f.ClientKey, "TEMPORAL_TLS_CA": f.CA},
	} {
		opts, err := TemporalOptions(lookupIn(env))
		require.NoError(t, err, name)
		tls := opts.ConnectionOptions.TLS
		require.NotNil(t, tls, name)
		assert.Len(t, tls.Certificates, 1, name)
		assert.NotNil(t, tls.RootCAs, name)
		assert.Nil(t, opts.Credentials, name)
	}
	// Temporal's name wins over API.md's.
	_, err = TemporalOptions(lookupIn(map[string]string{
		"TEMPORAL_TLS_CLIENT_CERT_PATH": f.ClientCert, "TEMPORAL_TLS_CLIENT_KEY_PATH": f.ClientKey,
		"TEMPORAL_TLS_CERT": "/missing.pem"}))
	require.NoError(t, err)
	// A path that does not load is an error at start, not a plaintext connection.
	_, err = TemporalOptions(lookupIn(map[string]string{"TEMPORAL_TLS_CERT": "/missing.pem", "TEMPORAL_TLS_KEY": f.ClientKey}))
	require.Error(t, err)
}

func TestTemporalConnectionAPIKeyAndPlain(t *testing.T) {
	opts, err := TemporalOptions(lookupIn(map[string]string{"TEMPORAL_API_KEY": "k"}))
	require.NoError(t, err)
	assert.NotNil(t, opts.Credentials)
	assert.NotNil(t, opts.ConnectionOptions.TLS, "an API key goes over TLS")

	opts, err = TemporalOptions(lookupIn(nil))
	require.NoError(t, err)
	assert.Nil(t, opts.ConnectionOptions.TLS, "nothing set: plaintext, as the dev server speaks")
}

// The user's own CLI profile is read only when TEMPORAL_CONFIG_FILE names it.
func TestTemporalConnectionIgnoresTheDefaultProfile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("XDG_CONFIG_HOME", home)
	toml := filepath.Join(home, "temporal", "temporal.toml")
	require.NoError(t, os.MkdirAll(filepath.Dir(toml), 0o700))
	require.NoError(t, os.WriteFile(toml, []byte("[profile.default]\napi_key = \"from-file\"\n"), 0o600))

	opts, err := TemporalOptions(lookupIn(nil))
	require.NoError(t, err)
	assert.Nil(t, opts.Credentials)

	opts, err = TemporalOptions(lookupIn(map[string]string{"TEMPORAL_CONFIG_FILE": toml}))
	require.NoError(t, err)
	assert.NotNil(t, opts.Credentials, "named: read")
}
