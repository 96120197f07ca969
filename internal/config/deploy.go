package config

import (
	"fmt"
	"net/url"
)

// The development secrets: public (they are in this repository), so anyone
// can sign a webhook or call the API with them. They are what `make run` and
// the tests use on loopback, and a process that is reachable from elsewhere
// refuses to start with one (OnLoopback).
const (
	DevAPIKey        = "sk_test_local"
	DevWebhookSecret = "whsec_local"
)

// Secret names a secret a process uses, for RefuseDevSecrets.
type Secret int

const (
	APIKeys       Secret = iota // CARDFLOW_API_KEYS: the API
	WebhookSecret               // CARDFLOW_WEBHOOK_SECRET: the worker, when it sends webhooks
	SandboxKey                  // CARDFLOW_SANDBOX_SECRET_KEY: the API and the worker, with the sandbox processor
	ReturnSecret                // CARDFLOW_RETURN_SECRET: the API and the worker (3-D Secure returns)
	// PublicURL is no secret but a development default all the same:
	// CARDFLOW_PUBLIC_URL, unset, is the API's listen address, a link on
	// the machine itself. The worker names it in the payment-page links of its
	// webhooks and in 3-D Secure return URLs, which customers open elsewhere.
	PublicURL
	// APIMetrics and WorkerMetrics are no secrets either, but the lack of
	// one: /metrics on CARDFLOW_API_ADDR (the API) or CARDFLOW_METRICS_ADDR
	// (a worker) needs CARDFLOW_METRICS_AUTH when it listens off loopback
	// (CheckMetrics), whatever the process's other addresses.
	APIMetrics
	WorkerMetrics
)

// DevReturnSecret signs 3-D Secure return URLs on a developer's machine.
const DevReturnSecret = "rs_local"

// DevSandboxSecretKey is the sandbox's development secret key (sandbox.DevSecretKey).
const DevSandboxSecretKey = "sk_sandbox_local"

// DevSandboxPublishableKey is the sandbox's development publishable key
// (sandbox.DevPublishableKey): public by design, it only tokenizes.
const DevSandboxPublishableKey = "pk_test_sandbox"

// OnLoopback reports whether every address the configuration names — where the
// API listens, Temporal, the processor, the webhook receiver — is a loopback
// address: the process then runs on a developer's machine, as `make run` and
// the tests do. Anything else (a host name, an interface address, ":8080"
// listening on all interfaces) is a deployment.
func (c Config) OnLoopback() bool {
	for _, a := range []string{c.APIAddr, c.TemporalAddress} {
		if !Loopback(a) {
			return false
		}
	}
	for _, u := range []string{c.ProcessorURL, c.WebhookURL} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || !Loopback(p.Host) {
			return false
		}
	}
	return true
}

// RefuseDevSecrets fails when the process is not on loopback and one of the
// secrets it uses is a development secret, naming the variable to set. On
// loopback it allows them: that is what they are for.
func (c Config) RefuseDevSecrets(uses ...Secret) error {
	for _, s := range uses {
		var err error
		switch s {
		case APIMetrics:
			err = c.CheckMetrics(c.APIAddr)
		case WorkerMetrics:
			err = c.CheckMetrics(c.MetricsAddr)
		}
		if err != nil {
			return err
		}
	}
	if c.OnLoopback() {
		return nil
	}
	for _, s := range uses {
		switch s {
		case APIKeys:
			for _, k := range c.APIKeys {
				if k == DevAPIKey {
					return devSecretError("CARDFLOW_API_KEYS", DevAPIKey)
				}
			}
		case SandboxKey:
			if c.Processor == ProcessorSandbox && c.SandboxSecretKey == DevSandboxSecretKey {
				return devSecretError("CARDFLOW_SANDBOX_SECRET_KEY", DevSandboxSecretKey)
			}
		case ReturnSecret:
			if c.ReturnSecret == DevReturnSecret || c.ReturnSecret == "" {
				return devSecretError("CARDFLOW_RETURN_SECRET", DevReturnSecret)
			}
		case PublicURL:
			if err := c.checkPublicURL(); err != nil {
				return err
			}
		case WebhookSecret:
			for _, k := range splitList(c.WebhookSecret) {
				if k == DevWebhookSecret && c.WebhookURL != "" {
					return devSecretError("CARDFLOW_WEBHOOK_SECRET", DevWebhookSecret)
				}
			}
		}
	}
	return nil
}

func devSecretError(name, value string) error {
	return fmt.Errorf("config: %s holds the development secret %s, which is public, and this process is not on loopback: set a secret of your own", name, value)
}

// checkPublicURL refuses an unset CARDFLOW_PUBLIC_URL, or one on loopback,
// for a process that is not on loopback: its links would open nowhere but on
// the host that made them.
func (c Config) checkPublicURL() error {
	if c.PublicURL == "" {
		return fmt.Errorf("config: CARDFLOW_PUBLIC_URL is not set, and this process is not on loopback: the payment page's links would name %s; set the API's address as customers' browsers reach it", c.PagePublicURL())
	}
	u, err := url.Parse(c.PublicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("config: CARDFLOW_PUBLIC_URL %q is not an http(s) URL", c.PublicURL)
	}
	if Loopback(u.Host) {
		return fmt.Errorf("config: CARDFLOW_PUBLIC_URL %s is a loopback address, and this process is not on loopback: customers' browsers cannot open its links", c.PublicURL)
	}
	return nil
}

// CheckMetrics refuses /metrics served at addr off loopback without
// CARDFLOW_METRICS_AUTH: the API's listener is the shop's public door, and a
// worker's metrics port reachable from elsewhere is as open. It is checked
// apart from OnLoopback because a worker whose other addresses are all
// loopback may still publish its metrics on every interface.
func (c Config) CheckMetrics(addr string) error {
	if addr == "" || Loopback(addr) || c.MetricsAuth != "" {
		return nil
	}
	return fmt.Errorf("config: /metrics would listen on %s, off loopback, without CARDFLOW_METRICS_AUTH: anyone reaching it would read the money moved and the decline rates; set a token of your own (the scraper sends it as a bearer token)", addr)
}
