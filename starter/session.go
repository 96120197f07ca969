package main

import (
	"context"
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/cardflow/cardflow/adapters/processor"
	"github.com/cardflow/cardflow/internal/app"
	"github.com/cardflow/cardflow/internal/config"
	"github.com/cardflow/cardflow/payment"
)

// callTimeout bounds one command: an update waits for the workflow's answer,
// which includes processor calls.
const callTimeout = 30 * time.Second

// session is one starter invocation's connections: Temporal (with cardflow's
// payload codec, so what it writes is encrypted like the API's and the worker's)
// and the processor's vault, which alone ever sees card numbers.
type session struct {
	cfg      config.Config
	temporal client.Client
	vault    *processor.Client
	now      func() time.Time
}

func dial(cfg config.Config) (*session, error) {
	keys, err := app.Keys(cfg)
	if err != nil {
		return nil, err
	}
	c, err := app.Dial(cfg, zap.NewNop(), keys)
	if err != nil {
		return nil, err
	}
	return &session{
		cfg:      cfg,
		temporal: c,
		vault:    processor.NewClient(cfg.ProcessorURL, cfg.ProcessorTimeout),
		now:      time.Now,
	}, nil
}

func (s *session) close() { s.temporal.Close() }

// tokenize checks card data the way the API does and stores it in the vault;
// only the token and the card's metadata go on to Temporal.
func (s *session) tokenize(ctx context.Context, customerID string, card payment.CardData) (payment.Card, error) {
	if err := payment.CheckCard(card, s.now()); err != nil {
		return payment.Card{}, fromCardError(err)
	}
	c, err := s.vault.Tokenize(ctx, customerID, card)
	if err != nil {
		return payment.Card{}, fromCardError(err)
	}
	return c, nil
}

// query reads a workflow's query into out; it also answers after the workflow closed.
func (s *session) query(ctx context.Context, workflowID, name string, out any) error {
	v, err := s.temporal.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return err
	}
	return v.Get(out)
}

// update sends an update and waits for its result. updateID, when set, makes a
// repeated command (same idempotency key) answer instead of applying again.
func (s *session) update(ctx context.Context, workflowID, name, updateID string, arg, out any) error {
	opts := client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateName:   name,
		UpdateID:     updateID,
		WaitForStage: client.WorkflowUpdateStageCompleted,
	}
	if arg != nil {
		opts.Args = []any{arg}
	}
	h, err := s.temporal.UpdateWorkflow(ctx, opts)
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// closed reports whether the workflow exists and has ended: Temporal answers an
// update to it with "not found", which for a shop means "takes no more commands".
func (s *session) closed(ctx context.Context, err error, workflowID string) bool {
	var notFound *serviceerror.NotFound
	if !errors.As(err, &notFound) {
		return false
	}
	d, derr := s.temporal.DescribeWorkflowExecution(ctx, workflowID, "")
	return derr == nil && d.GetWorkflowExecutionInfo().GetStatus() != enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}
