package shop

import (
	"encoding/json"
	"testing"

	"github.com/cardflow/cardflow/subscription"
)

// Running workflows hold the digest of the request that started them; a
// changed algorithm would turn every replay of their request into a 409. These
// values were computed by the API's code before it moved here.
func TestDigestStable(t *testing.T) {
	if got, want := testOrderRequest().Digest(), "1356f1df234927cce9f5a8fdcf2fc86da951894dd91800c016b777aba0a488fd"; got != want {
		t.Errorf("order digest %s, want %s", got, want)
	}
	// Defaults count as if sent: Digest fills them itself.
	bare := testOrderRequest()
	bare.Capture, bare.Submit, bare.FraudScreen = "", "", nil
	if bare.Digest() != testOrderRequest().Digest() {
		t.Error("a request without defaults has another digest")
	}

	var req SubscriptionRequest
	if err := json.Unmarshal([]byte(subBody), &req); err != nil {
		t.Fatal(err)
	}
	in, err := req.Input(subscription.Settings{KeepEvents: 10})
	if err != nil {
		t.Fatal(err)
	}
	if want := "c30c85b87d6de42970e88a46b70eb1996e63b8bbeaa289edebaf638270ce0e71"; in.Digest != want {
		t.Errorf("subscription digest %s, want %s", in.Digest, want)
	}
}
