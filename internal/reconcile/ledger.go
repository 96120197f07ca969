package reconcile

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/adapters/vault"
)

// Entry is one line of the processor's ledger (the sandbox's GET
// /v1/sandbox/ledger), declined or approved.
type Entry struct {
	ID             string    `json:"id"`
	IdempotencyKey string    `json:"idempotency_key"`
	Type           string    `json:"type"` // authorize, sale, capture, void, refund
	Token          string    `json:"token"`
	PaymentID      string    `json:"payment_id"`
	Amount         int64     `json:"amount"`
	Currency       string    `json:"currency"`
	Status         string    `json:"status"` // approved or declined
	Code           string    `json:"code"`
	At             time.Time `json:"at"`
}

// Ledger entry types and the status that moved money.
const (
	TypeAuthorize = "authorize"
	TypeSale      = "sale"
	TypeCapture   = "capture"
	TypeVoid      = "void"
	TypeRefund    = "refund"

	StatusApproved = "approved"
)

func (e Entry) approved() bool { return e.Status == StatusApproved }

// LedgerSource reads the whole ledger.
type LedgerSource interface {
	Ledger(ctx context.Context) ([]Entry, error)
}

// HTTPLedger reads the sandbox processor's ledger over HTTP, every page of it,
// with the merchant's secret key (the books are the processor's, not public).
type HTTPLedger struct {
	BaseURL string        // e.g. http://127.0.0.1:8091
	Key     string        // the sandbox's secret key (CARDFLOW_SANDBOX_SECRET_KEY)
	Timeout time.Duration // one page; 0: 30 s
}

// Ledger fetches GET <BaseURL>/v1/sandbox/ledger, page after page.
func (l HTTPLedger) Ledger(ctx context.Context) ([]Entry, error) {
	timeout := l.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	all, err := vault.New(l.BaseURL, l.Key, timeout).Ledger(ctx, vault.LedgerQuery{})
	if err != nil {
		return nil, fmt.Errorf("read the ledger at %s: %w", l.BaseURL, err)
	}
	out := make([]Entry, len(all))
	for i, e := range all {
		out[i] = Entry{ID: e.ID, IdempotencyKey: e.IdempotencyKey, Type: e.Type, Token: e.Token, PaymentID: e.PaymentID,
			Amount: e.Amount, Currency: e.Currency, Status: e.Status, Code: e.Code, At: e.At}
	}
	return out, nil
}

// Workflow kinds, as the CardflowKind search attribute names them; they are
// also the first segment of workflow ids and idempotency keys.
const (
	KindOrder        = "order"
	KindSubscription = "subscription"
)

// key is an idempotency key taken apart: whose workflow it is and what it did.
type key struct {
	kind       string   // KindOrder or KindSubscription
	workflowID string   // order/<id> or subscription/<id>
	rest       []string // what follows the workflow id: [capture 1], [bill 3 1], [refund 2]
}

// parseKey ties a key to its workflow. Keys of neither kind (made by hand, or by
// another system on the same processor account) are not ours: ok is false.
func parseKey(s string) (key, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || parts[1] == "" || (parts[0] != KindOrder && parts[0] != KindSubscription) {
		return key{}, false
	}
	return key{kind: parts[0], workflowID: parts[0] + "/" + parts[1], rest: parts[2:]}, true
}

// billCycle is the cycle of a subscription's sale key (bill/<cycle>/<attempt>),
// 0 when the key is not a bill.
func (k key) billCycle() int {
	if len(k.rest) < 2 || k.rest[0] != "bill" {
		return 0
	}
	n, err := strconv.Atoi(k.rest[1])
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// byWorkflow groups the entries by the workflow their key names. Entries of
// other keys are left out.
func byWorkflow(entries []Entry) map[string][]Entry {
	out := map[string][]Entry{}
	for _, e := range entries {
		if k, ok := parseKey(e.IdempotencyKey); ok {
			out[k.workflowID] = append(out[k.workflowID], e)
		}
	}
	return out
}
