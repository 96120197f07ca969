package systest

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/cardflow/cardflow/api/shop"
	"github.com/cardflow/cardflow/codec"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/order"
	"github.com/cardflow/cardflow/payment"
	"github.com/cardflow/cardflow/tools/testenv"
)

// The attacker's suite, codec part (issue 12 items 2 and 7): each test plays
// someone who reaches the codec server, the Temporal frontend or the API's port
// without the keys for them, and checks the attack fails.

// An attacker on the API's port asks the codec server to seal a payload the
// worker would then trust: refused, with or without an Origin.
func TestAttackCodecEncodeWithoutToken(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	plain, err := converter.GetDefaultDataConverter().ToPayload(map[string]string{"order_id": "o-forged"})
	if err != nil {
		t.Fatal(err)
	}
	body := acPayloads(t, plain)
	for name, h := range map[string][]string{
		"no origin (a script)": nil,
		"the UI's origin":      {"Origin", "http://localhost:8233"},
		"a guessed token":      {"Authorization", "Bearer sk_test_local"},
	} {
		status, answer := acPost(t, env.API+"/codec/encode", body, h...)
		if status != http.StatusForbidden && status != http.StatusUnauthorized {
			t.Errorf("%s: /codec/encode answered %d, want 401 or 403: %s", name, status, answer)
		}
		if strings.Contains(answer, codec.EncodingEncrypted) || strings.Contains(answer, codec.MetadataKeyID) {
			t.Errorf("%s: /codec/encode sealed the payload: %s", name, answer)
		}
	}
}

// Off loopback the API refuses to start with a codec server open to anyone;
// with CARDFLOW_CODEC_AUTH it decodes only for the token's holder, whatever
// the Origin. (Not parallel: it sets the environment the API reads.)
func TestAttackCodecDecodeOffLoopback(t *testing.T) {
	t.Setenv(codec.EnvAuth, "")
	cfg := config.Default()
	cfg.APIAddr = "0.0.0.0:8080"
	if _, err := app.APIServer(cfg, http.NotFoundHandler(), app.APITimeouts(time.Minute)); err == nil || !strings.Contains(err.Error(), codec.EnvAuth) {
		t.Fatalf("API off loopback without %s: %v, want a refusal to start naming it", codec.EnvAuth, err)
	}

	const token = "codec-token-for-the-test"
	t.Setenv(codec.EnvAuth, token)
	env := testenv.New(t, testenv.Options{APIAddr: "0.0.0.0:0"})
	id := "ac-decode-" + time.Now().Format("150405.000000")
	orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated)
	input := acStartInput(t, env, order.WorkflowID(id))
	body := acPayloads(t, input...)

	for name, h := range map[string][]string{
		"no token, no origin (the CLI)": nil,
		"no token, the UI's origin":     {"Origin", "http://localhost:8233"},
		"a wrong token":                 {"Authorization", "Bearer " + token[:len(token)-1]},
		"the API key":                   {"Authorization", "Bearer " + testenv.APIKey},
	} {
		status, answer := acPost(t, env.API+"/codec/decode", body, h...)
		if status != http.StatusUnauthorized {
			t.Errorf("%s: /codec/decode answered %d, want 401: %s", name, status, answer)
		}
		if strings.Contains(answer, "jane@example.com") || strings.Contains(answer, id) {
			t.Errorf("%s: /codec/decode revealed the order: %s", name, answer)
		}
	}
	status, answer := acPost(t, env.API+"/codec/decode", body, "Authorization", "Bearer "+token)
	if status != http.StatusOK {
		t.Fatalf("/codec/decode with the token: %d %s", status, answer)
	}
	var ps commonpb.Payloads
	if err := protojson.Unmarshal([]byte(answer), &ps); err != nil || len(ps.Payloads) == 0 || !strings.Contains(string(ps.Payloads[0].Data), id) {
		t.Errorf("/codec/decode with the token did not decode the order's input (%v): %s", err, answer)
	}
}

