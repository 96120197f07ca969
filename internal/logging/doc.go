// Package logging builds cardflow's zap logger. Every message and string field goes
// through a redacting core that masks anything shaped like a card number, so a
// careless log line cannot leak a PAN. The logger is handed to the Temporal SDK
// through Temporal's logger interface.
package logging
