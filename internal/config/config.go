package config

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cardflow/cardflow/payment"
)

// Config is everything a cardflow process may need; each process reads what it uses.
type Config struct {
	TemporalAddress   string        // TEMPORAL_ADDRESS
	TemporalNamespace string        // TEMPORAL_NAMESPACE
	TaskQueue         string        // CARDFLOW_TASK_QUEUE
	APIAddr           string        // CARDFLOW_API_ADDR: where the shop API listens
	APIKeys           []string      // CARDFLOW_API_KEYS, comma-separated
	ProcessorURL      string        // CARDFLOW_PROCESSOR_URL: the sandbox (or a real PSP bridge)
	ProcessorTimeout  time.Duration // CARDFLOW_PROCESSOR_TIMEOUT: one HTTP call to the processor
	WebhookURL        string        // CARDFLOW_WEBHOOK_URL: unset means notifications are only logged
	WebhookSecret     string        // CARDFLOW_WEBHOOK_SECRET
	Dir               string        // CARDFLOW_DIR: local state (dev keys, databases)
	LogLevel          string        // CARDFLOW_LOG_LEVEL: debug, info, warn, error
	// WorkflowCache is how many workflows a worker keeps in memory between tasks
	// (CARDFLOW_WORKFLOW_CACHE). The SDK's 10,000 costs ~60 KB per idle subscription;
	// an evicted workflow is replayed from history on its next task instead.
	WorkflowCache int
	// TemporalGzip compresses gRPC requests to Temporal (CARDFLOW_TEMPORAL_GZIP,
	// default off). The SDK's default is on, but cardflow's payloads are AES-GCM
	// ciphertext, which does not compress: gzip cost the worker ~12 % of its CPU
	// (bench/RESULTS.md) to shrink only the framing. Turn it on for a slow link.
	TemporalGzip bool
	// AcceptedBrands are the card networks the merchant accepts
	// (CARDFLOW_ACCEPTED_BRANDS, comma-separated brand values such as
	// "visa,mastercard,elo"). Empty accepts every network cardflow recognises;
	// a card of another recognised network fails validation brand_not_accepted.
	AcceptedBrands []payment.Brand
	// SandboxSecretKey authenticates cardflow as the merchant to the sandbox
	// processor (CARDFLOW_SANDBOX_SECRET_KEY); every call sends it. No flag: a
	// secret on the command line shows in /proc/*/cmdline and shell history.
	SandboxSecretKey string
	// Processor selects the processor adapter (CARDFLOW_PROCESSOR): "sandbox"
	// (default) or "stripe". StripeSecretKey (STRIPE_SECRET_KEY) is the
	// Stripe account's secret key; StripeAPIBase (STRIPE_API_BASE) replaces
	// Stripe's API address, for a test double such as stripe-mock.
	// StripeWebhookSecret (STRIPE_WEBHOOK_SECRET, whsec_...) verifies
	// Stripe's webhooks; unset, the API serves no Stripe webhook endpoint.
	Processor           string
	StripeSecretKey     string
	StripeAPIBase       string
	StripeWebhookSecret string
	// MetricsAddr is where a worker serves /metrics (CARDFLOW_METRICS_ADDR;
	// empty: nowhere). The API serves it on its own listener instead.
	MetricsAddr string
	// MetricsAuth is the bearer token /metrics asks of a scraper
	// (CARDFLOW_METRICS_AUTH), on the API and on a worker; empty: none, which
	// only a listener on loopback may have (CheckMetrics). The metrics tell
	// money moved per currency and decline rates per code: a business's
	// figures, not for whoever reaches the port. No flag, as for every secret.
	MetricsAuth string
	// TLSCert and TLSKey are the API's certificate and key, PEM files
	// (CARDFLOW_TLS_CERT, CARDFLOW_TLS_KEY): set, the API serves HTTPS; off
	// loopback it refuses to start without them (app.APITLS).
	TLSCert, TLSKey string
	// PublicURL is the API's address as a customer's browser reaches it
	// (CARDFLOW_PUBLIC_URL), the base of the payment page's links; empty:
	// http://<CARDFLOW_API_ADDR>.
	PublicURL string
	// CardFieldsURL is the processor's address as a browser reaches it
	// (CARDFLOW_CARD_FIELDS_URL), where the payment page frames the card
	// fields from; empty: CARDFLOW_PROCESSOR_URL. SandboxPublishableKey
	// (CARDFLOW_SANDBOX_PUBLISHABLE_KEY, as the sandbox reads it) is the key
	// the card fields tokenize with.
	CardFieldsURL         string
	SandboxPublishableKey string
	// ReturnSecret (CARDFLOW_RETURN_SECRET; the worker and the API share it)
	// signs the state of a 3-D Secure challenge's return URL
	// (payment.ReturnState), which is PagePublicURL's return endpoint.
	ReturnSecret string
}

