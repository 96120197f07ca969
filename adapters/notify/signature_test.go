package notify_test

import (
	"errors"
	"testing"
	"time"

	"github.com/cardflow/cardflow/adapters/notify"
)

func TestSignKnownVector(t *testing.T) {
	// Computed independently: HMAC-SHA256("whsec_test", `1795255200.{"id":"evt_1"}`).
	got := notify.Sign(time.Unix(1795255200, 0), []byte(`{"id":"evt_1"}`), []byte("whsec_test"))
	want := "t=1795255200,v1=017aad8a34a67744d51d2d70d700a8437653eb359a440b996db8cea76979b078"
	if got != want {
		t.Errorf("Sign = %s, want %s", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret := []byte("whsec_test")
	body := []byte(`{"id":"evt_1","type":"order.captured"}`)
	sent := time.Unix(1795255200, 0)
	header := notify.Sign(sent, body, secret)
	other := notify.Sign(sent, body, []byte("whsec_other"))
	tests := []struct {
		name      string
		secret    []byte
		header    string
		body      []byte
		tolerance time.Duration
		now       time.Time
		want      error // nil = valid
	}{
		{"valid", secret, header, body, 5 * time.Minute, sent.Add(time.Second), nil},
		{"valid at the tolerance", secret, header, body, 5 * time.Minute, sent.Add(5 * time.Minute), nil},
		{"valid with the clock behind", secret, header, body, 5 * time.Minute, sent.Add(-time.Minute), nil},
		{"no tolerance", secret, header, body, 0, sent, notify.ErrNoTolerance},
		{"negative tolerance", secret, header, body, -time.Minute, sent.Add(240 * time.Hour), notify.ErrNoTolerance},
		{"valid during rotation", secret, other + "," + header[len("t=1795255200,"):], body, time.Minute, sent, nil},
		{"another secret", []byte("whsec_other"), header, body, 5 * time.Minute, sent, notify.ErrSignatureMismatch},
		{"tampered body", secret, header, []byte(`{"id":"evt_1","type":"order.refunded"}`), 5 * time.Minute, sent, notify.ErrSignatureMismatch},
		{"tampered timestamp", secret, "t=1795255201" + header[len("t=1795255200"):], body, 5 * time.Minute, sent, notify.ErrSignatureMismatch},
		{"outside tolerance", secret, header, body, 5 * time.Minute, sent.Add(5*time.Minute + time.Second), notify.ErrSignatureExpired},
		{"from the future", secret, header, body, 5 * time.Minute, sent.Add(-10 * time.Minute), notify.ErrSignatureExpired},
		{"empty header", secret, "", body, time.Minute, sent, notify.ErrMalformedSignature},
		{"no signature", secret, "t=1795255200", body, time.Minute, sent, notify.ErrMalformedSignature},
		{"no timestamp", secret, "v1=abc", body, time.Minute, sent, notify.ErrMalformedSignature},
		{"garbage", secret, "t=x,v1=abc", body, time.Minute, sent, notify.ErrMalformedSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := notify.Verify(tt.secret, tt.header, tt.body, tt.tolerance, tt.now)
			if !errors.Is(err, tt.want) { // errors.Is(nil, nil) holds
				t.Errorf("Verify = %v, want %v", err, tt.want)
			}
		})
	}
}
