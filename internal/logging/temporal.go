package logging

import (
	"go.temporal.io/sdk/log"
	"go.uber.org/zap"
)

// Temporal adapts a zap logger to the Temporal SDK's logger interface.
func Temporal(z *zap.Logger) log.Logger {
	return temporalLogger{z.WithOptions(zap.AddCallerSkip(1)).Sugar()}
}

type temporalLogger struct{ s *zap.SugaredLogger }

func (l temporalLogger) Debug(msg string, kv ...interface{}) { l.s.Debugw(msg, kv...) }
func (l temporalLogger) Info(msg string, kv ...interface{})  { l.s.Infow(msg, kv...) }
func (l temporalLogger) Warn(msg string, kv ...interface{})  { l.s.Warnw(msg, kv...) }
func (l temporalLogger) Error(msg string, kv ...interface{}) { l.s.Errorw(msg, kv...) }

// With lets the SDK attach workflow and activity ids to every line.
func (l temporalLogger) With(kv ...interface{}) log.Logger { return temporalLogger{l.s.With(kv...)} }

var _ log.WithLogger = temporalLogger{}
