package logging

import (
	"fmt"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"github.com/cardflow/cardflow/payment"
)

// Redact wraps a logger so that its messages and every string it writes, however
// the field was built (zap.String, zap.Strings, zap.ByteString, zap.Dict, zap.Any,
// zap.Error, a sugared logger's loose key-value pairs, nested objects and
// arrays), are PAN-masked.
func Redact(log *zap.Logger) *zap.Logger {
	return log.WithOptions(zap.WrapCore(func(c zapcore.Core) zapcore.Core { return redactCore{c} }))
}

type redactCore struct{ zapcore.Core }

func (c redactCore) With(fields []zapcore.Field) zapcore.Core {
	return redactCore{c.Core.With(redactFields(fields))}
}

func (c redactCore) Check(e zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	if c.Enabled(e.Level) {
		return ce.AddCore(e, c)
	}
	return ce
}

func (c redactCore) Write(e zapcore.Entry, fields []zapcore.Field) error {
	e.Message = payment.MaskPAN(e.Message)
	return c.Core.Write(e, redactFields(fields))
}

// redactFields masks strings, byte strings, errors, stringers, reflected values
// and what arrays and objects write; numbers and times cannot hold a PAN in a
// readable form worth the cost of encoding them twice.
func redactFields(fields []zapcore.Field) []zapcore.Field {
	out := make([]zapcore.Field, len(fields))
	for i, f := range fields {
		out[i] = redactField(f)
	}
	return out
}

func redactField(f zapcore.Field) zapcore.Field {
	switch f.Type {
	case zapcore.StringType:
		f.String = payment.MaskPAN(f.String)
	case zapcore.ByteStringType:
		if b, ok := f.Interface.([]byte); ok {
			f = zap.String(f.Key, payment.MaskPAN(string(b)))
		}
	case zapcore.BinaryType: // base64 in the output, which anyone can read back
		if b, ok := f.Interface.([]byte); ok {
			f.Interface = []byte(payment.MaskPAN(string(b)))
		}
	case zapcore.ErrorType:
		if err, ok := f.Interface.(error); ok && err != nil {
			f = zap.String(f.Key, payment.MaskPAN(err.Error()))
		}
	case zapcore.StringerType, zapcore.ReflectType:
		f = zap.String(f.Key, mask(f.Interface))
	case zapcore.ArrayMarshalerType:
		if m, ok := f.Interface.(zapcore.ArrayMarshaler); ok {
			f = zap.Array(f.Key, maskedArray{m})
		}
	case zapcore.ObjectMarshalerType, zapcore.InlineMarshalerType:
		if m, ok := f.Interface.(zapcore.ObjectMarshaler); ok {
			f.Interface = maskedObject{m}
		}
	}
	return f
}

// mask prints v and masks what it printed. A nil stringer prints as zap would.
func mask(v any) (s string) {
	defer func() {
		if recover() != nil { // a nil pointer's String panics
			s = "<nil>"
		}
	}()
	return payment.MaskPAN(fmt.Sprint(v))
}

// maskedArray and maskedObject hand their marshalers an encoder that masks every
// string on the way in, nested arrays and objects included.
type maskedArray struct{ m zapcore.ArrayMarshaler }

func (a maskedArray) MarshalLogArray(enc zapcore.ArrayEncoder) error {
	return a.m.MarshalLogArray(arrayEncoder{enc})
}

type maskedObject struct{ m zapcore.ObjectMarshaler }

func (o maskedObject) MarshalLogObject(enc zapcore.ObjectEncoder) error {
	return o.m.MarshalLogObject(objectEncoder{enc})
}

type arrayEncoder struct{ zapcore.ArrayEncoder }

func (e arrayEncoder) AppendString(s string) { e.ArrayEncoder.AppendString(payment.MaskPAN(s)) }
func (e arrayEncoder) AppendByteString(b []byte) {
	e.ArrayEncoder.AppendString(payment.MaskPAN(string(b)))
}
func (e arrayEncoder) AppendArray(m zapcore.ArrayMarshaler) error {
	return e.ArrayEncoder.AppendArray(maskedArray{m})
}
func (e arrayEncoder) AppendObject(m zapcore.ObjectMarshaler) error {
	return e.ArrayEncoder.AppendObject(maskedObject{m})
}
func (e arrayEncoder) AppendReflected(v any) error {
	e.ArrayEncoder.AppendString(mask(v))
	return nil
}

type objectEncoder struct{ zapcore.ObjectEncoder }

func (e objectEncoder) AddString(k, s string) { e.ObjectEncoder.AddString(k, payment.MaskPAN(s)) }
func (e objectEncoder) AddByteString(k string, b []byte) {
	e.ObjectEncoder.AddString(k, payment.MaskPAN(string(b)))
}
func (e objectEncoder) AddArray(k string, m zapcore.ArrayMarshaler) error {
	return e.ObjectEncoder.AddArray(k, maskedArray{m})
}
func (e objectEncoder) AddObject(k string, m zapcore.ObjectMarshaler) error {
	return e.ObjectEncoder.AddObject(k, maskedObject{m})
}
func (e objectEncoder) AddReflected(k string, v any) error {
	e.ObjectEncoder.AddString(k, mask(v))
	return nil
}
