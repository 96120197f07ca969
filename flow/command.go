package flow

import (
	"context"
	"slices"

	"go.temporal.io/sdk/client"

	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/workflow"
)

// Command is one command of a workflow, declared once: its name, which is
// both an update and a signal, its payload type T, its check and its effect.
// Check looks at the workflow's state and the payload and changes nothing: it
// is the update's validator (a rejected update never enters history), the
// guard of the signal, and it runs again when the command's turn comes,
// since the workflow may have moved meanwhile. Do runs only after it passed.
type Command[T any] struct {
	Name  string
	Doc   string // the handler's description in the Temporal UI
	Check func(T) error
	Do    func(workflow.Context, T) error
}

// Job is an accepted command on its way to its effect.
type Job struct {
	Name string
	Req  any // the payload, for checks that look at what else is accepted
	// Actor is who sent it (ActorOf): the workflow names it in the audit
	// events the command writes.
	Actor string
	// Check is the command's check; Do checks again, then runs the effect.
	Check func() error
	Do    func(workflow.Context) error
}

// Commands installs a workflow's commands and keeps their signal channels.
//
// run is how the workflow carries an accepted command out and answers its
// error. An order runs each in its handler, one at a time (workflow.Mutex); a
// subscription queues them for its main loop. The two do not share one way:
// the order of the commands a workflow task emits is what the recorded
// histories of each replay, so that choice is part of each workflow's logic.
type Commands[V any] struct {
	run     func(workflow.Context, Job) error
	view    func() V // what every update answers
	echo    func(V, string) V
	log     log.Logger
	signals []signal
}

type signal struct {
	name string
	ch   workflow.ReceiveChannel
	// recv reads one payload without waiting; ok says whether there was one
	// that decoded (the SDK logs and skips one that does not).
	recv func() (j Job, ok bool)
}

// NewCommands is the command set of a workflow that carries commands out
// with run and answers updates with view; logger names the workflow (its
// order or subscription id).
func NewCommands[V any](run func(workflow.Context, Job) error, view func() V, logger log.Logger) *Commands[V] {
	return &Commands[V]{run: run, view: view, log: logger}
}

// Echo makes every update answer the view with the digest of the request it
// ran for (set by echo), so that the caller can compare it with its own
// (Send). Since RevGuarded; a run of an older revision answers without it.
func (cs *Commands[V]) Echo(echo func(v V, digest string) V) { cs.echo = echo }

// Handle installs c as an update with its validator and as a signal of the
// same name. Call it before the workflow first blocks, so that an update sent
// with the start finds its handler.
func Handle[T, V any](ctx workflow.Context, cs *Commands[V], c Command[T]) error {
	job := func(req T) Job {
		return Job{
			Name:  c.Name,
			Req:   req,
			Actor: ActorOf(req),
			Check: func() error { return c.Check(req) },
			Do: func(ctx workflow.Context) error {
				if err := c.Check(req); err != nil {
					return err
				}
				return c.Do(ctx, req)
			},
		}
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, c.Name,
		func(ctx workflow.Context, req T) (V, error) {
			err := cs.run(ctx, job(req))
			v := cs.view()
			if cs.echo != nil {
				v = cs.echo(v, SenderOf(req).Digest)
			}
			return v, err
		},
		workflow.UpdateHandlerOptions{Validator: func(req T) error { return c.Check(req) }, Description: c.Doc})
	if err != nil {
		return err
	}
	ch := workflow.GetSignalChannelWithOptions(ctx, c.Name, workflow.SignalChannelOptions{Description: c.Doc})
	cs.signals = append(cs.signals, signal{name: c.Name, ch: ch, recv: func() (Job, bool) {
		var req T
		if !ch.ReceiveAsync(&req) {
			return Job{}, false
		}
		return job(req), true
	}})
	return nil
}

// Listen carries signals out as they arrive, one at a time, in a goroutine of
// their own: a signal that fails its check is logged and dropped, one that
// passes runs as its update would. around wraps each.
func (cs *Commands[V]) Listen(ctx workflow.Context, around func(func())) {
	workflow.Go(ctx, func(ctx workflow.Context) {
		sel := workflow.NewSelector(ctx)
		for _, s := range cs.signals {
			sel.AddReceive(s.ch, func(workflow.ReceiveChannel, bool) {
				around(func() {
					// The selector saw a value, but it may not decode (the SDK
					// logs and skips it): a blocking receive would then wait
					// for the next signal of this name inside around, holding
					// the workflow's lock. Receiving without waiting drops it.
					j, ok := s.recv()
					if !ok {
						cs.log.Warn("signal dropped: its payload did not decode", "signal", s.name)
						return
					}
					if err := j.Check(); err != nil {
						cs.log.Warn("signal ignored", "signal", s.name, "reason", err)
						return
					}
					if err := cs.run(ctx, j); err != nil {
						cs.log.Warn("signal failed", "signal", s.name, "error", err)
					}
				})
			})
		}
		for {
			sel.Select(ctx)
		}
	})
}

// Signalled reports signals received and not read yet.
func (cs *Commands[V]) Signalled() bool {
	return slices.ContainsFunc(cs.signals, func(s signal) bool { return s.ch.Len() > 0 })
}

// Signals reads every signal received so far, channel by channel in the order
// the commands were installed, for a main loop that applies them itself.
func (cs *Commands[V]) Signals(ctx workflow.Context) []Job {
	var js []Job
	for _, s := range cs.signals {
		for j, ok := s.recv(); ok; j, ok = s.recv() {
			js = append(js, j)
		}
	}
	return js
}

// Drain logs and drops the signals left for a workflow that has ended.
func (cs *Commands[V]) Drain(why string) {
	for _, s := range cs.signals {
		for s.ch.ReceiveAsync(nil) {
			cs.log.Warn("signal ignored: "+why, "signal", s.name)
		}
	}
}

// The caller's side of a command: what the API and the starter send.

// Send sends a command as its update and waits for its answer (out). key, the
// caller's idempotency key, names the update (UpdateID), so that a repeated
// command is answered, not applied again; arg is the payload (nil: none).
// Temporal answers a repeated update id with the first outcome without running
// anything again, so when arg carries a request digest and the answer echoes
// another (Echoed), the key was used for another request: KeyReused.
func Send(ctx context.Context, c client.Client, workflowID, name, key string, arg, out any) error {
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		UpdateID:     UpdateID(name, key),
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if arg != nil {
		opts.Args = []any{arg}
	}
	h, err := c.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	if err := h.Get(ctx, out); err != nil {
		return err
	}
	if e, ok := out.(Echoed); ok && key != "" {
		if sent, got := SenderOf(arg).Digest, e.EchoedDigest(); sent != "" && got != "" && sent != got {
			return KeyReused(key)
		}
	}
	return nil
}

// Query reads a workflow's query into out; it also answers after the workflow
// closed.
func Query(ctx context.Context, c client.Client, workflowID, name string, out any) error {
	v, err := c.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return err
	}
	return v.Get(out)
}
