package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite: no cgo toolchain needed for `make run`
)

// schema is the whole persistent state. Card numbers live only in the sealed
// columns (AES-GCM); CVCs are checked at tokenization and never stored.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	name  TEXT PRIMARY KEY,
	value BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
	token       TEXT PRIMARY KEY,
	customer_id TEXT NOT NULL,
	brand       TEXT NOT NULL,
	last4       TEXT NOT NULL,
	bin_country TEXT NOT NULL,
	exp_month   INTEGER NOT NULL,
	exp_year    INTEGER NOT NULL,
	sealed      BLOB NOT NULL,             -- number and holder
	key_id      TEXT NOT NULL DEFAULT 'default', -- of the key that sealed it
	updated     INTEGER NOT NULL DEFAULT 0, -- the account updater has changed this card
	created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
	id         TEXT PRIMARY KEY,
	type       TEXT NOT NULL,  -- authorize or sale
	token      TEXT NOT NULL,
	currency   TEXT NOT NULL,
	status     TEXT NOT NULL,  -- approved or declined
	code       TEXT NOT NULL,
	authorized INTEGER NOT NULL,
	captured   INTEGER NOT NULL,
	refunded   INTEGER NOT NULL,
	voided     INTEGER NOT NULL,
	expires_at TEXT NOT NULL,  -- empty unless an approved authorization
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger (
	seq             INTEGER PRIMARY KEY AUTOINCREMENT,
	id              TEXT NOT NULL UNIQUE,
	idempotency_key TEXT NOT NULL,
	type            TEXT NOT NULL,
	token           TEXT NOT NULL,
	payment_id      TEXT NOT NULL,
	amount          INTEGER NOT NULL,
	currency        TEXT NOT NULL,
	status          TEXT NOT NULL,
	code            TEXT NOT NULL,
	processor_code  TEXT NOT NULL,
	at              TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_token ON ledger(token);
CREATE INDEX IF NOT EXISTS ledger_payment ON ledger(payment_id);
CREATE TABLE IF NOT EXISTS idempotency (
	key         TEXT PRIMARY KEY,
	fingerprint TEXT NOT NULL,
	status      INTEGER NOT NULL,
	body        BLOB NOT NULL,
	at          TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS scripted_outcomes (
	seq     INTEGER PRIMARY KEY AUTOINCREMENT,
	token   TEXT NOT NULL,
	outcome TEXT NOT NULL
);
-- 3-D Secure (threeds.go): authentications and the network transaction
-- ids of authorizations, which exempt later merchant-initiated charges.
CREATE TABLE IF NOT EXISTS authentications (
	id              TEXT PRIMARY KEY,
	idempotency_key TEXT NOT NULL,
	token         TEXT NOT NULL,
	amount        INTEGER NOT NULL,
	currency      TEXT NOT NULL,
	status        TEXT NOT NULL,
	challenge_url TEXT NOT NULL,
	eci           TEXT NOT NULL,
	value         TEXT NOT NULL,
	ds_trans_id   TEXT NOT NULL,
	liability     INTEGER NOT NULL,
	return_url    TEXT NOT NULL,
	used          INTEGER NOT NULL,
	created_at    TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS network_transactions (
	id            TEXT PRIMARY KEY,
	token         TEXT NOT NULL,
	payment_id    TEXT NOT NULL,
	authenticated INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS scripted_token ON scripted_outcomes(token);
CREATE TABLE IF NOT EXISTS updater_answers (
	token     TEXT PRIMARY KEY,
	closed    INTEGER NOT NULL,
	sealed    BLOB,              -- the new number, if the answer has one
	key_id    TEXT NOT NULL DEFAULT 'default',
	exp_month INTEGER NOT NULL,
	exp_year  INTEGER NOT NULL
);
`

func openDB(path string) (*sql.DB, error) {
	// Create the file owner-only before SQLite does (0644): it holds the vault.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	_ = f.Close()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)")
	if err != nil {
		return nil, fmt.Errorf("sandbox: open %s: %w", path, err)
	}
	// One connection: SQLite writes are serial anyway, and Sandbox.mu orders them.
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schema); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sandbox: create schema in %s: %w", path, err)
	}
	if err := addKeyIDs(db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("sandbox: migrate %s: %w", path, err)
	}
	return db, nil
}

// inTx runs f in one transaction under s.mu.
func (s *Sandbox) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sandbox: begin: %w", err)
	}
	if err := f(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sandbox: commit: %w", err)
	}
	return nil
}

// Times are stored as RFC 3339 text in UTC: readable with the sqlite3 shell.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sandbox: stored time %q: %w", s, err)
	}
	return t, nil
}
