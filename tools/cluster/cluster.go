// Package cluster runs a real Temporal cluster on this machine's loopback:
// PostgreSQL (Debian's, as the postgres user, in a temporary data directory),
// the databases and schemas made by deploy/temporal/schema.sh with
// temporal-sql-tool, and the Temporal server (tools/temporal-server) on
// deploy/temporal/cluster.yaml — 4 history shards, SQL visibility — with the
// namespace and the contract's search attributes registered. With MTLS the
// frontend requires client certificates of a CA generated for the run, and
// the server authorizes each by its name (deploy/temporal/cluster.yaml,
// certificateRoles); without, it runs with no authorizer (--allow-no-auth).
//
// It is what `make cluster` (cmd/cluster), `make test-cluster` and the soak's
// -server cluster run; docker-compose.yml runs the same files.
package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/internal/devcerts"
	"github.com/cardflow/cardflow/tools/proc"
)

// portNames are cluster.yaml's port variables, membership ports first.
var portNames = []string{"FRONTEND_MEMBERSHIP_PORT", "HISTORY_MEMBERSHIP_PORT", "MATCHING_MEMBERSHIP_PORT", "WORKER_MEMBERSHIP_PORT",
	"FRONTEND_PORT", "FRONTEND_HTTP_PORT", "HISTORY_PORT", "MATCHING_PORT", "WORKER_PORT"}

// dbUser owns the databases (cluster.yaml's POSTGRES_USER default).
const dbUser = "temporal"

// Options of one cluster.
type Options struct {
	Root      string    // the repository: deploy/temporal, tools/temporal-server (default: the module root above the working directory)
	Dir       string    // certificates and logs
	Bin       string    // where temporal-server and temporal-sql-tool are
	Port      int       // the frontend's gRPC port (0: a free one)
	MTLS      bool      // the frontend requires client certificates
	Namespace string    // registered with the search attributes (default "default")
	Log       io.Writer // progress, one line a step
}

// Cluster is a running cluster.
type Cluster struct {
	Address string          // the frontend, host:port
	Certs   *devcerts.Files // with MTLS: the CA, the server's and a client certificate per role
	Server  *proc.Proc      // the Temporal server: Restart stops and starts it

	opts     Options
	postgres *proc.Proc
	pgRoot   string
}

