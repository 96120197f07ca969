package logging

import (
	"bytes"
	"encoding/base64"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// jsonLogger writes JSON lines into buf through the redacting core, as New does.
func jsonLogger(buf *bytes.Buffer) *zap.Logger {
	enc := zapcore.NewJSONEncoder(zap.NewProductionEncoderConfig())
	return Redact(zap.New(zapcore.NewCore(enc, zapcore.AddSync(buf), zap.DebugLevel)))
}

type account struct{ number string }

func (a account) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	enc.AddString("number", a.number)
	enc.AddByteString("raw", []byte(a.number))
	return enc.AddArray("history", zapcore.ArrayMarshalerFunc(func(ae zapcore.ArrayEncoder) error {
		ae.AppendString(a.number)
		return ae.AppendObject(zapcore.ObjectMarshalerFunc(func(oe zapcore.ObjectEncoder) error {
			oe.AddString("nested", a.number)
			return nil
		}))
	}))
}

// Every kind of field that can carry text is masked, not only zap.String: the
// SDK's logger adapter is sugared, and a sugared slice becomes zap.Strings or a
// reflected value.
func TestRedactMasksEveryFieldKind(t *testing.T) {
	const pan = "4242424242424242"
	var buf bytes.Buffer
	log := jsonLogger(&buf)
	log.Info("kinds",
		zap.Strings("strings", []string{"ok", pan}),
		zap.ByteString("bytes", []byte("card "+pan)),
		zap.Binary("binary", []byte(pan)),
		zap.Dict("dict", zap.String("n", pan), zap.Strings("ns", []string{pan})),
		zap.Object("object", account{pan}),
		zap.Inline(account{pan}),
		zap.Any("any", []any{"x", pan}),
		zap.Errors("errors", []error{errors.New("declined " + pan)}),
	)
	log.Sugar().Infow("sugared", "cards", []string{pan}, "pair", [2]string{pan, pan}, "bytes", []byte(pan))
	Temporal(log).Info("sdk", "args", []any{pan}, "err", errors.New(pan))
	out := buf.String()
	assert.NotContains(t, out, pan)
	assert.NotContains(t, out, base64.StdEncoding.EncodeToString([]byte(pan)))
	assert.Contains(t, out, "424242******4242")
}

// MaskPAN's separators include the dots, underscores and slashes ids and paths
// are written with, so the masking covers every log line built from one.
func TestRedactMasksSeparatedNumbers(t *testing.T) {
	var buf bytes.Buffer
	jsonLogger(&buf).Info("separated 4242.4242.4242.4242 4242_4242_4242_4242 4242/4242/4242/4242")
	for _, s := range []string{"4242.4242.4242.4242", "4242_4242_4242_4242", "4242/4242/4242/4242"} {
		assert.NotContains(t, buf.String(), s)
	}
}
