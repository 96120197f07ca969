package main

import (
	"crypto/rand"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"time"

	"github.com/cardflow/cardflow/sandbox"
)

// services are the bench's in-process stand-ins for the outside world: the
// sandbox processor (zero latency, no faults) and a webhook receiver that takes
// every notification at once. Both run in the bench's process, so their CPU is
// not charged to the worker or the API.
type services struct {
	sb       *sandbox.Sandbox
	sbSrv    *httptest.Server
	hookSrv  *httptest.Server
	payments *eventLog // approved or declined charges answered 200 (authorize, sale)
	hooks    *eventLog
}

// eventLog records when something happened, for rates and delays.
type eventLog struct {
	mu sync.Mutex
	at []time.Time
}

func (e *eventLog) add(t time.Time) {
	e.mu.Lock()
	e.at = append(e.at, t)
	e.mu.Unlock()
}

func (e *eventLog) count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return len(e.at)
}

func (e *eventLog) reset() {
	e.mu.Lock()
	e.at = nil
	e.mu.Unlock()
}

func (e *eventLog) times() []time.Time {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]time.Time(nil), e.at...)
}

func startServices(dir string) (*services, error) {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sb, err := sandbox.Open(sandbox.Config{DBPath: filepath.Join(dir, "sandbox.db"), Key: key, SecretKey: sandbox.DevSecretKey})
	if err != nil {
		return nil, err
	}
	s := &services{sb: sb, payments: &eventLog{}, hooks: &eventLog{}}
	h := sb.Handler()
	s.sbSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)
		if r.Method == http.MethodPost && r.URL.Path == "/v1/payments" && sw.status == http.StatusOK {
			s.payments.add(time.Now())
		}
	}))
	s.hookSrv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hooks.add(time.Now())
		w.WriteHeader(http.StatusNoContent)
	}))
	return s, nil
}

func (s *services) close() {
	s.hookSrv.Close()
	s.sbSrv.Close()
	_ = s.sb.Close()
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
