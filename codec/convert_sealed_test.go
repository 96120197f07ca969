package codec

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// What someone with Temporal access but without the key can write: the CLI's
// `--input` (json/plain), or any other converter's output. The processes'
// converter refuses it, naming the encoding and nothing of the content.
func TestDataConverterRefusesPlaintextPayloads(t *testing.T) {
	dc := DataConverter(keyring(t, "k1:"+b64(secret(t))))
	plain := converter.GetDefaultDataConverter()
	orderPayload, err := plain.ToPayload(testOrder())
	require.NoError(t, err)
	bytesPayload, err := plain.ToPayload([]byte(testPAN))
	require.NoError(t, err)
	cases := map[string]struct {
		p   *commonpb.Payload
		enc string
	}{
		"json/plain (the CLI's --input)": {orderPayload, "json/plain"},
		"binary/plain":                   {bytesPayload, "binary/plain"},
		"no encoding":                    {&commonpb.Payload{Data: []byte(`{"card":{"number":"` + testPAN + `"}}`)}, "none"},
		"binary/null carrying data":      {&commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/null")}, Data: []byte(testPAN)}, "binary/null"},
		"an encoding named like ours":    {&commonpb.Payload{Metadata: map[string][]byte{converter.MetadataEncoding: []byte("binary/encrypted ")}, Data: []byte(testPAN)}, "binary/encrypted "},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			var o order
			err := dc.FromPayload(c.p, &o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), `"`+c.enc+`"`)
			assert.Contains(t, err.Error(), "not encrypted by cardflow's codec")
			assert.NotContains(t, err.Error(), testPAN)
			assert.Equal(t, order{}, o, "nothing decoded")

			// As the SDK decodes a workflow's input, a signal or an update.
			sealed, err := dc.ToPayload("sealed")
			require.NoError(t, err)
			var s string
			err = dc.FromPayloads(&commonpb.Payloads{Payloads: []*commonpb.Payload{sealed, c.p}}, &s, &o)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "payload 2 of 2")
			assert.NotContains(t, err.Error(), testPAN)
			assert.Equal(t, order{}, o)
		})
	}
}
