package codec

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/encoding/protojson"
)

func TestFailureConverterEncryptsMessage(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	_, fc := Converters(k)
	msg := "card " + testPAN + " declined by issuer"
	cause := errors.New("processor said: cvc " + testCVC + " wrong for " + testPAN)
	in := temporal.NewApplicationErrorWithCause(msg, "CardDeclined", cause, "detail "+testPAN)

	f := fc.ErrorToFailure(in)
	assert.Equal(t, "Encoded failure", f.GetMessage())
	assert.Empty(t, f.GetStackTrace())
	assert.Equal(t, EncodingEncrypted, string(f.GetEncodedAttributes().GetMetadata()[converter.MetadataEncoding]))
	assert.Equal(t, "Encoded failure", f.GetCause().GetMessage(), "causes are encoded too")
	wire, err := protojson.Marshal(f)
	require.NoError(t, err)
	assert.NotContains(t, string(wire), testPAN, "nothing of the card in the stored failure")

	out := fc.FailureToError(f)
	assert.Contains(t, out.Error(), msg)
	var app *temporal.ApplicationError
	require.ErrorAs(t, out, &app)
	assert.Equal(t, "CardDeclined", app.Type())
	var detail string
	require.NoError(t, app.Details(&detail))
	assert.Equal(t, "detail "+testPAN, detail)
	assert.Contains(t, errors.Unwrap(out).Error(), "processor said")

	// Without the key the failure stays opaque rather than turning into garbage.
	_, other := Converters(keyring(t, "k1:"+b64(secret(t))))
	f = fc.ErrorToFailure(in)
	out = other.FailureToError(f)
	assert.NotContains(t, out.Error(), testPAN)
	assert.Contains(t, out.Error(), "Encoded failure")
}

// recorder remembers every payload the codec produced, i.e. what Temporal
// would store.
type recorder struct {
	*Codec
	mu  sync.Mutex
	out []*commonpb.Payload
}

func (r *recorder) Encode(ps []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out, err := r.Codec.Encode(ps)
	r.mu.Lock()
	r.out = append(r.out, out...)
	r.mu.Unlock()
	return out, err
}

func authorize(_ context.Context, o order) (string, error) {
	if o.Amount > 10000 {
		// An error message that (wrongly) quotes the card: it must still not
		// reach Temporal in the clear.
		return "", temporal.NewNonRetryableApplicationError("card "+o.Card.Number+" over limit", "OverLimit", nil)
	}
	return "auth-" + o.OrderID, nil
}

func pay(ctx workflow.Context, o order) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: time.Minute})
	var auth string
	err := workflow.ExecuteActivity(ctx, authorize, o).Get(ctx, &auth)
	return auth, err
}

func TestWorkflowThroughCodec(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	run := func(o order) (*recorder, *testsuite.TestWorkflowEnvironment) {
		var s testsuite.WorkflowTestSuite
		s.SetLogger(log.NewStructuredLogger(slog.New(slog.DiscardHandler)))
		env := s.NewTestWorkflowEnvironment()
		rec := &recorder{Codec: NewCodec(k)}
		dc := converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), rec)
		env.SetDataConverter(dc)
		env.SetFailureConverter(FailureConverter(dc))
		env.RegisterWorkflow(pay)
		env.RegisterActivity(authorize)
		env.ExecuteWorkflow(pay, o)
		require.True(t, env.IsWorkflowCompleted())
		return rec, env
	}
	checkStored := func(rec *recorder) {
		require.NotEmpty(t, rec.out)
		for _, p := range rec.out {
			assert.Equal(t, EncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
			assert.NotContains(t, string(p.Data), testPAN)
		}
	}

	rec, env := run(testOrder())
	require.NoError(t, env.GetWorkflowError())
	var auth string
	require.NoError(t, env.GetWorkflowResult(&auth))
	assert.Equal(t, "auth-o-1001", auth)
	checkStored(rec)

	big := testOrder()
	big.Amount = 20000
	rec, env = run(big)
	err := env.GetWorkflowError()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "over limit", "the message decodes back for the workflow")
	var app *temporal.ApplicationError
	require.ErrorAs(t, err, &app)
	assert.Equal(t, "OverLimit", app.Type())
	checkStored(rec)
	// The message was stored, encrypted, as the failure's encoded attributes.
	plain, err := NewCodec(k).Decode(rec.out)
	require.NoError(t, err)
	found := false
	for _, p := range plain {
		found = found || strings.Contains(string(p.Data), `"message":"card `+testPAN+` over limit"`)
	}
	assert.True(t, found, "an encrypted payload holds the failure message")
}
