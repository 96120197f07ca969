package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The command itself, built once: its logger, its key handling and its flags
// are what these tests check, as a process.
var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sandbox-cmd-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "sandbox")
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

func build(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput()
		if err != nil {
			buildErr = err
			t.Logf("go build: %s", out)
		}
	})
	require.NoError(t, buildErr)
	return binary
}

type process struct {
	cmd  *exec.Cmd
	logs *bytes.Buffer
	mu   *sync.Mutex
	url  string
	done chan error
}

func (p *process) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.String()
}

// start runs the command with env (on top of a clean CARDFLOW_* environment)
// and waits until it listens or exits.
func start(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(build(t), args...)
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CARDFLOW_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	stderr, err := cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	p := &process{cmd: cmd, logs: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan error, 1)}
	listening := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.logs.Write(append(sc.Bytes(), '\n'))
			p.mu.Unlock()
			var line struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.URL != "" {
				listening <- line.URL
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() { p.stop(t) })
	select {
	case p.url = <-listening:
	case err := <-p.done:
		p.done <- err
	case <-time.After(60 * time.Second):
		t.Fatalf("the sandbox did not start: %s", p.log())
	}
	return p
}

func (p *process) stop(t *testing.T) {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

func (p *process) call(t *testing.T, method, path, bearer, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, p.url+path, strings.NewReader(body))
	require.NoError(t, err)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// The sandbox logs through cardflow's PAN-redacting logger: a card number an
// attacker puts into a header the sandbox logs (Idempotency-Key) is masked.
func TestSandboxCommandLogsNoCardNumber(t *testing.T) {
	p := start(t, []string{"CARDFLOW_LOG_LEVEL=debug"}, "-addr", "127.0.0.1:0", "-dir", t.TempDir())
	require.NotEmpty(t, p.url, p.log())
	status, body := p.call(t, "POST", "/v1/tokens", "sk_sandbox_local", "",
		`{"customer_id":"c-1","number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}`)
	require.Equal(t, http.StatusCreated, status, body)
	var tok struct {
		Card struct {
			Token string `json:"token"`
		} `json:"card"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &tok))
	const pan = "4000056655665556"
	status, body = p.call(t, "POST", "/v1/payments", "sk_sandbox_local", pan,
		`{"type":"authorize","token":"`+tok.Card.Token+`","amount":100,"currency":"EUR"}`)
	require.Equal(t, http.StatusOK, status, body)
	p.stop(t)
	logs := p.log()
	assert.Contains(t, logs, `"msg":"charge"`)
	assert.NotContains(t, logs, pan)
	assert.NotContains(t, logs, "4242424242424242")
}

// The dev vault key lives in a directory of its own, not beside the database;
// a key file from before is moved there, and keeps opening its cards.
func TestSandboxCommandKeepsTheDevKeyApartFromTheDatabase(t *testing.T) {
	dir := t.TempDir()
	p := start(t, nil, "-addr", "127.0.0.1:0", "-dir", dir)
	require.NotEmpty(t, p.url, p.log())
	p.stop(t)
	assert.NoFileExists(t, filepath.Join(dir, "sandbox.key"))
	fi, err := os.Stat(filepath.Join(dir, "keys", "vault.key"))
	require.NoError(t, err, "the dev key file")
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	assert.FileExists(t, filepath.Join(dir, "sandbox.db"))

	old := t.TempDir()
	legacy := strings.Repeat("42", 32) + "\n"
	require.NoError(t, os.WriteFile(filepath.Join(old, "sandbox.key"), []byte(legacy), 0o600))
	p = start(t, nil, "-addr", "127.0.0.1:0", "-dir", old)
	require.NotEmpty(t, p.url, p.log())
	p.stop(t)
	assert.NoFileExists(t, filepath.Join(old, "sandbox.key"), "the old key left the database's side")
	moved, err := os.ReadFile(filepath.Join(old, "keys", "vault.key"))
	require.NoError(t, err)
	assert.Equal(t, legacy, string(moved))
}

// Off loopback the sandbox makes no key up: it refuses to start without one,
// and refuses a key file in the database's directory.
func TestSandboxCommandRefusesAVaultKeyBesideTheDatabaseOffLoopback(t *testing.T) {
	dir := t.TempDir()
	p := start(t, nil, "-addr", "0.0.0.0:0", "-dir", dir)
	assert.Empty(t, p.url, "started off loopback without a vault key")
	assert.Contains(t, p.log(), "no vault key")
	assert.NoFileExists(t, filepath.Join(dir, "sandbox.key"))
	assert.NoDirExists(t, filepath.Join(dir, "keys"))

	key := filepath.Join(dir, "vault.key")
	require.NoError(t, os.WriteFile(key, []byte("k1:"+strings.Repeat("ab", 32)), 0o600))
	p = start(t, []string{"CARDFLOW_VAULT_KEY_FILE=" + key}, "-addr", "0.0.0.0:0", "-dir", dir)
	assert.Empty(t, p.url, "started with the key beside the database")
	assert.Contains(t, p.log(), "inside the database's directory")

	p = start(t, []string{"CARDFLOW_VAULT_KEYS=k1:" + strings.Repeat("ab", 32)}, "-addr", "127.0.0.1:0", "-dir", dir)
	assert.NotEmpty(t, p.url, "a key from the environment: %s", p.log())
}

// The sandbox's own keys from the environment: the secret key works, the dev
// default no longer does once another is set, and an empty one is refused.
func TestSandboxCommandTakesTheMerchantKeysFromTheEnvironment(t *testing.T) {
	p := start(t, []string{"CARDFLOW_SANDBOX_SECRET_KEY=sk_sandbox_other"}, "-addr", "127.0.0.1:0", "-dir", t.TempDir())
	require.NotEmpty(t, p.url, p.log())
	status, _ := p.call(t, "GET", "/v1/sandbox/ledger", "sk_sandbox_other", "", "")
	assert.Equal(t, http.StatusOK, status)
	status, _ = p.call(t, "GET", "/v1/sandbox/ledger", "sk_sandbox_local", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = p.call(t, "GET", "/v1/sandbox/ledger", "", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)

	p = start(t, []string{"CARDFLOW_SANDBOX_SECRET_KEY="}, "-addr", "127.0.0.1:0", "-dir", t.TempDir())
	assert.Empty(t, p.url, "started with an empty secret key")
}

// Off loopback the sandbox does not start with its public development secret
// key: anyone could move money with it.
func TestSandboxCommandRefusesTheDevSecretKeyOffLoopback(t *testing.T) {
	vault := "CARDFLOW_VAULT_KEYS=k1:" + strings.Repeat("ab", 32)
	p := start(t, []string{vault}, "-addr", "0.0.0.0:0", "-dir", t.TempDir())
	assert.Empty(t, p.url, "started off loopback with sk_sandbox_local")
	assert.Contains(t, p.log(), "CARDFLOW_SANDBOX_SECRET_KEY is the development key")

	p = start(t, []string{vault, "CARDFLOW_SANDBOX_SECRET_KEY=sk_sandbox_own"}, "-addr", "0.0.0.0:0", "-dir", t.TempDir())
	assert.NotEmpty(t, p.url, "an own key off loopback: %s", p.log())
}