// Someone with Temporal access but without the payload key starts an order
// straight through Temporal (as `temporal workflow start --input` does), with a
// real card token: the worker refuses the plaintext input, the workflow fails
// naming the encoding, and the processor is never called.
func TestAttackPlaintextOrderStartRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	raw := acRawClient(t)
	// A real token, as a leaked one would be.
	legit := orderCreate(t, env, orderRequest("ac-legit-"+time.Now().Format("150405.000000"), "4242424242424242"), http.StatusCreated)

	id := "ac-plain-" + time.Now().Format("150405.000000")
	in, err := shop.OrderRequest{
		OrderID: id, Currency: "EUR",
		Customer: payment.Customer{ID: "c-42", Email: "jane@example.com", Country: "DE"},
		Items:    []order.Item{{SKU: "SHOE-1", Quantity: 2, UnitAmount: 4999}},
		Capture:  order.CaptureAutomatic,
	}.Input(order.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	in.Card = payment.Card{Token: legit.Card.Token, Brand: payment.Brand(legit.Card.Brand), Last4: legit.Card.Last4,
		ExpMonth: legit.Card.ExpMonth, ExpYear: legit.Card.ExpYear}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run, err := raw.ExecuteWorkflow(ctx, order.StartOptions(in, env.TaskQueue), order.WorkflowType, in)
	if err != nil {
		t.Fatalf("start through Temporal: %v", err)
	}
	// Read the outcome with the key, as an operator would.
	err = env.Client.GetWorkflow(ctx, run.GetID(), run.GetRunID()).Get(ctx, nil)
	if err == nil || !strings.Contains(err.Error(), `"json/plain"`) || !strings.Contains(err.Error(), codec.ErrPlaintext.Error()) {
		t.Fatalf("plaintext order: %v, want the workflow failed refusing the json/plain input", err)
	}
	if strings.Contains(err.Error(), legit.Card.Token) {
		t.Errorf("the refusal quotes the input: %v", err)
	}
	if l := env.LedgerWithPrefix(t, "order/"+id+"/"); len(l) != 0 {
		t.Errorf("the processor was called for the injected order: %+v", l)
	}
}

// Someone with Temporal access sends an authorized order commands with
// plaintext payloads: the updates are rejected, the signal dropped, nothing is
// captured or cancelled; the shop's own capture still works afterwards.
func TestAttackPlaintextCommandsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{})
	raw := acRawClient(t)
	id := "ac-cmd-" + time.Now().Format("150405.000000")
	if v := orderCreate(t, env, orderRequest(id, "4242424242424242"), http.StatusCreated); v.Status != "authorized" {
		t.Fatalf("order %s: %s, want authorized", id, v.Status)
	}
	wid := order.WorkflowID(id)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	for _, u := range []struct {
		name string
		arg  any
	}{
		{order.UpdateCapture, order.NoInput{}},
		{order.UpdateCancelItems, order.ItemsRequest{Items: []order.ItemQuantity{{SKU: "SHOE-1", Quantity: 2}}}},
		{order.UpdateCancel, order.NoInput{}},
	} {
		h, err := raw.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: wid, UpdateName: u.name, UpdateID: "ac-" + u.name,
			Args: []any{u.arg}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err == nil {
			err = h.Get(ctx, nil)
		}
		if err == nil {
			t.Errorf("plaintext update %s was accepted", u.name)
		}
	}

	if err := raw.SignalWorkflow(ctx, wid, "", order.UpdateCapture, order.NoInput{}); err != nil {
		t.Fatalf("signal: %v", err)
	}
	acSignalHandled(t, ctx, env, wid)
	deadline := time.Now().Add(2 * time.Second)
	for time.Now().Before(deadline) {
		if l := env.LedgerWithPrefix(t, "order/"+id+"/capture"); len(l) != 0 {
			t.Fatalf("the plaintext signal captured: %+v", l)
		}
		time.Sleep(100 * time.Millisecond)
	}
	v := orderGet(t, env, id)
	if v.Status != "authorized" || v.Amounts.Captured != 0 || v.Items[0].Cancelled != 0 {
		t.Fatalf("after the plaintext commands: status %s, captured %d, cancelled %d; want authorized, 0, 0",
			v.Status, v.Amounts.Captured, v.Items[0].Cancelled)
	}
	if v := orderCommand(t, env, id, "capture", nil, http.StatusOK); v.Status != "captured" || v.Amounts.Captured != v.Amounts.Total {
		t.Errorf("the shop's capture: %s, %d of %d", v.Status, v.Amounts.Captured, v.Amounts.Total)
	}
	if l := env.LedgerWithPrefix(t, "order/"+id+"/capture"); len(l) != 1 {
		t.Errorf("captures in the ledger: %+v, want exactly the shop's", l)
	}
}