// PagePublicURL is PublicURL or, unset, the API's listen address over http.
func (c Config) PagePublicURL() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.APIAddr
}

// CardFieldsBase is CardFieldsURL or, unset, ProcessorURL.
func (c Config) CardFieldsBase() string {
	if c.CardFieldsURL != "" {
		return strings.TrimRight(c.CardFieldsURL, "/")
	}
	return strings.TrimRight(c.ProcessorURL, "/")
}

// Default is the configuration of a local `make run`.
func Default() Config {
	return Config{
		TemporalAddress:       "localhost:7233",
		TemporalNamespace:     "default",
		TaskQueue:             "cardflow",
		APIAddr:               "127.0.0.1:8080",
		APIKeys:               []string{DevAPIKey},
		ProcessorURL:          "http://127.0.0.1:8091",
		ProcessorTimeout:      10 * time.Second,
		WebhookSecret:         DevWebhookSecret,
		Dir:                   ".cardflow",
		LogLevel:              "info",
		WorkflowCache:         2000,
		SandboxSecretKey:      DevSandboxSecretKey,
		Processor:             ProcessorSandbox,
		MetricsAddr:           "127.0.0.1:9090",
		SandboxPublishableKey: DevSandboxPublishableKey,
		ReturnSecret:          DevReturnSecret,
	}
}

