package sandbox

import (
	"database/sql"
	"net/http"
	"strings"
)

// A token the browser made with the publishable key belongs to nobody until
// the merchant's server binds it to the customer whose payment it is: the
// first customer that uses a token keeps it, in the vault, so no other
// customer's order can be charged with it, whichever API instance asks.

// unbound marks a tokenize request that binds no customer (the publishable
// key's); stored as an empty customer_id.
const unbound = "\x00unbound"

type bindRequest struct {
	CustomerID string `json:"customer_id"`
}

// handleBind is POST /v1/tokens/{token}/customer: binds an unbound token to
// the customer, answers a token already theirs as it is, and refuses one of
// another customer (409 token_of_another_customer).
func (s *Sandbox) handleBind(w http.ResponseWriter, r *http.Request) {
	var req bindRequest
	if !s.decode(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.CustomerID) == "" {
		s.fail(w, r, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "customer_id", Message: "customer_id is required"})
		return
	}
	token := r.PathValue("token")
	var c vaultCard
	err := s.inTx(r.Context(), func(tx *sql.Tx) (err error) {
		if c, err = s.loadCard(tx, token); err != nil {
			return err
		}
		switch c.CustomerID {
		case req.CustomerID:
			return nil
		case "":
			c.CustomerID = req.CustomerID
			_, err = tx.Exec(`UPDATE tokens SET customer_id = ? WHERE token = ? AND customer_id = ''`, req.CustomerID, token)
			return err
		}
		return &apiError{Status: http.StatusConflict, Code: "token_of_another_customer", Field: "customer_id", Message: "token " + token + " belongs to another customer"}
	})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.log.Info("token bound", logCard(c)...)
	writeJSON(w, http.StatusOK, c.info())
}
