CREATE TABLE "state_map_nodes" (
	"hash" "bytea" PRIMARY KEY NOT NULL,
	"node" "bytea" NOT NULL,
	CONSTRAINT "state_map_nodes_hash_len" CHECK (octet_length("state_map_nodes"."hash") = 32),
	CONSTRAINT "state_map_nodes_node_len" CHECK (octet_length("state_map_nodes"."node") = 65)
);
--> statement-breakpoint
COMMENT ON TABLE state_map_nodes IS 'Nodes of the authenticated state map (docs/state-map.md section 9), content-addressed and never updated: written with the state.committed entry whose root references them. Deleting them loses nothing the log cannot rebuild (the registry rebuilds the map from the replayed state).';--> statement-breakpoint
COMMENT ON COLUMN state_map_nodes.hash IS 'SHA-256 of node: the node''s hash in the map.';--> statement-breakpoint
COMMENT ON COLUMN state_map_nodes.node IS 'The 65-byte hash preimage: 0x11 || key hash || value hash (leaf) or 0x12 || left || right (interior node).';
