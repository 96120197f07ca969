package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Entry is one operation of the ledger as it took effect, approved or declined.
type Entry struct {
	ID             string    `json:"id"` // the operation id
	IdempotencyKey string    `json:"idempotency_key"`
	Type           string    `json:"type"` // authorize, capture, void, refund, sale, verify, authenticate
	Token          string    `json:"token"`
	PaymentID      string    `json:"payment_id"`
	Amount         int64     `json:"amount"`
	Currency       string    `json:"currency"`
	Status         string    `json:"status"` // approved or declined
	Code           string    `json:"code"`   // decline code; empty when approved
	ProcessorCode  string    `json:"processor_code"`
	At             time.Time `json:"at"`
}

// Operation types and statuses.
const (
	opAuthorize = "authorize"
	opSale      = "sale"
	opCapture   = "capture"
	opVoid      = "void"
	opRefund    = "refund"
	// 3-D Secure: a zero-amount card verification (an authorization of 0,
	// voided), and an authentication's final answer (threeds.go).
	opVerify       = "verify"
	opAuthenticate = "authenticate"

	statusApproved = "approved"
	statusDeclined = "declined"
)

func insertEntry(tx *sql.Tx, e Entry) error {
	_, err := tx.Exec(`INSERT INTO ledger(id, idempotency_key, type, token, payment_id, amount, currency, status, code, processor_code, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.IdempotencyKey, e.Type, e.Token, e.PaymentID, e.Amount, e.Currency, e.Status, e.Code, e.ProcessorCode, fmtTime(e.At))
	if err != nil {
		return fmt.Errorf("sandbox: ledger %s of payment %s (key %q): %w", e.Type, e.PaymentID, e.IdempotencyKey, err)
	}
	return nil
}

// LedgerFilter selects ledger entries; empty fields select everything.
type LedgerFilter struct {
	Token          string
	PaymentID      string
	IdempotencyKey string
	After          string // an entry id: only the entries after it
	Limit          int    // at most this many; 0: all
}

// Ledger lists the entries matching f, oldest first.
func (s *Sandbox) Ledger(ctx context.Context, f LedgerFilter) ([]Entry, error) {
	var (
		where []string
		args  []any
	)
	for col, v := range map[string]string{"token": f.Token, "payment_id": f.PaymentID, "idempotency_key": f.IdempotencyKey} {
		if v != "" {
			where = append(where, col+" = ?")
			args = append(args, v)
		}
	}
	if f.After != "" {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM ledger WHERE id = ?`, f.After).Scan(&n); err != nil {
			return nil, fmt.Errorf("sandbox: find ledger entry %s: %w", f.After, err)
		}
		if n == 0 {
			return nil, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Field: "after", Message: "no ledger entry " + f.After}
		}
		where = append(where, "seq > (SELECT seq FROM ledger WHERE id = ?)")
		args = append(args, f.After)
	}
	q := `SELECT id, idempotency_key, type, token, payment_id, amount, currency, status, code, processor_code, at FROM ledger`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY seq"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sandbox: list ledger: %w", err)
	}
	defer rows.Close()
	entries := []Entry{}
	for rows.Next() {
		var (
			e  Entry
			at string
		)
		if err := rows.Scan(&e.ID, &e.IdempotencyKey, &e.Type, &e.Token, &e.PaymentID, &e.Amount, &e.Currency, &e.Status, &e.Code, &e.ProcessorCode, &at); err != nil {
			return nil, fmt.Errorf("sandbox: read ledger: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sandbox: read ledger: %w", err)
	}
	return entries, nil
}
