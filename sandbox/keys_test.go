package sandbox_test

import (
	"database/sql"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/sandbox"
)

const (
	keyA = "a:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	keyB = "b:1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
)

func keyring(t *testing.T, spec string) sandbox.Keyring {
	t.Helper()
	k, err := codec.ParseKeys(spec)
	require.NoError(t, err)
	return k
}

// The vault's key rotates by id as the payload codec's do: a new key in front
// seals what comes, the old one still opens what it sealed, Reseal moves every
// card to the new key, and only then may the old one go.
func TestVaultKeyRotatesByID(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.Key, c.Keys = nil, keyring(t, keyA) })
	old := e.tokenize("4242424242424242")
	require.NoError(t, e.c.SetUpdater(ctx(t), old.Token, vault.UpdaterAnswer{Number: "5555555555554444", ExpMonth: 1, ExpYear: 2031}))
	e.close()

	e.cfg.Keys = keyring(t, keyB+","+keyA)
	e.open()
	fresh := e.tokenize("378282246310005")
	assert.True(t, e.authorize("k-old", old.Token, 100).Approved, "the old key opens the old card")
	assert.True(t, e.authorize("k-new", fresh.Token, 100).Approved)
	e.close()

	e.cfg.Keys = keyring(t, keyB)
	_, err := sandbox.Open(e.cfg)
	require.Error(t, err, "records sealed with a are still there")
	assert.Contains(t, err.Error(), `"a"`)

	e.cfg.Keys = keyring(t, keyB+","+keyA)
	e.open()
	n, err := e.sb.Reseal(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the old card and its updater answer")
	e.close()

	e.cfg.Keys = keyring(t, keyB)
	e.open()
	assert.True(t, e.authorize("k-old-2", old.Token, 100).Approved, "resealed with b")
	u, err := e.p.UpdateCard(ctx(t), "u-old", old.Token)
	require.NoError(t, err)
	assert.Equal(t, "4444", u.Card.Last4, "the updater's sealed number moved too")
	e.close()

	e.cfg.Keys = keyring(t, strings.Replace(keyB, "1f1e", "ffff", 1))
	_, err = sandbox.Open(e.cfg)
	require.Error(t, err, "another key under the id b")
	assert.Contains(t, err.Error(), "another key")
}

// A vault from before key ids (no key_id columns, one key check) opens with its
// old hex key, which the keyring format reads as the id "default".
func TestVaultFromBeforeKeyIDsOpensWithItsOldKey(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	e.close()
	db, err := sql.Open("sqlite", e.cfg.DBPath)
	require.NoError(t, err)
	for _, q := range []string{`ALTER TABLE tokens DROP COLUMN key_id`, `ALTER TABLE updater_answers DROP COLUMN key_id`,
		`UPDATE meta SET name = 'key_check' WHERE name = 'key_check:default'`} {
		_, err := db.Exec(q)
		require.NoError(t, err, q)
	}
	require.NoError(t, db.Close())

	e.cfg.Key, e.cfg.Keys = nil, keyring(t, "new:"+strings.Repeat("ab", 32)+",default:"+hex.EncodeToString(testKey))
	e.open()
	assert.True(t, e.authorize("k-1", tok.Token, 100).Approved, "the old card opens")
	e.close()
	e.cfg.Keys = keyring(t, "new:"+strings.Repeat("cd", 32)+",default:"+hex.EncodeToString(testKey))
	_, err = sandbox.Open(e.cfg)
	assert.Error(t, err, "the new key's check was stored on the first open")
}
