// Command temporal-server is Temporal's server (go.temporal.io/server, the
// version tools/temporal-server/go.mod pins) as its own cmd/server starts it —
// the same services, configuration and dynamic configuration — with
// authorization on: Temporal's default authorizer, and cardflow's claim
// mapper (package certauth) giving each verified client certificate the roles
// its common name has under certificateRoles in the configuration.
//
//	temporal-server --root DIR --config deploy/temporal --env cluster [--zone Z] [--allow-no-auth] start [--service NAME]...
//
// A frontend that requires no client certificate has no identity to
// authorize by: the server then runs without an authorizer, as the stock one
// does, but only when --allow-no-auth (or TEMPORAL_ALLOW_NO_AUTH=true) says so
// (the bench's plain loopback cluster); otherwise it refuses to start. With
// client certificates required the authorizer is always on and the flag
// changes nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	_ "time/tzdata" // as the stock main: a fallback for machines without zoneinfo

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/headers"
	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
	_ "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql" // cluster.yaml's postgres12
	"go.temporal.io/server/temporal"

	"github.com/cardflow/cardflow/tools/temporal-server/certauth"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "temporal-server:", err)
		os.Exit(1)
	}
}

// options are the stock main's flags, with its environment variables.
type options struct {
	root, config, env, zone string
	allowNoAuth             bool
	services                []string
}

func parse(args []string) (options, error) {
	var o options
	fs := flag.NewFlagSet("temporal-server", flag.ContinueOnError)
	fs.StringVar(&o.root, "root", envOr(config.EnvKeyRoot, "."), "root directory of the execution environment")
	fs.StringVar(&o.config, "config", envOr(config.EnvKeyConfigDir, "config"), "configuration directory, relative to --root")
	fs.StringVar(&o.env, "env", envOr(config.EnvKeyEnvironment, "development"), "runtime environment: the configuration file's name")
	fs.StringVar(&o.zone, "zone", os.Getenv(config.EnvKeyAvailabilityZone), "availability zone")
	fs.BoolVar(&o.allowNoAuth, "allow-no-auth", os.Getenv(config.EnvKeyAllowNoAuth) == "true",
		"run without an authorizer when the frontend requires no client certificate")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.Arg(0) != "start" {
		return o, fmt.Errorf("usage: temporal-server [flags] start [--service NAME]...; got %q", strings.Join(fs.Args(), " "))
	}
	start := flag.NewFlagSet("start", flag.ContinueOnError)
	start.Func("service", "a service to start (repeat; default: all of "+strings.Join(temporal.DefaultServices, ", ")+")", func(s string) error {
		o.services = append(o.services, s)
		return nil
	})
	if err := start.Parse(fs.Args()[1:]); err != nil {
		return o, err
	}
	if start.NArg() > 0 {
		return o, fmt.Errorf("start takes no arguments, got %q (use --service)", strings.Join(start.Args(), " "))
	}
	if len(o.services) == 0 {
		o.services = temporal.DefaultServices
	}
	return o, nil
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func run(args []string) error {
	o, err := parse(args)
	if err != nil {
		return err
	}
	dir := filepath.Join(o.root, o.config)
	cfg, err := config.LoadConfig(o.env, dir, o.zone)
	if err != nil {
		return fmt.Errorf("load the configuration: %w", err)
	}
	logger := log.NewZapLogger(log.BuildZapLogger(cfg.Log))
	logger.Info("Build info.", tag.NewStringTag("server-version", headers.ServerVersion))

	dc := dynamicconfig.NewNoopClient()
	if cfg.DynamicConfigClient != nil {
		if dc, err = dynamicconfig.NewFileBasedClient(cfg.DynamicConfigClient, logger, temporal.InterruptCh()); err != nil {
			return fmt.Errorf("dynamic config client: %w", err)
		}
	}
	authorizer, mapper, err := authorize(cfg, o, dir)
	if err != nil {
		return err
	}
	s, err := temporal.NewServer(
		temporal.ForServices(o.services),
		temporal.WithConfig(cfg),
		temporal.WithDynamicConfigClient(dc),
		temporal.WithLogger(logger),
		temporal.InterruptOn(temporal.InterruptCh()),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return mapper }),
	)
	if err != nil {
		return fmt.Errorf("create the server: %w", err)
	}
	// Blocks until SIGINT or SIGTERM, then stops every service.
	if err := s.Start(); err != nil {
		return fmt.Errorf("start the server: %w", err)
	}
	return nil
}

// authorize picks the authorizer and claim mapper: the default authorizer on
// certificate roles when the frontend requires client certificates, none only
// when asked for.
func authorize(cfg *config.Config, o options, dir string) (authorization.Authorizer, authorization.ClaimMapper, error) {
	if !cfg.Global.TLS.Frontend.Server.RequireClientAuth {
		if !o.allowNoAuth {
			return nil, nil, errors.New("the frontend requires no client certificate (global.tls.frontend.server.requireClientAuth), " +
				"so no caller can be authorized: configure mTLS, or pass --allow-no-auth to let every caller do anything")
		}
		return authorization.NewNoopAuthorizer(), authorization.NewNoopClaimMapper(), nil
	}
	grants, err := certauth.Load(o.env, dir, o.zone)
	if err != nil {
		return nil, nil, err
	}
	m, err := certauth.New(grants)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", dir, err)
	}
	return authorization.NewDefaultAuthorizer(), m, nil
}
