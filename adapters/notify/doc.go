// Package notify sends cardflow's notifications as signed webhooks (or, with
// no webhook configured, as log lines): the activities' Notifier.
package notify
