package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SignatureHeader carries the webhook signature.
const SignatureHeader = "Cardflow-Signature"

// Errors of Verify.
var (
	ErrMalformedSignature = errors.New("notify: malformed signature header")
	ErrSignatureMismatch  = errors.New("notify: signature does not match")
	ErrSignatureExpired   = errors.New("notify: signature timestamp outside tolerance")
	ErrNoTolerance        = errors.New("notify: a tolerance is required (DefaultTolerance is 5 minutes)")
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock: long enough for a slow delivery and some clock skew, short
// enough that a captured request cannot be replayed later.
const DefaultTolerance = 5 * time.Minute

// Sign returns the Cardflow-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">", with one v1 per
// secret (while a secret is rotated, the new one and the old one). The
// timestamp is under the MAC so a captured request cannot be replayed later.
func Sign(t time.Time, body []byte, secrets ...[]byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	var b strings.Builder
	b.WriteString("t=" + ts)
	for _, s := range secrets {
		b.WriteString(",v1=" + mac(s, ts, body))
	}
	return b.String()
}

// Secrets reads CARDFLOW_WEBHOOK_SECRET's value: one secret, or during a
// rotation several, comma-separated, the new one first.
func Secrets(list string) [][]byte {
	var out [][]byte
	for s := range strings.SplitSeq(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, []byte(s))
		}
	}
	return out
}

// Verify checks a Cardflow-Signature header against the raw body: one of its
// v1 signatures (there is one per secret while a secret is rotated) must be
// secret's, and its timestamp within tolerance of now. The tolerance is
// required (ErrNoTolerance for zero or less): without it a captured request
// could be replayed for ever.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
	if tolerance <= 0 {
		return ErrNoTolerance
	}
	var ts string
	var sigs []string
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q", ErrMalformedSignature, part)
		}
		switch k {
		case "t":
			ts = v
		case "v1":
			sigs = append(sigs, v)
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return fmt.Errorf("%w: want t=<unix seconds>,v1=<hex>", ErrMalformedSignature)
	}
	want := mac(secret, ts, body)
	if !matchAny(want, sigs) {
		return ErrSignatureMismatch
	}
	if age := now.Sub(time.Unix(sec, 0)).Abs(); age > tolerance {
		return fmt.Errorf("%w: %s off, tolerance %s", ErrSignatureExpired, age, tolerance)
	}
	return nil
}

func mac(secret []byte, ts string, body []byte) string {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(ts))
	h.Write([]byte("."))
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// matchAny compares in constant time so that timing does not leak how much of
// a forged signature was right.
func matchAny(want string, sigs []string) bool {
	ok := false
	for _, s := range sigs {
		if hmac.Equal([]byte(want), []byte(s)) {
			ok = true
		}
	}
	return ok
}
