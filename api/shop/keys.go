package shop

import (
	"context"
	"fmt"
	"strings"
)

// Scope is what an API key may do; its prefix says which (API.md, Operations).
type Scope string

const (
	ScopeFull Scope = "full" // sk_: every route
	ScopeRead Scope = "read" // rk_: GET only, e.g. for a dashboard or support
)

// Key is an API key the API accepts, with its scope. Printing it (fmt, JSON)
// shows neither the secret nor part of it.
type Key struct {
	Secret string `json:"-"`
	Scope  Scope  `json:"scope"`
}

// String is e.g. "sk_… (full)".
func (k Key) String() string {
	return k.Secret[:min(3, len(k.Secret))] + "… (" + string(k.Scope) + ")"
}

// GoString keeps %#v from printing the secret.
func (k Key) GoString() string { return "shop.Key{" + k.String() + "}" }

// ParseKeys reads the configured API keys (CARDFLOW_API_KEYS). A key must
// have the prefix of its scope, sk_ or rk_, and something after it: a key
// without a scope is an error, so a process refuses to start rather than
// guess what the key may do. Errors name the key by its place in the list,
// never by its value.
func ParseKeys(secrets []string) ([]Key, error) {
	keys := make([]Key, 0, len(secrets))
	for i, s := range secrets {
		k, ok := ParseKey(s)
		if !ok {
			return nil, fmt.Errorf("api keys: key %d of %d has neither the sk_ (full) nor the rk_ (read-only) prefix", i+1, len(secrets))
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// ParseKey reads one API key's scope from its prefix; false for neither.
func ParseKey(secret string) (Key, bool) {
	switch {
	case len(secret) > 3 && strings.HasPrefix(secret, "sk_"):
		return Key{Secret: secret, Scope: ScopeFull}, true
	case len(secret) > 3 && strings.HasPrefix(secret, "rk_"):
		return Key{Secret: secret, Scope: ScopeRead}, true
	}
	return Key{}, false
}

type keyContext struct{}

// WithKey returns ctx carrying the API key a request came with.
func WithKey(ctx context.Context, k Key) context.Context {
	return context.WithValue(ctx, keyContext{}, k)
}

// KeyFrom returns the API key of the request ctx belongs to: the key the
// API's auth matched; false outside a request (the starter, tests).
func KeyFrom(ctx context.Context) (Key, bool) {
	k, ok := ctx.Value(keyContext{}).(Key)
	return k, ok
}
