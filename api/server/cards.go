package server

import (
	"errors"
	"net/http"

	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/processor"
	"github.com/cardflow/cardflow/payment"
)

// tokenize checks card data and stores it in the processor's vault. It answers the
// request itself on failure (422 naming the field, 502 when the vault is down) and
// reports false. Card data goes no further than this function.
func (s *Server) tokenize(w http.ResponseWriter, r *http.Request, customerID string, card payment.CardData) (payment.Card, bool) {
	if err := payment.CheckCard(card, s.Now()); err != nil {
		var fe *payment.FieldError
		if errors.As(err, &fe) {
			writeError(w, http.StatusUnprocessableEntity, fe.Code, fe.Message, fe.Field)
			return payment.Card{}, false
		}
		writeError(w, http.StatusUnprocessableEntity, "invalid_card", "card data is not valid", "card")
		return payment.Card{}, false
	}
	c, err := s.Vault.Tokenize(r.Context(), customerID, card)
	if err != nil {
		var perr *processor.Error
		if errors.As(err, &perr) && perr.Status == http.StatusUnprocessableEntity {
			writeError(w, http.StatusUnprocessableEntity, perr.Code, "the card was refused by the processor", "card.number")
			return payment.Card{}, false
		}
		// The error names the operation, never the card: see adapters/processor.
		s.Log.Error("tokenize failed", zap.String("customer_id", customerID), zap.Error(err))
		writeError(w, http.StatusBadGateway, "processor_unavailable", "the card vault is not reachable; try again", "")
		return payment.Card{}, false
	}
	return c, true
}
