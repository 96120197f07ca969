package shop

import (
	"fmt"
	"strings"
)

// MaxIdempotencyKey is the longest idempotency key accepted; it becomes part of
// a Temporal update id, which has a length limit of its own.
const MaxIdempotencyKey = 255

// CheckIdempotencyKey refuses a key that cannot name an update: 422 unless it
// is empty (no key) or 1 to MaxIdempotencyKey printable ASCII characters
// without a card number in them (CheckNoPAN: the key is part of the update id,
// which Temporal stores unencrypted).
// Each path checks it once, where the key comes in: the API's middleware
// (api/server), the starter's flag parsing; the functions here take it as checked.
func CheckIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKey || strings.IndexFunc(key, func(c rune) bool { return c < 0x21 || c > 0x7e }) >= 0 {
		return &Error{Status: StatusInvalid, Code: "invalid_idempotency_key",
			Message: fmt.Sprintf("Idempotency-Key must be 1 to %d printable ASCII characters", MaxIdempotencyKey), Field: "Idempotency-Key"}
	}
	if e := CheckNoPAN("Idempotency-Key", key); e != nil {
		e.Code = "invalid_idempotency_key"
		return e
	}
	return nil
}
