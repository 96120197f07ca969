package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"
)

// machine is what the figures were measured on.
type machine struct {
	cpus      int
	cpuModel  string
	memGiB    float64
	goVersion string
	kernel    string
	loadStart string
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), goVersion: runtime.Version(), loadStart: loadAvg()}
	m.cpuModel = procField("/proc/cpuinfo", "model name")
	var kb float64
	fmt.Sscan(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), &kb)
	m.memGiB = kb / (1 << 20)
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.kernel = strings.TrimSpace(string(b))
	}
	return m
}

// loadAvg is /proc/loadavg's 1, 5 and 15 minute load: the other work on the
// machine while the bench ran.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
