package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a child process the bench started and measures through /proc: CPU
// seconds (utime+stime) and resident memory (VmRSS, VmHWM = its peak).
type proc struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan error
}

// startProc runs path with args, its output into logPath (so a failing child
// can be diagnosed after the run). extraEnv is added to the bench's environment.
func startProc(name, logPath, path string, args []string, extraEnv ...string) (*proc, error) {
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), extraEnv...)
	// Its own process group, so a Ctrl-C at the terminal reaches the bench
	// first and the bench stops its children in order.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &proc{name: name, log: logPath, cmd: cmd, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait(); f.Close() }()
	return p, nil
}

// stop sends SIGTERM and waits up to grace, then kills. Only this child, by pid.
func (p *proc) stop(grace time.Duration) {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// exited reports whether the child has died (an error for the phase).
func (p *proc) exited() bool {
	select {
	case err := <-p.done:
		p.done <- err
		return true
	default:
		return false
	}
}

// clockTick is USER_HZ: every Linux the bench targets uses 100.
const clockTick = 100

// cpu is the child's user+system CPU time so far.
func (p *proc) cpu() time.Duration { return cpuOf(p.cmd.Process.Pid, false) }

// cpuOf is process pid's user+system CPU time so far; withChildren adds that
// of its children that have exited and been waited for (PostgreSQL's
// connections, a process each).
func cpuOf(pid int, withChildren bool) time.Duration {
	f := statFields(pid)
	// After ')': state is field 3, so utime (14) and stime (15) are f[11], f[12],
	// cutime (16) and cstime (17) f[13], f[14].
	if len(f) < 15 {
		return 0
	}
	n := int64(0)
	fields := f[11:13]
	if withChildren {
		fields = f[11:15]
	}
	for _, v := range fields {
		t, _ := strconv.ParseInt(v, 10, 64)
		n += t
	}
	return time.Duration(n) * time.Second / clockTick
}

// statFields are the fields of /proc/<pid>/stat after the command name.
func statFields(pid int) []string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return nil
	}
	// The command name (field 2) may hold spaces; the fields after its ')' are fixed.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return nil
	}
	return strings.Fields(string(b[i+1:]))
}

// mem answers VmRSS and VmHWM in MiB.
func (p *proc) mem() (rss, hwm float64) { return memOf(p.cmd.Process.Pid) }

func memOf(pid int) (rss, hwm float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			rss = kb / 1024
		case "VmHWM":
			hwm = kb / 1024
		}
	}
	return rss, hwm
}

// freePort asks the kernel for a free loopback port. Another process could take
// it before the child binds it; on a bench machine that is rare enough.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// logTail is the end of the child's output, for an error message.
func (p *proc) logTail() string {
	b, _ := os.ReadFile(p.log)
	if len(b) > 1500 {
		b = b[len(b)-1500:]
	}
	return strings.TrimSpace(string(b))
}
