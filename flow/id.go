package flow

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// CheckID allows what is safe in a URL path segment, a workflow id, an
// idempotency key ("subscription/<id>/bill/1/1") and a log line: letters,
// digits and - _ . :, at most maxLen of them. field names the culprit.
func CheckID(field, id string, maxLen int) error {
	if id == "" {
		return InvalidRequest(field, field+" is required")
	}
	if len(id) > maxLen {
		return InvalidRequest(field, fmt.Sprintf("%s is longer than %d characters", field, maxLen))
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_.:", r)) {
			return InvalidRequest(field, field+" may hold only letters, digits and - _ . :")
		}
	}
	return nil
}

// CheckToken rejects an input without the card's token: the API tokenized the
// card, and a workflow charges only a token.
func CheckToken(c payment.Card) error {
	if c.Token == "" {
		return InvalidRequest("card", "the card has no token")
	}
	return nil
}

// MaxURLLength bounds a URL a caller hands in (the payment page's return and
// cancel addresses).
const MaxURLLength = 2048

// CheckURL refuses (422 naming field) what is not an absolute http or https
// URL: a browser is sent there as it is.
func CheckURL(field, raw string) error {
	if raw == "" {
		return InvalidRequest(field, field+" is required")
	}
	u, err := url.Parse(raw)
	if err != nil || len(raw) > MaxURLLength || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil {
		return InvalidRequest(field, field+" must be an absolute http or https URL without credentials")
	}
	return nil
}

// PaymentPage is where the payment page sends the customer back (API.md "The
// payment page"): ReturnURL after a successful payment (with the order or
// subscription id), CancelURL after "Cancel". Orders and subscriptions take
// it in their input instead of a card.
type PaymentPage struct {
	ReturnURL string `json:"return_url"`
	CancelURL string `json:"cancel_url"`
}

// Check refuses URLs a browser could not be sent to as they are, naming the
// field as the API's body does ("payment_page.return_url").
func (p PaymentPage) Check() error {
	if err := CheckURL("payment_page.return_url", p.ReturnURL); err != nil {
		return err
	}
	return CheckURL("payment_page.cancel_url", p.CancelURL)
}

// CheckCardOrPage is the card check of a start: a token, or a payment page
// that brings the card later (and then no card).
func CheckCardOrPage(c payment.Card, page *PaymentPage) error {
	if page == nil {
		return CheckToken(c)
	}
	if c.Token != "" {
		return InvalidRequest("payment_page", "a card or a payment page, not both")
	}
	return page.Check()
}

// PageView is a payment page as an order's or a subscription's view shows it:
// the link and when it expires (the contract's), where the page sends the
// customer back (additions). The workflow cannot make the link (the API signs
// it with a key the workflow does not hold): the API fills URL.
type PageView struct {
	URL       string    `json:"url,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	ReturnURL string    `json:"return_url"`
	CancelURL string    `json:"cancel_url"`
}
