package shop

import (
	"context"
	"errors"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// Tokenizer is the part of the processor a request needs: card data goes in, a
// token comes out.
type Tokenizer interface {
	Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error)
}

// Tokenize checks card data as of now and stores it in the vault; only the token
// and the card's metadata go on to Temporal. Card data that cannot be a card is
// a 422 naming the field, a card the processor refuses a 422 on card.number, a
// vault that cannot be reached a 502. No error carries card data
// (payment.FieldError and processor errors are written that way).
func Tokenize(ctx context.Context, vault Tokenizer, now time.Time, customerID string, card payment.CardData) (payment.Card, error) {
	if err := CheckCard(card, now); err != nil {
		return payment.Card{}, err
	}
	c, err := vault.Tokenize(ctx, customerID, card)
	if err != nil {
		var perr *payment.ProcessorError
		if errors.As(err, &perr) && perr.Status == StatusInvalid {
			return payment.Card{}, &Error{Status: StatusInvalid, Code: perr.Code, Message: "the card was refused by the processor", Field: "card.number"}
		}
		return payment.Card{}, &Error{Status: StatusBadGateway, Code: "processor_unavailable",
			Message: "the card vault is not reachable; try again", Err: err}
	}
	return c, nil
}

// CheckCard refuses card data that cannot be a card as of now: a 422 naming
// the field (payment.CheckCard), which never carries card data.
func CheckCard(card payment.CardData, now time.Time) error {
	err := payment.CheckCard(card, now)
	if err == nil {
		return nil
	}
	var fe *payment.FieldError
	if errors.As(err, &fe) {
		return &Error{Status: StatusInvalid, Code: fe.Code, Message: fe.Message, Field: fe.Field}
	}
	return &Error{Status: StatusInvalid, Code: "invalid_card", Message: "card data is not valid", Field: "card"}
}
