package codec

import (
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"
)

const uiOrigin = "http://localhost:8233"

// serve mounts the handler the way api/server does: under /codec/ with the
// prefix stripped.
func serve(t *testing.T, k *Keyring, opts ServerOptions) string {
	t.Helper()
	mux := http.NewServeMux()
	mux.Handle("/codec/", http.StripPrefix("/codec", Handler(k, opts)))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL + "/codec"
}

func do(t *testing.T, method, url, body string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, string(b)
}

// uiHeaders are what the Temporal UI sends to a codec endpoint.
func uiHeaders(extra ...string) map[string]string {
	h := map[string]string{"Content-Type": "application/json", "X-Namespace": "default", "Origin": uiOrigin}
	for i := 0; i+1 < len(extra); i += 2 {
		h[extra[i]] = extra[i+1]
	}
	return h
}

func parsePayloads(t *testing.T, body string) []*commonpb.Payload {
	t.Helper()
	var ps commonpb.Payloads
	require.NoError(t, protojson.Unmarshal([]byte(body), &ps), body)
	return ps.Payloads
}

func TestServerRoundTrip(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{AuthToken: "s3cret"})
	auth := []string{"Authorization", "Bearer s3cret"}
	data := `{"number":"` + testPAN + `","holder":"Jane Doe"}`
	req := `{"payloads":[{"metadata":{"encoding":"` + base64.StdEncoding.EncodeToString([]byte("json/plain")) +
		`"},"data":"` + base64.StdEncoding.EncodeToString([]byte(data)) + `"}]}`

	resp, encoded := do(t, http.MethodPost, url+"/encode", req, uiHeaders(auth...))
	require.Equal(t, http.StatusOK, resp.StatusCode, encoded)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.Equal(t, uiOrigin, resp.Header.Get("Access-Control-Allow-Origin"))
	enc := parsePayloads(t, encoded)
	require.Len(t, enc, 1)
	assert.Equal(t, EncodingEncrypted, string(enc[0].Metadata[converter.MetadataEncoding]))
	assert.Equal(t, "k1", string(enc[0].Metadata[MetadataKeyID]))
	assert.NotContains(t, string(enc[0].Data), testPAN)

	resp, decoded := do(t, http.MethodPost, url+"/decode", encoded, uiHeaders(auth...))
	require.Equal(t, http.StatusOK, resp.StatusCode, decoded)
	dec := parsePayloads(t, decoded)
	require.Len(t, dec, 1)
	assert.Equal(t, "json/plain", string(dec[0].Metadata[converter.MetadataEncoding]))
	assert.JSONEq(t, data, string(dec[0].Data))
}

// The SDK's own remote codec client speaks the protocol the UI and CLI use;
// what the workers wrote must decode through it.
func TestServerWithSDKRemoteCodec(t *testing.T) {
	k := keyring(t, "k2:"+b64(secret(t))+",k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{AuthToken: "s3cret"})
	remote := converter.NewRemotePayloadCodec(converter.RemotePayloadCodecOptions{
		Endpoint: url,
		ModifyRequest: func(r *http.Request) error {
			r.Header.Set("Authorization", "Bearer s3cret")
			r.Header.Set("X-Namespace", "default")
			return nil
		},
	})

	history, err := DataConverter(k).ToPayloads(testOrder())
	require.NoError(t, err)
	plain, err := remote.Decode(history.Payloads)
	require.NoError(t, err)
	assert.Contains(t, string(plain[0].Data), testPAN)

	var got order
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(&commonpb.Payloads{Payloads: plain}, &got))
	assert.Equal(t, testOrder(), got)

	// And the other way: the remote encoder's output decodes locally.
	again, err := remote.Encode(plain)
	require.NoError(t, err)
	assert.Equal(t, "k2", string(again[0].Metadata[MetadataKeyID]))
	require.NoError(t, DataConverter(k).FromPayloads(&commonpb.Payloads{Payloads: again}, &got))
	assert.Equal(t, testOrder(), got)
}

