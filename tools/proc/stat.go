package proc

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTick is USER_HZ: every Linux these tools target uses 100.
const clockTick = 100

// CPU is the process's user+system CPU time so far, 0 before it started.
func (p *Proc) CPU() time.Duration { return CPUOf(p.Pid(), false) }

// Mem is the process's resident memory and its peak (VmRSS, VmHWM) in MiB.
func (p *Proc) Mem() (rss, hwm float64) { return MemOf(p.Pid()) }

// LogTail is the last n bytes of the process's log, for an error message.
func (p *Proc) LogTail(n int) string {
	b, _ := os.ReadFile(p.Log)
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return strings.TrimSpace(string(b))
}

// CPUOf is process pid's user+system CPU time so far, read from /proc;
// withChildren adds that of its children that have exited and been waited for
// (PostgreSQL's connections, a process each).
func CPUOf(pid int, withChildren bool) time.Duration {
	f := statFields(pid)
	// After ')': state is field 3, so utime (14) and stime (15) are f[11], f[12],
	// cutime (16) and cstime (17) f[13], f[14].
	if len(f) < 15 {
		return 0
	}
	fields := f[11:13]
	if withChildren {
		fields = f[11:15]
	}
	n := int64(0)
	for _, v := range fields {
		t, _ := strconv.ParseInt(v, 10, 64)
		n += t
	}
	return time.Duration(n) * time.Second / clockTick
}

// MemOf answers process pid's VmRSS and VmHWM in MiB (0 when it is gone).
func MemOf(pid int) (rss, hwm float64) {
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

// Children lists the live processes whose parent is pid.
func Children(pid int) []int {
	entries, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range entries {
		n, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		// After ')': state, then ppid.
		if f := statFields(n); len(f) > 1 && f[1] == strconv.Itoa(pid) {
			out = append(out, n)
		}
	}
	return out
}

// statFields are the fields of /proc/<pid>/stat after the command name.
func statFields(pid int) []string {
	if pid <= 0 {
		return nil
	}
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
