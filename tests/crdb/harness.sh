# The harness itself: the server is CockroachDB v21.1, the reference and the
# Prisma tables exist with CockroachDB's types, every node is live.
# with_crdb: --nodes 1
source "$TESTLIB"
check_match "the server is CockroachDB v21.1" "$(q 'SELECT version()')" '^CockroachDB CCL v21\.1\.'
check_eq "reference table's columns" \
    "$(q "SELECT string_agg(column_name || ' ' || data_type, ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'products'")" \
    "id uuid, sku text, name text, description text, price numeric, stock bigint, currency text, updated_at timestamp with time zone"
check_eq "Prisma table's columns (STRING, DECIMAL, INT8, TIMESTAMP(3))" \
    "$(q "SELECT string_agg(column_name || ' ' || data_type || coalesce('(' || datetime_precision || ')', ''), ', ' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'Product'")" \
    "id text, sku text, name text, description text, price numeric, stock bigint, createdAt timestamp without time zone(3)"
check_eq "every node live" "$(q 'SELECT count(*) FROM crdb_internal.gossip_liveness WHERE NOT decommissioning AND NOT draining')" "$CRDB_NODES"
check_eq "one pid per node exported" "$(wc -w <<<"$CRDB_NODE_PIDS")" "$CRDB_NODES"
finish
