package fraud_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/cardflow/cardflow/adapters/fraud"
	"github.com/cardflow/cardflow/payment"
)

var cardT0 = time.Date(2026, 11, 21, 10, 0, 0, 0, time.UTC)

// cardN is the nth of a card tester's list: another number (last 4) each time.
func cardN(n int) payment.Card {
	return payment.Card{Token: fmt.Sprintf("tok_%d", n), Brand: payment.Visa, Last4: fmt.Sprintf("%04d", n), ExpMonth: 12, ExpYear: 2030, BINCountry: "DE"}
}

// With fraud_screen false the caller's switch turns off the merchant's rules
// (amount, country, e-mail, the processor's signal, which is not even asked)
// but not the card-testing ones.
func TestCardTestingRulesRunWhenTheScreenIsSwitchedOff(t *testing.T) {
	r := fraud.New(riskOf{err: errors.New("risk must not be asked")}, fraud.DefaultConfig())
	req := ordinary()
	req.CardTestingOnly = true
	req.Amount.Amount = 500_000 // very high: not counted
	req.Customer.Email = "x@mailinator.com"
	got, err := r.Screen(context.Background(), req)
	if err != nil || got.Score != 0 || got.Decision != payment.FraudPass || got.Reasons != nil {
		t.Fatalf("first attempt, one card: %+v, %v; want a pass scoring 0", got, err)
	}
	req.Attempt, req.Cards = 5, 4
	got, err = r.Screen(context.Background(), req)
	if err != nil || got.Score != 65 || got.Decision != payment.FraudReview ||
		!slices.Equal(got.Reasons, []string{fraud.ReasonManyAttempts, fraud.ReasonOrderCards}) {
		t.Errorf("fifth attempt, fourth card: %+v, %v; want review 65 for many_attempts and many_cards_on_order", got, err)
	}
}

// A customer who tries many cards across orders is flagged: the fifth
// distinct card within a day scores, the fifteenth rejects on its own; the
// same card again counts once; another customer, and the same one a day
// later, start afresh.
func TestScreenCountsDistinctCardsPerCustomerAcrossOrders(t *testing.T) {
	r := fraud.New(riskOf{}, fraud.DefaultConfig())
	screen := func(customer string, card payment.Card, at time.Time) payment.FraudResult {
		t.Helper()
		req := ordinary()
		req.Reference = "o-" + card.Token
		req.Customer.ID, req.Card, req.At = customer, card, at
		got, err := r.Screen(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for n := 1; n <= 4; n++ {
		if got := screen("c-tester", cardN(n), cardT0.Add(time.Duration(n)*time.Minute)); got.Score != 0 {
			t.Fatalf("card %d: %+v, want 0", n, got)
		}
	}
	if got := screen("c-tester", cardN(4), cardT0.Add(5*time.Minute)); got.Score != 0 {
		t.Errorf("the fourth card again: %+v, want 0 (counted once)", got)
	}
	if got := screen("c-tester", cardN(5), cardT0.Add(6*time.Minute)); got.Score != 25 || !slices.Equal(got.Reasons, []string{fraud.ReasonCustomerCards}) {
		t.Errorf("fifth card: %+v, want 25 for many_cards_for_customer", got)
	}
	if got := screen("c-other", cardN(5), cardT0.Add(6*time.Minute)); got.Score != 0 {
		t.Errorf("another customer: %+v, want 0", got)
	}
	var got payment.FraudResult
	for n := 6; n <= 15; n++ {
		got = screen("c-tester", cardN(n), cardT0.Add(time.Duration(n)*time.Minute))
	}
	if got.Score != 75 || got.Decision != payment.FraudReject {
		t.Errorf("fifteenth card: %+v, want a reject scoring 75", got)
	}
	if got := screen("c-tester", cardN(16), cardT0.Add(25*time.Hour)); got.Score != 0 {
		t.Errorf("a day later: %+v, want 0 (the window has passed)", got)
	}
}

// The memory across orders is bounded: past MaxCustomers the customer seen
// least recently is forgotten.
func TestCustomerMemoryIsBounded(t *testing.T) {
	cfg := fraud.DefaultConfig()
	cfg.MaxCustomers, cfg.CustomerCards = 2, 2
	r := fraud.New(riskOf{}, cfg)
	screen := func(customer string, n int) int {
		req := ordinary()
		req.Customer.ID, req.Card, req.At = customer, cardN(n), cardT0.Add(time.Duration(n)*time.Second)
		got, err := r.Screen(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		return got.Score
	}
	screen("c-1", 1)
	screen("c-2", 2)
	screen("c-3", 3) // c-1 is forgotten
	if s := screen("c-1", 4); s != 0 {
		t.Errorf("c-1's second card after c-1 was forgotten: score %d, want 0", s)
	}
	if s := screen("c-3", 5); s != 25 {
		t.Errorf("c-3's second card: score %d, want 25 (remembered)", s)
	}
}
