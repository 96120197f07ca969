package codec

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/encoding/protojson"
)

// The attacks of issue 12 item 2 on the codec server: with no
// CARDFLOW_CODEC_AUTH configured and the server off loopback (the zero
// ServerOptions), nobody may encode or decode, whether or not the request
// names an Origin.

const onePayload = `{"payloads":[{"metadata":{"encoding":"YmluYXJ5L3BsYWlu"},"data":"aGk="}]}`

func TestServerEncodeRefusedWithoutConfiguredToken(t *testing.T) {
	url := serve(t, keyring(t, "k1:"+b64(secret(t))), ServerOptions{})
	for name, h := range map[string]map[string]string{
		"the UI's origin": uiHeaders(),
		"no origin":       {"Content-Type": "application/json"},
		"any bearer":      {"Content-Type": "application/json", "Authorization": "Bearer anything"},
	} {
		resp, body := do(t, http.MethodPost, url+"/encode", onePayload, h)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
		assert.Contains(t, body, EnvAuth, name)
		assert.NotContains(t, body, "binary/encrypted", name)
	}
}

func TestServerDecodeOffLoopbackRefusedWithoutConfiguredToken(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{})
	sealed := sealedBody(t, k)
	for name, h := range map[string]map[string]string{
		"the UI's origin": uiHeaders(),
		"no origin (CLI)": {"Content-Type": "application/json"},
	} {
		resp, body := do(t, http.MethodPost, url+"/decode", sealed, h)
		assert.Equal(t, http.StatusForbidden, resp.StatusCode, name)
		assert.NotContains(t, body, testPAN, name)
	}
}

func TestServerWithTokenRefusesRequestsWithoutItWhateverTheOrigin(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	url := serve(t, k, ServerOptions{AuthToken: "s3cret"})
	sealed := sealedBody(t, k)
	for _, path := range []string{"/encode", "/decode"} {
		for name, h := range map[string]map[string]string{
			"the UI's origin": uiHeaders(),
			"no origin":       {"Content-Type": "application/json"},
		} {
			resp, body := do(t, http.MethodPost, url+path, sealed, h)
			assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, path+" "+name)
			assert.NotContains(t, body, testPAN, path+" "+name)
		}
	}
}

// A caller without the token cannot make the server read the 16 MiB a
// request may carry: nothing of the body is read before it is refused.
func TestServerReadsNoBodyBeforeAuth(t *testing.T) {
	k := keyring(t, "k1:"+b64(secret(t)))
	for name, opts := range map[string]ServerOptions{
		"no token configured": {},
		"token configured":    {AuthToken: "s3cret"},
	} {
		t.Run(name, func(t *testing.T) {
			var read atomic.Int64
			h := Handler(k, opts)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.Body = countingBody{r.Body, &read}
				h.ServeHTTP(w, r)
			}))
			t.Cleanup(srv.Close)
			for _, path := range []string{"/encode", "/decode"} {
				read.Store(0)
				body := io.MultiReader(strings.NewReader(`{"payloads":[{"data":"`), strings.NewReader(strings.Repeat("A", 4<<20)))
				req, err := http.NewRequest(http.MethodPost, srv.URL+path, body)
				require.NoError(t, err)
				req.Header.Set("Content-Type", "application/json")
				resp, err := http.DefaultClient.Do(req)
				if err == nil { // the server may close the connection before the client has sent everything
					resp.Body.Close()
					assert.Contains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, resp.StatusCode, path)
				}
				assert.Zero(t, read.Load(), "%s: bytes of the body read before auth", path)
			}
		})
	}
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// sealedBody is a /decode request for one encrypted payload holding testPAN.
func sealedBody(t *testing.T, k *Keyring) string {
	t.Helper()
	enc, err := NewCodec(k).Encode(parsePayloads(t, `{"payloads":[{"metadata":{"encoding":"YmluYXJ5L3BsYWlu"},"data":"`+
		b64([]byte(testPAN))+`"}]}`))
	require.NoError(t, err)
	return payloadsJSON(t, enc)
}

func payloadsJSON(t *testing.T, ps []*commonpb.Payload) string {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	require.NoError(t, err)
	return string(b)
}
