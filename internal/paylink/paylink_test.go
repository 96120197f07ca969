package paylink

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	now    = time.Date(2030, 1, 2, 10, 0, 0, 0, time.UTC)
	keyA   = []byte("0123456789abcdef0123456789abcdef")
	keyB   = []byte("fedcba9876543210fedcba9876543210")
	signer = New("http://localhost:8080/", [][]byte{keyA})
)

func TestSessionRoundTrip(t *testing.T) {
	s := Session{Kind: Order, ID: "o-1", Expires: now.Add(time.Hour), ReturnURL: "https://shop.example/thanks"}
	u := signer.URL(s)
	if !strings.HasPrefix(u, "http://localhost:8080/pay/") {
		t.Fatalf("url %s", u)
	}
	got, err := signer.Open(strings.TrimPrefix(u, "http://localhost:8080/pay/"), now)
	if err != nil || got.ID != "o-1" || got.Kind != Order || !got.Expires.Equal(s.Expires) || got.ReturnURL != s.ReturnURL {
		t.Fatalf("open: %+v %v", got, err)
	}
	// Another instance with the same key opens it; after a rotation (a new
	// key first) too.
	if _, err := New("http://other", [][]byte{keyB, keyA}).Open(signer.Token(s), now); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
}

func TestForgedSessions(t *testing.T) {
	s := Session{Kind: Order, ID: "o-1", Expires: now.Add(time.Hour)}
	tok := signer.Token(s)
	p, sig, _ := strings.Cut(tok, ".")
	other := signer.Token(Session{Kind: Order, ID: "o-2", Expires: now.Add(time.Hour)})
	p2, _, _ := strings.Cut(other, ".")
	later := signer.Token(Session{Kind: Order, ID: "o-1", Expires: now.Add(48 * time.Hour)})
	p3, _, _ := strings.Cut(later, ".")
	for name, forged := range map[string]string{
		"another key":          New("", [][]byte{keyB}).Token(s),
		"another order":        p2 + "." + sig,
		"a later expiry":       p3 + "." + sig,
		"no signature":         p,
		"empty":                "",
		"garbage":              "not-a-session",
		"a truncated mac":      tok[:len(tok)-4],
		"a subscription's mac": signer.Token(Session{Kind: Subscription, ID: "o-1", Expires: s.Expires})[:len(p)] + "." + sig,
	} {
		if _, err := signer.Open(forged, now); !errors.Is(err, ErrForged) {
			t.Errorf("%s: %v, want ErrForged", name, err)
		}
	}
}

func TestExpiredSession(t *testing.T) {
	tok := signer.Token(Session{Kind: Subscription, ID: "s-1", Expires: now})
	if _, err := signer.Open(tok, now); !errors.Is(err, ErrExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := signer.Open(tok, now.Add(-time.Second)); err != nil {
		t.Fatalf("a second before: %v", err)
	}
}
