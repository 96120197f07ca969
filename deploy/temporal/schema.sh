#!/bin/sh
# Creates cardflow's two Temporal databases (persistence and visibility) when
# they are missing and brings their schemas up to the server's version, with
# temporal-sql-tool and the server's own versioned schema directories. Every
# step is idempotent: run it before every server start, as `make cluster`,
# `make test-cluster` and docker-compose.yml's temporal-schema job do.
#
# Environment: POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER, POSTGRES_PASSWORD,
# POSTGRES_DB, POSTGRES_VISIBILITY_DB (cluster.yaml's names and defaults);
# TEMPORAL_SCHEMA_DIR, the server module's schema/postgresql/v12;
# TEMPORAL_SQL_TOOL, the tool (default: temporal-sql-tool on PATH).
set -eu
tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
schema=${TEMPORAL_SCHEMA_DIR:?set TEMPORAL_SCHEMA_DIR to schema/postgresql/v12 of the server module}
# temporal-sql-tool reads these itself.
export SQL_PLUGIN=postgres12
export SQL_HOST=${POSTGRES_HOST:-127.0.0.1}
export SQL_PORT=${POSTGRES_PORT:-5432}
export SQL_USER=${POSTGRES_USER:-temporal}
export SQL_PASSWORD=${POSTGRES_PASSWORD:-}

for pair in "${POSTGRES_DB:-temporal}:temporal" "${POSTGRES_VISIBILITY_DB:-temporal_visibility}:visibility"; do
	db=${pair%%:*}
	kind=${pair#*:}
	"$tool" --db "$db" create-database
	"$tool" --db "$db" setup-schema -v 0.0
	"$tool" --db "$db" update-schema -d "$schema/$kind/versioned"
	echo "schema: $db ($kind) is up to date"
done
