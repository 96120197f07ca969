package sandbox_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
)

const returnTo = "https://cardflow.example/v1/three-ds/return?state=s1"

func (e *env) authenticate(key, token string, amount int64, always bool) payment.Authentication {
	e.t.Helper()
	a, err := e.p.Authenticate(ctx(e.t), payment.AuthenticationRequest{Key: key, Token: token, Amount: eur(amount), Always: always, ReturnURL: returnTo})
	require.NoError(e.t, err)
	return a
}

// challenge answers the challenge page as a browser does, and returns where
// the sandbox sent the browser back to.
func (e *env) challenge(a payment.Authentication, outcome string) *url.URL {
	e.t.Helper()
	page, err := http.Get(a.ChallengeURL)
	require.NoError(e.t, err)
	page.Body.Close()
	require.Equal(e.t, http.StatusOK, page.StatusCode, "the challenge page needs no key: it is the browser's")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(a.ChallengeURL, url.Values{"outcome": {outcome}})
	require.NoError(e.t, err)
	resp.Body.Close()
	require.Equal(e.t, http.StatusSeeOther, resp.StatusCode)
	back, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(e.t, err)
	return back
}

func (e *env) authorizeWith(key, token string, amount int64, a *payment.AuthenticationData) payment.Outcome {
	e.t.Helper()
	o, err := e.p.Authorize(ctx(e.t), payment.Charge{Key: key, Token: token, Amount: eur(amount), Authentication: a})
	require.NoError(e.t, err)
	return o
}

func declinedWith(t *testing.T, o payment.Outcome, code string) {
	t.Helper()
	require.False(t, o.Approved, "want a decline %s", code)
	require.Equal(t, code, o.Failure.Code)
}

// TestThreeDSCards walks the contract's 3-D Secure table: what the
// authentication answers (automatic and always), and what an authorization
// with and without it answers.
func TestThreeDSCards(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		number           string
		automatic        string // status answered without always
		always           string
		without, withIt  string // decline code of an authorization without / with the authentication ("": approved)
		challengeDecides bool
	}{
		{"4000000000003220", payment.AuthChallengeRequired, payment.AuthChallengeRequired, payment.AuthenticationRequired, "", true},
		{"4000000000003063", payment.AuthFrictionless, payment.AuthFrictionless, payment.AuthenticationRequired, "", false},
		{"4000008400001629", payment.AuthChallengeRequired, payment.AuthChallengeRequired, payment.AuthenticationRequired, payment.DoNotHonor, true},
		{"4000000000003055", payment.AuthNotRequired, payment.AuthFrictionless, "", "", false},
		{"4000000000003097", payment.AuthUnavailable, payment.AuthUnavailable, "", "", false},
		{"4242424242424242", payment.AuthNotRequired, payment.AuthAttempted, "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.number, func(t *testing.T) {
			c := e.tokenize(tt.number)
			auto := e.authenticate("auth/auto/"+tt.number, c.Token, 1000, false)
			assert.Equal(t, tt.automatic, auto.Status, "automatic")
			always := e.authenticate("auth/always/"+tt.number, c.Token, 1000, true)
			assert.Equal(t, tt.always, always.Status, "always")

			without := e.authorize("pay/without/"+tt.number, c.Token, 1000)
			assert.NotEmpty(t, without.NetworkTransactionID, "every authorization answers a network transaction id")
			if tt.without == "" {
				assert.True(t, without.Approved)
			} else {
				declinedWith(t, without, tt.without)
				assert.Equal(t, "1A", without.Failure.ProcessorCode)
				assert.Equal(t, payment.Soft, without.Failure.Class)
			}

			a := always
			if tt.challengeDecides {
				assert.Empty(t, a.ECI, "no data before the challenge")
				back := e.challenge(a, "pass")
				assert.Equal(t, a.ID, back.Query().Get("authentication_id"), "the browser goes back with the id")
				assert.Equal(t, "s1", back.Query().Get("state"), "and the merchant's own state")
				var err error
				a, err = e.p.AuthenticationResult(ctx(t), a.ID)
				require.NoError(t, err)
				assert.Equal(t, payment.AuthChallenged, a.Status)
			}
			if a.Status == payment.AuthNotRequired || a.Status == payment.AuthUnavailable {
				assert.True(t, e.authorizeWith("pay/id-alone/"+tt.number, c.Token, 1000, a.Data()).Approved, "the id alone, nothing to check")
				return
			}
			assert.True(t, a.LiabilityShift)
			assert.NotEmpty(t, a.Value)
			assert.NotEmpty(t, a.DSTransID)
			with := e.authorizeWith("pay/with/"+tt.number, c.Token, 1000, a.Data())
			if tt.withIt == "" {
				assert.True(t, with.Approved, "authorized with the authentication")
			} else {
				declinedWith(t, with, tt.withIt)
			}
		})
	}
}

