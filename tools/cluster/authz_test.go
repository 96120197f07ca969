package cluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/stretchr/testify/require"

	"github.com/cardflow/cardflow/internal/devcerts"
)

// The cluster of `make test-cluster` authorizes each client by its
// certificate's name (deploy/temporal/cluster.yaml, certificateRoles). These
// tests need that cluster: TEMPORAL_ADDRESS and the TEMPORAL_TLS_* variables
// scripts/test-cluster.sh exports, the other roles' certificates beside the CA
// (devcerts.In). scripts/test-cluster.sh fails when they did not pass.

// authzCluster is the test cluster's address and namespace and its certificates.
func authzCluster(t *testing.T) (addr, ns string, f devcerts.Files) {
	t.Helper()
	addr, ca := os.Getenv("TEMPORAL_ADDRESS"), os.Getenv("TEMPORAL_TLS_SERVER_CA_CERT_PATH")
	if addr == "" || ca == "" {
		t.Skip("needs the mTLS cluster of `make test-cluster`")
	}
	ns = os.Getenv("TEMPORAL_NAMESPACE")
	if ns == "" {
		ns = "default"
	}
	return addr, ns, devcerts.In(filepath.Dir(ca))
}

// dialAs is a client of the namespace presenting the certificate p.
func dialAs(t *testing.T, addr, ns, ca string, p devcerts.Pair) client.Client {
	t.Helper()
	tls, err := TLSAs(ca, p)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{HostPort: addr, Namespace: ns, Logger: quiet{},
		ConnectionOptions: client.ConnectionOptions{TLS: tls}})
	require.NoError(t, err, "dial with %s", p.Cert)
	t.Cleanup(c.Close)
	return c
}

func requireDenied(t *testing.T, err error, what string) {
	t.Helper()
	var denied *serviceerror.PermissionDenied
	require.ErrorAs(t, err, &denied, "%s: want PermissionDenied", what)
}

// probe starts a run nobody works on (its task queue has no worker): it
// stays open for the signals and refusals below, and is terminated at the end.
func probe(t *testing.T, c client.Client, who string) string {
	t.Helper()
	id := fmt.Sprintf("authz/%s/%d", who, time.Now().UnixNano())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "authz-no-worker"}, "authz-probe")
	require.NoError(t, err, "%s starts a workflow", who)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		require.NoError(t, c.TerminateWorkflow(ctx, id, "", "authz test done"), "%s terminates its run", who)
	})
	return id
}

// signals counts the run's signal events.
func signals(t *testing.T, c client.Client, id string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	it := c.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		if ev.GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED {
			n++
		}
	}
	return n
}

// A client whose certificate the CA signed but whose name has no role is
// refused: it connects (the health check is everybody's), and every call on
// the namespace answers PermissionDenied.
func TestFrontendRefusesCertificateOfUnknownName(t *testing.T) {
	addr, ns, f := authzCluster(t)
	intruder, err := devcerts.Issue(f, "cardflow-intruder", t.TempDir())
	require.NoError(t, err)
	c := dialAs(t, addr, ns, f.CA, intruder)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = c.CheckHealth(ctx, &client.CheckHealthRequest{})
	require.NoError(t, err, "mTLS accepts the certificate: the refusals below are authorization's")

	_, err = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "authz/intruder", TaskQueue: "authz-no-worker"}, "authz-probe")
	requireDenied(t, err, "start a workflow")
	_, err = c.WorkflowService().DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: ns})
	requireDenied(t, err, "describe the namespace")
	_, err = c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns})
	requireDenied(t, err, "list workflows")
	_, err = c.OperatorService().DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: ns})
	requireDenied(t, err, "delete the namespace")
}

