package sandbox_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

// Every call of the processor adapter and of the vault client, books and test
// mode included, carries the merchant's secret key.
func TestClientsSendTheSecretKey(t *testing.T) {
	var (
		mu    sync.Mutex
		calls []string
		auths []string
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls = append(calls, r.Method+" "+r.URL.Path)
		auths = append(auths, r.Header.Get("Authorization"))
		mu.Unlock()
		_, _ = w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	c, v := sandbox.NewClient(srv.URL, testSecret, time.Second), vault.New(srv.URL, testSecret, time.Second)
	x := ctx(t)
	m := payment.Money{Amount: 500, Currency: "EUR"}
	_, _ = v.Tokenize(x, "cus_1", visa)
	_, _ = v.Card(x, "tok_1")
	_, _ = v.Payment(x, "pay_1")
	_, _ = v.Ledger(x, vault.LedgerQuery{})
	_ = v.ScriptOutcomes(x, "tok_1", "approve")
	_ = v.SetUpdater(x, "tok_1", vault.UpdaterAnswer{Closed: true})
	_ = v.SetFaults(x, "")
	_, _ = c.Card(x, "tok_1")
	_, _ = c.Risk(x, "tok_1")
	_, _ = c.UpdateCard(x, "k", "tok_1")
	_, _ = c.Authorize(x, payment.Charge{Key: "k", Token: "tok_1", Amount: m})
	_, _ = c.Capture(x, payment.Operation{Key: "k", PaymentID: "pay_1", Amount: m})
	_, _ = c.Void(x, payment.Operation{Key: "k", PaymentID: "pay_1"})
	_, _ = c.Refund(x, payment.Operation{Key: "k", PaymentID: "pay_1", Amount: m})

	require.Len(t, calls, 14)
	for i, auth := range auths {
		assert.Equal(t, "Bearer "+testSecret, auth, calls[i])
	}
}

// The vault client reads the ledger page after page until a page names no next.
func TestLedgerClientFollowsEveryPage(t *testing.T) {
	var entries []vault.LedgerEntry
	for i := range 5 {
		entries = append(entries, vault.LedgerEntry{ID: fmt.Sprintf("op_%d", i), IdempotencyKey: fmt.Sprintf("k-%d", i)})
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Pages of two, whatever the client asks for: a server may cap lower.
		from := 0
		if a := r.URL.Query().Get("after"); a != "" {
			n, _ := strconv.Atoi(a[len("op_"):])
			from = n + 1
		}
		to := min(from+2, len(entries))
		if to < len(entries) {
			w.Header().Set(vault.NextAfterHeader, entries[to-1].ID)
		}
		_ = json.NewEncoder(w).Encode(entries[from:to])
	}))
	defer srv.Close()
	got, err := vault.New(srv.URL, testSecret, time.Second).Ledger(ctx(t), vault.LedgerQuery{})
	require.NoError(t, err)
	assert.Equal(t, entries, got)
}
