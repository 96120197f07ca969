package vault

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cardflow/cardflow/adapters/internal/sandboxhttp"
)

// The methods in this file drive the sandbox processor's test mode
// (/v1/sandbox/...) and read its books; a real processor has none of them. Tests of
// the flows use them to script outcomes and check what money moved.

// LedgerEntry is one operation as it took effect at the processor.
type LedgerEntry struct {
	ID             string    `json:"id"`
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

// LedgerQuery selects ledger entries; empty fields select everything.
type LedgerQuery struct {
	Token          string
	PaymentID      string
	IdempotencyKey string
}

// Amounts are a payment's running totals in minor units.
type Amounts struct {
	Authorized int64 `json:"authorized"`
	Captured   int64 `json:"captured"`
	Refunded   int64 `json:"refunded"`
	Voided     int64 `json:"voided"`
}

// PaymentInfo is a payment as the processor keeps it.
type PaymentInfo struct {
	ID         string        `json:"id"`
	Type       string        `json:"type"` // authorize or sale
	Token      string        `json:"token"`
	Currency   string        `json:"currency"`
	Status     string        `json:"status"` // declined, authorized, expired, captured, voided, refunded
	Code       string        `json:"code"`
	Amounts    Amounts       `json:"amounts"`
	ExpiresAt  *time.Time    `json:"expires_at"`
	CreatedAt  time.Time     `json:"created_at"`
	Operations []LedgerEntry `json:"operations"`
}

// UpdaterAnswer is what the sandbox's account updater answers for a token: a new
// number and/or expiry (an empty number keeps the card's), or a closed account.
type UpdaterAnswer struct {
	Number   string `json:"number,omitempty"`
	ExpMonth int    `json:"exp_month,omitempty"`
	ExpYear  int    `json:"exp_year,omitempty"`
	Closed   bool   `json:"closed,omitempty"`
}

// Payment reads a payment and its operations.
func (v *Client) Payment(ctx context.Context, id string) (PaymentInfo, error) {
	var out PaymentInfo
	if err := v.c.Do(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(id), "", nil, &out); err != nil {
		return PaymentInfo{}, sandboxhttp.Wrap(err, "look up payment %s", id)
	}
	return out, nil
}

// Ledger lists the sandbox's ledger entries matching q, oldest first: every page
// of them, following the Cardflow-Next-After header until the last.
func (v *Client) Ledger(ctx context.Context, q LedgerQuery) ([]LedgerEntry, error) {
	vals := url.Values{"limit": {strconv.Itoa(ledgerPage)}}
	for name, value := range map[string]string{"token": q.Token, "payment_id": q.PaymentID, "idempotency_key": q.IdempotencyKey} {
		if value != "" {
			vals.Set(name, value)
		}
	}
	out := []LedgerEntry{}
	for {
		var page []LedgerEntry
		h, err := v.c.Send(ctx, http.MethodGet, "/v1/sandbox/ledger?"+vals.Encode(), "", nil, &page)
		if err != nil {
			return nil, sandboxhttp.Wrap(err, "read ledger after %q", vals.Get("after"))
		}
		out = append(out, page...)
		next := h.Get(NextAfterHeader)
		if next == "" || len(page) == 0 {
			return out, nil
		}
		vals.Set("after", next)
	}
}

// The ledger's pages: the header naming the last entry of a full page, and the
// largest page the sandbox serves.
const (
	NextAfterHeader = "Cardflow-Next-After"
	ledgerPage      = 1000
)

// ScriptOutcomes makes the next charges on the token take these outcomes in order
// ("approve" or a decline code), then the card's own again.
func (v *Client) ScriptOutcomes(ctx context.Context, token string, outcomes ...string) error {
	in := struct {
		Outcomes []string `json:"outcomes"`
	}{append([]string{}, outcomes...)}
	return sandboxhttp.Wrap(v.c.Do(ctx, http.MethodPost, "/v1/sandbox/tokens/"+url.PathEscape(token)+"/outcomes", "", in, nil),
		"script outcomes of token %s", token)
}

// SetUpdater sets what the account updater answers for the token.
func (v *Client) SetUpdater(ctx context.Context, token string, a UpdaterAnswer) error {
	return sandboxhttp.Wrap(v.c.Do(ctx, http.MethodPut, "/v1/sandbox/tokens/"+url.PathEscape(token)+"/updater", "", a, nil),
		"set updater answer of token %s", token)
}

// SetFaults changes the sandbox's fault injection, e.g. "error=1" or "" for none.
func (v *Client) SetFaults(ctx context.Context, faults string) error {
	in := struct {
		Faults string `json:"faults"`
	}{faults}
	return sandboxhttp.Wrap(v.c.Do(ctx, http.MethodPut, "/v1/sandbox/faults", "", in, nil), "set faults %q", faults)
}
