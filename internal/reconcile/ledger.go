package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
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

// HTTPLedger reads the sandbox processor's ledger over HTTP.
type HTTPLedger struct {
	BaseURL string       // e.g. http://127.0.0.1:8091
	Client  *http.Client // nil: a client with a 30 s timeout
}

// Ledger fetches GET <BaseURL>/v1/sandbox/ledger.
func (l HTTPLedger) Ledger(ctx context.Context) ([]Entry, error) {
	url := strings.TrimRight(l.BaseURL, "/") + "/v1/sandbox/ledger"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("ledger request %s: %w", url, err)
	}
	c := l.Client
	if c == nil {
		c = &http.Client{Timeout: 30 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read the ledger at %s: %w", url, err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return nil, fmt.Errorf("read the ledger at %s: %s: %s", url, res.Status, strings.TrimSpace(string(body)))
	}
	var out []Entry
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode the ledger from %s: %w", url, err)
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