func TestServerDecodeErrors(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{Loopback: true})
	ps, err := DataConverter(k).ToPayloads(testOrder())
	require.NoError(t, err)
	body := func(p *commonpb.Payload) string {
		b, err := protojson.Marshal(&commonpb.Payloads{Payloads: []*commonpb.Payload{p}})
		require.NoError(t, err)
		return string(b)
	}

	unknown := &commonpb.Payload{Metadata: map[string][]byte{
		converter.MetadataEncoding: []byte(EncodingEncrypted), MetadataKeyID: []byte("k7"),
	}, Data: ps.Payloads[0].Data}
	resp, msg := do(t, http.MethodPost, url+"/decode", body(unknown), uiHeaders())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, msg, `"k7"`)
	assert.Contains(t, msg, ErrUnknownKey.Error())

	tampered := &commonpb.Payload{Metadata: ps.Payloads[0].Metadata, Data: append([]byte(nil), ps.Payloads[0].Data...)}
	tampered.Data[20] ^= 0x80
	resp, msg = do(t, http.MethodPost, url+"/decode", body(tampered), uiHeaders())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, msg, `"k1"`)
	assert.Contains(t, msg, ErrDecrypt.Error())
	assert.NotContains(t, msg, testPAN)
	assert.Equal(t, uiOrigin, resp.Header.Get("Access-Control-Allow-Origin"), "the UI can read the error")

	resp, _ = do(t, http.MethodPost, url+"/decode", "not json", uiHeaders())
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

func TestServerAuth(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	req := `{"payloads":[{"metadata":{"encoding":"YmluYXJ5L3BsYWlu"},"data":"aGk="}]}`

	t.Run("on", func(t *testing.T) {
		url := serve(t, k, ServerOptions{AuthToken: "s3cret"})
		for name, auth := range map[string]string{
			"missing":      "",
			"wrong token":  "Bearer nope",
			"prefix":       "Bearer s3cre",
			"longer":       "Bearer s3cret2",
			"wrong scheme": "Basic s3cret",
			"bare token":   "s3cret",
		} {
			h := uiHeaders()
			if auth != "" {
				h["Authorization"] = auth
			}
			resp, _ := do(t, http.MethodPost, url+"/encode", req, h)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, name)
			assert.Contains(t, resp.Header.Get("WWW-Authenticate"), "Bearer", name)
			assert.Equal(t, uiOrigin, resp.Header.Get("Access-Control-Allow-Origin"), name)
		}
		for _, auth := range []string{"Bearer s3cret", "bearer s3cret"} {
			resp, body := do(t, http.MethodPost, url+"/encode", req, uiHeaders("Authorization", auth))
			assert.Equal(t, http.StatusOK, resp.StatusCode, body)
			resp, body = do(t, http.MethodPost, url+"/decode", body, uiHeaders("Authorization", auth))
			assert.Equal(t, http.StatusOK, resp.StatusCode, body)
		}
	})

	t.Run("loopback without a token", func(t *testing.T) {
		url := serve(t, k, ServerOptions{Loopback: true})
		sealed := sealedBody(t, k)
		// make run's UI decodes without a token, and so does the CLI (no Origin).
		for name, h := range map[string]map[string]string{
			"the UI's origin": uiHeaders(),
			"no origin (CLI)": {"Content-Type": "application/json"},
		} {
			resp, body := do(t, http.MethodPost, url+"/decode", sealed, h)
			require.Equal(t, http.StatusOK, resp.StatusCode, name+": "+body)
			assert.Contains(t, parsePayloads(t, body)[0].String(), testPAN, name)
		}
		// Encoding never goes without a token: the worker trusts what the codec sealed.
		for name, h := range map[string]map[string]string{
			"the UI's origin": uiHeaders(),
			"no origin (CLI)": {"Content-Type": "application/json"},
		} {
			resp, body := do(t, http.MethodPost, url+"/encode", req, h)
			assert.Equal(t, http.StatusForbidden, resp.StatusCode, name+": "+body)
		}
	})

	t.Run("loopback with a token", func(t *testing.T) {
		url := serve(t, k, ServerOptions{AuthToken: "s3cret", Loopback: true})
		resp, _ := do(t, http.MethodPost, url+"/decode", sealedBody(t, k), uiHeaders())
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "a configured token is required on loopback too")
	})
}

