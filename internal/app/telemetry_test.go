package app

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/telemetry"
)

func scrape(t *testing.T, url, auth string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b), res.Header
}

// With CARDFLOW_METRICS_AUTH set, /metrics on the API's listener and on a
// worker's metrics server answer only the token's bearer: anyone else gets
// 401 and not one figure (money moved, decline rates).
func TestMetricsNeedTheToken(t *testing.T) {
	tel, err := telemetry.New("test", telemetry.Options{})
	require.NoError(t, err)
	// The figures a scrape tells include the API's own requests: the refused
	// scrapes below are counted, so the one that gets through sees them.
	const token = "metrics-scraper-token"

	api := httptest.NewServer(Observed(http.NotFoundHandler(), tel, token))
	defer api.Close()
	worker := httptest.NewServer(MetricsServer("127.0.0.1:0", tel, token).Handler)
	defer worker.Close()
	// In order: the API's refused scrapes are what the worker's scrape (the
	// same telemetry) then shows.
	for _, srv := range []struct{ name, base string }{{"api", api.URL}, {"worker", worker.URL}} {
		base := srv.base
		t.Run(srv.name, func(t *testing.T) {
			for _, auth := range []string{"", "Bearer wrong-token", "Bearer " + token + "x", "Basic " + token, token, "Bearer "} {
				status, body, h := scrape(t, base+"/metrics", auth)
				assert.Equal(t, http.StatusUnauthorized, status, "auth %q", auth)
				assert.NotContains(t, body, "cardflow_", "auth %q", auth)
				assert.Contains(t, h.Get("WWW-Authenticate"), "Bearer")
			}
			status, body, _ := scrape(t, base+"/metrics", "Bearer "+token)
			assert.Equal(t, http.StatusOK, status)
			assert.Contains(t, body, `cardflow_http_request_duration_seconds_count{method="GET",route="/metrics",status="401"}`)
		})
	}

	// Without a token (make run, on loopback) the scrape needs nothing.
	open := httptest.NewServer(Observed(http.NotFoundHandler(), tel, ""))
	defer open.Close()
	status, body, _ := scrape(t, open.URL+"/metrics", "")
	assert.Equal(t, http.StatusOK, status)
	assert.Contains(t, body, "cardflow_http_request_duration_seconds_count")
}

// The API serves /metrics on its own listener, so off loopback it refuses to
// start without CARDFLOW_METRICS_AUTH, naming it and the address.
func TestAPIServerRefusesOpenMetricsOffLoopback(t *testing.T) {
	t.Setenv("CARDFLOW_CODEC_AUTH", "codec-token") // the codec's own refusal aside
	cfg := config.Default()
	cfg.APIAddr = "0.0.0.0:8080"
	_, err := APIServer(cfg, http.NotFoundHandler(), APITimeouts(time.Minute))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "CARDFLOW_METRICS_AUTH") && strings.Contains(err.Error(), cfg.APIAddr), err.Error())

	cfg.MetricsAuth = "metrics-token"
	_, err = APIServer(cfg, http.NotFoundHandler(), APITimeouts(time.Minute))
	assert.NoError(t, err)
}