// A slowloris client trickles its request to the API, or sits on an idle
// keep-alive connection: the server cuts each off after its timeout (short
// ones here, set through the server's construction) and keeps serving.
func TestAttackSlowlorisAgainstAPI(t *testing.T) {
	t.Parallel()
	env := testenv.New(t, testenv.Options{HTTP: app.Timeouts{
		ReadHeader: 500 * time.Millisecond, Read: time.Second, Write: 10 * time.Second, Idle: time.Second,
	}})
	u, err := url.Parse(env.API)
	if err != nil {
		t.Fatal(err)
	}
	id := "ac-slow-" + time.Now().Format("150405.000000")
	body := `{"order_id":"` + id + `","currency":"EUR","customer":{"id":"c-42","email":"jane@example.com","country":"DE"},` +
		`"items":[{"sku":"SHOE-1","quantity":1,"unit_amount":4999}],` +
		`"card":{"number":"4242424242424242","exp_month":12,"exp_year":2030,"cvc":"123"}}`
	head := "POST /v1/orders HTTP/1.1\r\nHost: " + u.Host + "\r\nAuthorization: Bearer " + testenv.APIKey +
		"\r\nContent-Type: application/json\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"

	t.Run("trickled body", func(t *testing.T) {
		conn := acDial(t, u.Host)
		if _, err := io.WriteString(conn, head); err != nil {
			t.Fatal(err)
		}
		acTrickle(t, conn, body, 100*time.Millisecond) // 20 s at this pace
	})
	t.Run("trickled headers", func(t *testing.T) {
		acTrickle(t, acDial(t, u.Host), head+body, 100*time.Millisecond)
	})
	t.Run("idle keep-alive", func(t *testing.T) {
		conn := acDial(t, u.Host)
		if _, err := io.WriteString(conn, "GET /healthz HTTP/1.1\r\nHost: "+u.Host+"\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(conn)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		_ = res.Body.Close()
		if res.StatusCode != http.StatusOK || res.Close {
			t.Fatalf("healthz %d (close %v), want 200 on a kept-alive connection", res.StatusCode, res.Close)
		}
		start := time.Now()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		_, err = br.ReadByte()
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatal("the idle connection was still open after 5 s")
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Errorf("idle connection closed after %v, want about the 1 s idle timeout", d)
		}
	})
	if status, b := env.Do(t, http.MethodGet, "/v1/orders/"+id, nil); status != http.StatusNotFound {
		t.Errorf("the trickled order: %d %s, want 404 (never placed)", status, b)
	}
	if l := env.LedgerWithPrefix(t, "order/"+id+"/"); len(l) != 0 {
		t.Errorf("the trickled order reached the processor: %+v", l)
	}
	if status, b := env.Do(t, http.MethodGet, "/healthz", nil); status != http.StatusOK {
		t.Errorf("the API after the attack: %d %s", status, b)
	}
}

// acTrickle writes s to conn a byte per pace and fails unless the server
// closes the connection within 3 s, long before s is through.
func acTrickle(t *testing.T, conn net.Conn, s string, pace time.Duration) {
	t.Helper()
	start := time.Now()
	closed := make(chan struct{})
	go func() {
		_ = conn.SetReadDeadline(time.Now().Add(time.Duration(len(s)) * pace))
		_, err := io.Copy(io.Discard, conn)
		var ne net.Error
		if !errors.As(err, &ne) || !ne.Timeout() {
			close(closed)
		}
	}()
	for i := 0; i < len(s); i++ {
		select {
		case <-closed:
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("cut off after %v, want within the timeouts", d)
			}
			return
		case <-time.After(pace):
		}
		if _, err := conn.Write([]byte{s[i]}); err != nil {
			return // closed under our feet: cut off
		}
		if time.Since(start) > 3*time.Second {
			t.Fatalf("still trickling after %v (%d of %d bytes)", time.Since(start), i+1, len(s))
		}
	}
	t.Fatalf("the server took the whole trickled request (%d bytes in %v)", len(s), time.Since(start))
}

func acDial(t *testing.T, addr string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

// acRawClient is a Temporal client without cardflow's codec: what the CLI or
// a script with Temporal access and no payload key is.
func acRawClient(t *testing.T) client.Client {
	t.Helper()
	c, err := client.Dial(testenv.ClientOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// acSignalHandled waits until a workflow task completed after the workflow's
// last signal: the worker has seen it.
func acSignalHandled(t *testing.T, ctx context.Context, env *testenv.Env, wid string) {
	t.Helper()
	for ctx.Err() == nil {
		signalled, handled := false, false
		it := env.Client.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				t.Fatalf("history of %s: %v", wid, err)
			}
			switch ev.GetEventType() {
			case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
				signalled, handled = true, false
			case enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED:
				handled = signalled
			}
		}
		if handled {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: no workflow task after the signal", wid)
}

// acStartInput is the (encrypted) input payloads of a workflow's first run.
func acStartInput(t *testing.T, env *testenv.Env, wid string) []*commonpb.Payload {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	it := env.Client.GetWorkflowHistory(ctx, wid, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	if !it.HasNext() {
		t.Fatalf("%s has no history", wid)
	}
	ev, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	ps := ev.GetWorkflowExecutionStartedEventAttributes().GetInput().GetPayloads()
	if len(ps) == 0 || string(ps[0].Metadata[converter.MetadataEncoding]) != codec.EncodingEncrypted {
		t.Fatalf("%s: start input %v, want encrypted payloads", wid, ps)
	}
	return ps
}

func acPayloads(t *testing.T, ps ...*commonpb.Payload) string {
	t.Helper()
	b, err := protojson.Marshal(&commonpb.Payloads{Payloads: ps})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// acPost posts a remote-codec request; header holds name, value pairs.
func acPost(t *testing.T, url, body string, header ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Namespace", "default")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
