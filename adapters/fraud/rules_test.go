package fraud_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/cardflow/cardflow/adapters/fraud"
	"github.com/cardflow/cardflow/payment"
)

// riskOf answers a fixed signal, or err.
type riskOf struct {
	signal int
	err    error
}

func (r riskOf) Risk(context.Context, string) (int, error) { return r.signal, r.err }

// ordinary is the contract's example order: a German customer, a US-issued
// test card, 99.98 EUR, an everyday address, the first attempt.
func ordinary() payment.FraudRequest {
	return payment.FraudRequest{
		Reference: "o-1001",
		Card:      payment.Card{Token: "tok_1", Brand: payment.Visa, Last4: "4242", BINCountry: "US"},
		Customer:  payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"},
		Amount:    payment.Money{Amount: 9998, Currency: "EUR"},
		Attempt:   1,
	}
}

func TestScreenRules(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*payment.FraudRequest)
		score   int
		reasons []string
	}{
		{"nothing applies", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE" }, 0, nil},
		{"a failed 3-D Secure challenge", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.AuthenticationFailures = 1 }, 25, []string{fraud.ReasonAuthenticationFailed}},
		{"two failed challenges and a third attempt", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.AuthenticationFailures, r.Attempt = 2, 3
		}, 60, []string{fraud.ReasonAttempts, fraud.ReasonAuthenticationFailed}},
		{"ordinary cross-border order", func(*payment.FraudRequest) {}, 12, []string{fraud.ReasonCountryMismatch}},
		{"country compared case-insensitively", func(r *payment.FraudRequest) { r.Card.BINCountry = "de" }, 0, nil},
		{"unknown BIN country", func(r *payment.FraudRequest) { r.Card.BINCountry = "" }, 0, nil},
		{"unknown customer country", func(r *payment.FraudRequest) { r.Customer.Country = "" }, 0, nil},
		{"domestic network at home", func(r *payment.FraudRequest) {
			r.Card = payment.Card{Token: "tok_1", Brand: payment.Elo, Last4: "0004"}
			r.Customer.Country = "BR"
		}, 0, nil},
		{"domestic network abroad", func(r *payment.FraudRequest) {
			r.Card = payment.Card{Token: "tok_1", Brand: payment.Mir, Last4: "0004"}
		}, 12, []string{fraud.ReasonCountryMismatch}},
		{"BIN country wins over the network's", func(r *payment.FraudRequest) {
			r.Card = payment.Card{Token: "tok_1", Brand: payment.RuPay, Last4: "0004", BINCountry: "DE"}
		}, 0, nil},
		{"just below high amount", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Amount.Amount = 99_999 }, 0, nil},
		{"high amount EUR", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Amount.Amount = 100_000 }, 15, []string{fraud.ReasonAmountHigh}},
		{"very high amount EUR", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Amount.Amount = 500_000 }, 30, []string{fraud.ReasonAmountVeryHigh}},
		{"1,000 JPY is high", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 1_000, Currency: "JPY"}
		}, 15, []string{fraud.ReasonAmountHigh}},
		{"999 JPY is not", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 999, Currency: "JPY"}
		}, 0, nil},
		{"5,000 JPY is very high", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 5_000, Currency: "JPY"}
		}, 30, []string{fraud.ReasonAmountVeryHigh}},
		{"1,000 EUR cents is not", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 1_000, Currency: "EUR"}
		}, 0, nil},
		{"999.999 KWD is not", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 999_999, Currency: "KWD"}
		}, 0, nil},
		{"1,000.000 KWD is high", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 1_000_000, Currency: "KWD"}
		}, 15, []string{fraud.ReasonAmountHigh}},
		{"unknown currency counts as 2 decimals", func(r *payment.FraudRequest) {
			r.Card.BINCountry = "DE"
			r.Amount = payment.Money{Amount: 100_000, Currency: "XTS"}
		}, 15, []string{fraud.ReasonAmountHigh}},
		{"disposable e-mail", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Customer.Email = "x@mailinator.com" }, 25, []string{fraud.ReasonDisposableEmail}},
		{"disposable e-mail, any case", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Customer.Email = "X@YopMail.COM" }, 25, []string{fraud.ReasonDisposableEmail}},
		{"disposable subdomain", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Customer.Email = "x@eu.guerrillamail.com" }, 25, []string{fraud.ReasonDisposableEmail}},
		{"look-alike domain is not", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Customer.Email = "x@notmailinator.com" }, 0, nil},
		{"second attempt", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Attempt = 2 }, 0, nil},
		{"third attempt", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Attempt = 3 }, 10, []string{fraud.ReasonAttempts}},
		{"fourth attempt", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Attempt = 4 }, 10, []string{fraud.ReasonAttempts}},
		{"fifth attempt", func(r *payment.FraudRequest) { r.Card.BINCountry = "DE"; r.Attempt = 5 }, 25, []string{fraud.ReasonManyAttempts}},
		{"rules add up", func(r *payment.FraudRequest) {
			r.Amount.Amount = 500_000
			r.Customer.Email = "x@10minutemail.com"
		}, 67, []string{fraud.ReasonAmountVeryHigh, fraud.ReasonCountryMismatch, fraud.ReasonDisposableEmail}},
		{"all rules", func(r *payment.FraudRequest) {
			r.Amount.Amount = 500_000
			r.Customer.Email = "x@10minutemail.com"
			r.Attempt = 7
		}, 92, []string{fraud.ReasonAmountVeryHigh, fraud.ReasonCountryMismatch, fraud.ReasonDisposableEmail, fraud.ReasonManyAttempts}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ordinary()
			tt.edit(&req)
			got, err := fraud.New(riskOf{signal: 0}, fraud.DefaultConfig()).Screen(context.Background(), req)
			if err != nil {
				t.Fatalf("Screen: %v", err)
			}
			if got.Score != tt.score || !slices.Equal(got.Reasons, tt.reasons) {
				t.Errorf("score %d reasons %v, want %d %v", got.Score, got.Reasons, tt.score, tt.reasons)
			}
			if got.Threshold != 75 {
				t.Errorf("threshold %d, want the reject threshold 75", got.Threshold)
			}
		})
	}
}

