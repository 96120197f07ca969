// Package proc runs the child processes of cardflow's instruments (the soak,
// the Temporal cluster): each with its own log file and process group, started,
// SIGKILLed as a crash would, or stopped cleanly.
package proc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// Proc is one child process: a built cardflow binary, the Temporal CLI or server, PostgreSQL.
// Its output goes to its own log file, appended across restarts.
type Proc struct {
	Name string
	Path string
	Args []string
	Env  []string
	Log  string
	// Cred, when set, runs the process as another user (PostgreSQL refuses root).
	Cred *syscall.Credential

	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	err  error         // its exit, once done is closed
}

// Start launches the process. Stdin is closed; stdout and stderr go to p.Log.
func (p *Proc) Start() error {
	f, err := os.OpenFile(p.Log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("open the log of %s: %w", p.Name, err)
	}
	cmd := exec.Command(p.Path, p.Args...)
	cmd.Env = p.Env
	cmd.Stdout, cmd.Stderr = f, f
	// Its own process group, so a Ctrl-C at the terminal does not reach the
	// children before the parent stops them in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: p.Cred}
	if err := cmd.Start(); err != nil {
		_ = f.Close()
		return fmt.Errorf("start %s (%s): %w", p.Name, p.Path, err)
	}
	p.cmd, p.done, p.err = cmd, make(chan struct{}), nil
	go func() {
		p.err = cmd.Wait()
		_ = f.Close()
		close(p.done)
	}()
	return nil
}

// Running reports whether the process was started and has not exited.
func (p *Proc) Running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// Kill sends SIGKILL, as a crash would, and waits for the exit.
func (p *Proc) Kill() error {
	if !p.Running() {
		return fmt.Errorf("kill %s: not running", p.Name)
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		return fmt.Errorf("kill %s (pid %d): %w", p.Name, p.cmd.Process.Pid, err)
	}
	<-p.done
	return nil
}

// Stop sends SIGTERM and waits up to grace for a clean exit, then SIGKILLs.
func (p *Proc) Stop(grace time.Duration) {
	if !p.Running() {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
	}
}

// Done is closed when the process has exited.
func (p *Proc) Done() <-chan struct{} { return p.done }

// Err is how the process exited, once Done is closed.
func (p *Proc) Err() error { return p.err }

// Pid is the process id, 0 before it started.
func (p *Proc) Pid() int {
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// FreePort asks the kernel for a free loopback port. Another process may take it
// before the child binds it; the child then fails to start and the caller says so.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// WaitUntil polls ok every 200 ms until it answers nil, the process p exits
// (when p is not nil) or the timeout passes.
func WaitUntil(ctx context.Context, what string, timeout time.Duration, p *Proc, ok func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		if last = ok(ctx); last == nil {
			return nil
		}
		var exited <-chan struct{}
		if p != nil {
			exited = p.done
		}
		select {
		case <-exited:
			return fmt.Errorf("%s: %s exited (%v); see %s", what, p.Name, p.err, p.Log)
		case <-ctx.Done():
			return fmt.Errorf("%s: not within %s: %w", what, timeout, errors.Join(last, ctx.Err()))
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// HTTPOK is a readiness probe: GET url answers 200.
func HTTPOK(url string) func(context.Context) error {
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		c := &http.Client{Timeout: 2 * time.Second}
		res, err := c.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: %s", url, res.Status)
		}
		return nil
	}
}

// ModuleRoot is the directory of go.mod above dir.
func ModuleRoot(dir string) (string, error) {
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above " + dir)
		}
		dir = parent
	}
}
