package sandbox

import (
	"embed"
	"html/template"
	"net/http"
	"net/url"

	"github.com/cardflow/cardflow/payment"
)

// The card fields (API.md "Card tokens and the payment page"): a page for an
// iframe on the sandbox's own origin that takes the card, tokenizes it with
// the publishable key and hands the parent window the token and the card's
// metadata, never the number. Plain HTML, CSS and a little JavaScript,
// embedded: no build step, nothing loaded from elsewhere.

//go:embed hosted
var hostedFiles embed.FS

var cardFieldsPage = template.Must(template.ParseFS(hostedFiles, "hosted/card-fields.html"))

// cardFieldsCSP lets the page load only its own script and style, call only
// its own origin (the vault) and be framed only by the parent it was asked
// for.
func cardFieldsCSP(parent string) string {
	return "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
		"form-action 'none'; base-uri 'none'; frame-ancestors " + parent
}

// handleCardFields serves the card fields for the parent origin ?origin=,
// which must be one of AllowedOrigins (it is where the token goes, by
// postMessage to that origin only), and the publishable key ?key=.
func (s *Sandbox) handleCardFields(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	parent := q.Get("origin")
	if !s.allowedOrigin(parent) || canonicalOrigin(parent) != parent {
		s.hostedError(w, http.StatusForbidden, "This page may not show card fields (origin not allowed).")
		return
	}
	if s.cfg.PublishableKey == "" || q.Get("key") != s.cfg.PublishableKey {
		s.hostedError(w, http.StatusUnauthorized, "Card fields need the publishable key.")
		return
	}
	lang := hostedLang(q.Get("lang"))
	h := w.Header()
	h.Set("Content-Security-Policy", cardFieldsCSP(parent))
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Content-Type-Options", "nosniff")
	_ = cardFieldsPage.Execute(w, struct {
		Origin, Key, Lang string
		T                 map[string]string
	}{parent, s.cfg.PublishableKey, lang, hostedLabels[lang]})
}

// cardFieldsConfig is what the page's script reads: the IIN table (brand,
// lengths and CVC digits as the number is typed; payment.IINRules, so the
// table exists once) and the card check's messages in the page's language,
// by reason code (the vault answers the code of payment.CheckCard's verdict).
type cardFieldsConfig struct {
	Rules    []payment.IINRule `json:"rules"`
	Messages map[string]string `json:"messages"`
}

func (s *Sandbox) handleCardFieldsConfig(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, cardFieldsConfig{Rules: payment.IINRules(), Messages: hostedMessages[hostedLang(r.URL.Query().Get("lang"))]})
}

// handleHostedAsset serves the page's script and style sheet.
func handleHostedAsset(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := hostedFiles.ReadFile("hosted/" + name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(b)
	}
}

func (s *Sandbox) hostedError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg + "\n"))
}

// canonicalOrigin is scheme://host[:port] of raw, "" if it is not an origin.
func canonicalOrigin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// ownOrigin is the origin the request was sent to: the card fields' own,
// whose calls to the vault carry it as their Origin.
func ownOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
