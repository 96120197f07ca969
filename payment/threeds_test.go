package payment

import (
	"strings"
	"testing"
)

func TestReturnState(t *testing.T) {
	secret := []byte("rs_test")
	key := "order/o-1/authenticate/2"
	state := ReturnState(secret, key)
	got, err := ParseReturnState(secret, state)
	if err != nil || got != key {
		t.Fatalf("ParseReturnState(ReturnState(%q)) = %q, %v", key, got, err)
	}
	forged := ReturnState([]byte("another secret"), "order/o-2/authenticate/1")
	other, _, _ := strings.Cut(forged, ".")
	_, sig, _ := strings.Cut(state, ".")
	for _, s := range []string{"", "x", forged, state + "x", other + "." + sig} {
		if k, err := ParseReturnState(secret, s); err == nil {
			t.Errorf("ParseReturnState(%q) = %q: a state not signed with the secret was taken", s, k)
		}
	}
	if id, ok := WorkflowOfKey(key); !ok || id != "order/o-1" {
		t.Errorf("WorkflowOfKey(%q) = %q, %v", key, id, ok)
	}
	for _, k := range []string{"", "order/o-1", "payment/x/authenticate/1", "order//authenticate/1"} {
		if id, ok := WorkflowOfKey(k); ok {
			t.Errorf("WorkflowOfKey(%q) = %q: not a workflow's key", k, id)
		}
	}
}

func TestAuthenticationData(t *testing.T) {
	for _, tt := range []struct {
		status        string
		authenticated bool
		data          bool
	}{
		{AuthNotRequired, true, true},
		{AuthFrictionless, true, true},
		{AuthChallenged, true, true},
		{AuthAttempted, true, true},
		{AuthUnavailable, true, true},
		{AuthChallengeRequired, false, true},
		{AuthFailed, false, true},
	} {
		a := Authentication{ID: "auth_1", Status: tt.status, ECI: "05"}
		if (Authentication{Status: tt.status}).Data() != nil {
			t.Errorf("%s without an id carries data", tt.status)
		}
		if a.Authenticated() != tt.authenticated || (a.Data() != nil) != tt.data {
			t.Errorf("%s: authenticated %v, data %v; want %v, %v", tt.status, a.Authenticated(), a.Data() != nil, tt.authenticated, tt.data)
		}
	}
}
