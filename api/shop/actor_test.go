package shop

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/payment"
)

// A key's id in the audit trail names its scope and 4 hex digits of its
// SHA-256, and not one character of the key past its scope prefix.
func TestKeyActorShowsNoCharacterOfTheKey(t *testing.T) {
	for key, scope := range map[string]string{"sk_live_Zq9xW2pLm": "sk_", "rk_live_Zq9xW2pLm": "rk_", "Zq9xW2pLm": ""} {
		sum := sha256.Sum256([]byte(key))
		want := "key:" + scope + "…_" + hex.EncodeToString(sum[:2])
		got := KeyActor(key)
		if got != want {
			t.Errorf("KeyActor(%s) = %q, want %q", key, got, want)
		}
		secret := strings.TrimPrefix(key, scope)
		for i := 0; i+3 <= len(secret); i++ {
			if strings.Contains(got, secret[i:i+3]) {
				t.Errorf("KeyActor(%s) = %q shows %q of the key", key, got, secret[i:i+3])
			}
		}
	}
	if KeyActor("sk_a") == KeyActor("sk_b") {
		t.Error("two keys share an id")
	}
}

// A command's digest with a card holds neither its number nor its CVC: two
// numbers with the same last 4 digits, expiry and holder read alike, another
// last 4 or expiry apart.
func TestCardDigestKnowsTheCardWithoutItsNumber(t *testing.T) {
	a := payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: 2030, CVC: "123", Holder: "Jane Doe"}
	b := a
	b.Number, b.CVC = "4000056655664242", "999"
	if CardDigest(a) != CardDigest(b) {
		t.Error("the digest depends on more than last 4, expiry and holder")
	}
	c := a
	c.Number = "5555555555554444"
	d := a
	d.ExpYear = 2031
	if CardDigest(a) == CardDigest(c) || CardDigest(a) == CardDigest(d) {
		t.Error("another card has the same digest")
	}
}

// The workflows' new rejections answer as the contract says: 429
// too_many_attempts naming the card, 422 idempotency_key_reused naming the
// header.
func TestGuardRejectionsMapToTheirStatus(t *testing.T) {
	limits := flow.AttemptLimits{}.WithDefaults()
	for _, tt := range []struct {
		err         error
		status      int
		code, field string
	}{
		{flow.TooManyAttempts(limits, time.Now()), 429, "too_many_attempts", "card"},
		{flow.KeyReused("k-1"), 422, "idempotency_key_reused", "Idempotency-Key"},
		{flow.InvalidState("no"), 409, "invalid_state", ""},
	} {
		e := Classify(tt.err, "order", "o-1")
		if e.Status != tt.status || e.Code != tt.code || e.Field != tt.field {
			t.Errorf("%v → %d %s %s, want %d %s %s", tt.err, e.Status, e.Code, e.Field, tt.status, tt.code, tt.field)
		}
	}
}
