// Package compose checks docker-compose.yml and the Dockerfile, since no Docker engine
// runs where cardflow's tests run: the services exist and are wired to each other.
package compose
