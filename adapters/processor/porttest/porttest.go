// Package porttest is the processor port's contract: one table of calls and
// what each must answer, run by every adapter's tests against its processor
// (the sandbox over HTTP, Stripe's API schema through stripe-mock). A
// stateless double (stripe-mock) is held to the shape of each answer only;
// a processor that keeps books is held to every amount and status.
package porttest

import (
	"context"
	"testing"
	"time"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/payment"
)

// Processor is the port plus the token look-up the validity check uses.
type Processor interface {
	activities.Processor
	Card(ctx context.Context, token string) (payment.TokenInfo, error)
}

// Target is one processor under the contract.
type Target struct {
	Processor Processor
	// Tokenize stores card data in the processor's vault (the API's side).
	Tokenize func(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error)
	// ShapeOnly: the processor keeps no state (stripe-mock answers fixtures),
	// so only the shape of each answer is checked, not its amounts or status.
	ShapeOnly bool
}

var (
	visa         = payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
	insufficient = payment.CardData{Number: "4000000000009995", ExpMonth: 12, ExpYear: 2030, CVC: "123"}
)

func eur(n int64) payment.Money { return payment.Money{Amount: n, Currency: "EUR"} }

// state carries what earlier steps made (tokens, payment ids) to later ones.
type state struct {
	card, declining payment.Card
	info            payment.TokenInfo
	auth            payment.Outcome
}

type step struct {
	name string
	// call makes the step's call; its outcome goes to want (nil for steps
	// without a money answer).
	call func(x context.Context, p Target, s *state) (*payment.Outcome, error)
	// want checks the full answer; only a processor that keeps books gets it.
	want func(t *testing.T, s *state, o *payment.Outcome)
}

func charge(kind string, key string, token func(*state) string, m payment.Money) func(context.Context, Target, *state) (*payment.Outcome, error) {
	return func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		c := payment.Charge{Key: key, Token: token(s), Amount: m}
		var o payment.Outcome
		var err error
		if kind == "authorize" {
			o, err = p.Processor.Authorize(x, c)
		} else {
			o, err = p.Processor.Sale(x, c)
		}
		return &o, err
	}
}

func operate(fn func(activities.Processor) func(context.Context, payment.Operation) (payment.Outcome, error), key string, m payment.Money) func(context.Context, Target, *state) (*payment.Outcome, error) {
	return func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		o, err := fn(p.Processor)(x, payment.Operation{Key: key, PaymentID: s.auth.PaymentID, Amount: m})
		return &o, err
	}
}

func cardToken(s *state) string      { return s.card.Token }
func decliningToken(s *state) string { return s.declining.Token }

