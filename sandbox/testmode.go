package sandbox

import (
	"database/sql"
	"fmt"
	"net/http"
	"strconv"

	"go.uber.org/zap"
)

// The /v1/sandbox endpoints set tests up and read the books. They are never
// faulty, so a test can always arrange and check what it needs.

func (s *Sandbox) handleScript(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Outcomes []string `json:"outcomes"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	token := r.PathValue("token")
	if err := s.inTx(r.Context(), func(tx *sql.Tx) error { return s.setScript(tx, token, req.Outcomes) }); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "outcomes": append([]string{}, req.Outcomes...)})
}

func (s *Sandbox) handleSetUpdater(w http.ResponseWriter, r *http.Request) {
	var a updaterAnswer
	if !s.decode(w, r, &a) {
		return
	}
	token := r.PathValue("token")
	if err := s.inTx(r.Context(), func(tx *sql.Tx) error { return s.setUpdaterAnswer(tx, token, a) }); err != nil {
		s.fail(w, r, err)
		return
	}
	// Answer without the number: the test knows it, and logs of responses stay clean.
	writeJSON(w, http.StatusOK, map[string]any{"token": token, "closed": a.Closed, "exp_month": a.ExpMonth, "exp_year": a.ExpYear})
}

// Ledger pages: DefaultLedgerLimit entries unless ?limit= asks for up to
// MaxLedgerLimit. A full page names the last entry in the header
// Cardflow-Next-After; ?after=<that id> reads on. The body stays the array.
const (
	DefaultLedgerLimit = 100
	MaxLedgerLimit     = 1000
	NextAfterHeader    = "Cardflow-Next-After"
)

func (s *Sandbox) handleLedger(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit := DefaultLedgerLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxLedgerLimit {
			s.fail(w, r, &apiError{Status: http.StatusBadRequest, Code: "invalid_request", Field: "limit",
				Message: fmt.Sprintf("limit must be 1 to %d", MaxLedgerLimit)})
			return
		}
		limit = n
	}
	// One more than the page tells whether another page follows.
	entries, err := s.Ledger(r.Context(), LedgerFilter{Token: q.Get("token"), PaymentID: q.Get("payment_id"),
		IdempotencyKey: q.Get("idempotency_key"), After: q.Get("after"), Limit: limit + 1})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(entries) > limit {
		entries = entries[:limit]
		w.Header().Set(NextAfterHeader, entries[limit-1].ID)
	}
	writeJSON(w, http.StatusOK, entries)
}

func (s *Sandbox) handleFaults(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"faults": s.CurrentFaults().String()})
}

func (s *Sandbox) handleSetFaults(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Faults string `json:"faults"`
	}
	if !s.decode(w, r, &req) {
		return
	}
	f, err := ParseFaults(req.Faults)
	if err != nil {
		s.fail(w, r, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "faults", Message: err.Error()})
		return
	}
	s.SetFaults(f)
	s.log.Info("faults set", zap.Stringer("faults", f))
	writeJSON(w, http.StatusOK, map[string]string{"faults": f.String()})
}
