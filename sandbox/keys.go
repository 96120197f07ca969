package sandbox

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	crand "crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Keyring holds the vault's keys by id. The primary seals every new record, and
// each record keeps the id of its key, so a key rotates as the payload codec's do:
// put a new key first, Reseal, then retire the old one. *codec.Keyring is one
// (the sandbox does not import it, to stay free of the Temporal SDK).
type Keyring interface {
	Primary() string
	IDs() []string
	AEAD(id string) (cipher.AEAD, bool)
}

// legacyKeyID is the id of Config.Key, and of every record sealed before records
// carried a key id: a vault's old hex key reads as this id in codec.ParseKeys.
const legacyKeyID = "default"

type oneKey struct{ aead cipher.AEAD }

func (oneKey) Primary() string { return legacyKeyID }
func (oneKey) IDs() []string   { return []string{legacyKeyID} }
func (k oneKey) AEAD(id string) (cipher.AEAD, bool) {
	return k.aead, id == legacyKeyID
}

func singleKey(key []byte) (Keyring, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("sandbox: card key: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("sandbox: card key: %w", err)
	}
	return oneKey{aead}, nil
}

// sealed is a record as the database keeps it: the ciphertext and its key's id.
type sealed struct {
	keyID string
	data  []byte // nonce, then the AES-GCM ciphertext
}

// seal encrypts with the primary key; the additional data binds the ciphertext to
// its row, so a sealed number copied to another token does not open.
func (s *Sandbox) seal(plain []byte, ad string) (sealed, error) {
	id := s.keys.Primary()
	aead, _ := s.keys.AEAD(id)
	nonce := make([]byte, aead.NonceSize())
	if _, err := crand.Read(nonce); err != nil {
		return sealed{}, fmt.Errorf("sandbox: nonce: %w", err)
	}
	return sealed{keyID: id, data: aead.Seal(nonce, nonce, plain, []byte(ad))}, nil
}

func (s *Sandbox) unseal(sl sealed, ad string) ([]byte, error) {
	aead, ok := s.keys.AEAD(sl.keyID)
	if !ok {
		return nil, fmt.Errorf("sandbox: value of %s is sealed with key id %q, which the keyring lacks", ad, sl.keyID)
	}
	n := aead.NonceSize()
	if len(sl.data) < n {
		return nil, fmt.Errorf("sandbox: sealed value of %s is truncated", ad)
	}
	plain, err := aead.Open(nil, sl.data[:n], sl.data[n:], []byte(ad))
	if err != nil {
		return nil, fmt.Errorf("sandbox: unseal value of %s with key %q: %w", ad, sl.keyID, err)
	}
	return plain, nil
}

// addKeyIDs gives a database from before key ids its key_id columns; the rows it
// has were sealed with the one key there was, read as legacyKeyID.
func addKeyIDs(db *sql.DB) error {
	for _, table := range []string{"tokens", "updater_answers"} {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = 'key_id'`, table).Scan(&n); err != nil {
			return fmt.Errorf("columns of %s: %w", table, err)
		}
		if n == 0 {
			if _, err := db.Exec(`ALTER TABLE ` + table + ` ADD COLUMN key_id TEXT NOT NULL DEFAULT '` + legacyKeyID + `'`); err != nil {
				return fmt.Errorf("add key_id to %s: %w", table, err)
			}
		}
	}
	_, err := db.Exec(`UPDATE meta SET name = 'key_check:` + legacyKeyID + `' WHERE name = 'key_check'`)
	return err
}

const keyCheck = "cardflow sandbox key check"

// checkKeys fails at start rather than at the first charge: when a key id names
// another key than the one that sealed the vault's check under that id, and when
// records are sealed with an id the keyring lacks (a key retired too early).
func (s *Sandbox) checkKeys() error {
	for _, id := range s.keys.IDs() {
		name := "key_check:" + id
		var sl sealed
		err := s.db.QueryRow(`SELECT value FROM meta WHERE name = ?`, name).Scan(&sl.data)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			aead, _ := s.keys.AEAD(id)
			nonce := make([]byte, aead.NonceSize())
			if _, err := crand.Read(nonce); err != nil {
				return fmt.Errorf("sandbox: nonce: %w", err)
			}
			if _, err := s.db.Exec(`INSERT INTO meta(name, value) VALUES (?, ?)`, name, aead.Seal(nonce, nonce, []byte(keyCheck), []byte("key_check"))); err != nil {
				return fmt.Errorf("sandbox: store check of key %q in %s: %w", id, s.cfg.DBPath, err)
			}
			continue
		case err != nil:
			return fmt.Errorf("sandbox: read check of key %q from %s: %w", id, s.cfg.DBPath, err)
		}
		sl.keyID = id
		if plain, err := s.unseal(sl, "key_check"); err != nil || string(plain) != keyCheck {
			return fmt.Errorf("sandbox: %s was sealed with another key under the id %q", s.cfg.DBPath, id)
		}
	}
	ids, err := s.sealedKeyIDs(context.Background())
	if err != nil {
		return err
	}
	for id, n := range ids {
		if _, ok := s.keys.AEAD(id); !ok {
			return fmt.Errorf("sandbox: %d records in %s are sealed with the key id %q, which the keyring (%s) lacks",
				n, s.cfg.DBPath, id, strings.Join(s.keys.IDs(), ","))
		}
	}
	return nil
}

// sealedKeyIDs counts the vault's sealed records by key id.
func (s *Sandbox) sealedKeyIDs(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT key_id, COUNT(*) FROM (
		SELECT key_id FROM tokens UNION ALL SELECT key_id FROM updater_answers WHERE sealed IS NOT NULL) GROUP BY key_id`)
	if err != nil {
		return nil, fmt.Errorf("sandbox: count sealed records in %s: %w", s.cfg.DBPath, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			id string
			n  int
		)
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("sandbox: count sealed records in %s: %w", s.cfg.DBPath, err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// Reseal seals again, with the primary key, every record sealed with another
// one, so that the old key can leave the keyring. It answers how many it resealed.
func (s *Sandbox) Reseal(ctx context.Context) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, table := range []struct{ name, ad string }{{"tokens", "token:"}, {"updater_answers", "updater:"}} {
			rows, err := tx.QueryContext(ctx, `SELECT token, key_id, sealed FROM `+table.name+` WHERE key_id != ? AND sealed IS NOT NULL`, s.keys.Primary())
			if err != nil {
				return fmt.Errorf("sandbox: reseal %s: %w", table.name, err)
			}
			var old []struct {
				token string
				sl    sealed
			}
			for rows.Next() {
				var r struct {
					token string
					sl    sealed
				}
				if err := rows.Scan(&r.token, &r.sl.keyID, &r.sl.data); err != nil {
					rows.Close()
					return fmt.Errorf("sandbox: reseal %s: %w", table.name, err)
				}
				old = append(old, r)
			}
			err = rows.Err()
			rows.Close()
			if err != nil {
				return fmt.Errorf("sandbox: reseal %s: %w", table.name, err)
			}
			for _, r := range old {
				plain, err := s.unseal(r.sl, table.ad+r.token)
				if err != nil {
					return err
				}
				sl, err := s.seal(plain, table.ad+r.token)
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE `+table.name+` SET sealed = ?, key_id = ? WHERE token = ?`, sl.data, sl.keyID, r.token); err != nil {
					return fmt.Errorf("sandbox: reseal %s of %s: %w", table.name, r.token, err)
				}
				n++
			}
		}
		return nil
	})
	return n, err
}
