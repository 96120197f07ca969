package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/cardflow/cardflow/tools/proc"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
)

// benchCodecKey encrypts the cardflow payloads of every bench process, as
// CARDFLOW_CODEC_KEY would in production (a fixed throwaway key: nothing of the
// bench outlives it).
const benchCodecKey = "bench:000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"

// apiKey is the bench API's key.
const apiKey = "sk_bench"

// system is one phase's Temporal dev server, worker and (for orders) API.
type system struct {
	name    string
	dev     *devServer
	workers []*proc.Proc // -workers of them on the one task queue
	api     *proc.Proc
	apiURL  string
	queue   string
	tc      client.Client // no codec: counts, histories, the floor's commands
}

// startSystem brings up a fresh Temporal of target t (the dev server or the
// cluster), t.workers workers of kind (cardflow or floor) on one task queue and,
// if withAPI, the shop API, and waits until they serve.
func (b *bench) startSystem(t target, name, kind string, withAPI bool) (*system, error) {
	// Numbered, so that repeating a point never reuses a phase's ids.
	b.phases++
	name = fmt.Sprintf("%s-%s-w%d-p%d", name, t.server, t.workers, b.phases)
	var dev *devServer
	var err error
	if t.server == "cluster" {
		dev, err = startCluster(b.opts.serverBin, b.dir, name)
	} else {
		dev, err = startDevServer(b.opts.cli, b.dir, name, !b.opts.dbFile, b.opts.dynamic)
	}
	if err != nil {
		return nil, err
	}
	s := &system{name: name, dev: dev, queue: "bench-" + name}
	if s.tc, err = client.Dial(client.Options{HostPort: dev.addr, Logger: quietLogger()}); err != nil {
		s.stop()
		return nil, err
	}
	// The API's address, chosen before the workers start: the Authenticate
	// activity builds 3-D Secure return URLs on it (config.PagePublicURL), and
	// the processor refuses a payment whose return URL is not absolute.
	port, err := proc.FreePort()
	if err != nil {
		s.stop()
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s.apiURL = "http://" + addr
	env := []string{"CARDFLOW_CODEC_KEY=" + benchCodecKey}
	common := []string{"-addr", addr, "-temporal", dev.addr, "-queue", s.queue, "-processor", b.svc.sbSrv.URL,
		"-webhook", b.svc.hookSrv.URL, "-dir", b.dir}
	if b.opts.profile != "" {
		common = append(common, "-cpuprofile", filepath.Join(b.opts.profile, name))
	}
	args := append([]string{"role", "worker", "-kind", kind}, common...)
	for i := range t.workers {
		w, err := startProc(fmt.Sprintf("%s worker %d", name, i+1), filepath.Join(b.dir, fmt.Sprintf("%s-worker%d.log", name, i+1)), b.self,
			append(args, b.opts.tune.args()...), env...)
		if err != nil {
			s.stop()
			return nil, err
		}
		s.workers = append(s.workers, w)
	}
	if withAPI {
		args := append([]string{"role", "api", "-return-window", b.opts.window.String()}, common...)
		if s.api, err = startProc(name+" api", filepath.Join(b.dir, name+"-api.log"), b.self, args, env...); err != nil {
			s.stop()
			return nil, err
		}
	}
	if err := s.waitReady(60 * time.Second); err != nil {
		s.stop()
		return nil, err
	}
	return s, nil
}

// waitReady waits for the worker's pollers on both task types and the API's health.
func (s *system) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		for _, c := range append([]*proc.Proc{s.api}, s.workers...) {
			if c != nil && !c.Running() {
				return fmt.Errorf("%s exited at start:\n%s", c.Name, c.LogTail(1500))
			}
		}
		if s.polled(enumspb.TASK_QUEUE_TYPE_WORKFLOW) && s.polled(enumspb.TASK_QUEUE_TYPE_ACTIVITY) && s.apiHealthy() {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("%s: worker or API not ready within %s", s.name, limit)
}

func (s *system) polled(t enumspb.TaskQueueType) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	d, err := s.tc.DescribeTaskQueue(ctx, s.queue, t)
	return err == nil && len(d.GetPollers()) >= len(s.workers)
}

func (s *system) apiHealthy() bool {
	if s.api == nil {
		return true
	}
	res, err := http.Get(s.apiURL + "/healthz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// usage is CPU time of the system's processes, and of the bench's own: its
// shoppers and, for orders, the sandbox processor and the webhook receiver.
type usage struct{ worker, api, server, bench time.Duration }

func (s *system) cpu() usage {
	u := usage{server: s.dev.cpu(), bench: selfCPU()}
	for _, w := range s.workers {
		u.worker += w.CPU()
	}
	if s.api != nil {
		u.api = s.api.CPU()
	}
	return u
}

func (u usage) sub(v usage) usage {
	return usage{worker: u.worker - v.worker, api: u.api - v.api, server: u.server - v.server, bench: u.bench - v.bench}
}

func (u usage) total() time.Duration { return u.worker + u.api + u.server + u.bench }

// selfCPU is this process's user+system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// peaks are the processes' peak RSS (VmHWM) in MiB; worker is the largest
// worker's, so one and two workers compare per process.
type peaks struct{ worker, api, server float64 }

func (s *system) peaks() peaks {
	var p peaks
	for _, w := range s.workers {
		_, hwm := w.Mem()
		p.worker = max(p.worker, hwm)
	}
	_, p.server = s.dev.mem()
	if s.api != nil {
		_, p.api = s.api.Mem()
	}
	return p
}

// stop ends the API and the worker first (they drain), then the server.
func (s *system) stop() {
	if s.tc != nil {
		s.tc.Close()
	}
	if s.api != nil {
		s.api.Stop(10 * time.Second)
	}
	for _, w := range s.workers {
		w.Stop(10 * time.Second)
	}
	if s.dev != nil {
		s.dev.stop(10 * time.Second)
	}
}

// startProc runs path with args, its output into logPath (so a failing child
// can be diagnosed after the run); extraEnv is added to the bench's environment.
func startProc(name, logPath, path string, args []string, extraEnv ...string) (*proc.Proc, error) {
	p := &proc.Proc{Name: name, Path: path, Args: args, Env: append(os.Environ(), extraEnv...), Log: logPath}
	if err := p.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

// target is where a column of the tables ran: the server and how many workers.
type target struct {
	server  string // dev or cluster
	workers int
}

func (t target) String() string { return fmt.Sprintf("%s/%d", t.server, t.workers) }