// Start brings PostgreSQL, the schemas and the server up, registers the
// namespace and the search attributes, and returns once a client can use them.
// On an error, what started is stopped.
func Start(ctx context.Context, o Options) (c *Cluster, err error) {
	if o.Namespace == "" {
		o.Namespace = "default"
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Root == "" {
		wd, _ := os.Getwd()
		if o.Root, err = proc.ModuleRoot(wd); err != nil {
			return nil, err
		}
	}
	logs := filepath.Join(o.Dir, "logs")
	if err := os.MkdirAll(logs, 0o700); err != nil {
		return nil, err
	}
	c = &Cluster{opts: o}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	// Membership ports first (freePorts), then gRPC, HTTP, metrics, PostgreSQL.
	ports, err := freePorts(len(portNames)+2, 4)
	if err != nil {
		return c, err
	}
	pgPort, metricsPort := ports[len(ports)-1], ports[len(ports)-2]
	if o.Port != 0 {
		ports[4] = o.Port
	}
	began := time.Now()
	if c.postgres, c.pgRoot, err = startPostgres(ctx, logs, pgPort, o.Log); err != nil {
		return c, err
	}
	fmt.Fprintf(o.Log, "cluster: PostgreSQL on 127.0.0.1:%d (%s)\n", pgPort, since(began))

	env := append(os.Environ(),
		"POSTGRES_HOST=127.0.0.1", "POSTGRES_PORT="+strconv.Itoa(pgPort), "POSTGRES_USER="+dbUser, "POSTGRES_PASSWORD=")
	if err := c.schema(ctx, env); err != nil {
		return c, err
	}
	fmt.Fprintf(o.Log, "cluster: schemas up to date (%s)\n", since(began))

	c.Address = "127.0.0.1:" + strconv.Itoa(ports[4])
	for i, n := range portNames {
		env = append(env, "TEMPORAL_"+n+"="+strconv.Itoa(ports[i]))
	}
	env = append(env, "TEMPORAL_METRICS_ADDR=127.0.0.1:"+strconv.Itoa(metricsPort),
		"TEMPORAL_DYNAMIC_CONFIG="+filepath.Join(o.Root, config.ClusterConfigDir, "dynamicconfig.yaml"),
		// cluster.yaml's certificate roles are on this namespace.
		"TEMPORAL_NAMESPACE="+o.Namespace)
	args := []string{"--root", o.Root, "--config", config.ClusterConfigDir, "--env", config.ClusterConfigEnv}
	if o.MTLS {
		if c.Certs, err = certs(o.Dir); err != nil {
			return c, err
		}
		env = append(env, ServerTLSEnv(*c.Certs)...)
	} else {
		// No client certificate names anybody: the server runs without an
		// authorizer only when told so (the bench's plain loopback cluster).
		args = append(args, "--allow-no-auth")
	}
	c.Server = &proc.Proc{Name: "temporal-server", Path: filepath.Join(o.Bin, "temporal-server"), Env: env,
		Args: append(args, "start"), Log: filepath.Join(logs, "temporal-server.log")}
	if err := c.StartServer(ctx); err != nil {
		return c, err
	}
	fmt.Fprintf(o.Log, "cluster: Temporal server on %s, %d shards, PostgreSQL visibility, mTLS %v (%s)\n", c.Address, config.ClusterHistoryShards, o.MTLS, since(began))
	if err := c.register(ctx); err != nil {
		return c, err
	}
	fmt.Fprintf(o.Log, "cluster: namespace %s with search attributes %s (%s)\n", o.Namespace, strings.Join(flow.SearchAttributeNames, ", "), since(began))
	return c, nil
}

func since(t time.Time) time.Duration { return time.Since(t).Round(100 * time.Millisecond) }

// schema runs deploy/temporal/schema.sh, as docker-compose.yml's schema job does.
func (c *Cluster) schema(ctx context.Context, env []string) error {
	dir := os.Getenv("TEMPORAL_SCHEMA_DIR")
	if dir == "" {
		// The server module's own schema directories, from the module cache.
		out, err := exec.CommandContext(ctx, "go", "-C", filepath.Join(c.opts.Root, "tools", "temporal-server"),
			"list", "-m", "-f", "{{.Dir}}", "go.temporal.io/server").Output()
		if err != nil {
			return fmt.Errorf("find the server's schema: go list -m go.temporal.io/server: %w", err)
		}
		dir = filepath.Join(strings.TrimSpace(string(out)), "schema", "postgresql", "v12")
	}
	cmd := exec.CommandContext(ctx, "sh", filepath.Join(c.opts.Root, config.ClusterSchemaScript))
	cmd.Env = append(env, "TEMPORAL_SCHEMA_DIR="+dir, "TEMPORAL_SQL_TOOL="+filepath.Join(c.opts.Bin, "temporal-sql-tool"))
	log := filepath.Join(c.opts.Dir, "logs", "schema.log")
	f, err := os.Create(log)
	if err != nil {
		return err
	}
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("schema.sh: %w; see %s", err, log)
	}
	return nil
}

