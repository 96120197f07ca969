package server

import (
	"context"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/payment"
)

// tokenizer stores checked card data in the processor's vault when
// shop.CreateOrder or shop.CreateSubscription calls it, that is for a new
// order or subscription only. Card data goes no further than this function.
//
// For a start with a payment page (page) there is no card: the page brings it.
func (s *Server) tokenizer(customerID string, card payment.CardData, page bool) func(context.Context) (payment.Card, error) {
	return func(ctx context.Context) (payment.Card, error) {
		if page {
			return payment.Card{}, nil
		}
		return shop.Tokenize(ctx, s.Vault, s.Now(), customerID, card)
	}
}
