package shop

import (
	"context"
	"errors"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// Tokenizer is the part of the processor a request needs: card data goes in, a
// token comes out; a token made in the customer's browser is bound to the
// customer and its card read back.
type Tokenizer interface {
	Tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error)
	Bind(ctx context.Context, token, customerID string) (payment.Card, error)
}

// FieldToken is the field of a request's card token.
const FieldToken = "card.token"

// Tokenize checks card data as of now and stores it in the vault; only the token
// and the card's metadata go on to Temporal. Card data that cannot be a card is
// a 422 naming the field, a card the processor refuses a 422 on card.number, a
// vault that cannot be reached a 502. No error carries card data
// (payment.FieldError and processor errors are written that way).
//
// A card given as a token alone (the browser tokenized it) is bound to the
// customer in the vault, whose card it then is (brand, last 4, expiry, BIN
// country from the vault): the first customer that uses a token keeps it, and
// an unknown token or another customer's is a 422 on card.token.
func Tokenize(ctx context.Context, vault Tokenizer, now time.Time, customerID string, card payment.CardData) (payment.Card, error) {
	if err := CheckCard(card, now); err != nil {
		return payment.Card{}, err
	}
	if card.Token != "" {
		return bind(ctx, vault, customerID, card.Token)
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

func bind(ctx context.Context, vault Tokenizer, customerID, token string) (payment.Card, error) {
	c, err := vault.Bind(ctx, token, customerID)
	var perr *payment.ProcessorError
	switch {
	case err == nil:
		return c, nil
	case errors.As(err, &perr) && perr.Status == StatusNotFound:
		return payment.Card{}, &Error{Status: StatusInvalid, Code: "token_not_found", Message: "the vault knows no such card token", Field: FieldToken}
	case errors.As(err, &perr) && perr.Status == StatusConflict:
		return payment.Card{}, &Error{Status: StatusInvalid, Code: "token_of_another_customer", Message: "the card token belongs to another customer", Field: FieldToken}
	case errors.As(err, &perr) && perr.Status/100 == 4:
		return payment.Card{}, &Error{Status: StatusInvalid, Code: perr.Code, Message: "the vault refused the card token", Field: FieldToken}
	}
	return payment.Card{}, &Error{Status: StatusBadGateway, Code: "processor_unavailable", Message: "the card vault is not reachable; try again", Err: err}
}

// CheckCard refuses card data that cannot be a card as of now: a 422 naming
// the field (payment.CheckCard), which never carries card data. A token alone
// is checked by the vault (Tokenize); a token with card data is refused.
func CheckCard(card payment.CardData, now time.Time) error {
	if card.Token != "" {
		if card.Raw() {
			return &Error{Status: StatusInvalid, Code: "invalid_request", Field: FieldToken,
				Message: "card takes a token or card data, not both"}
		}
		return nil
	}
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

// checkCardOrPage refuses a start with both a card and a payment page (422 on
// payment_page); without a page, the card is checked as before.
func checkCardOrPage(card payment.CardData, page *flow.PaymentPage) error {
	if page == nil {
		return nil
	}
	if card != (payment.CardData{}) {
		return flow.InvalidRequest("payment_page", "a card or a payment page, not both")
	}
	return page.Check()
}