// StartServer starts the server and waits until its frontend answers.
func (c *Cluster) StartServer(ctx context.Context) error {
	if err := c.Server.Start(); err != nil {
		return err
	}
	return proc.WaitUntil(ctx, "Temporal server up", 2*time.Minute, c.Server, func(ctx context.Context) error {
		cl, err := c.Dial(ctx)
		if err != nil {
			return err
		}
		defer cl.Close()
		_, err = cl.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
}

// Restart stops the server cleanly and starts it again on the same
// databases and ports: every workflow must carry on where it stood.
func (c *Cluster) Restart(ctx context.Context) error {
	c.Server.Stop(30 * time.Second)
	return c.StartServer(ctx)
}

// Stop stops the server, then PostgreSQL, and removes PostgreSQL's data.
func (c *Cluster) Stop() {
	if c.Server != nil {
		c.Server.Stop(30 * time.Second)
	}
	if c.postgres != nil {
		c.postgres.Stop(20 * time.Second)
	}
	if c.pgRoot != "" {
		_ = os.RemoveAll(c.pgRoot)
	}
}

// PostgresPid is PostgreSQL's postmaster, for measurements.
func (c *Cluster) PostgresPid() int { return c.postgres.Pid() }

// Dial is a client of the cluster's namespace, without cardflow's codec, for
// administration and probes: with MTLS it presents the system certificate
// (devcerts.System), the one that may register the namespace and its search
// attributes.
func (c *Cluster) Dial(ctx context.Context) (client.Client, error) {
	opts := client.Options{HostPort: c.Address, Namespace: c.opts.Namespace, Logger: quiet{}}
	if c.Certs != nil {
		cfg, err := TLSAs(c.Certs.CA, c.Certs.System)
		if err != nil {
			return nil, err
		}
		opts.ConnectionOptions.TLS = cfg
	}
	return client.DialContext(ctx, opts)
}

// ClientTLS trusts the cluster's CA and, withCert, presents the workers'
// client certificate.
func ClientTLS(f devcerts.Files, withCert bool) (*tls.Config, error) {
	if !withCert {
		return TLSAs(f.CA, devcerts.Pair{})
	}
	return TLSAs(f.CA, devcerts.Pair{Cert: f.ClientCert, Key: f.ClientKey})
}

// TLSAs trusts ca and presents the certificate p (none when p is empty).
func TLSAs(ca string, p devcerts.Pair) (*tls.Config, error) {
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("no certificate in %s", ca)
	}
	cfg := &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	if p.Cert != "" {
		cert, err := tls.LoadX509KeyPair(p.Cert, p.Key)
		if err != nil {
			return nil, fmt.Errorf("client certificate %s: %w", p.Cert, err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// register creates the namespace and the contract's search attributes, each
// once, and waits until the frontend accepts a query on them: a worker that
// sets an attribute the namespace lacks fails its workflow task.
func (c *Cluster) register(ctx context.Context) error {
	cl, err := c.Dial(ctx)
	if err != nil {
		return err
	}
	defer cl.Close()
	ns := c.opts.Namespace
	svc := cl.WorkflowService()
	// The configuration that ran is the one the compose test checks.
	info, err := svc.GetClusterInfo(ctx, &workflowservice.GetClusterInfoRequest{})
	if err != nil {
		return fmt.Errorf("cluster info: %w", err)
	}
	if info.GetHistoryShardCount() != config.ClusterHistoryShards || !strings.HasPrefix(info.GetVisibilityStore(), "postgres") {
		return fmt.Errorf("the server runs %d history shards and %q visibility, want %d and PostgreSQL (%s)",
			info.GetHistoryShardCount(), info.GetVisibilityStore(), config.ClusterHistoryShards, config.ClusterConfigDir)
	}
	_, err = svc.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: ns, WorkflowExecutionRetentionPeriod: durationpb.New(72 * time.Hour)})
	if err != nil && !strings.Contains(err.Error(), "already exists") {
		return fmt.Errorf("register namespace %s: %w", ns, err)
	}
	want := map[string]enumspb.IndexedValueType{}
	for _, name := range flow.SearchAttributeNames {
		want[name] = enumspb.INDEXED_VALUE_TYPE_KEYWORD
	}
	// The frontend learns of a new namespace within its cache's refresh
	// (seconds); until then both calls below answer not found.
	return proc.WaitUntil(ctx, "search attributes registered", 2*time.Minute, c.Server, func(ctx context.Context) error {
		have, err := cl.OperatorService().ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: ns})
		if err != nil {
			return err
		}
		missing := map[string]enumspb.IndexedValueType{}
		for name, typ := range want {
			if _, ok := have.GetCustomAttributes()[name]; !ok {
				missing[name] = typ
			}
		}
		if len(missing) > 0 {
			_, err := cl.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns, SearchAttributes: missing})
			if err == nil {
				err = fmt.Errorf("added %d search attributes; checking", len(missing))
			}
			return err
		}
		query := make([]string, 0, len(want))
		for _, name := range slices.Sorted(maps.Keys(want)) {
			query = append(query, name+` = "x"`)
		}
		_, err = cl.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns, Query: strings.Join(query, " AND ")})
		return err
	})
}
