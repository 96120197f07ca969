package codec

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"os"
	"strings"

	"go.temporal.io/sdk/converter"
)

// EnvAuth names the environment variable holding the codec server's token.
const EnvAuth = "CARDFLOW_CODEC_AUTH"

// EnvOrigins names the environment variable holding extra UI origins,
// comma-separated.
const EnvOrigins = "CARDFLOW_CODEC_ORIGINS"

// DefaultOrigins are where `make run` serves the Temporal UI. Browsers treat
// localhost and 127.0.0.1 as different origins, so both are allowed.
var DefaultOrigins = []string{"http://localhost:8233", "http://127.0.0.1:8233"}

// maxBody bounds one authorized request. Temporal caps a payload at 2 MiB and
// the UI sends a few at a time, so this only stops abuse; a caller without
// the token gets nothing read at all.
const maxBody = 16 << 20

// ServerOptions configures the codec server.
type ServerOptions struct {
	// AllowOrigins are the browser origins (scheme://host:port) allowed to
	// call the server, i.e. the Temporal UI's. Empty means DefaultOrigins.
	AllowOrigins []string
	// AuthToken, when set, must come as "Authorization: Bearer <token>" on
	// every request. Without it /encode is refused (anyone could have
	// payloads sealed that the worker then trusts) and /decode is answered
	// only on loopback.
	AuthToken string
	// Loopback says the server listens on a loopback address only
	// (config.Loopback of its listen address): only then may /decode go
	// without a token, for `make run`'s UI, whose browser cannot send one.
	Loopback bool
}

// Check refuses options that would let anyone who reaches the server decrypt
// every payload: off loopback without a token. A process serving the codec
// checks them before it listens.
func (o ServerOptions) Check() error {
	if !o.Loopback && o.AuthToken == "" {
		return errors.New("codec: the codec server would listen off loopback without " + EnvAuth +
			": anyone reaching it could decrypt every payload; set " + EnvAuth + " or listen on loopback")
	}
	return nil
}

// ServerOptionsFromEnv reads CARDFLOW_CODEC_AUTH and CARDFLOW_CODEC_ORIGINS;
// the caller sets Loopback from its listen address.
func ServerOptionsFromEnv() ServerOptions {
	var o ServerOptions
	o.AuthToken = strings.TrimSpace(os.Getenv(EnvAuth))
	for _, s := range strings.Split(os.Getenv(EnvOrigins), ",") {
		if s = strings.TrimSpace(s); s != "" {
			o.AllowOrigins = append(o.AllowOrigins, s)
		}
	}
	return o
}

// Handler serves Temporal's remote-codec protocol: POST /encode and POST
// /decode with a JSON body {"payloads": [...]} (protobuf JSON, data in
// base64) answered in the same shape. Mount it with the prefix stripped. The
// SDK's handler does the protocol; this adds CORS for the UI and the bearer
// token (see ServerOptions for who may call without one). The UI's X-Namespace header is accepted but not used: one keyring
// serves every namespace.
func Handler(k *Keyring, opts ServerOptions) http.Handler {
	origins := opts.AllowOrigins
	if len(origins) == 0 {
		origins = DefaultOrigins
	}
	s := &server{
		codec:   converter.NewPayloadCodecHTTPHandler(NewCodec(k)),
		origins: make(map[string]bool, len(origins)),
		token:   []byte(opts.AuthToken),
		open:    opts.Loopback,
	}
	for _, o := range origins {
		s.origins[normOrigin(o)] = true
	}
	return s
}

type server struct {
	codec   http.Handler
	origins map[string]bool
	token   []byte
	open    bool // /decode needs no token: loopback and none configured
}

func normOrigin(o string) string {
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(o), "/"))
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed := origin != "" && s.origins[normOrigin(origin)]
	if allowed {
		// Set on every answer, errors included, so the UI can show them.
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	// A page from another origin may still send a "simple" POST without a
	// preflight; it could not read the answer, but it need not run either.
	if origin != "" && !allowed {
		http.Error(w, "origin not allowed", http.StatusForbidden)
		return
	}
	if r.URL.Path != "/encode" && r.URL.Path != "/decode" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodOptions:
		// Preflights carry no credentials, so they are answered before auth.
		if !allowed {
			http.Error(w, "origin not allowed", http.StatusForbidden)
			return
		}
		h.Set("Access-Control-Allow-Methods", "POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, X-Namespace, Authorization")
		h.Set("Access-Control-Max-Age", "600")
		w.WriteHeader(http.StatusNoContent)
		return
	case http.MethodPost:
	default:
		h.Set("Allow", "POST, OPTIONS")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	// Refused before a byte of the body is read, whatever the Origin.
	switch {
	case len(s.token) == 0 && (r.URL.Path == "/encode" || !s.open):
		http.Error(w, "codec: "+r.URL.Path+" is refused: no "+EnvAuth+" is configured", http.StatusForbidden)
		return
	case len(s.token) != 0 && !s.authorized(r):
		h.Set("WWW-Authenticate", `Bearer realm="cardflow-codec"`)
		http.Error(w, "missing or invalid codec token", http.StatusUnauthorized)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	s.codec.ServeHTTP(w, r)
}

// authorized compares in constant time so the token cannot be guessed byte
// by byte from response times.
func (s *server) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), s.token) == 1
}
