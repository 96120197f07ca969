package sandbox

import (
	"database/sql"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/cardflow/cardflow/payment"
)

// handleAuthenticate is POST /v1/authentications (Idempotency-Key): the
// 3-D Secure server's authentication call.
func (s *Sandbox) handleAuthenticate(w http.ResponseWriter, r *http.Request) {
	key, ok := s.idempotencyKey(w, r)
	if !ok {
		return
	}
	var req authenticationRequest
	if !s.decode(w, r, &req) {
		return
	}
	fp := fingerprint("authentication", req.Token, fmt.Sprint(req.Amount), req.Currency, fmt.Sprint(req.Always), req.ReturnURL)
	base := origin(r)
	res, err := s.idempotent(r.Context(), key, fp, func(tx *sql.Tx) (any, error) {
		return s.authenticate(tx, key, req, base)
	})
	s.writeStored(w, r, res, err)
}

// handleAuthentication is GET /v1/authentications/{id}: the result the
// merchant asks for server-side, whatever the browser said.
func (s *Sandbox) handleAuthentication(w http.ResponseWriter, r *http.Request) {
	a, err := loadAuthentication(s.db, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, a)
}

// origin is the sandbox's own origin as the request reached it: the
// challenge page is served there.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

var challengePage = template.Must(template.New("challenge").Parse(`<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>3-D Secure: confirm your payment</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
h1 { font-size: 1.3rem; } .amount { font-size: 1.6rem; font-weight: 600; margin: 1rem 0; }
.note { color: #555; font-size: .9rem; } form { display: flex; gap: 1rem; margin-top: 2rem; }
button { flex: 1; font-size: 1rem; padding: .8rem; border-radius: .4rem; border: 1px solid #888; cursor: pointer; }
button[value=pass] { background: #14633a; color: #fff; border-color: #14633a; } button[value=fail] { background: #fff; color: #8a1c1c; }
</style></head>
<body>
<main>
<h1>Confirm your payment</h1>
<p class="note">Sandbox issuer · 3-D Secure challenge {{.ID}}</p>
{{if .Pending}}<p class="amount">{{.Amount}}</p>
<p>Your bank asks you to confirm this payment on the card ending in {{.Last4}}.</p>
<form method="post" action="/v1/hosted/challenge/{{.ID}}">
<button type="submit" name="outcome" value="pass">Confirm (pass)</button>
<button type="submit" name="outcome" value="fail">Decline (fail)</button>
</form>
<p class="note" role="note">This is a simulator: nothing is asked but a choice.</p>
{{else}}<p role="status">This challenge is over ({{.Status}}).</p>{{end}}
</main>
</body></html>
`))

// handleChallengePage is GET /v1/hosted/challenge/{id}: the issuer's
// challenge, as a browser sees it on the sandbox's origin.
func (s *Sandbox) handleChallengePage(w http.ResponseWriter, r *http.Request) {
	a, err := loadAuthentication(s.db, r.PathValue("id"))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	c, err := s.loadCard(s.db, a.Token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// The form's answer redirects to the merchant's return URL: browsers hold
	// a redirect after a form to form-action as well.
	back := ""
	if u, err := url.Parse(a.ReturnURL); err == nil && u.Host != "" {
		back = " " + u.Scheme + "://" + u.Host
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"+back+"; frame-ancestors *")
	_ = challengePage.Execute(w, map[string]any{
		"ID": a.ID, "Pending": a.Status == "challenge_required", "Status": a.Status, "Last4": c.Last4,
		"Amount": payment.Money{Amount: a.Amount, Currency: a.Currency}.String(),
	})
}

// handleChallengeAnswer is the challenge page's form: the answer is recorded
// and the browser goes back to the merchant's return URL with the
// authentication's id, and nothing else: the merchant asks for the result.
func (s *Sandbox) handleChallengeAnswer(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	outcome := r.PostForm.Get("outcome")
	if outcome != "pass" && outcome != "fail" {
		http.Error(w, "outcome must be pass or fail", http.StatusBadRequest)
		return
	}
	var a authenticationRec
	err := s.inTx(r.Context(), func(tx *sql.Tx) (err error) {
		a, err = s.challengeResult(tx, r.PathValue("id"), outcome == "pass")
		return err
	})
	if err != nil {
		if ae, ok := err.(*apiError); ok && ae.Status == http.StatusNotFound {
			http.NotFound(w, r)
			return
		}
		s.fail(w, r, err)
		return
	}
	back, err := url.Parse(a.ReturnURL)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := back.Query()
	q.Set("authentication_id", a.ID)
	back.RawQuery = q.Encode()
	http.Redirect(w, r, back.String(), http.StatusSeeOther)
}
