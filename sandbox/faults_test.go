package sandbox_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	proc "github.com/cardflow/cardflow/adapters/processor/sandbox"
	"github.com/cardflow/cardflow/adapters/vault"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/sandbox"
)

func TestParseFaults(t *testing.T) {
	tests := []struct {
		in      string
		want    sandbox.Faults
		wantErr bool
	}{
		{in: "", want: sandbox.Faults{}},
		{in: "latency=20ms,error=0.05,timeout=0.05", want: sandbox.Faults{Latency: 20 * time.Millisecond, Error: 0.05, Timeout: 0.05}},
		{in: " error = 1 ", want: sandbox.Faults{Error: 1}},
		{in: "timeout=0.5,", want: sandbox.Faults{Timeout: 0.5}},
		{in: "latency=fast", wantErr: true},
		{in: "latency=-1s", wantErr: true},
		{in: "error=1.5", wantErr: true},
		{in: "timeout=-0.1", wantErr: true},
		{in: "crash=0.1", wantErr: true},
		{in: "error", wantErr: true},
	}
	for _, tt := range tests {
		got, err := sandbox.ParseFaults(tt.in)
		if tt.wantErr {
			assert.Error(t, err, tt.in)
			continue
		}
		require.NoError(t, err, tt.in)
		assert.Equal(t, tt.want, got, tt.in)
		back, err := sandbox.ParseFaults(got.String())
		require.NoError(t, err)
		assert.Equal(t, got, back, "String is the ParseFaults form")
	}
}

// retryable is how activities tell a fault from a contract error.
func retryable(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var perr *payment.ProcessorError
	assert.False(t, errors.As(err, &perr), "a fault must not look like a contract error: %v", err)
}

func TestFaultError(t *testing.T) {
	e := newEnv(t, func(c *sandbox.Config) { c.Faults = sandbox.Faults{Error: 1} })
	tok := e.tokenize("4242424242424242") // tokenization is never faulty
	c := ctx(t)
	ch := payment.Charge{Key: "order/o-1/authorize/1", Token: tok.Token, Amount: eur(1000)}

	_, err := e.p.Authorize(c, ch)
	retryable(t, err)
	assert.ErrorIs(t, err, proc.ErrUnavailable)
	assert.Contains(t, err.Error(), ch.Key, "the error names the idempotency key")
	_, err = e.c.Card(c, tok.Token)
	retryable(t, err)
	_, err = e.p.Risk(c, tok.Token)
	retryable(t, err)
	_, err = e.p.UpdateCard(c, "upd", tok.Token)
	retryable(t, err)
	assert.Empty(t, e.ledger(vault.LedgerQuery{}), "an error fault does not act")

	require.NoError(t, e.c.SetFaults(c, ""))
	o, err := e.p.Authorize(c, ch)
	require.NoError(t, err)
	assert.True(t, o.Approved, "the retry with the same key acts")
	assert.Len(t, e.ledger(vault.LedgerQuery{}), 1)
}

func TestFaultTimeout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *sandbox.Config) { c.TimeoutDelay = 3 * time.Second })
	tok := e.tokenize("4242424242424242")
	c := ctx(t)
	ch := payment.Charge{Key: "order/o-1/authorize/1", Token: tok.Token, Amount: eur(1000)}
	impatient := proc.NewClient(e.srv.URL, secretKey, 300*time.Millisecond)

	e.sb.SetFaults(sandbox.Faults{Timeout: 1})
	began := time.Now()
	_, err := impatient.Authorize(c, ch)
	retryable(t, err)
	assert.Less(t, time.Since(began), 2*time.Second, "the client gives up at its own timeout")
	assert.Contains(t, err.Error(), ch.Key)
	l := e.ledger(vault.LedgerQuery{})
	require.Len(t, l, 1, "a timeout fault acts before answering too late")

	e.sb.SetFaults(sandbox.Faults{})
	o, err := impatient.Authorize(c, ch)
	require.NoError(t, err)
	assert.True(t, o.Approved)
	assert.Equal(t, l[0].ID, o.OperationID, "the retry answers the first result")
	assert.Equal(t, l[0].PaymentID, o.PaymentID)
	assert.Len(t, e.ledger(vault.LedgerQuery{}), 1)
}

func TestFaultTimeoutAnswersLate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *sandbox.Config) {
		c.TimeoutDelay = 400 * time.Millisecond
		c.Faults = sandbox.Faults{Timeout: 1}
	})
	tok := e.tokenize("4242424242424242")
	began := time.Now()
	o := e.authorize("late", tok.Token, 100) // a patient client gets the answer, late
	assert.True(t, o.Approved)
	assert.GreaterOrEqual(t, time.Since(began), 400*time.Millisecond)
}

func TestFaultLatency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, func(c *sandbox.Config) { c.Faults = sandbox.Faults{Latency: 200 * time.Millisecond} })
	tok := e.tokenize("4242424242424242")
	began := time.Now()
	o := e.authorize("slow", tok.Token, 100)
	assert.True(t, o.Approved)
	assert.GreaterOrEqual(t, time.Since(began), 200*time.Millisecond)

	_, err := proc.NewClient(e.srv.URL, secretKey, 50*time.Millisecond).Authorize(ctx(t), payment.Charge{Key: "slow2", Token: tok.Token, Amount: eur(100)})
	retryable(t, err)
}

// The same seed draws the same faults: a flaky run can be replayed.
func TestFaultsAreSeeded(t *testing.T) {
	draws := func(seed uint64) []bool {
		e := newEnv(t, func(c *sandbox.Config) {
			c.Seed = seed
			c.Faults = sandbox.Faults{Error: 0.5}
		})
		tok := e.tokenize("4242424242424242")
		var failed []bool
		for range 20 {
			_, err := e.p.Risk(ctx(t), tok.Token)
			failed = append(failed, err != nil)
		}
		return failed
	}
	a := draws(7)
	assert.Equal(t, a, draws(7))
	assert.Contains(t, a, true)
	assert.Contains(t, a, false)
}
