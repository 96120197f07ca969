package sandbox_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/sandbox"
)

// The ledger answers pages of at most ?limit (default 100) entries, each full
// page naming where the next starts, and the vault client reads all of them.
func TestLedgerPages(t *testing.T) {
	e := newEnv(t)
	tok := e.tokenize("4242424242424242")
	const n = sandbox.DefaultLedgerLimit + 5
	for i := range n {
		e.authorize(fmt.Sprintf("k-%03d", i), tok.Token, 100)
	}

	var page []vault.LedgerEntry
	resp := e.raw("GET", "/v1/sandbox/ledger", "", nil, &page)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Len(t, page, sandbox.DefaultLedgerLimit, "the default page")
	next := resp.Header.Get(sandbox.NextAfterHeader)
	assert.Equal(t, page[len(page)-1].ID, next)

	var rest []vault.LedgerEntry
	resp = e.raw("GET", "/v1/sandbox/ledger?after="+next, "", nil, &rest)
	require.Len(t, rest, 5)
	assert.Equal(t, "k-100", rest[0].IdempotencyKey, "the page after the cursor, in order")
	assert.Empty(t, resp.Header.Get(sandbox.NextAfterHeader), "the last page")

	resp = e.raw("GET", "/v1/sandbox/ledger?limit=2&after="+page[9].ID, "", nil, &page)
	assert.Equal(t, []string{"k-010", "k-011"}, []string{page[0].IdempotencyKey, page[1].IdempotencyKey})
	assert.Equal(t, page[1].ID, resp.Header.Get(sandbox.NextAfterHeader))

	for _, q := range []string{"limit=0", "limit=1001", "limit=x", "after=op_unknown"} {
		var bad apiErr
		resp = e.raw("GET", "/v1/sandbox/ledger?"+q, "", nil, &bad)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, q)
		assert.Equal(t, "invalid_request", bad.Error.Code, q)
	}

	all := e.ledger(vault.LedgerQuery{})
	require.Len(t, all, n, "the client follows every page")
	for i, l := range all {
		assert.Equal(t, fmt.Sprintf("k-%03d", i), l.IdempotencyKey)
	}
	assert.Len(t, e.ledger(vault.LedgerQuery{Token: tok.Token}), n, "filters page too")
}
