package sandbox

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"

	"go.uber.org/zap"
)

// Dev defaults of the merchant's keys, for `make run` and tests on loopback.
// They are no secret: anything that is not the developer's own machine sets its own.
const (
	DevSecretKey      = "sk_sandbox_local"
	DevPublishableKey = "pk_test_sandbox"
)

// keyKind is what a request's bearer key lets it do.
type keyKind int

const (
	keyNone        keyKind = iota // no key, or one the sandbox does not know
	keyPublishable                // tokenize from a browser, nothing else
	keySecret                     // everything: the merchant's server
)

// keyOf reads the request's bearer key. Both keys are compared in constant time
// over their SHA-256, so neither the content nor the length of a key leaks
// through timing.
func (s *Sandbox) keyOf(r *http.Request) keyKind {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		return keyNone
	}
	sum := sha256.Sum256([]byte(tok))
	switch {
	case subtle.ConstantTimeCompare(sum[:], s.secretSum[:]) == 1:
		return keySecret
	case s.cfg.PublishableKey != "" && subtle.ConstantTimeCompare(sum[:], s.publishableSum[:]) == 1:
		return keyPublishable
	}
	return keyNone
}

// secret lets only the secret key through: every money call, token look-up,
// account-updater call and test-mode route.
func (s *Sandbox) secret(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		switch s.keyOf(r) {
		case keySecret:
			next(w, r)
		case keyPublishable:
			s.unauthorized(w, r, "the publishable key can only tokenize cards; this call needs the secret key")
		default:
			s.unauthorized(w, r, "this call needs the secret key (Authorization: Bearer sk_...)")
		}
	}
}

// tokenizer lets the secret key through, and the publishable key from a
// browser of an allowed origin (or from no browser at all: a publishable key is
// public, and all it can do is store a card the caller already has).
func (s *Sandbox) tokenizer(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		switch s.keyOf(r) {
		case keySecret:
		case keyPublishable:
			// The card fields call from the sandbox's own origin.
			if origin != "" && !s.allowedOrigin(origin) && origin != ownOrigin(r) {
				s.log.Info("tokenization from an origin not allowed", append(logReq(r), zap.String("origin", origin))...)
				writeError(w, &apiError{Status: http.StatusForbidden, Code: "origin_not_allowed", Message: "this origin may not tokenize with the publishable key"})
				return
			}
		default:
			s.unauthorized(w, r, "tokenization needs the publishable or the secret key (Authorization: Bearer ...)")
			return
		}
		if s.allowedOrigin(origin) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Add("Vary", "Origin")
		}
		next(w, r)
	}
}

// preflight answers a browser's CORS preflight of POST /v1/tokens, granting
// only allowed origins; anyone else gets no Access-Control-* header at all.
func (s *Sandbox) preflight(w http.ResponseWriter, r *http.Request) {
	origin := r.Header.Get("Origin")
	w.Header().Add("Vary", "Origin")
	if !s.allowedOrigin(origin) {
		writeError(w, &apiError{Status: http.StatusForbidden, Code: "origin_not_allowed", Message: "this origin may not call the sandbox"})
		return
	}
	h := w.Header()
	h.Set("Access-Control-Allow-Origin", origin)
	h.Set("Access-Control-Allow-Methods", "POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sandbox) allowedOrigin(origin string) bool {
	return origin != "" && s.cfg.PublishableKey != "" && slices.Contains(s.cfg.AllowedOrigins, origin)
}

func (s *Sandbox) unauthorized(w http.ResponseWriter, r *http.Request, msg string) {
	s.log.Info("unauthorized", logReq(r)...)
	w.Header().Set("WWW-Authenticate", `Bearer realm="sandbox"`)
	writeError(w, &apiError{Status: http.StatusUnauthorized, Code: "unauthorized", Message: msg})
}