func TestServerOptionsCheckRefusesOffLoopbackWithoutToken(t *testing.T) {
	err := ServerOptions{}.Check()
	require.Error(t, err)
	assert.Contains(t, err.Error(), EnvAuth)
	assert.Contains(t, err.Error(), "off loopback")
	assert.NoError(t, ServerOptions{AuthToken: "s3cret"}.Check())
	assert.NoError(t, ServerOptions{Loopback: true}.Check())
	assert.NoError(t, ServerOptions{AuthToken: "s3cret", Loopback: true}.Check())
}

func TestServerCORS(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{AuthToken: "s3cret"})
	preflight := func(origin, path string) *http.Response {
		resp, _ := do(t, http.MethodOptions, url+path, "", map[string]string{
			"Origin":                         origin,
			"Access-Control-Request-Method":  "POST",
			"Access-Control-Request-Headers": "content-type,x-namespace,authorization",
		})
		return resp
	}

	for _, origin := range DefaultOrigins {
		for _, path := range []string{"/encode", "/decode"} {
			resp := preflight(origin, path)
			assert.Equal(t, http.StatusNoContent, resp.StatusCode, "preflight needs no token")
			assert.Equal(t, origin, resp.Header.Get("Access-Control-Allow-Origin"))
			assert.Equal(t, "true", resp.Header.Get("Access-Control-Allow-Credentials"))
			assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "POST")
			for _, h := range []string{"Content-Type", "X-Namespace", "Authorization"} {
				assert.Contains(t, resp.Header.Get("Access-Control-Allow-Headers"), h)
			}
			assert.Contains(t, resp.Header.Values("Vary"), "Origin")
		}
	}

	for _, origin := range []string{"http://evil.example", "http://localhost:8234", "https://localhost:8233"} {
		resp := preflight(origin, "/decode")
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Origin"), origin)
		assert.Empty(t, resp.Header.Get("Access-Control-Allow-Methods"), origin)
		// Nor may another page's simple POST get through, token or not.
		resp, _ = do(t, http.MethodPost, url+"/decode", `{"payloads":[]}`, map[string]string{
			"Origin": origin, "Content-Type": "text/plain", "Authorization": "Bearer s3cret",
		})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, origin)
	}

	t.Run("configured origin replaces the defaults", func(t *testing.T) {
		url := serve(t, k, ServerOptions{AllowOrigins: []string{"https://temporal.example.com/"}})
		resp, _ := do(t, http.MethodOptions, url+"/decode", "", map[string]string{"Origin": "https://temporal.example.com"})
		assert.Equal(t, http.StatusNoContent, resp.StatusCode)
		assert.Equal(t, "https://temporal.example.com", resp.Header.Get("Access-Control-Allow-Origin"))
		resp, _ = do(t, http.MethodOptions, url+"/decode", "", map[string]string{"Origin": uiOrigin})
		assert.Equal(t, http.StatusForbidden, resp.StatusCode)
	})
}

func TestServerRoutes(t *testing.T) {
	url := serve(t, keyring(t, "k1:"+b64(secret(t))), ServerOptions{Loopback: true})
	resp, _ := do(t, http.MethodGet, url+"/decode", "", nil)
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	resp, _ = do(t, http.MethodPost, url+"/other", `{"payloads":[]}`, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, _ = do(t, http.MethodPost, url+"/x/decode", `{"payloads":[]}`, nil)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, body := do(t, http.MethodPost, url+"/decode", `{"payloads":[]}`, nil)
	assert.Equal(t, http.StatusOK, resp.StatusCode, body)
}

func TestServerOptionsFromEnv(t *testing.T) {
	t.Setenv(EnvAuth, " tok ")
	t.Setenv(EnvOrigins, "http://a:1, ,http://b:2")
	o := ServerOptionsFromEnv()
	assert.Equal(t, "tok", o.AuthToken)
	assert.Equal(t, []string{"http://a:1", "http://b:2"}, o.AllowOrigins)

	t.Setenv(EnvAuth, "")
	t.Setenv(EnvOrigins, "")
	assert.Equal(t, ServerOptions{}, ServerOptionsFromEnv())
}
