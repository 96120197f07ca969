package codec

import (
	"fmt"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// DataConverter is Temporal's default data converter with every payload
// encrypted under k; it decodes only what the codec sealed (SealedOnly), so an
// input, signal or update written without the key is refused, not run.
func DataConverter(k *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), SealedOnly(NewCodec(k)))
}

// SealedOnly is c refusing every payload it did not seal, with ErrPlaintext
// naming the payload's encoding (never its content). Everything cardflow's
// processes write goes through the codec, search attributes aside, which the
// SDK converts apart; so a plaintext payload in a workflow's input, signal or
// update can only come from someone with Temporal access and no key. Only
// what carries no value passes: no payload at all, an empty one, or
// binary/null, i.e. what a command without input sends anyway. The codec
// server keeps c's leniency: the UI and the CLI may ask it to decode anything.
func SealedOnly(c *Codec) converter.PayloadCodec { return sealedOnly{c} }

type sealedOnly struct{ *Codec }

func (s sealedOnly) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	for i, p := range payloads {
		enc := string(p.GetMetadata()[converter.MetadataEncoding])
		empty := len(p.GetMetadata()) == 0 && len(p.GetData()) == 0
		if enc == EncodingEncrypted || empty || enc == converter.MetadataEncodingNil && len(p.GetData()) == 0 {
			continue
		}
		if enc == "" {
			enc = "none"
		}
		return payloads, fmt.Errorf("codec: refused payload %d of %d (encoding %q): %w", i+1, len(payloads), enc, ErrPlaintext)
	}
	return s.Codec.Decode(payloads)
}

// FailureConverter turns errors into failures whose message and stack trace
// travel as a payload through dc: error messages may quote card data, and the
// plain failure fields are stored as is.
func FailureConverter(dc converter.DataConverter) converter.FailureConverter {
	return temporal.NewDefaultFailureConverter(temporal.DefaultFailureConverterOptions{
		DataConverter:          dc,
		EncodeCommonAttributes: true,
	})
}

// Converters returns the data and failure converters for client.Options, so
// every client (worker, API, starter) encrypts the same way.
func Converters(k *Keyring) (converter.DataConverter, converter.FailureConverter) {
	dc := DataConverter(k)
	return dc, FailureConverter(dc)
}
