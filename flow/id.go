package flow

import (
	"fmt"
	"strings"

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
