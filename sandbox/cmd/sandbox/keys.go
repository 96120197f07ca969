package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/cardflow/cardflow/codec"
)

// The vault's keys, in the payload codec's keyring format ("id:key,...", first
// seals, all open): from CARDFLOW_VAULT_KEYS, else from the file
// CARDFLOW_VAULT_KEY_FILE, else (on loopback only) a dev key generated into
// <dir>/keys/vault.key, a directory of its own beside the database's.
const (
	envVaultKeys    = "CARDFLOW_VAULT_KEYS"
	envVaultKeyFile = "CARDFLOW_VAULT_KEY_FILE"
	envLegacyKey    = "CARDFLOW_SANDBOX_KEY"
	devKeyFile      = "keys/vault.key"
	legacyKeyFile   = "sandbox.key" // beside sandbox.db, before the vault took key ids
)

// vaultKeys finds the vault's keyring and says where it came from. Off loopback
// it never makes a key up, and refuses one in the database's directory: a copy
// of that volume (a backup, an image layer) would hold the cards and their key.
func vaultKeys(dir string, loopback bool) (*codec.Keyring, string, error) {
	if spec := strings.TrimSpace(os.Getenv(envVaultKeys)); spec != "" {
		k, err := codec.ParseKeys(spec)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", envVaultKeys, err)
		}
		return k, envVaultKeys, nil
	}
	if os.Getenv(envLegacyKey) != "" {
		return nil, "", fmt.Errorf("%s is now %s: the same hex key works there alone, or as %s:<hex> behind a newer key", envLegacyKey, envVaultKeys, codec.DefaultKeyID)
	}
	if path := strings.TrimSpace(os.Getenv(envVaultKeyFile)); path != "" {
		if !loopback && inside(path, dir) {
			return nil, "", fmt.Errorf("%s %s is inside the database's directory %s: keep the vault's key apart from the cards it seals", envVaultKeyFile, path, dir)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", envVaultKeyFile, err)
		}
		k, err := codec.ParseKeys(string(b))
		if err != nil {
			return nil, "", fmt.Errorf("%s %s: %w", envVaultKeyFile, path, err)
		}
		return k, path, nil
	}
	if !loopback {
		return nil, "", fmt.Errorf("no vault key: set %s (or %s) when listening off loopback; a key is generated only for a developer's machine", envVaultKeys, envVaultKeyFile)
	}
	path := filepath.Join(dir, devKeyFile)
	if err := moveLegacyKey(dir, path); err != nil {
		return nil, "", err
	}
	k, err := codec.LoadOrCreateKeyFile(path)
	if err != nil {
		return nil, "", err
	}
	return k, path, nil
}

// moveLegacyKey moves a dev key from before key ids (hex, beside the database)
// to the dev key file, where it reads as the id every old record carries.
func moveLegacyKey(dir, path string) error {
	old := filepath.Join(dir, legacyKeyFile)
	if _, err := os.Stat(old); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("both %s and %s exist: merge them into %s (id:key,...) and remove %s", old, path, path, old)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	if err := os.Rename(old, path); err != nil {
		return fmt.Errorf("move the vault key %s to %s: %w", old, path, err)
	}
	return nil
}

func inside(path, dir string) bool {
	p, err1 := filepath.Abs(path)
	d, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return true // cannot tell: refuse
	}
	rel, err := filepath.Rel(d, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}
