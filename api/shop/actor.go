package shop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// KeyActor names an API key in audit events (events[].actor, API.md
// Operations) without giving it away: "key:" and the key's scope prefix
// (sk_ full, rk_ read-only; none for another key), "…_" and the first 4 hex
// digits of the key's SHA-256, e.g. "key:sk_…_a1b2". No character of the key
// itself is shown, and 16 bits of its hash tell an operator's few keys apart
// without helping anyone guess one. This is the one definition of a key id.
func KeyActor(key string) string {
	sum := sha256.Sum256([]byte(key))
	scope := ""
	for _, p := range []string{"sk_", "rk_"} {
		if strings.HasPrefix(key, p) {
			scope = p
		}
	}
	return "key:" + scope + "…_" + hex.EncodeToString(sum[:2])
}

// CommandDigest identifies a command's request by its content (the decoded
// body, nil for none): the SHA-256 of its JSON. An update's answer echoes the
// digest of the request it ran for, so the same Idempotency-Key with another
// body answers 422 idempotency_key_reused instead of the first result
// (flow.Send). Card data never goes in: commands with a card use CardDigest.
func CommandDigest(body any) string {
	b, _ := json.Marshal(body) // the API's own decoded request types: cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// CardDigest is CommandDigest of a request with a card: the card is known by
// its last 4 digits, expiry and holder, as the subscription's request digest
// knows it; its number and CVC go in nowhere, not even hashed.
func CardDigest(card payment.CardData) string {
	return CommandDigest(struct {
		Last4    string `json:"last4"`
		ExpMonth int    `json:"exp_month"`
		ExpYear  int    `json:"exp_year"`
		Holder   string `json:"holder"`
		Token    string `json:"token,omitempty"` // absent before tokens: the same digests as then
	}{payment.Last4(card.Number), card.ExpMonth, card.ExpYear, card.Holder, card.Token})
}

// StatusTooManyRequests answers too_many_attempts.
const StatusTooManyRequests = 429

// rejectionStatus is the status of a workflow's rejection type: 409 for a
// state that does not allow the command, 429 for too many declined attempts,
// 422 for the rest (an invalid request, a reused Idempotency-Key).
func rejectionStatus(typ string) int {
	switch typ {
	case flow.ErrTypeInvalidState:
		return StatusConflict
	case flow.ErrTypeTooManyAttempts:
		return StatusTooManyRequests
	}
	return StatusInvalid
}
