package fraud

import "time"

// Config holds the thresholds and the rules' weights. Scores and thresholds are
// 0-100; a score at or above Reject is rejected, at or above Review held for
// review.
type Config struct {
	Review int
	Reject int

	// HighAmount and VeryHighAmount are in the currency's major units (1000 means
	// 1,000.00 EUR, 1,000 JPY or 1,000.000 KWD), so one setting fits every currency.
	HighAmount     int64
	VeryHighAmount int64

	// DisposableDomains are e-mail domains that hand out throwaway inboxes; their
	// subdomains count too.
	DisposableDomains []string

	// Card testing: OrderCards distinct cards on one order, or CustomerCards
	// (and more points from CustomerCardsMany) distinct cards of one customer
	// within CustomerWindow, across orders, score. The screener remembers the
	// cards of at most MaxCustomers customers (velocity.go); 0 switches a rule off.
	OrderCards        int
	CustomerCards     int
	CustomerCardsMany int
	CustomerWindow    time.Duration
	MaxCustomers      int

	Points Points
}

// Points is what each rule adds to the score when it applies.
type Points struct {
	AmountHigh        int // amount >= HighAmount
	AmountVeryHigh    int // amount >= VeryHighAmount (instead of AmountHigh)
	CountryMismatch   int // card issued in another country than the customer's
	DisposableEmail   int
	Attempts          int // third or fourth attempt on this order
	ManyAttempts      int // fifth attempt or later (instead of Attempts)
	OrderCards        int // Config.OrderCards distinct cards on the order
	CustomerCards     int // Config.CustomerCards distinct cards of the customer in the window
	CustomerCardsMany int // Config.CustomerCardsMany of them (instead of CustomerCards)
	// AuthenticationFailed counts for each 3-D Secure authentication the
	// cardholder failed or abandoned on this order: whoever holds a stolen
	// card cannot pass the issuer's challenge.
	AuthenticationFailed int
}

// DefaultConfig is review from 65, reject from 75, with weights chosen so that
// no rule reaches review on its own, while three strong ones together do (a
// very high amount from a throwaway address on a foreign card: 67), and an
// ordinary cross-border order (a German customer, a US card) scores 12.
// Card testing: a fourth distinct card on one order scores 40 (review with a
// fifth attempt); a fifth distinct card of one customer within a day 25 (a
// shop's customer may own several cards: review only with other signs), a
// fifteenth 75, a reject on its own.
func DefaultConfig() Config {
	return Config{
		Review:         65,
		Reject:         75,
		HighAmount:     1_000,
		VeryHighAmount: 5_000,
		DisposableDomains: []string{
			"mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com",
			"10minutemail.com", "tempmail.com", "temp-mail.org", "tempmailo.com",
			"yopmail.com", "trashmail.com", "getnada.com", "dispostable.com",
			"throwawaymail.com", "maildrop.cc", "fakeinbox.com", "mintemail.com",
		},
		OrderCards:        4,
		CustomerCards:     5,
		CustomerCardsMany: 15,
		CustomerWindow:    24 * time.Hour,
		MaxCustomers:      10_000,
		Points: Points{
			AmountHigh:        15,
			AmountVeryHigh:    30,
			CountryMismatch:   12,
			DisposableEmail:   25,
			Attempts:          10,
			ManyAttempts:      25,
			OrderCards:        40,
			CustomerCards:     25,
			CustomerCardsMany: 75,
			// Two failed challenges and a third attempt reach review (2×25+10).
			AuthenticationFailed: 25,
		},
	}
}
