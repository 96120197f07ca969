package fraud

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// RiskSource is the processor's risk signal for a token, 0-100. The processor
// client satisfies it.
type RiskSource interface {
	Risk(ctx context.Context, token string) (int, error)
}

// Rules is the rule-based Screener.
//
// Score = max(processor signal, sum of the rules' points), capped at 100. The
// signal is a floor rather than a summand: it is the processor's own calibrated
// estimate, which already knows the card's history, so adding our points to it
// would count the same evidence twice and push a "review" card (signal 65-74)
// into reject for an everyday cross-border order. The rules matter when the
// processor knows nothing about the card.
//
// The card-testing rules (attempts, distinct cards per order and per
// customer) run on every screen, also when the caller switched the screen
// off (FraudRequest.CardTestingOnly): then they alone score, the processor's
// signal is not asked and amount, country and e-mail do not count.
type Rules struct {
	risk       RiskSource
	cfg        Config
	disposable map[string]bool
	seen       *velocity // cards per customer, across orders
	now        func() time.Time
}

// New returns a Screener that asks risk for the processor's signal and scores
// the rest from cfg, taken as is: start from DefaultConfig.
func New(risk RiskSource, cfg Config) *Rules {
	d := make(map[string]bool, len(cfg.DisposableDomains))
	for _, dom := range cfg.DisposableDomains {
		d[strings.ToLower(strings.TrimSpace(dom))] = true
	}
	return &Rules{risk: risk, cfg: cfg, disposable: d, seen: newVelocity(cfg.MaxCustomers, cfg.CustomerWindow), now: time.Now}
}

// Screen scores the charge. Only a failed risk lookup is an error (retried).
func (r *Rules) Screen(ctx context.Context, req payment.FraudRequest) (payment.FraudResult, error) {
	if req.CardTestingOnly {
		score, reasons := r.cardTesting(req)
		return payment.FraudResult{Score: clamp(score), Threshold: r.cfg.Reject, Decision: r.decide(clamp(score)), Reasons: reasons}, nil
	}
	signal, err := r.risk.Risk(ctx, req.Card.Token)
	if err != nil {
		return payment.FraudResult{}, fmt.Errorf("fraud: risk signal for token %s of %s: %w", req.Card.Token, req.Reference, err)
	}
	signal = clamp(signal)
	score, reasons := r.rules(req)
	if signal > score {
		score = signal
		reasons = append(reasons, ReasonProcessorRisk)
	}
	return payment.FraudResult{
		Score:     score,
		Threshold: r.cfg.Reject,
		Decision:  r.decide(score),
		Reasons:   reasons,
	}, nil
}

// rules adds up the points of the rules that apply.
func (r *Rules) rules(req payment.FraudRequest) (int, []string) {
	var score int
	var reasons []string
	add := func(points int, reason string) {
		if points <= 0 {
			return // switched off in the Config: it did not score
		}
		score += points
		reasons = append(reasons, reason)
	}
	p := r.cfg.Points
	switch {
	case r.cfg.VeryHighAmount > 0 && atLeast(req.Amount, r.cfg.VeryHighAmount):
		add(p.AmountVeryHigh, ReasonAmountVeryHigh)
	case r.cfg.HighAmount > 0 && atLeast(req.Amount, r.cfg.HighAmount):
		add(p.AmountHigh, ReasonAmountHigh)
	}
	if bin, home := binCountry(req.Card), req.Customer.Country; bin != "" && home != "" && !strings.EqualFold(bin, home) {
		add(p.CountryMismatch, ReasonCountryMismatch)
	}
	if r.isDisposable(req.Customer.Email) {
		add(p.DisposableEmail, ReasonDisposableEmail)
	}
	n, more := r.cardTesting(req)
	return clamp(score + n), append(reasons, more...)
}

// cardTesting adds up the rules that a caller cannot switch off: repeated
// attempts, many cards on the order, many cards of the customer.
func (r *Rules) cardTesting(req payment.FraudRequest) (int, []string) {
	var score int
	var reasons []string
	add := func(points int, reason string) {
		if points > 0 {
			score += points
			reasons = append(reasons, reason)
		}
	}
	p := r.cfg.Points
	switch {
	case req.Attempt >= 5:
		add(p.ManyAttempts, ReasonManyAttempts)
	case req.Attempt >= 3:
		add(p.Attempts, ReasonAttempts)
	}
	if r.cfg.OrderCards > 0 && req.Cards >= r.cfg.OrderCards {
		add(p.OrderCards, ReasonOrderCards)
	}
	if req.AuthenticationFailures > 0 {
		add(p.AuthenticationFailed*req.AuthenticationFailures, ReasonAuthenticationFailed)
	}
	at := req.At
	if at.IsZero() {
		at = r.now()
	}
	switch n := r.seen.see(req.Customer.ID, req.Card.Fingerprint(), at); {
	case r.cfg.CustomerCardsMany > 0 && n >= r.cfg.CustomerCardsMany:
		add(p.CustomerCardsMany, ReasonCustomerCards)
	case r.cfg.CustomerCards > 0 && n >= r.cfg.CustomerCards:
		add(p.CustomerCards, ReasonCustomerCards)
	}
	return score, reasons
}

// binCountry is the country the card was issued in: the processor's BIN country,
// or else, for a domestic network's card (Elo, Mir, RuPay...), the network's
// country. An international brand without a BIN country stays unknown.
func binCountry(c payment.Card) string {
	if c.BINCountry != "" {
		return c.BINCountry
	}
	return c.Brand.Country()
}

func (r *Rules) decide(score int) string {
	switch {
	case score >= r.cfg.Reject:
		return payment.FraudReject
	case score >= r.cfg.Review:
		return payment.FraudReview
	}
	return payment.FraudPass
}

// isDisposable reports whether the address's domain, or a domain it is a
// subdomain of, is a throwaway-inbox service.
func (r *Rules) isDisposable(email string) bool {
	at := strings.LastIndexByte(email, '@')
	if at < 0 {
		return false
	}
	dom := strings.TrimSuffix(strings.ToLower(strings.TrimSpace(email[at+1:])), ".")
	for dom != "" {
		if r.disposable[dom] {
			return true
		}
		_, rest, ok := strings.Cut(dom, ".")
		if !ok {
			return false
		}
		dom = rest
	}
	return false
}

func clamp(score int) int {
	return max(0, min(score, 100))
}