// steps is the contract: one order (authorize, partial capture, release of
// the rest, refund), a subscription's sale, a zero-decimal currency, a decline,
// the account updater and the token look-up.
var steps = []step{
	{name: "tokenize", call: func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		var err error
		s.card, err = p.Tokenize(x, "cus_contract", visa)
		return nil, err
	}, want: func(t *testing.T, s *state, _ *payment.Outcome) {
		expect(t, s.card.Brand == payment.Visa && s.card.Last4 == "4242" && s.card.ExpMonth == 12 && s.card.ExpYear == 2030, "card %+v", s.card)
	}},
	{name: "look up token", call: func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		var err error
		s.info, err = p.Processor.Card(x, s.card.Token)
		return nil, err
	}, want: func(t *testing.T, s *state, _ *payment.Outcome) {
		expect(t, s.info == payment.TokenInfo{Card: s.card, CustomerID: "cus_contract"}, "look-up %+v of %+v", s.info, s.card)
	}},
	{name: "authorize", call: func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		o, err := charge("authorize", "order/o-contract/authorize/1", cardToken, eur(9998))(x, p, s)
		if err == nil {
			s.auth = *o
		}
		return o, err
	}, want: func(t *testing.T, s *state, o *payment.Outcome) {
		approved(t, o, eur(9998))
		expect(t, !o.ExpiresAt.IsZero(), "an authorization says when it expires")
	}},
	{name: "capture part", call: operate(func(p activities.Processor) func(context.Context, payment.Operation) (payment.Outcome, error) {
		return p.Capture
	},
		"order/o-contract/capture/1", eur(4999)),
		want: func(t *testing.T, s *state, o *payment.Outcome) {
			approved(t, o, eur(4999))
			expect(t, o.PaymentID == s.auth.PaymentID, "capture of payment %s answered payment %s", s.auth.PaymentID, o.PaymentID)
		}},
	{name: "void the rest", call: operate(func(p activities.Processor) func(context.Context, payment.Operation) (payment.Outcome, error) {
		return p.Void
	},
		"order/o-contract/void/1", eur(4999)),
		want: func(t *testing.T, s *state, o *payment.Outcome) { approved(t, o, eur(4999)) }},
	{name: "refund", call: operate(func(p activities.Processor) func(context.Context, payment.Operation) (payment.Outcome, error) {
		return p.Refund
	},
		"order/o-contract/refund/1", eur(2000)),
		want: func(t *testing.T, s *state, o *payment.Outcome) { approved(t, o, eur(2000)) }},
	{name: "sale", call: charge("sale", "subscription/s-contract/sale/1", cardToken, eur(999)),
		want: func(t *testing.T, s *state, o *payment.Outcome) {
			approved(t, o, eur(999))
			expect(t, o.ExpiresAt.IsZero(), "a sale has nothing left to expire")
		}},
	{name: "sale in a zero-decimal currency", call: charge("sale", "subscription/s-contract/sale/2", cardToken, payment.Money{Amount: 500, Currency: "JPY"}),
		want: func(t *testing.T, s *state, o *payment.Outcome) {
			approved(t, o, payment.Money{Amount: 500, Currency: "JPY"})
		}},
	{name: "decline", call: func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		var err error
		if s.declining, err = p.Tokenize(x, "cus_contract", insufficient); err != nil {
			return nil, err
		}
		return charge("authorize", "order/o-contract-2/authorize/1", decliningToken, eur(1000))(x, p, s)
	}, want: func(t *testing.T, s *state, o *payment.Outcome) {
		expect(t, !o.Approved && o.Failure != nil, "declined: %+v", o)
		if o.Failure != nil {
			expect(t, o.Failure.Code == payment.InsufficientFunds && o.Failure.Class == payment.Soft, "failure %+v", o.Failure)
		}
	}},
	{name: "account updater", call: func(x context.Context, p Target, s *state) (*payment.Outcome, error) {
		u, err := p.Processor.UpdateCard(x, "subscription/s-contract/updater/1", s.card.Token)
		if err == nil && u.Card.Token != s.card.Token {
			return nil, &payment.ProcessorError{Code: "wrong_token", Message: "updater answered token " + u.Card.Token}
		}
		if err == nil && u.Updated {
			return nil, &payment.ProcessorError{Code: "updated", Message: "a card nobody changed came back updated"}
		}
		return nil, err
	}},
}

// Run walks the contract against p, each step a subtest; a step whose call
// fails stops the walk (later steps need its ids).
func Run(t *testing.T, p Target) {
	x, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := &state{}
	for _, st := range steps {
		ok := t.Run(st.name, func(t *testing.T) {
			o, err := st.call(x, p, s)
			if err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
			if o != nil {
				wellFormed(t, o)
			}
			if !p.ShapeOnly && st.want != nil {
				st.want(t, s, o)
			}
		})
		if !ok {
			return
		}
	}
}

// wellFormed is what every money answer must be, from any processor: approved
// or declined with a catalogued failure, a payment id, an amount in an ISO
// currency cardflow knows.
func wellFormed(t *testing.T, o *payment.Outcome) {
	t.Helper()
	expect(t, o.Approved == (o.Failure == nil), "approved xor failure: %+v", o)
	expect(t, o.PaymentID != "", "no payment id: %+v", o)
	_, err := payment.CurrencyExponent(o.Amount.Currency)
	expect(t, err == nil && o.Amount.Amount >= 0, "amount %+v: %v", o.Amount, err)
	if f := o.Failure; f != nil {
		expect(t, f.Stage == payment.StageProcessor && f.Code != "" && f.Message != "" && (f.Class == payment.Soft || f.Class == payment.Hard),
			"failure %+v", f)
	}
}

func approved(t *testing.T, o *payment.Outcome, m payment.Money) {
	t.Helper()
	expect(t, o.Approved, "not approved: %+v", o.Failure)
	expect(t, o.Amount == m, "amount %v, want %v", o.Amount, m)
}

func expect(t *testing.T, ok bool, format string, args ...any) {
	t.Helper()
	if !ok {
		t.Errorf(format, args...)
	}
}