// The reader's certificate lists and describes workflows and reads their
// history, and cannot signal, update, terminate or start one: the run's
// history shows only the writer's signal.
func TestReaderCertificateReadsButCannotWrite(t *testing.T) {
	addr, ns, f := authzCluster(t)
	writer := dialAs(t, addr, ns, f.CA, devcerts.Pair{Cert: f.ClientCert, Key: f.ClientKey})
	reader := dialAs(t, addr, ns, f.CA, f.Reader)
	id := probe(t, writer, "reader")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, writer.SignalWorkflow(ctx, id, "", "retry-operation", nil))

	d, err := reader.DescribeWorkflowExecution(ctx, id, "")
	require.NoError(t, err, "the reader describes a workflow")
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus())
	require.Eventually(t, func() bool {
		l, err := reader.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: fmt.Sprintf("WorkflowId = %q", id)})
		require.NoError(t, err, "the reader lists workflows")
		return len(l.GetExecutions()) == 1
	}, 20*time.Second, 200*time.Millisecond, "the run in the reader's list")

	requireDenied(t, reader.SignalWorkflow(ctx, id, "", "retry-operation", nil), "the reader signals")
	_, err = reader.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: id, UpdateName: "capture", WaitForStage: client.WorkflowUpdateStageAccepted})
	requireDenied(t, err, "the reader sends an update")
	requireDenied(t, reader.TerminateWorkflow(ctx, id, "", "by the reader"), "the reader terminates")
	_, err = reader.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id + "/reader", TaskQueue: "authz-no-worker"}, "authz-probe")
	requireDenied(t, err, "the reader starts a workflow")

	require.Equal(t, 1, signals(t, reader, id), "only the writer's signal reached the run")
	d, err = reader.DescribeWorkflowExecution(ctx, id, "")
	require.NoError(t, err)
	require.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, d.GetWorkflowExecutionInfo().GetStatus(), "the reader's terminate did nothing")
}

// cardflow's worker and API certificates, and the UI's (operators signal
// retry-operation from it), start and signal workflows; none of them
// administers the namespace. The UI's lists the cluster's namespaces too.
func TestWriterCertificatesStartAndSignal(t *testing.T) {
	addr, ns, f := authzCluster(t)
	for name, p := range map[string]devcerts.Pair{
		devcerts.Worker: {Cert: f.ClientCert, Key: f.ClientKey}, devcerts.API: f.API, devcerts.UI: f.UI,
	} {
		t.Run(name, func(t *testing.T) {
			c := dialAs(t, addr, ns, f.CA, p)
			id := probe(t, c, name)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			require.NoError(t, c.SignalWorkflow(ctx, id, "", "retry-operation", nil), "%s signals", name)
			require.Equal(t, 1, signals(t, c, id))

			_, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{Namespace: ns,
				SearchAttributes: map[string]enumspb.IndexedValueType{"AuthzProbe": enumspb.INDEXED_VALUE_TYPE_KEYWORD}})
			requireDenied(t, err, name+" adds a search attribute")

			_, err = c.WorkflowService().ListNamespaces(ctx, &workflowservice.ListNamespacesRequest{})
			if name == devcerts.UI {
				require.NoError(t, err, "the UI lists the namespaces")
			} else {
				requireDenied(t, err, name+" lists the cluster's namespaces")
			}
		})
	}
}

// The server's own system worker is authorized too (its certificate is the
// system role's): a schedule, which the worker service runs, takes its action.
func TestSystemWorkerRunsSchedulesUnderAuthorization(t *testing.T) {
	addr, ns, f := authzCluster(t)
	c := dialAs(t, addr, ns, f.CA, devcerts.Pair{Cert: f.ClientCert, Key: f.ClientKey})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	id := fmt.Sprintf("authz-schedule-%d", time.Now().UnixNano())
	h, err := c.ScheduleClient().Create(ctx, client.ScheduleOptions{
		ID:                 id,
		Spec:               client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: time.Second}}},
		Action:             &client.ScheduleWorkflowAction{ID: id + "-run", Workflow: "authz-probe", TaskQueue: "authz-no-worker"},
		TriggerImmediately: true,
	})
	require.NoError(t, err)
	defer func() {
		require.NoError(t, h.Delete(context.Background()))
	}()
	var started string
	require.Eventually(t, func() bool {
		d, err := h.Describe(ctx)
		require.NoError(t, err)
		if len(d.Info.RecentActions) == 0 {
			return false
		}
		started = d.Info.RecentActions[0].StartWorkflowResult.WorkflowID
		return true
	}, 30*time.Second, 250*time.Millisecond, "the schedule took no action: the system worker is refused?")
	require.NoError(t, c.TerminateWorkflow(ctx, started, "", "authz test done"))
}