// Load reads the environment over the defaults, then the flags in args over that.
// Unknown flags are an error, so a typo does not silently run with defaults.
func Load(name string, args []string) (Config, error) {
	c := Default()
	if err := c.fromEnv(os.LookupEnv); err != nil {
		return c, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	keys := strings.Join(c.APIKeys, ",")
	brands, _ := os.LookupEnv("CARDFLOW_ACCEPTED_BRANDS")
	fs.StringVar(&c.TemporalAddress, "temporal-address", c.TemporalAddress, "Temporal frontend host:port (TEMPORAL_ADDRESS)")
	fs.StringVar(&c.TemporalNamespace, "temporal-namespace", c.TemporalNamespace, "Temporal namespace (TEMPORAL_NAMESPACE)")
	fs.StringVar(&c.TaskQueue, "task-queue", c.TaskQueue, "task queue (CARDFLOW_TASK_QUEUE)")
	fs.StringVar(&c.APIAddr, "addr", c.APIAddr, "shop API listen address (CARDFLOW_API_ADDR)")
	fs.StringVar(&c.TLSCert, "tls-cert", c.TLSCert, "the API's TLS certificate, PEM (CARDFLOW_TLS_CERT)")
	fs.StringVar(&c.TLSKey, "tls-key", c.TLSKey, "the API's TLS key, PEM (CARDFLOW_TLS_KEY)")
	fs.StringVar(&keys, "api-keys", keys, "accepted API keys, comma-separated (CARDFLOW_API_KEYS)")
	fs.StringVar(&c.ProcessorURL, "processor-url", c.ProcessorURL, "processor base URL (CARDFLOW_PROCESSOR_URL)")
	fs.DurationVar(&c.ProcessorTimeout, "processor-timeout", c.ProcessorTimeout, "timeout of one processor call (CARDFLOW_PROCESSOR_TIMEOUT)")
	fs.StringVar(&c.WebhookURL, "webhook-url", c.WebhookURL, "webhook receiver; empty logs notifications (CARDFLOW_WEBHOOK_URL)")
	fs.StringVar(&c.WebhookSecret, "webhook-secret", c.WebhookSecret, "webhook signing secret (CARDFLOW_WEBHOOK_SECRET)")
	fs.StringVar(&c.Dir, "dir", c.Dir, "local state directory (CARDFLOW_DIR)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (CARDFLOW_LOG_LEVEL)")
	fs.IntVar(&c.WorkflowCache, "workflow-cache", c.WorkflowCache, "workflows a worker keeps cached (CARDFLOW_WORKFLOW_CACHE)")
	fs.BoolVar(&c.TemporalGzip, "temporal-gzip", c.TemporalGzip, "gzip gRPC requests to Temporal (CARDFLOW_TEMPORAL_GZIP)")
	fs.StringVar(&brands, "accepted-brands", brands, "accepted card networks, comma-separated; empty: all (CARDFLOW_ACCEPTED_BRANDS)")
	fs.StringVar(&c.Processor, "processor", c.Processor, "processor adapter: sandbox or stripe (CARDFLOW_PROCESSOR)")
	fs.StringVar(&c.StripeAPIBase, "stripe-api-base", c.StripeAPIBase, "Stripe API base URL; empty: Stripe's (STRIPE_API_BASE)")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", c.MetricsAddr, "where a worker serves /metrics; empty: nowhere (CARDFLOW_METRICS_ADDR)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	c.APIKeys = splitList(keys)
	var err error
	if c.AcceptedBrands, err = ParseBrands(brands); err != nil {
		return c, err
	}
	return c, c.check()
}

// check refuses a configuration no process can run with. A variable set to ""
// means empty, never the default, so an emptied secret or address is named
// here instead of silently becoming the development value.
func (c Config) check() error {
	required := []struct{ value, name string }{
		{c.TemporalAddress, "TEMPORAL_ADDRESS"},
		{c.TemporalNamespace, "TEMPORAL_NAMESPACE"},
		{c.TaskQueue, "CARDFLOW_TASK_QUEUE"},
		{c.APIAddr, "CARDFLOW_API_ADDR"},
		{c.ProcessorURL, "CARDFLOW_PROCESSOR_URL"},
		{c.Dir, "CARDFLOW_DIR"},
		{c.LogLevel, "CARDFLOW_LOG_LEVEL"},
	}
	for _, r := range required {
		if strings.TrimSpace(r.value) == "" {
			return fmt.Errorf("config: %s is empty", r.name)
		}
	}
	if c.WebhookURL != "" && len(splitList(c.WebhookSecret)) == 0 {
		return fmt.Errorf("config: CARDFLOW_WEBHOOK_SECRET is empty, so webhooks to %s would go unsigned", c.WebhookURL)
	}
	switch c.Processor {
	case ProcessorSandbox:
	case ProcessorStripe:
		if strings.TrimSpace(c.StripeSecretKey) == "" {
			return errors.New("config: CARDFLOW_PROCESSOR=stripe needs STRIPE_SECRET_KEY")
		}
	default:
		return fmt.Errorf("config: CARDFLOW_PROCESSOR=%q: want %s or %s", c.Processor, ProcessorSandbox, ProcessorStripe)
	}
	return nil
}

// Processor adapters CARDFLOW_PROCESSOR selects.
const (
	ProcessorSandbox = "sandbox"
	ProcessorStripe  = "stripe"
)

// ParseBrands reads a comma-separated list of brand values ("visa, Elo") as
// brands cardflow recognises, without repeats; an empty list is nil (every
// brand). An unknown name is an error, so that a typo does not silently refuse
// a network's cards.
func ParseBrands(s string) ([]payment.Brand, error) {
	var out []payment.Brand
	for _, name := range splitList(s) {
		b, ok := payment.ParseBrand(name)
		if !ok {
			known := make([]string, 0, len(payment.Brands()))
			for _, k := range payment.Brands() {
				known = append(known, string(k))
			}
			return nil, fmt.Errorf("config: accepted brands: unknown brand %q (known: %s)", name, strings.Join(known, ", "))
		}
		if !slices.Contains(out, b) {
			out = append(out, b)
		}
	}
	return out, nil
}

// fromEnv reads the variables that are set; set to "" is empty, not the
// default. A number, duration or boolean that does not parse is an error
// naming the variable, not a silent default.
func (c *Config) fromEnv(lookup func(string) (string, bool)) error {
	str := func(dst *string, key string) {
		if v, ok := lookup(key); ok {
			*dst = v
		}
	}
	str(&c.TemporalAddress, "TEMPORAL_ADDRESS")
	str(&c.TemporalNamespace, "TEMPORAL_NAMESPACE")
	str(&c.TaskQueue, "CARDFLOW_TASK_QUEUE")
	str(&c.APIAddr, "CARDFLOW_API_ADDR")
	str(&c.TLSCert, "CARDFLOW_TLS_CERT")
	str(&c.TLSKey, "CARDFLOW_TLS_KEY")
	str(&c.ProcessorURL, "CARDFLOW_PROCESSOR_URL")
	str(&c.WebhookURL, "CARDFLOW_WEBHOOK_URL")
	str(&c.WebhookSecret, "CARDFLOW_WEBHOOK_SECRET")
	str(&c.Dir, "CARDFLOW_DIR")
	str(&c.LogLevel, "CARDFLOW_LOG_LEVEL")
	str(&c.Processor, "CARDFLOW_PROCESSOR")
	str(&c.StripeSecretKey, "STRIPE_SECRET_KEY")
	str(&c.StripeAPIBase, "STRIPE_API_BASE")
	str(&c.StripeWebhookSecret, "STRIPE_WEBHOOK_SECRET")
	str(&c.PublicURL, "CARDFLOW_PUBLIC_URL")
	str(&c.CardFieldsURL, "CARDFLOW_CARD_FIELDS_URL")
	str(&c.SandboxPublishableKey, "CARDFLOW_SANDBOX_PUBLISHABLE_KEY")
	str(&c.ReturnSecret, "CARDFLOW_RETURN_SECRET")
	if v, ok := lookup("CARDFLOW_API_KEYS"); ok {
		c.APIKeys = splitList(v)
	}
	var errs []error
	parse := func(key string, set func(string) error) {
		if v, ok := lookup(key); ok {
			if err := set(v); err != nil {
				errs = append(errs, fmt.Errorf("config: %s=%q: %w", key, v, err))
			}
		}
	}
	parse("CARDFLOW_WORKFLOW_CACHE", func(v string) error {
		n, err := strconv.Atoi(v)
		if err == nil && n <= 0 {
			err = errors.New("want a positive number")
		}
		c.WorkflowCache = n
		return err
	})
	parse("CARDFLOW_TEMPORAL_GZIP", func(v string) (err error) {
		c.TemporalGzip, err = strconv.ParseBool(v)
		return err
	})
	parse("CARDFLOW_PROCESSOR_TIMEOUT", func(v string) error {
		d, err := time.ParseDuration(v)
		if err == nil && d <= 0 {
			err = errors.New("want a positive duration")
		}
		c.ProcessorTimeout = d
		return err
	})
	str(&c.SandboxSecretKey, "CARDFLOW_SANDBOX_SECRET_KEY")
	str(&c.MetricsAddr, "CARDFLOW_METRICS_ADDR")
	str(&c.MetricsAuth, "CARDFLOW_METRICS_AUTH")
	return errors.Join(errs...)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
