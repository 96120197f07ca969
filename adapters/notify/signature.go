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
)

// Sign returns the Cardflow-Signature header value for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">". The timestamp is
// under the MAC so a captured request cannot be replayed later.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

// Verify checks a Cardflow-Signature header against the raw body: one of its
// v1 signatures (there may be several while a secret is rotated) must match,
// and its timestamp must be within tolerance of now. A tolerance of zero or
// less skips the time check.
func Verify(secret []byte, header string, body []byte, tolerance time.Duration, now time.Time) error {
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
	if age := now.Sub(time.Unix(sec, 0)).Abs(); tolerance > 0 && age > tolerance {
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
