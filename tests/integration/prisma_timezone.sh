# Prisma's createdAt on a PostgreSQL server whose TimeZone is America/New_York:
# the dry run's warning, the local-time shift without the recipe, UTC with
# --default "createdAt=(now() AT TIME ZONE 'UTC')" (tests/harness/prismalib.sh).
source "$TESTLIB"
source "$(dirname "$TESTLIB")/prismalib.sh"
load_fixture prisma_product.sql
q "ALTER SYSTEM SET timezone = 'America/New_York'" >/dev/null
q "SELECT pg_reload_conf()" >/dev/null
check_eq "the server's TimeZone is America/New_York" \
    "$(psql -X -At -d "$PGURL" -c "SELECT setting FROM pg_settings WHERE name = 'TimeZone'")" "America/New_York"
prisma_timezone_checks "$PGURL"
finish
