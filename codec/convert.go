package codec

import (
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
)

// DataConverter is Temporal's default data converter with every payload
// encrypted under k.
func DataConverter(k *Keyring) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), NewCodec(k))
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
