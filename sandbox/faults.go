package sandbox

import (
	"bytes"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Faults is the fault injection of the processor endpoints (money calls, the account
// updater, token lookup, risk, payment lookup). Tokenization and the /v1/sandbox test
// endpoints are never faulty, so a test can always set itself up.
type Faults struct {
	Latency time.Duration // slept before every faulty request
	Error   float64       // probability of a 503 answered WITHOUT acting
	Timeout float64       // probability of acting, then answering only after Config.TimeoutDelay
}

// ParseFaults reads the CARDFLOW_SANDBOX_FAULTS form, e.g.
// "latency=20ms,error=0.05,timeout=0.05". The empty string means no faults.
func ParseFaults(s string) (Faults, error) {
	var f Faults
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		name, value, ok := strings.Cut(part, "=")
		if !ok {
			return Faults{}, fmt.Errorf("sandbox faults %q: %q is not name=value", s, part)
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch name {
		case "latency":
			d, err := time.ParseDuration(value)
			if err != nil || d < 0 {
				return Faults{}, fmt.Errorf("sandbox faults %q: latency %q is not a non-negative duration", s, value)
			}
			f.Latency = d
		case "error", "timeout":
			p, err := strconv.ParseFloat(value, 64)
			if err != nil || p < 0 || p > 1 {
				return Faults{}, fmt.Errorf("sandbox faults %q: %s %q is not a probability in [0,1]", s, name, value)
			}
			if name == "error" {
				f.Error = p
			} else {
				f.Timeout = p
			}
		default:
			return Faults{}, fmt.Errorf("sandbox faults %q: unknown fault %q (want latency, error or timeout)", s, name)
		}
	}
	return f, nil
}

// String is the ParseFaults form.
func (f Faults) String() string {
	return fmt.Sprintf("latency=%s,error=%g,timeout=%g", f.Latency, f.Error, f.Timeout)
}

// SetFaults changes the fault injection of a running sandbox.
func (s *Sandbox) SetFaults(f Faults) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	s.faults = f
}

// CurrentFaults is the fault injection in force.
func (s *Sandbox) CurrentFaults() Faults {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	return s.faults
}

// roll draws the faults of one request. One draw decides between error, timeout and
// none, so error=0.5,timeout=0.5 means every request fails one way or the other.
func (s *Sandbox) roll() (latency time.Duration, fail, late bool) {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	f := s.faults
	if f.Error == 0 && f.Timeout == 0 {
		return f.Latency, false, false
	}
	x := s.rng.Float64()
	return f.Latency, x < f.Error, x >= f.Error && x < f.Error+f.Timeout
}

// faulty wraps a processor endpoint with the fault injection.
func (s *Sandbox) faulty(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		latency, fail, late := s.roll()
		if latency > 0 {
			s.sleep(r, latency)
		}
		if fail {
			s.log.Info("fault injected: error", logReq(r)...)
			writeError(w, &apiError{Status: http.StatusServiceUnavailable, Code: "service_unavailable", Message: "injected fault: the processor did not act"})
			return
		}
		if !late {
			h(w, r)
			return
		}
		// Act in full (the idempotency record is stored), then answer too late: the
		// client has given up by then and must retry with the same key.
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		h(rec, r)
		s.log.Info("fault injected: timeout", logReq(r)...)
		s.sleep(r, s.cfg.TimeoutDelay)
		maps.Copy(w.Header(), rec.header)
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	}
}

// sleep waits d. If the client goes away or the sandbox closes first, it drops the
// connection without an answer, as a processor that never answered would.
func (s *Sandbox) sleep(r *http.Request, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.Context().Done():
		panic(http.ErrAbortHandler)
	case <-s.done:
		panic(http.ErrAbortHandler)
	}
}

// recorder holds a response back while the timeout fault delays it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }
