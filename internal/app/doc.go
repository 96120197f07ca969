// Package app starts cardflow's processes from configuration: the
// configuration itself, the logger, the payload keys and a Temporal client
// using them. The worker and api mains, the starter, the tools and the system
// tests all start through here, so what runs in tests is what runs in
// production. It links no adapter and no API: the worker's wiring is in
// internal/workers, the API's handler in api/server.
package app
