package codec

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// A PAN and CVC that must never show up in an encoded payload.
const (
	testPAN = "4242424242424242"
	testCVC = "123"
)

type card struct {
	Number string `json:"number"`
	CVC    string `json:"cvc"`
	Holder string `json:"holder"`
}

type order struct {
	OrderID string `json:"order_id"`
	Amount  int64  `json:"amount"`
	Card    card   `json:"card"`
}

func testOrder() order {
	return order{OrderID: "o-1001", Amount: 9998, Card: card{Number: testPAN, CVC: testCVC, Holder: "Jane Doe"}}
}

func keyring(t *testing.T, spec string) *Keyring {
	t.Helper()
	k, err := ParseKeys(spec)
	require.NoError(t, err)
	return k
}

func encodeString(t *testing.T, k *Keyring, s string) *commonpb.Payload {
	t.Helper()
	p, err := DataConverter(k).ToPayload(s)
	require.NoError(t, err)
	return p
}

func decodeString(t *testing.T, k *Keyring, p *commonpb.Payload) string {
	t.Helper()
	var s string
	require.NoError(t, DataConverter(k).FromPayload(p, &s))
	return s
}

func TestDataConverterRoundTrip(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	dc := DataConverter(k)
	in := testOrder()

	ps, err := dc.ToPayloads(in, "second arg", 42)
	require.NoError(t, err)
	require.Len(t, ps.Payloads, 3)
	for _, p := range ps.Payloads {
		assert.Equal(t, EncodingEncrypted, string(p.Metadata[converter.MetadataEncoding]))
		assert.Equal(t, "k1", string(p.Metadata[MetadataKeyID]))
		assert.Len(t, p.Metadata, 2, "only encoding and key id are in the clear")
		for _, plain := range []string{testPAN, "order_id", "number", "holder", "Jane Doe", "json/plain", "second arg"} {
			assert.NotContains(t, string(p.Data), plain)
		}
		assert.False(t, json.Valid(p.Data), "data is not JSON")
	}

	var out order
	var s string
	var n int
	require.NoError(t, dc.FromPayloads(ps, &out, &s, &n))
	assert.Equal(t, in, out)
	assert.Equal(t, "second arg", s)
	assert.Equal(t, 42, n)
}

func TestEncodeUsesFreshNonces(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	a, b := encodeString(t, k, "same"), encodeString(t, k, "same")
	assert.NotEqual(t, a.Data, b.Data, "equal inputs must not give equal ciphertexts")
}

func TestCodecKeepsOriginalMetadata(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	in := &commonpb.Payload{
		Metadata: map[string][]byte{converter.MetadataEncoding: []byte("json/plain"), "messageType": []byte("x")},
		Data:     []byte(`{"a":1}`),
	}
	c := NewCodec(k)
	enc, err := c.Encode([]*commonpb.Payload{in})
	require.NoError(t, err)
	assert.Equal(t, "json/plain", string(in.Metadata[converter.MetadataEncoding]), "input not mutated")
	dec, err := c.Decode(enc)
	require.NoError(t, err)
	assert.Equal(t, in.Metadata, dec[0].Metadata)
	assert.Equal(t, in.Data, dec[0].Data)
}

// The codec itself (what the codec server runs for the UI and the CLI)
// passes plaintext through; the processes' converter does not.
func TestCodecPassesPlainPayloadsThroughButConverterRefuses(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	plain, err := converter.GetDefaultDataConverter().ToPayload("written without the key")
	require.NoError(t, err)
	out, err := NewCodec(k).Decode([]*commonpb.Payload{plain})
	require.NoError(t, err)
	assert.Same(t, plain, out[0])

	var s string
	err = DataConverter(k).FromPayload(plain, &s)
	assert.ErrorIs(t, err, ErrPlaintext)
	assert.Contains(t, err.Error(), `"json/plain"`)
	assert.Empty(t, s)
}

// What carries no value passes: no payload, an empty one, binary/null (a
// command without input), as the SDK and the server produce them.
func TestConverterPassesPayloadsThatCarryNothing(t *testing.T) {
	dc := DataConverter(keyring(t, "k1:"+b64(secret(t))))
	null, err := converter.GetDefaultDataConverter().ToPayload(nil)
	require.NoError(t, err)
	require.Equal(t, converter.MetadataEncodingNil, string(null.Metadata[converter.MetadataEncoding]))
	var o *order
	assert.NoError(t, dc.FromPayload(nil, &o))
	assert.NoError(t, dc.FromPayloads(nil, &o))
	assert.NoError(t, dc.FromPayloads(&commonpb.Payloads{}, &o))
	assert.NoError(t, dc.FromPayload(null, &o))
	assert.Nil(t, o)
	var v order
	assert.Error(t, dc.FromPayload(&commonpb.Payload{}, &v), "the default converter still wants an encoding")
	assert.NotErrorIs(t, dc.FromPayload(&commonpb.Payload{}, &v), ErrPlaintext)
}

