package payment

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
)

// 3-D Secure modes of an order (API.md "3-D Secure"): when cardflow asks the
// processor to authenticate the cardholder before it authorizes.
const (
	ThreeDSAutomatic = "automatic" // authenticate when the card requires it (the default)
	ThreeDSAlways    = "always"    // ask for authentication on every attempt
	ThreeDSNever     = "never"     // authorize without: a card that requires it declines authentication_required
)

// Authentication statuses. The first five are the processor's answers; the
// order's view shows all but AuthChallengeRequired, which is requires_action.
const (
	AuthNotRequired       = "not_required"       // the card is not enrolled or does not ask for it: authorize without
	AuthFrictionless      = "frictionless"       // the issuer authenticated without asking the cardholder
	AuthChallengeRequired = "challenge_required" // the cardholder must pass a challenge at the ACS (NextAction)
	AuthChallenged        = "challenged"         // the cardholder passed the challenge
	AuthFailed            = "failed"             // the cardholder failed (or the issuer refused) the authentication
	AuthAttempted         = "attempted"          // the issuer does not take part; the network attested the attempt
	AuthUnavailable       = "unavailable"        // the directory server could not be reached: authorize without, no liability shift
)

// Who starts a charge. A customer-initiated one may need authentication; a
// merchant-initiated one (a subscription's later bills, a re-authorization)
// carries the network transaction id of an authenticated customer-initiated
// one and is exempt.
const (
	InitiatorCustomer = ""         // the default: the customer is present
	InitiatorMerchant = "merchant" // the customer is not; NetworkTransactionID says what it follows
)

// AuthenticationRequest asks the processor to authenticate the cardholder
// for a charge: a 3-D Secure server's authentication call. Key is its
// idempotency key (derived from workflow state, as every processor call's);
// ReturnURL is where the challenge sends the browser back, filled in by the
// activity (it carries a signed state, ReturnState).
type AuthenticationRequest struct {
	Key       string `json:"idempotency_key"`
	Token     string `json:"token"`
	Amount    Money  `json:"amount"` // zero for a card verification
	Always    bool   `json:"always,omitempty"`
	Sale      bool   `json:"sale,omitempty"` // the charge that follows captures at once (a processor that authorizes as it authenticates needs it)
	ReturnURL string `json:"return_url,omitempty"`
}

// Authentication is the processor's answer about one authentication: at
// first (Authenticate) and when cardflow asks for its result server-side
// (AuthenticationResult), never what a browser claims.
type Authentication struct {
	ID     string `json:"id"`
	Status string `json:"status"` // Auth*
	// ChallengeURL is where the cardholder completes the challenge, while the
	// status is challenge_required.
	ChallengeURL string `json:"challenge_url,omitempty"`
	// The authentication data the authorization carries: the ECI, the
	// authentication value (CAVV) and the directory server's transaction id.
	ECI            string `json:"eci,omitempty"`
	Value          string `json:"authentication_value,omitempty"`
	DSTransID      string `json:"ds_transaction_id,omitempty"`
	LiabilityShift bool   `json:"liability_shift"`
}

// Authenticated reports whether the authorization may go ahead with this
// authentication: frictionless, challenged, attempted, or nothing to do.
func (a Authentication) Authenticated() bool {
	switch a.Status {
	case AuthNotRequired, AuthFrictionless, AuthChallenged, AuthAttempted, AuthUnavailable:
		return true
	}
	return false
}

// Data is what the authorization carries of the authentication; nil when
// there was none. Not required and unavailable carry the id alone: a
// processor that authorizes as it authenticates (Stripe's PaymentIntent)
// finds its authorization by it; the sandbox asks nothing more of it.
func (a Authentication) Data() *AuthenticationData {
	if a.ID == "" {
		return nil
	}
	return &AuthenticationData{ID: a.ID, ECI: a.ECI, Value: a.Value, DSTransID: a.DSTransID}
}

// AuthenticationView is an authentication as the API shows it (API.md:
// authentication): never the authentication value.
type AuthenticationView struct {
	Status         string `json:"status"` // not_required, frictionless, challenged, failed, attempted, unavailable
	ECI            string `json:"eci,omitempty"`
	LiabilityShift bool   `json:"liability_shift"`
}

// View is the authentication as the API shows it.
func (a Authentication) View() *AuthenticationView {
	return &AuthenticationView{Status: a.Status, ECI: a.ECI, LiabilityShift: a.LiabilityShift}
}

// AuthenticationData goes with an authorization that followed an authentication.
type AuthenticationData struct {
	ID        string `json:"id"`
	ECI       string `json:"eci,omitempty"`
	Value     string `json:"authentication_value,omitempty"`
	DSTransID string `json:"ds_transaction_id,omitempty"`
}

// NextAction is what the customer must do before the payment goes on
// (API.md: next_action while requires_action).
type NextAction struct {
	Type string `json:"type"` // redirect_to_url
	URL  string `json:"url"`
}

// NextActionRedirect is the only kind of next action: send the browser there.
const NextActionRedirect = "redirect_to_url"

// ReturnState signs an authentication's idempotency key for the return URL,
// so that cardflow's return endpoint knows which workflow the browser comes
// back for without trusting anything else the browser says. The signature
// only routes: what the authentication's result was, cardflow asks the
// processor (AuthenticationResult).
func ReturnState(secret []byte, key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(key)) + "." + base64.RawURLEncoding.EncodeToString(returnMAC(secret, key))
}

// ErrReturnState is a return state that was not signed by ReturnState.
var ErrReturnState = errors.New("the 3-D Secure return state is not valid")

// ParseReturnState answers the key a state signed by ReturnState carries.
func ParseReturnState(secret []byte, state string) (string, error) {
	k, sig, ok := strings.Cut(state, ".")
	if !ok {
		return "", ErrReturnState
	}
	key, err := base64.RawURLEncoding.DecodeString(k)
	if err != nil {
		return "", ErrReturnState
	}
	mac, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(mac, returnMAC(secret, string(key))) {
		return "", ErrReturnState
	}
	return string(key), nil
}

func returnMAC(secret []byte, key string) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("cardflow-3ds-return\x00" + key))
	return m.Sum(nil)
}

// WorkflowOfKey is the workflow id an idempotency key names
// ("order/o-1/authenticate/1" → "order/o-1"): keys are
// <workflow id>/<operation>/<sequence...>, and ids hold no "/" of their own
// beyond the kind's.
func WorkflowOfKey(key string) (string, bool) {
	parts := strings.Split(key, "/")
	if len(parts) < 3 || parts[0] != "order" && parts[0] != "subscription" || parts[1] == "" {
		return "", false
	}
	return parts[0] + "/" + parts[1], true
}

// ReturnPath is cardflow's return endpoint on the API: the browser comes
// back there from a challenge (no API key; the signed state routes it).
const ReturnPath = "/v1/three-ds/return"

// ReturnURL is the return URL of an authentication: the API's base URL,
// ReturnPath and the signed state of the authentication's key.
func ReturnURL(base string, secret []byte, key string) string {
	return strings.TrimRight(base, "/") + ReturnPath + "?state=" + ReturnState(secret, key)
}
