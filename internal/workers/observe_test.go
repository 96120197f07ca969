package workers

import (
	"context"
	"net/http"
	"testing"

	"go.temporal.io/sdk/worker"

	"github.com/cardflow/cardflow/activities"
	"github.com/cardflow/cardflow/internal/telemetry"
	"github.com/cardflow/cardflow/payment"
)

type fakeNotifier struct{ rt http.RoundTripper }

func (f *fakeNotifier) Notify(context.Context, payment.Notification) error { return nil }
func (f *fakeNotifier) WithTransport(rt http.RoundTripper)                 { f.rt = rt }

// Observe decorates the adapters, hands a tracing transport to those that
// take one, and adds the attention interceptor to the worker's.
func TestObserve(t *testing.T) {
	tel, err := telemetry.New("test", telemetry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := &fakeNotifier{}
	acts := &activities.Activities{Notifier: n}
	got, opts := Observe(acts, worker.Options{}, tel)
	if got.Notifier == activities.Notifier(n) || acts.Notifier != activities.Notifier(n) {
		t.Error("the notifier is not decorated in the copy, or the original changed")
	}
	if n.rt == nil {
		t.Error("the adapter that takes a transport got none")
	}
	if len(opts.Interceptors) != 1 {
		t.Errorf("%d worker interceptors, want the attention counts", len(opts.Interceptors))
	}
	if err := got.Notifier.Notify(context.Background(), payment.Notification{Type: "order.captured"}); err != nil {
		t.Fatal(err)
	}
}
