package flow

import "testing"

// The update ids are shared by the API and the starter, orders and
// subscriptions alike (<command>:<key>): a key used through either applies a
// command once.
func TestUpdateIDs(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{UpdateID("capture", "k-1"), "capture:k-1"},
		{UpdateID("capture", ""), ""},
		{UpdateID("cancel", "k-1"), "cancel:k-1"},
		{UpdateID("cancel", ""), ""},
	} {
		if tc.got != tc.want {
			t.Errorf("update id %q, want %q", tc.got, tc.want)
		}
	}
}
