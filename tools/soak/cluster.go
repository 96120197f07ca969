package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/flow"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	tcluster "github.com/cardflow/cardflow/tools/cluster"
	"github.com/cardflow/cardflow/tools/proc"
)

// apiKey is the shop API key of the soak's own API; sandboxKey the secret key
// its sandbox takes from the API, the workers, the shop's test set-up and reconcile.
const (
	apiKey     = "sk_soak"
	sandboxKey = "sk_sandbox_soak"
)

// cluster is the soak's own cardflow on loopback: a Temporal dev server with its
// SQLite file in dir (or, with -server cluster, the Temporal cluster on PostgreSQL), the sandbox processor with faults, the API and the workers,
// each a child process of the built binaries.
type cluster struct {
	opts Options
	dir  string
	env  []string // CARDFLOW_* / TEMPORAL_* of the API and the workers

	temporalAddr string
	apiURL       string
	sandboxURL   string

	server  *proc.Proc
	sandbox *proc.Proc
	api     *proc.Proc

	mu       sync.Mutex // guards workers and started (chaos changes them while the drive runs)
	workers  []*proc.Proc
	started  int // workers started so far, for their log names
	client   client.Client
	keySpec  string
	serverUp []string          // the dev server's arguments, for the restart
	tc       *tcluster.Cluster // with -server cluster, instead of the dev server
}

// startCluster brings everything up in dependency order and waits until each
// part answers.
func startCluster(ctx context.Context, opts Options, dir string) (*cluster, error) {
	c := &cluster{opts: opts, dir: dir}
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o700); err != nil {
		return nil, fmt.Errorf("create %s: %w", dir, err)
	}
	ports := make([]int, 4)
	for i := range ports {
		p, err := proc.FreePort()
		if err != nil {
			return nil, err
		}
		ports[i] = p
	}
	c.temporalAddr = "127.0.0.1:" + strconv.Itoa(ports[0])
	c.sandboxURL = "http://127.0.0.1:" + strconv.Itoa(ports[2])
	c.apiURL = "http://127.0.0.1:" + strconv.Itoa(ports[3])
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	c.keySpec = "soak:" + hex.EncodeToString(secret)

	if opts.Server == ServerCluster {
		if err := c.startTemporalCluster(ctx); err != nil {
			return c, err
		}
	} else {
		c.serverUp = []string{"server", "start-dev",
			"--db-filename", filepath.Join(dir, "temporal.db"),
			"--ip", "127.0.0.1", "--port", strconv.Itoa(ports[0]), "--http-port", strconv.Itoa(ports[1]),
			"--headless", "--log-level", "warn",
		}
		// As make run's dev server (internal/config/devserver.go).
		c.serverUp = append(c.serverUp, config.DevServerArgs()...)
		// Every search attribute the workflows may set: one missing fails the
		// workflow task that sets it.
		for _, name := range flow.SearchAttributeNames {
			c.serverUp = append(c.serverUp, "--search-attribute", name+"=Keyword")
		}
		c.server = &proc.Proc{Name: "temporal", Path: opts.TemporalCLI, Args: c.serverUp, Env: os.Environ(), Log: c.logFile("temporal")}
		if err := c.startServer(ctx); err != nil {
			return c, err
		}
	}

	c.sandbox = &proc.Proc{Name: "sandbox", Path: filepath.Join(opts.BinDir, "sandbox"), Log: c.logFile("sandbox"), Env: append(os.Environ(), "CARDFLOW_SANDBOX_SECRET_KEY="+sandboxKey),
		Args: []string{"-addr", "127.0.0.1:" + strconv.Itoa(ports[2]), "-dir", filepath.Join(dir, "sandbox"),
			"-faults", opts.Faults, "-timeout-delay", opts.TimeoutDelay.String()}}
	if err := c.sandbox.Start(); err != nil {
		return c, err
	}
	if err := proc.WaitUntil(ctx, "sandbox up", 30*time.Second, c.sandbox, proc.HTTPOK(c.sandboxURL+"/healthz")); err != nil {
		return c, err
	}

	c.env = append(os.Environ(),
		"TEMPORAL_ADDRESS="+c.temporalAddr,
		"TEMPORAL_NAMESPACE=default",
		"CARDFLOW_TASK_QUEUE=cardflow",
		"CARDFLOW_API_ADDR=127.0.0.1:"+strconv.Itoa(ports[3]),
		"CARDFLOW_API_KEYS="+apiKey,
		"CARDFLOW_PROCESSOR_URL="+c.sandboxURL,
		"CARDFLOW_SANDBOX_SECRET_KEY="+sandboxKey,
		"CARDFLOW_PROCESSOR_TIMEOUT="+opts.ProcessorTimeout.String(),
		"CARDFLOW_DIR="+dir,
		"CARDFLOW_CODEC_KEY="+c.keySpec,
		"CARDFLOW_LOG_LEVEL=info",
		"CARDFLOW_WEBHOOK_URL=", // notifications are only logged
	)
	for range 2 {
		if err := c.startWorker(); err != nil {
			return c, err
		}
	}
	c.api = &proc.Proc{Name: "api", Path: filepath.Join(opts.BinDir, "api"), Env: c.env, Log: c.logFile("api")}
	if err := c.api.Start(); err != nil {
		return c, err
	}
	if err := proc.WaitUntil(ctx, "API up", 60*time.Second, c.api, proc.HTTPOK(c.apiURL+"/healthz")); err != nil {
		return c, err
	}
	return c, nil
}

