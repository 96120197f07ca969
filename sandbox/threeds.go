package sandbox

import (
	crand "crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// The sandbox as 3-D Secure server and ACS (API.md "3-D Secure"): an
// authentication call that answers frictionless, challenge required or
// unavailable; a challenge page (threeds_page.go) that the cardholder passes
// or fails; a result call by which the merchant learns the outcome
// server-side; and the issuer's side of an authorization (threeDSOutcome).

// threeDSCard is how the sandbox's issuer treats a card of the contract's
// 3-D Secure table.
type threeDSCard struct {
	requires    bool   // declines a customer-initiated authorization without authentication (1A)
	challenge   bool   // authentication asks for a challenge; else frictionless
	optional    bool   // enrolled, never requires it: frictionless only when asked always
	unavailable bool   // the directory server fails: authorize without authentication
	declineWith string // after a passed authentication the authorization still declines so
}

var threeDSCards = map[string]threeDSCard{
	"4000000000003220": {requires: true, challenge: true},
	"4000000000003063": {requires: true},
	"4000008400001629": {requires: true, challenge: true, declineWith: payment.DoNotHonor},
	"4000000000003055": {optional: true},
	"4000000000003097": {unavailable: true},
}

// authenticationRequest is POST /v1/authentications.
type authenticationRequest struct {
	Token     string `json:"token"`
	Amount    int64  `json:"amount"` // 0: a card verification
	Currency  string `json:"currency"`
	Always    bool   `json:"always"`     // ask the issuer even when the card does not require it
	ReturnURL string `json:"return_url"` // where the challenge page sends the browser back
}

// authenticationRec is one authentication: its answer and what the
// authorization it allows must carry.
type authenticationRec struct {
	ID        string    `json:"id"`
	Token     string    `json:"token"`
	Amount    int64     `json:"amount"`
	Currency  string    `json:"currency"`
	Status    string    `json:"status"` // payment.Auth*
	URL       string    `json:"challenge_url,omitempty"`
	ECI       string    `json:"eci,omitempty"`
	Value     string    `json:"authentication_value,omitempty"`
	DSTransID string    `json:"ds_transaction_id,omitempty"`
	Liability bool      `json:"liability_shift"`
	ReturnURL string    `json:"-"`
	Key       string    `json:"-"` // the authentication call's idempotency key: its ledger entries carry it
	Used      bool      `json:"-"` // an authorization took it: an authentication value is good once
	CreatedAt time.Time `json:"created_at"`
}

// authenticate runs the 3-D Secure server's authentication of a card for an
// amount. A challenge is left pending for the challenge page; every other
// answer is final at once and, unless nothing was asked of the issuer, enters
// the ledger.
func (s *Sandbox) authenticate(tx *sql.Tx, key string, req authenticationRequest, base string) (authenticationRec, error) {
	if req.Amount < 0 || req.Amount == 0 && req.Currency == "" {
		return authenticationRec{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_amount", Field: "amount", Message: "amount must be 0 (a verification) or more minor units"}
	}
	if !knownCurrency(req.Currency) {
		return authenticationRec{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "unsupported_currency", Field: "currency", Message: fmt.Sprintf("currency %q is not supported", req.Currency)}
	}
	if u, err := url.Parse(req.ReturnURL); err != nil || u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return authenticationRec{}, &apiError{Status: http.StatusUnprocessableEntity, Code: "invalid_request", Field: "return_url", Message: "return_url must be an absolute http(s) URL"}
	}
	c, err := s.loadCard(tx, req.Token)
	if err != nil {
		return authenticationRec{}, err
	}
	a := authenticationRec{ID: newID("auth"), Token: c.Token, Amount: req.Amount, Currency: req.Currency, ReturnURL: req.ReturnURL, Key: key, CreatedAt: s.now()}
	tc, listed := threeDSCards[c.Number]
	switch {
	case tc.unavailable:
		a.Status = payment.AuthUnavailable
	case tc.challenge:
		a.Status, a.URL = payment.AuthChallengeRequired, base+"/v1/hosted/challenge/"+a.ID
	case tc.requires || tc.optional && req.Always:
		s.complete(&a, payment.AuthFrictionless)
	case !listed && req.Always:
		// Not enrolled: the network attests the attempt (ECI 06), which
		// shifts liability as an authentication does.
		s.complete(&a, payment.AuthAttempted)
	default:
		a.Status = payment.AuthNotRequired
	}
	if err := insertAuthentication(tx, a); err != nil {
		return authenticationRec{}, err
	}
	if a.Status != payment.AuthNotRequired && a.Status != payment.AuthChallengeRequired {
		if err := s.ledgerAuthentication(tx, a); err != nil {
			return authenticationRec{}, err
		}
	}
	s.log.Info("authentication", logAuthentication(a)...)
	return a, nil
}

// complete gives an authentication its final status and, when the issuer
// authenticated, the data the authorization must carry.
func (s *Sandbox) complete(a *authenticationRec, status string) {
	a.Status, a.URL = status, ""
	switch status {
	case payment.AuthFrictionless, payment.AuthChallenged:
		a.ECI, a.Liability = "05", true
	case payment.AuthAttempted:
		a.ECI, a.Liability = "06", true
	default:
		a.ECI = "07"
		return
	}
	a.Value = randomValue()
	a.DSTransID = newUUID()
}

// challengeResult is the cardholder's answer on the challenge page: pass or
// fail. A challenge already answered keeps its first answer.
func (s *Sandbox) challengeResult(tx *sql.Tx, id string, pass bool) (authenticationRec, error) {
	a, err := loadAuthentication(tx, id)
	if err != nil {
		return a, err
	}
	if a.Status != payment.AuthChallengeRequired {
		return a, nil
	}
	if pass {
		s.complete(&a, payment.AuthChallenged)
	} else {
		s.complete(&a, payment.AuthFailed)
	}
	if err := updateAuthentication(tx, a); err != nil {
		return a, err
	}
	if err := s.ledgerAuthentication(tx, a); err != nil {
		return a, err
	}
	s.log.Info("challenge", logAuthentication(a)...)
	return a, nil
}

// ledgerAuthentication enters an authentication's final answer in the
// ledger: approved when the issuer authenticated, declined otherwise; the
// code is the authentication's status and the processor code its ECI; the
// key is the authentication call's, so the books name whose it was.
func (s *Sandbox) ledgerAuthentication(tx *sql.Tx, a authenticationRec) error {
	e := Entry{ID: newID("op"), IdempotencyKey: a.Key, Type: opAuthenticate, Token: a.Token, PaymentID: a.ID,
		Amount: a.Amount, Currency: a.Currency, Status: statusApproved, Code: a.Status, ProcessorCode: a.ECI, At: s.now()}
	if a.Status == payment.AuthFailed || a.Status == payment.AuthUnavailable {
		e.Status = statusDeclined
	}
	return insertEntry(tx, e)
}

// threeDSOutcome is the issuer's word on an authorization of a card of the
// 3-D Secure table; "" leaves the card's own answer. A customer-initiated
// authorization of a card that requires authentication needs an
// authentication of that token the issuer completed (frictionless,
// challenged), a merchant-initiated one the network transaction id of such an
// authorization on that token; else authentication_required (1A). authed
// reports whether the authorization is itself authenticated, for the network
// transaction it answers.
func (s *Sandbox) threeDSOutcome(tx *sql.Tx, c vaultCard, req chargeRequest) (outcome string, authed bool, err error) {
	tc := threeDSCards[c.Number]
	if req.Authentication != nil {
		a, err := loadAuthentication(tx, req.Authentication.ID)
		if err != nil {
			return "", false, err
		}
		if a.Token != c.Token || a.ECI != req.Authentication.ECI || a.Value != req.Authentication.Value {
			return "", false, &apiError{Status: http.StatusUnprocessableEntity, Code: "authentication_mismatch", Field: "authentication",
				Message: "the authentication data is not that of authentication " + a.ID + " on this token"}
		}
		authed = !a.Used && (a.Status == payment.AuthFrictionless || a.Status == payment.AuthChallenged || a.Status == payment.AuthAttempted)
		if authed {
			if _, err := tx.Exec(`UPDATE authentications SET used = 1 WHERE id = ?`, a.ID); err != nil {
				return "", false, fmt.Errorf("sandbox: use authentication %s: %w", a.ID, err)
			}
		}
	}
	switch {
	case !tc.requires:
		return "", authed, nil
	case req.Initiator == payment.InitiatorMerchant:
		ok, err := authenticatedTransaction(tx, c.Token, req.NetworkTransactionID)
		if err != nil || !ok {
			return payment.AuthenticationRequired, false, err
		}
		return "", false, nil
	case !authed:
		return payment.AuthenticationRequired, false, nil
	}
	return tc.declineWith, true, nil
}

// authenticatedTransaction reports whether id is the network transaction of
// an approved, authenticated customer-initiated authorization on token.
func authenticatedTransaction(tx *sql.Tx, token, id string) (bool, error) {
	if id == "" {
		return false, nil
	}
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM network_transactions WHERE id = ? AND token = ? AND authenticated = 1`, id, token).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sandbox: look up network transaction %s: %w", id, err)
	}
	return n > 0, nil
}

// networkTransaction records the network's id of an authorization: every
// authorization, approved or declined, answers one; only an approved,
// authenticated one lets later merchant-initiated charges go without the
// cardholder.
func networkTransaction(tx *sql.Tx, token, paymentID string, authenticated bool) (string, error) {
	id := newID("ntx")
	if _, err := tx.Exec(`INSERT INTO network_transactions(id, token, payment_id, authenticated) VALUES (?, ?, ?, ?)`,
		id, token, paymentID, authenticated); err != nil {
		return "", fmt.Errorf("sandbox: store network transaction of %s: %w", paymentID, err)
	}
	return id, nil
}

func insertAuthentication(tx *sql.Tx, a authenticationRec) error {
	_, err := tx.Exec(`INSERT INTO authentications(id, idempotency_key, token, amount, currency, status, challenge_url, eci, value, ds_trans_id, liability, return_url, used, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`,
		a.ID, a.Key, a.Token, a.Amount, a.Currency, a.Status, a.URL, a.ECI, a.Value, a.DSTransID, a.Liability, a.ReturnURL, fmtTime(a.CreatedAt))
	if err != nil {
		return fmt.Errorf("sandbox: store authentication %s: %w", a.ID, err)
	}
	return nil
}

func updateAuthentication(tx *sql.Tx, a authenticationRec) error {
	_, err := tx.Exec(`UPDATE authentications SET status = ?, challenge_url = ?, eci = ?, value = ?, ds_trans_id = ?, liability = ? WHERE id = ?`,
		a.Status, a.URL, a.ECI, a.Value, a.DSTransID, a.Liability, a.ID)
	if err != nil {
		return fmt.Errorf("sandbox: update authentication %s: %w", a.ID, err)
	}
	return nil
}

func loadAuthentication(q querier, id string) (authenticationRec, error) {
	var (
		a       authenticationRec
		created string
	)
	err := q.QueryRow(`SELECT id, idempotency_key, token, amount, currency, status, challenge_url, eci, value, ds_trans_id, liability, return_url, used, created_at
		FROM authentications WHERE id = ?`, id).
		Scan(&a.ID, &a.Key, &a.Token, &a.Amount, &a.Currency, &a.Status, &a.URL, &a.ECI, &a.Value, &a.DSTransID, &a.Liability, &a.ReturnURL, &a.Used, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return a, &apiError{Status: http.StatusNotFound, Code: "authentication_not_found", Message: "no such authentication: " + id}
	}
	if err != nil {
		return a, fmt.Errorf("sandbox: load authentication %s: %w", id, err)
	}
	a.CreatedAt, err = parseTime(created)
	return a, err
}

// randomValue is an authentication value (CAVV): 20 random bytes, base64.
func randomValue() string {
	b := make([]byte, 20)
	_, _ = crand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// newUUID is a random (version 4) UUID, the directory server's transaction id.
func newUUID() string {
	b := make([]byte, 16)
	_, _ = crand.Read(b)
	b[6], b[8] = b[6]&0x0f|0x40, b[8]&0x3f|0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
