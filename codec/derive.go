package codec

import (
	"crypto/hmac"
	"crypto/sha256"
)

// Derive answers a key for another purpose than payloads, named by label
// ("payment-page"), one per key of the ring, the primary's first: the first
// signs, all verify, so a rotation of the codec key rotates these too. They
// are HMAC-SHA256 of label under a root taken from each key, so no derived key
// tells anything of the payload key or of another label's. Every process that
// holds the codec key (the API instances, the workers) derives the same keys,
// which is what lets one API instance verify what another signed.
func (k *Keyring) Derive(label string) [][]byte {
	out := make([][]byte, len(k.ids))
	for i, id := range k.ids {
		out[i] = hmacSHA256(k.base[id], label)
	}
	return out
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}
