package server

import (
	"net/http"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/payment"
)

// tokenize checks card data and stores it in the processor's vault. It answers the
// request itself on failure (422 naming the field, 502 when the vault is down) and
// reports false. Card data goes no further than this function.
func (s *Server) tokenize(w http.ResponseWriter, r *http.Request, customerID string, card payment.CardData) (payment.Card, bool) {
	c, err := shop.Tokenize(r.Context(), s.Vault, s.Now(), customerID, card)
	if err != nil {
		s.writeShopError(w, err)
		return payment.Card{}, false
	}
	return c, true
}
