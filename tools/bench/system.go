package main

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

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
	name   string
	dev    *devServer
	worker *proc
	api    *proc
	apiURL string
	queue  string
	tc     client.Client // no codec: counts, histories, the floor's commands
}

// startSystem brings up a fresh dev server, one worker of kind (cardflow or
// floor) and, if withAPI, the shop API, and waits until they serve.
func (b *bench) startSystem(name, kind string, withAPI bool) (*system, error) {
	// Numbered, so that repeating a point never reuses a phase's ids.
	b.phases++
	name = fmt.Sprintf("%s-p%d", name, b.phases)
	var dev *devServer
	var err error
	if b.opts.server == "cluster" {
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
	env := []string{"CARDFLOW_CODEC_KEY=" + benchCodecKey}
	common := []string{"-temporal", dev.addr, "-queue", s.queue, "-processor", b.svc.sbSrv.URL,
		"-webhook", b.svc.hookSrv.URL, "-dir", b.dir}
	if b.opts.profile != "" {
		common = append(common, "-cpuprofile", filepath.Join(b.opts.profile, name))
	}
	args := append([]string{"role", "worker", "-kind", kind}, common...)
	if s.worker, err = startProc(name+" worker", filepath.Join(b.dir, name+"-worker.log"), b.self,
		append(args, b.opts.tune.args()...), env...); err != nil {
		s.stop()
		return nil, err
	}
	if withAPI {
		port, err := freePort()
		if err != nil {
			s.stop()
			return nil, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(port)
		s.apiURL = "http://" + addr
		args := append([]string{"role", "api", "-addr", addr, "-return-window", b.opts.window.String()}, common...)
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
		for _, c := range []*proc{s.worker, s.api} {
			if c != nil && c.exited() {
				return fmt.Errorf("%s exited at start:\n%s", c.name, c.logTail())
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
	return err == nil && len(d.GetPollers()) > 0
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
	u := usage{worker: s.worker.cpu(), server: s.dev.cpu(), bench: selfCPU()}
	if s.api != nil {
		u.api = s.api.cpu()
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

// peaks are the processes' peak RSS (VmHWM) in MiB.
type peaks struct{ worker, api, server float64 }

func (s *system) peaks() peaks {
	var p peaks
	_, p.worker = s.worker.mem()
	_, p.server = s.dev.mem()
	if s.api != nil {
		_, p.api = s.api.mem()
	}
	return p
}

// stop ends the API and the worker first (they drain), then the server.
func (s *system) stop() {
	if s.tc != nil {
		s.tc.Close()
	}
	if s.api != nil {
		s.api.stop(10 * time.Second)
	}
	if s.worker != nil {
		s.worker.stop(10 * time.Second)
	}
	if s.dev != nil {
		s.dev.stop(10 * time.Second)
	}
}
