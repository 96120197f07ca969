package payment

import (
	"strings"
	"testing"
)

func TestDeclineCatalogue(t *testing.T) {
	tests := []struct {
		code    string
		iso     string
		class   Class
		updater bool
	}{
		{"do_not_honor", "05", Soft, false},
		{"insufficient_funds", "51", Soft, false},
		{"processing_error", "96", Soft, false},
		{"try_again_later", "19", Soft, false},
		{"issuer_unavailable", "91", Soft, false},
		{"exceeds_withdrawal_limit", "61", Soft, false},
		{"lost_card", "41", Hard, true},
		{"stolen_card", "43", Hard, true},
		{"pickup_card", "04", Hard, false},
		{"expired_card", "54", Hard, true},
		{"incorrect_cvc", "N7", Hard, false},
		{"invalid_number", "14", Hard, false},
		{"account_closed", "46", Hard, false},
		{"fraudulent", "59", Hard, false},
		{"restricted_card", "62", Hard, false},
		{"transaction_not_allowed", "57", Hard, false},
		{"authorization_expired", "", Hard, false},
		{"authentication_required", "1A", Soft, false},
		{"authentication_failed", "", Soft, false},
		{"authentication_timeout", "", Soft, false},
	}
	if n := len(Declines()); n != len(tests) {
		t.Errorf("catalogue has %d entries; the test knows %d", n, len(tests))
	}
	for _, tt := range tests {
		d, ok := LookupDecline(tt.code)
		if !ok {
			t.Errorf("LookupDecline(%q): not found", tt.code)
			continue
		}
		if d.Code != tt.code || d.ISO != tt.iso || d.Class != tt.class || d.Updater != tt.updater {
			t.Errorf("LookupDecline(%q) = %+v; want ISO %q, %s, updater %v", tt.code, d, tt.iso, tt.class, tt.updater)
		}
		if !strings.HasSuffix(d.Message, ".") || d.Message[0] < 'A' || d.Message[0] > 'Z' {
			t.Errorf("%s: message %q is not a sentence", tt.code, d.Message)
		}
		if DeclineFor(tt.code) != d {
			t.Errorf("DeclineFor(%q) differs from LookupDecline", tt.code)
		}
	}
	isos := map[string]string{}
	for _, d := range Declines() {
		if d.ISO == ISOApproved {
			t.Errorf("%s has the approval code", d.Code)
		}
		if prev, dup := isos[d.ISO]; dup && d.ISO != "" {
			t.Errorf("ISO %s used by %s and %s", d.ISO, prev, d.Code)
		}
		isos[d.ISO] = d.Code
	}
}

// TestDeclineMessagesDiscreet: whoever holds a lost or stolen card must not learn
// why it is declined.
func TestDeclineMessagesDiscreet(t *testing.T) {
	for _, code := range []string{LostCard, StolenCard, PickupCard, Fraudulent, RestrictedCard} {
		msg := strings.ToLower(DeclineFor(code).Message)
		for _, word := range []string{"lost", "stolen", "fraud", "pick", "restrict", "police"} {
			if strings.Contains(msg, word) {
				t.Errorf("%s: message %q says %q", code, msg, word)
			}
		}
	}
}

func TestDeclineForUnknown(t *testing.T) {
	for code, want := range map[string]string{"card_velocity_exceeded": "card_velocity_exceeded", "": GenericDecline} {
		d := DeclineFor(code)
		if d.Code != want || d.Class != Soft || d.ISO != "" || d.Updater || d.Message == "" {
			t.Errorf("DeclineFor(%q) = %+v; want a soft generic decline coded %q", code, d, want)
		}
		if _, ok := LookupDecline(code); ok {
			t.Errorf("LookupDecline(%q) found something", code)
		}
	}
}

func TestDeclineFailure(t *testing.T) {
	f := DeclineFor(InsufficientFunds).Failure(StageProcessor)
	want := Failure{Stage: StageProcessor, Code: "insufficient_funds", Class: Soft, ProcessorCode: "51",
		Message: DeclineFor(InsufficientFunds).Message}
	if *f != want {
		t.Errorf("Failure = %+v; want %+v", *f, want)
	}
}

func TestDeclinesIsACopy(t *testing.T) {
	Declines()[0].Class = "changed"
	if Declines()[0].Class == "changed" {
		t.Error("Declines() hands out the catalogue itself")
	}
}
