package codec

import (
	"crypto/rand"
	"errors"
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/proto"
)

const (
	// EncodingEncrypted is the metadata encoding of an encrypted payload.
	EncodingEncrypted = "binary/encrypted"
	// MetadataKeyID is the metadata key holding the id of the encrypting key.
	MetadataKeyID = "encryption-key-id"
)

var (
	// ErrUnknownKey means a payload names a key id the keyring does not hold.
	ErrUnknownKey = errors.New("unknown encryption key id")
	// ErrDecrypt means a payload failed authentication: it was altered, or it
	// was sealed by another key under the same id.
	ErrDecrypt = errors.New("payload failed authentication (tampered or wrong key)")
	// ErrPlaintext means a payload that cardflow's processes decode was not
	// sealed by the codec: someone with Temporal access but without the key
	// wrote it (temporal workflow start --input, a signal, an update).
	ErrPlaintext = errors.New("payload not encrypted by cardflow's codec")
)

// Codec is a converter.PayloadCodec encrypting with a keyring's primary key
// and decrypting with whichever key a payload names.
type Codec struct {
	keys *Keyring
}

var _ converter.PayloadCodec = (*Codec)(nil)

// NewCodec returns a codec over k. It panics on a nil or empty keyring, so a
// wiring mistake shows at startup rather than at the first payload.
func NewCodec(k *Keyring) *Codec {
	if k == nil || len(k.ids) == 0 {
		panic("codec: NewCodec needs a keyring from ParseKeys, NewKeyring or FromEnv")
	}
	return &Codec{keys: k}
}

// Encode encrypts every payload with the primary key.
func (c *Codec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	id := c.keys.Primary()
	aead := c.keys.aead[id]
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		plain, err := proto.Marshal(p)
		if err != nil {
			return payloads, fmt.Errorf("codec: marshal payload for key %q: %w", id, err)
		}
		nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
		if _, err := rand.Read(nonce); err != nil {
			return payloads, fmt.Errorf("codec: nonce for key %q: %w", id, err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				converter.MetadataEncoding: []byte(EncodingEncrypted),
				MetadataKeyID:              []byte(id),
			},
			// The key id is the additional data, so relabelling a payload
			// with another id fails authentication instead of decrypting.
			Data: aead.Seal(nonce, nonce, plain, []byte(id)),
		}
	}
	return out, nil
}

// Decode decrypts every encrypted payload and passes others through, so
// histories written before encryption was turned on stay readable.
func (c *Codec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[converter.MetadataEncoding]) != EncodingEncrypted {
			out[i] = p
			continue
		}
		d, err := c.decrypt(p)
		if err != nil {
			return payloads, err
		}
		out[i] = d
	}
	return out, nil
}

func (c *Codec) decrypt(p *commonpb.Payload) (*commonpb.Payload, error) {
	raw, ok := p.Metadata[MetadataKeyID]
	if !ok {
		return nil, fmt.Errorf("codec: encrypted payload has no %s: %w", MetadataKeyID, ErrUnknownKey)
	}
	id := string(raw)
	aead, ok := c.keys.aead[id]
	if !ok {
		return nil, fmt.Errorf("codec: payload key %q not in %v: %w", id, c.keys, ErrUnknownKey)
	}
	if len(p.Data) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("codec: payload for key %q is %d bytes, too short to be sealed: %w", id, len(p.Data), ErrDecrypt)
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, p.Data[:n], p.Data[n:], []byte(id))
	if err != nil {
		return nil, fmt.Errorf("codec: decrypt payload with key %q: %w", id, ErrDecrypt)
	}
	var d commonpb.Payload
	if err := proto.Unmarshal(plain, &d); err != nil {
		return nil, fmt.Errorf("codec: payload decrypted with key %q is not a payload: %w", id, err)
	}
	return &d, nil
}
