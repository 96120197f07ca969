package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cardflow/cardflow/payment"
)

// The return endpoint needs no API key, and answers a state it did not sign
// (or any state, without a secret) with a 404 page, before Temporal is asked.
func TestThreeDSReturnRefusesUnsignedStates(t *testing.T) {
	secret := []byte("rs_test")
	for name, tt := range map[string]struct {
		secret []byte
		state  string
	}{
		"no state":             {secret, ""},
		"garbage":              {secret, "abc"},
		"another secret":       {secret, payment.ReturnState([]byte("guessed"), "order/o-1/authenticate/1")},
		"not a workflow's key": {secret, payment.ReturnState(secret, "payment/x")},
		"no secret configured": {nil, payment.ReturnState(nil, "order/o-1/authenticate/1")},
	} {
		h := (&Server{Config: Config{Keys: []string{"sk_test_local"}, ReturnSecret: tt.secret}}).Handler()
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, payment.ReturnPath+"?state="+tt.state+"&authentication_id=auth_1", nil))
		if rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "not valid") {
			t.Errorf("%s: %d %s", name, rec.Code, rec.Body)
		}
		if rec.Header().Get("Referrer-Policy") != "no-referrer" || rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: headers %v", name, rec.Header())
		}
	}
}
