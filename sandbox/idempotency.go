package sandbox

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// stored is a response kept under its idempotency key.
type stored struct {
	status   int
	body     []byte
	replayed bool
}

// fingerprint identifies a request by what it asks for (operation, target, amount,
// currency), not by its bytes, so a client re-encoding the same request is a replay.
func fingerprint(parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// idempotent runs act at most once per key: the same key with the same request
// answers the stored response again (and act does not run, so no ledger entry is
// added); the same key with another request is a 409. Contract errors (4xx) are not
// stored: nothing took effect, and the key stays free.
func (s *Sandbox) idempotent(ctx context.Context, key, fp string, act func(tx *sql.Tx) (any, error)) (stored, error) {
	var out stored
	err := s.inTx(context.WithoutCancel(ctx), func(tx *sql.Tx) error {
		var prev string
		err := tx.QueryRow(`SELECT fingerprint, status, body FROM idempotency WHERE key = ?`, key).Scan(&prev, &out.status, &out.body)
		switch {
		case err == nil && prev == fp:
			out.replayed = true
			return nil
		case err == nil:
			return &apiError{Status: http.StatusConflict, Code: "idempotency_key_reused",
				Message: fmt.Sprintf("idempotency key %q was used for another request", key)}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sandbox: look up idempotency key %q: %w", key, err)
		}
		resp, err := act(tx)
		if err != nil {
			return err
		}
		if out.body, err = json.Marshal(resp); err != nil {
			return fmt.Errorf("sandbox: encode response for key %q: %w", key, err)
		}
		out.status = http.StatusOK
		_, err = tx.Exec(`INSERT INTO idempotency(key, fingerprint, status, body, at) VALUES (?, ?, ?, ?, ?)`,
			key, fp, out.status, out.body, fmtTime(s.now()))
		if err != nil {
			return fmt.Errorf("sandbox: store idempotency key %q: %w", key, err)
		}
		return nil
	})
	return out, err
}