func TestScreenDecisions(t *testing.T) {
	tests := []struct {
		name     string
		signal   int
		edit     func(*payment.FraudRequest)
		score    int
		decision string
		risky    bool // processor_risk among the reasons
	}{
		{"ordinary sandbox card", 5, func(*payment.FraudRequest) {}, 12, payment.FraudPass, false},
		{"sandbox review card", 70, func(*payment.FraudRequest) {}, 70, payment.FraudReview, true},
		{"sandbox review card, third attempt", 70, func(r *payment.FraudRequest) { r.Attempt = 3 }, 70, payment.FraudReview, true},
		{"sandbox reject card", 92, func(*payment.FraudRequest) {}, 92, payment.FraudReject, true},
		{"just below review", 64, func(*payment.FraudRequest) {}, 64, payment.FraudPass, true},
		{"review threshold", 65, func(*payment.FraudRequest) {}, 65, payment.FraudReview, true},
		{"just below reject", 74, func(*payment.FraudRequest) {}, 74, payment.FraudReview, true},
		{"reject threshold", 75, func(*payment.FraudRequest) {}, 75, payment.FraudReject, true},
		{"signal over 100 is capped", 250, func(*payment.FraudRequest) {}, 100, payment.FraudReject, true},
		{"negative signal counts as 0", -3, func(*payment.FraudRequest) {}, 12, payment.FraudPass, false},
		{"rules above the signal", 5, func(r *payment.FraudRequest) {
			r.Amount.Amount = 500_000
			r.Customer.Email = "x@10minutemail.com"
		}, 67, payment.FraudReview, false},
		{"rules alone reject", 0, func(r *payment.FraudRequest) {
			r.Amount.Amount = 500_000
			r.Customer.Email = "x@10minutemail.com"
			r.Attempt = 5
		}, 92, payment.FraudReject, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := ordinary()
			tt.edit(&req)
			got, err := fraud.New(riskOf{signal: tt.signal}, fraud.DefaultConfig()).Screen(context.Background(), req)
			if err != nil {
				t.Fatalf("Screen: %v", err)
			}
			if got.Score != tt.score || got.Decision != tt.decision {
				t.Errorf("score %d decision %s, want %d %s", got.Score, got.Decision, tt.score, tt.decision)
			}
			if slices.Contains(got.Reasons, fraud.ReasonProcessorRisk) != tt.risky {
				t.Errorf("reasons %v: processor_risk present = %v, want %v", got.Reasons, !tt.risky, tt.risky)
			}
		})
	}
}

func TestScreenConfigurable(t *testing.T) {
	cfg := fraud.DefaultConfig()
	cfg.Review, cfg.Reject = 10, 20
	cfg.DisposableDomains = []string{"Example.COM"}
	cfg.Points.CountryMismatch = 3
	got, err := fraud.New(riskOf{}, cfg).Screen(context.Background(), ordinary())
	if err != nil {
		t.Fatalf("Screen: %v", err)
	}
	want := payment.FraudResult{Score: 28, Threshold: 20, Decision: payment.FraudReject,
		Reasons: []string{fraud.ReasonCountryMismatch, fraud.ReasonDisposableEmail}}
	if got.Score != want.Score || got.Threshold != want.Threshold || got.Decision != want.Decision || !slices.Equal(got.Reasons, want.Reasons) {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestScreenRuleSwitchedOff(t *testing.T) {
	cfg := fraud.DefaultConfig()
	cfg.Points.CountryMismatch = 0
	got, err := fraud.New(riskOf{}, cfg).Screen(context.Background(), ordinary())
	if err != nil {
		t.Fatalf("Screen: %v", err)
	}
	if got.Score != 0 || len(got.Reasons) != 0 {
		t.Errorf("score %d reasons %v, want 0 and none: a rule worth 0 points does not score", got.Score, got.Reasons)
	}
}

func TestScreenRiskError(t *testing.T) {
	boom := errors.New("sandbox unavailable")
	_, err := fraud.New(riskOf{err: boom}, fraud.DefaultConfig()).Screen(context.Background(), ordinary())
	if !errors.Is(err, boom) {
		t.Fatalf("error %v, want it to wrap %v", err, boom)
	}
}