func TestThreeDSChallengeFailed(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4000000000003220")
	a := e.authenticate("auth/1", c.Token, 500, false)
	e.challenge(a, "fail")
	got, err := e.p.AuthenticationResult(ctx(t), a.ID)
	require.NoError(t, err)
	assert.Equal(t, payment.AuthFailed, got.Status)
	assert.False(t, got.LiabilityShift)
	// A second answer changes nothing: the first one stands.
	e.challenge(a, "pass")
	got, err = e.p.AuthenticationResult(ctx(t), a.ID)
	require.NoError(t, err)
	assert.Equal(t, payment.AuthFailed, got.Status)
	// A failed authentication's id does not authorize.
	declinedWith(t, e.authorizeWith("pay/1", c.Token, 500, &payment.AuthenticationData{ID: a.ID, ECI: got.ECI}), payment.AuthenticationRequired)

	ledger := e.ledger(vault.LedgerQuery{Token: c.Token})
	require.Len(t, ledger, 2, "the failed challenge and the declined authorization")
	assert.Equal(t, "authenticate", ledger[0].Type)
	assert.Equal(t, "declined", ledger[0].Status)
	assert.Equal(t, payment.AuthFailed, ledger[0].Code)
	assert.Equal(t, "auth/1", ledger[0].IdempotencyKey, "the challenge's entry carries the authentication's key")
}

// An authentication value is good for one authorization, of the token it was for.
func TestThreeDSDataIsChecked(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4000000000003063")
	other := e.tokenize("4000000000003063")
	a := e.authenticate("auth/1", c.Token, 500, false)
	_, err := e.p.Authorize(ctx(t), payment.Charge{Key: "pay/other", Token: other.Token, Amount: eur(500), Authentication: a.Data()})
	contractErr(t, err, http.StatusUnprocessableEntity, "authentication_mismatch")
	forged := *a.Data()
	forged.Value = "AAAA"
	_, err = e.p.Authorize(ctx(t), payment.Charge{Key: "pay/forged", Token: c.Token, Amount: eur(500), Authentication: &forged})
	contractErr(t, err, http.StatusUnprocessableEntity, "authentication_mismatch")
	assert.True(t, e.authorizeWith("pay/1", c.Token, 500, a.Data()).Approved)
	assert.True(t, e.authorizeWith("pay/1", c.Token, 500, a.Data()).Approved, "a replay of the same key answers the same")
	declinedWith(t, e.authorizeWith("pay/2", c.Token, 500, a.Data()), payment.AuthenticationRequired)
}

// A merchant-initiated charge is exempt when it names the network
// transaction of an authenticated customer-initiated one on the token.
func TestThreeDSMerchantInitiated(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4000000000003220")
	a := e.authenticate("auth/1", c.Token, 999, false)
	e.challenge(a, "pass")
	a, err := e.p.AuthenticationResult(ctx(t), a.ID)
	require.NoError(t, err)
	first, err := e.p.Sale(ctx(t), payment.Charge{Key: "bill/1", Token: c.Token, Amount: eur(999), Authentication: a.Data()})
	require.NoError(t, err)
	require.True(t, first.Approved)

	mit := func(key, token, ntx string) payment.Outcome {
		o, err := e.p.Sale(ctx(t), payment.Charge{Key: key, Token: token, Amount: eur(999), Initiator: payment.InitiatorMerchant, NetworkTransactionID: ntx})
		require.NoError(t, err)
		return o
	}
	for i := range 3 {
		o := mit("bill/mit/"+string(rune('a'+i)), c.Token, first.NetworkTransactionID)
		assert.True(t, o.Approved, "MIT %d with the first payment's id", i)
	}
	declinedWith(t, mit("bill/none", c.Token, ""), payment.AuthenticationRequired)
	unauthenticated := e.authorize("pay/x", c.Token, 1) // declined: not authenticated
	declinedWith(t, mit("bill/declined-id", c.Token, unauthenticated.NetworkTransactionID), payment.AuthenticationRequired)
	replaced := e.tokenize("4000000000003220")
	declinedWith(t, mit("bill/other-token", replaced.Token, first.NetworkTransactionID), payment.AuthenticationRequired)
	// A card that never requires authentication bills merchant-initiated without an id.
	visa := e.tokenize("4242424242424242")
	assert.True(t, mit("bill/visa", visa.Token, "").Approved)
}

