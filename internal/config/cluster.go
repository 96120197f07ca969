package config

// The Temporal cluster's server configuration, one for every place that runs
// it: tools/cluster (`make cluster`, `make test-cluster`, the soak's -server
// cluster) and docker-compose.yml (internal/compose's test checks it). The
// server loads <ClusterConfigDir>/<ClusterConfigEnv>.yaml.
const (
	ClusterConfigDir = "deploy/temporal"
	ClusterConfigEnv = "cluster"
	// ClusterSchemaScript creates and updates the databases with temporal-sql-tool.
	ClusterSchemaScript = ClusterConfigDir + "/schema.sh"
	// ClusterHistoryShards is cluster.yaml's numHistoryShards, fixed for the
	// life of a cluster's databases.
	ClusterHistoryShards = 4
)