// A history written under k1 must stay readable once k2 becomes primary.
func TestKeyRotation(t *testing.T) {
	s1, s2 := b64(secret(t)), b64(secret(t))
	old := keyring(t, "k1:"+s1)
	rotated := keyring(t, "k2:"+s2+",k1:"+s1)

	history, err := DataConverter(old).ToPayloads(testOrder())
	require.NoError(t, err)
	assert.Equal(t, "k1", string(history.Payloads[0].Metadata[MetadataKeyID]))

	var got order
	require.NoError(t, DataConverter(rotated).FromPayloads(history, &got))
	assert.Equal(t, testOrder(), got)

	fresh := encodeString(t, rotated, "new")
	assert.Equal(t, "k2", string(fresh.Metadata[MetadataKeyID]))
	assert.Equal(t, "new", decodeString(t, rotated, fresh))

	// Once k1 is retired its payloads fail loudly, naming the key.
	retired := keyring(t, "k2:"+s2)
	var s string
	err = DataConverter(retired).FromPayloads(history, &s)
	require.Error(t, err)
	assert.ErrorIs(t, err, ErrUnknownKey)
	assert.Contains(t, err.Error(), `"k1"`)
}

func TestDecodeErrors(t *testing.T) {
	s1 := b64(secret(t))
	k := keyring(t, "k1:"+s1)
	c := NewCodec(k)
	good, err := c.Encode([]*commonpb.Payload{{Data: []byte(testPAN)}})
	require.NoError(t, err)

	mutate := func(f func(p *commonpb.Payload)) *commonpb.Payload {
		p := &commonpb.Payload{Metadata: map[string][]byte{}, Data: bytes.Clone(good[0].Data)}
		for key, v := range good[0].Metadata {
			p.Metadata[key] = bytes.Clone(v)
		}
		f(p)
		return p
	}
	cases := []struct {
		name    string
		codec   *Codec
		payload *commonpb.Payload
		is      error
		mention string
	}{
		{"unknown key id", c, mutate(func(p *commonpb.Payload) { p.Metadata[MetadataKeyID] = []byte("k9") }), ErrUnknownKey, `"k9"`},
		{"no key id", c, mutate(func(p *commonpb.Payload) { delete(p.Metadata, MetadataKeyID) }), ErrUnknownKey, MetadataKeyID},
		{"flipped ciphertext bit", c, mutate(func(p *commonpb.Payload) { p.Data[len(p.Data)/2] ^= 1 }), ErrDecrypt, `"k1"`},
		{"flipped nonce bit", c, mutate(func(p *commonpb.Payload) { p.Data[0] ^= 1 }), ErrDecrypt, `"k1"`},
		{"truncated", c, mutate(func(p *commonpb.Payload) { p.Data = p.Data[:10] }), ErrDecrypt, `"k1"`},
		{"empty data", c, mutate(func(p *commonpb.Payload) { p.Data = nil }), ErrDecrypt, `"k1"`},
		// Same id, different secret: a misconfigured deployment.
		{"wrong key under the id", NewCodec(keyring(t, "k1:"+b64(secret(t)))), good[0], ErrDecrypt, `"k1"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := tc.codec.Decode([]*commonpb.Payload{tc.payload})
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.is)
			assert.Contains(t, err.Error(), tc.mention)
			// Never garbage: the answer is the untouched input, not a half-decoded result.
			assert.Same(t, tc.payload, out[0])
		})
	}
}

// Moving a payload to another key id must not let it decrypt: the id is
// authenticated with the data.
func TestRelabelledKeyIDFails(t *testing.T) {
	s := b64(secret(t))
	k := keyring(t, "a:"+s+",b:"+s) // one secret under two ids
	enc, err := NewCodec(k).Encode([]*commonpb.Payload{{Data: []byte("x")}})
	require.NoError(t, err)
	enc[0].Metadata[MetadataKeyID] = []byte("b")
	_, err = NewCodec(k).Decode(enc)
	require.Error(t, err)
	assert.True(t, errors.Is(err, ErrDecrypt))
}

func TestNewCodecNeedsKeys(t *testing.T) {
	assert.Panics(t, func() { NewCodec(nil) })
	assert.Panics(t, func() { NewCodec(&Keyring{}) })
}
