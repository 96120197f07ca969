// Package paylink makes and opens the payment page's links (API.md "The
// payment page"): /pay/<session>, where the session is the link's only
// credential. A session names one order or subscription and when the link
// expires, and is signed with HMAC-SHA256 under a key every API instance
// derives from the codec key: no storage, so a link made by one instance opens
// on every other and after a restart, and nobody without the key can make one
// (forge it) or stretch its expiry. What the customer may do with a valid link
// is the workflow's word: a link for an order that moved on shows its state.
package paylink

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// Kind is what a session pays for.
type Kind string

const (
	Order        Kind = "o"
	Subscription Kind = "s"
)

// Label names the codec keyring's derived keys of the links (codec.Keyring.Derive).
const Label = "cardflow payment page v1"

// Session is what a link stands for. ReturnURL and CancelURL, when set, are
// where the page sends the customer back; otherwise the order's or
// subscription's own (a subscription's card-change link may name its own).
type Session struct {
	Kind      Kind      `json:"k"`
	ID        string    `json:"id"`
	Expires   time.Time `json:"-"`
	ExpiresAt int64     `json:"exp"`
	ReturnURL string    `json:"r,omitempty"`
	CancelURL string    `json:"c,omitempty"`
	// Returned marks the link the 3-D Secure return endpoint sends the
	// customer back on: the page then asks for the attempt's outcome at once.
	// It is signed with the rest, so no query parameter can claim it.
	Returned bool `json:"b,omitempty"`
}

// Errors of Open. The page answers both with the same 404.
var (
	ErrForged  = errors.New("paylink: not a session this key signed")
	ErrExpired = errors.New("paylink: the session has expired")
)

// Signer signs sessions with the first key and verifies them with any.
type Signer struct {
	keys [][]byte
	base string // the API's public base URL, e.g. http://localhost:8080
}

// New signs links under base with keys (codec.Keyring.Derive(Label)).
func New(base string, keys [][]byte) *Signer {
	return &Signer{keys: keys, base: strings.TrimRight(base, "/")}
}

// Path is the page's path prefix.
const Path = "/pay/"

// URL is the link of s.
func (g *Signer) URL(s Session) string { return g.base + Path + g.Token(s) }

// Token is the signed session: its JSON and its MAC, both base64url.
func (g *Signer) Token(s Session) string {
	s.ExpiresAt = s.Expires.Unix()
	b, _ := json.Marshal(s) // strings and a number: cannot fail
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + base64.RawURLEncoding.EncodeToString(mac(g.keys[0], p))
}

// Open verifies token and answers its session, unless it expired at now.
func (g *Signer) Open(token string, now time.Time) (Session, error) {
	p, sig, ok := strings.Cut(token, ".")
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if !ok || err != nil || !g.verify(p, got) {
		return Session{}, ErrForged
	}
	b, err := base64.RawURLEncoding.DecodeString(p)
	var s Session
	if err != nil || json.Unmarshal(b, &s) != nil || (s.Kind != Order && s.Kind != Subscription) || s.ID == "" {
		return Session{}, ErrForged
	}
	s.Expires = time.Unix(s.ExpiresAt, 0).UTC()
	if !now.Before(s.Expires) {
		return s, ErrExpired
	}
	return s, nil
}

func (g *Signer) verify(payload string, sig []byte) bool {
	ok := false
	for _, k := range g.keys {
		ok = hmac.Equal(mac(k, payload), sig) || ok // every key, in constant time
	}
	return ok
}

func mac(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("pay." + payload))
	return m.Sum(nil)
}

// DefaultTTL is how long a subscription's card-change link lasts unless the
// API is told otherwise: long enough for a customer to find the e-mail.
const DefaultTTL = 24 * time.Hour

// CardChange is the session of a link on which the customer replaces
// subscription id's card, made at now and valid for ttl. The expiry is in
// whole seconds, as the link carries it. The API's POST
// /v1/subscriptions/{id}/payment-page and the worker's webhooks both make
// their links with it, so both follow the same expiry rule.
func CardChange(id string, now time.Time, ttl time.Duration, returnURL, cancelURL string) Session {
	return Session{Kind: Subscription, ID: id, Expires: now.Add(ttl).UTC().Truncate(time.Second), ReturnURL: returnURL, CancelURL: cancelURL}
}
