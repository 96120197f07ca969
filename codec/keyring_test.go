package codec

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func secret(t *testing.T) []byte {
	t.Helper()
	b := make([]byte, KeySize)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return b
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func TestParseKeys(t *testing.T) {
	s1, s2 := secret(t), secret(t)

	k, err := ParseKeys(" k2:" + b64(s2) + " , k1:" + hex.EncodeToString(s1) + " ")
	require.NoError(t, err)
	assert.Equal(t, "k2", k.Primary())
	assert.Equal(t, []string{"k2", "k1"}, k.IDs())

	k, err = ParseKeys(b64(s1))
	require.NoError(t, err)
	assert.Equal(t, []string{DefaultKeyID}, k.IDs())

	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		k, err = ParseKeys("x:" + enc.EncodeToString(s1))
		require.NoError(t, err)
		assert.Equal(t, "x", k.Primary())
	}
}

func TestParseKeysErrors(t *testing.T) {
	s := b64(secret(t))
	short := b64([]byte("sixteen byte key"))
	for name, spec := range map[string]string{
		"empty":          " ",
		"short key":      "k1:" + short,
		"not encoded":    "k1:" + strings.Repeat("!", 44),
		"duplicate id":   "k1:" + s + ",k1:" + s,
		"missing id":     "k2:" + s + "," + s,
		"bad id":         "k 1:" + s,
		"empty id":       ":" + s,
		"empty key":      "k1:",
		"trailing comma": "k1:" + s + ",",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseKeys(spec)
			require.Error(t, err)
			// Whatever went wrong, the key itself must not be echoed.
			assert.NotContains(t, err.Error(), s)
			assert.NotContains(t, err.Error(), short)
		})
	}
}

func TestKeyringStringHidesKeys(t *testing.T) {
	s := secret(t)
	k, err := NewKeyring(Key{ID: "k1", Secret: s})
	require.NoError(t, err)
	for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(f, k)
		assert.Equal(t, "keyring[k1]", out, f)
	}
}

func TestLoadOrCreateDevKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	k1, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k1.Primary(), "dev-"), k1.Primary())

	path := filepath.Join(dir, DevKeyFile)
	fi, err := os.Stat(path)
	require.NoError(t, err)
	if runtime.GOOS != "windows" {
		assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	}
	first, err := os.ReadFile(path)
	require.NoError(t, err)

	// Reused, not replaced: payloads from the first run still decode.
	k2, err := LoadOrCreateDevKey(dir)
	require.NoError(t, err)
	assert.Equal(t, k1.IDs(), k2.IDs())
	again, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, first, again)
	p := encodeString(t, k1, "hello")
	assert.Equal(t, "hello", decodeString(t, k2, p))

	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "temp files are cleaned up")
}

// make run starts the worker and the API at once; both must end up with one key.
func TestLoadOrCreateDevKeyConcurrent(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	ids := make([]string, 8)
	for i := range ids {
		wg.Go(func() {
			k, err := LoadOrCreateDevKey(dir)
			if assert.NoError(t, err) {
				ids[i] = k.Primary()
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		assert.Equal(t, ids[0], id)
	}
}

func TestLoadOrCreateDevKeyBadFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, DevKeyFile), []byte("garbage"), 0o600))
	_, err := LoadOrCreateDevKey(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), DevKeyFile)
}

func TestFromEnv(t *testing.T) {
	s := secret(t)
	t.Setenv(EnvKey, "prod1:"+b64(s))
	dir := t.TempDir()
	k, err := FromEnv(dir)
	require.NoError(t, err)
	assert.Equal(t, "prod1", k.Primary())
	_, err = os.Stat(filepath.Join(dir, DevKeyFile))
	assert.True(t, os.IsNotExist(err), "no dev key when a key is configured")

	t.Setenv(EnvKey, "prod1:tooshort")
	_, err = FromEnv(dir)
	require.Error(t, err)
	assert.Contains(t, err.Error(), EnvKey)
	assert.Contains(t, err.Error(), `"prod1"`)

	t.Setenv(EnvKey, "")
	k, err = FromEnv(dir)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(k.Primary(), "dev-"))
}

func TestKeyringOwnsItsKeys(t *testing.T) {
	s := secret(t)
	k, err := NewKeyring(Key{ID: "k1", Secret: s})
	require.NoError(t, err)
	p := encodeString(t, k, "x")
	// Scribbling over the caller's slice afterwards must not change the key.
	copy(s, bytes.Repeat([]byte{0}, KeySize))
	assert.Equal(t, "x", decodeString(t, k, p))
}