func TestThreeDSVerification(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4000000000003063")
	a := e.authenticate("verify-auth/1", c.Token, 0, false)
	require.Equal(t, payment.AuthFrictionless, a.Status)
	v, err := e.p.Verify(ctx(t), payment.Charge{Key: "verify/1", Token: c.Token, Amount: eur(0), Authentication: a.Data()})
	require.NoError(t, err)
	require.True(t, v.Approved)
	void, err := e.p.Void(ctx(t), payment.Operation{Key: "verify-void/1", PaymentID: v.PaymentID, Amount: eur(0)})
	require.NoError(t, err)
	assert.True(t, void.Approved)
	_, err = e.p.Void(ctx(t), payment.Operation{Key: "verify-void/2", PaymentID: v.PaymentID, Amount: eur(0)})
	contractErr(t, err, http.StatusUnprocessableEntity, "nothing_to_void")
	// Later bills follow the verification without the cardholder.
	o, err := e.p.Sale(ctx(t), payment.Charge{Key: "bill/1", Token: c.Token, Amount: eur(999), Initiator: payment.InitiatorMerchant, NetworkTransactionID: v.NetworkTransactionID})
	require.NoError(t, err)
	assert.True(t, o.Approved)
	_, err = e.p.Verify(ctx(t), payment.Charge{Key: "verify/2", Token: c.Token, Amount: eur(5)})
	contractErr(t, err, http.StatusUnprocessableEntity, "invalid_amount")
}

func TestThreeDSRoutesNeedTheSecretKey(t *testing.T) {
	e := newEnv(t)
	c := e.tokenize("4000000000003220")
	body := map[string]any{"token": c.Token, "amount": 100, "currency": "EUR", "return_url": returnTo}
	for _, bearer := range []string{"", publishableKey, "sk_wrong"} {
		assert.Equal(t, http.StatusUnauthorized, e.rawAs(bearer, http.MethodPost, "/v1/authentications", "k1", body, nil).StatusCode, "bearer %q", bearer)
	}
	a := e.authenticate("k1", c.Token, 100, false)
	assert.Equal(t, http.StatusUnauthorized, e.rawAs("", http.MethodGet, "/v1/authentications/"+a.ID, "", nil, nil).StatusCode)
	// Idempotent: the same key answers the same authentication; another request under it is a conflict.
	again := e.authenticate("k1", c.Token, 100, false)
	assert.Equal(t, a.ID, again.ID)
	body["amount"] = 200
	assert.Equal(t, http.StatusConflict, e.raw(http.MethodPost, "/v1/authentications", "k1", body, nil).StatusCode)
	body["return_url"] = "javascript:alert(1)"
	assert.Equal(t, http.StatusUnprocessableEntity, e.raw(http.MethodPost, "/v1/authentications", "k2", body, nil).StatusCode)
	// An unknown challenge is a 404 page; the page never shows the card number.
	resp, err := http.Get(e.srv.URL + "/v1/hosted/challenge/auth_nope")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	page := getBody(t, a.ChallengeURL)
	assert.Contains(t, page, "ending in 3220")
	assert.NotContains(t, page, "4000000000003220")
	// Authentications survive a restart.
	e.restart()
	got, err := e.p.AuthenticationResult(ctx(t), a.ID)
	require.NoError(t, err)
	assert.Equal(t, payment.AuthChallengeRequired, got.Status)
	assert.True(t, strings.HasSuffix(got.ChallengeURL, "/v1/hosted/challenge/"+a.ID))
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}
