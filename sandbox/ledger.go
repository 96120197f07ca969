package sandbox

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// Entry is one operation of the ledger as it took effect, approved or declined.
type Entry struct {
	ID             string    `json:"id"` // the operation id
	IdempotencyKey string    `json:"idempotency_key"`
	Type           string    `json:"type"` // authorize, capture, void, refund, sale
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
	q := `SELECT id, idempotency_key, type, token, payment_id, amount, currency, status, code, processor_code, at FROM ledger`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := s.db.QueryContext(ctx, q+" ORDER BY seq", args...)
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