func (c *cluster) logFile(name string) string { return filepath.Join(c.dir, "logs", name+".log") }

// startTemporalCluster runs the cluster of `make cluster` (package
// tools/cluster: PostgreSQL, the Temporal server, mTLS on its frontend) instead
// of the dev server. The client certificate reaches the workers, the API and
// the soak's own client through the environment, under API.md's names
// (TEMPORAL_TLS_CERT, _KEY, _CA), which app.Dial reads beside Temporal's.
func (c *cluster) startTemporalCluster(ctx context.Context) error {
	tc, err := tcluster.Start(ctx, tcluster.Options{Dir: filepath.Join(c.dir, "cluster"), Bin: c.opts.BinDir, MTLS: true, Log: c.opts.Log})
	c.tc = tc
	if err != nil {
		return err
	}
	for k, v := range map[string]string{"TEMPORAL_TLS_CERT": tc.Certs.ClientCert, "TEMPORAL_TLS_KEY": tc.Certs.ClientKey, "TEMPORAL_TLS_CA": tc.Certs.CA} {
		if err := os.Setenv(k, v); err != nil {
			return err
		}
	}
	c.temporalAddr, c.server = tc.Address, tc.Server
	return c.waitServer(ctx)
}

// startServer starts the dev server on its SQLite file, then waitServer.
func (c *cluster) startServer(ctx context.Context) error {
	if err := c.server.Start(); err != nil {
		return err
	}
	return c.waitServer(ctx)
}

// waitServer connects the soak's own client (which reconciles at the end)
// once the server answers.
func (c *cluster) waitServer(ctx context.Context) error {
	return proc.WaitUntil(ctx, "Temporal server up", 60*time.Second, c.server, func(ctx context.Context) error {
		if c.client == nil {
			cl, err := c.dial()
			if err != nil {
				return err
			}
			c.client = cl
		}
		_, err := c.client.CheckHealth(ctx, &client.CheckHealthRequest{})
		return err
	})
}

func (c *cluster) dial() (client.Client, error) {
	keys, err := codec.ParseKeys(c.keySpec)
	if err != nil {
		return nil, fmt.Errorf("soak codec key: %w", err)
	}
	cfg := config.Default()
	cfg.TemporalAddress = c.temporalAddr
	return app.Dial(cfg, zap.NewNop(), keys)
}

// restartServer stops the server cleanly and starts it again on the same
// SQLite file (or PostgreSQL) and ports: every workflow must carry on where it
// stood.
func (c *cluster) restartServer(ctx context.Context) error {
	if c.tc != nil {
		if err := c.tc.Restart(ctx); err != nil {
			return err
		}
		return c.waitServer(ctx)
	}
	c.server.Stop(30 * time.Second)
	return c.startServer(ctx)
}

// startWorker starts one more worker process.
func (c *cluster) startWorker() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.started++
	w := &proc.Proc{Name: fmt.Sprintf("worker-%d", c.started), Path: filepath.Join(c.opts.BinDir, "worker"), Env: c.env,
		Log: c.logFile(fmt.Sprintf("worker-%d", c.started))}
	if err := w.Start(); err != nil {
		return err
	}
	c.workers = append(c.workers, w)
	return nil
}

// killWorker SIGKILLs the oldest running worker, as a crash would, and returns
// its name.
func (c *cluster) killWorker() (string, error) {
	c.mu.Lock()
	var victim *proc.Proc
	for _, w := range c.workers {
		if w.Running() {
			victim = w
			break
		}
	}
	c.mu.Unlock()
	if victim == nil {
		return "", fmt.Errorf("kill a worker: none is running")
	}
	return fmt.Sprintf("%s (pid %d)", victim.Name, victim.Pid()), victim.Kill()
}

// runningWorkers counts the workers alive.
func (c *cluster) runningWorkers() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, w := range c.workers {
		if w.Running() {
			n++
		}
	}
	return n
}

// stop ends everything: API and workers first (they drain), then the sandbox,
// then Temporal.
func (c *cluster) stop() {
	if c.client != nil {
		c.client.Close()
	}
	if c.api != nil {
		c.api.Stop(10 * time.Second)
	}
	c.mu.Lock()
	workers := c.workers
	c.mu.Unlock()
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Go(func() { w.Stop(10 * time.Second) })
	}
	wg.Wait()
	if c.sandbox != nil {
		c.sandbox.Stop(5 * time.Second)
	}
	if c.tc != nil {
		c.tc.Stop()
	} else if c.server != nil {
		c.server.Stop(30 * time.Second)
	}
}

// alive says which part died on its own, if any: a soak whose API or sandbox
// crashed proves nothing.
func (c *cluster) alive() error {
	for _, p := range []*proc.Proc{c.server, c.sandbox, c.api} {
		if !p.Running() {
			return fmt.Errorf("%s exited during the soak (%v); see %s", p.Name, p.Err(), p.Log)
		}
	}
	if c.runningWorkers() == 0 {
		return fmt.Errorf("no worker is running; see %s", filepath.Join(c.dir, "logs"))
	}
	return nil
}

// starterAgrees runs the operator's tool, `starter reconcile`, over the same
// books, when the starter binary is there: it must agree too. A starter that
// does not know the command yet (exit 2) is noted, not counted.
func starterAgrees(ctx context.Context, c *cluster, logf func(string, ...any)) bool {
	path := filepath.Join(c.opts.BinDir, "starter")
	if _, err := os.Stat(path); err != nil {
		logf("no %s: starter reconcile not run", path)
		return true
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-temporal-address", c.temporalAddr, "-processor-url", c.sandboxURL, "reconcile")
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	last := strings.TrimSpace(string(out))
	if i := strings.LastIndexByte(last, '\n'); i >= 0 {
		last = last[i+1:]
	}
	code := cmd.ProcessState.ExitCode()
	switch {
	case err == nil:
		logf("starter reconcile: %s", last)
		return true
	case code == 1:
		logf("starter reconcile disagrees:\n%s", out)
		return false
	default:
		logf("starter reconcile did not run (exit %d: %v): %s", code, err, last)
		return true
	}
}
