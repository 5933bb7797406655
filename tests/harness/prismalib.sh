# tests/harness/prismalib.sh - Prisma's createdAt and the session's TimeZone,
# the same checks on PostgreSQL (tests/integration/prisma_timezone.sh) and
# CockroachDB (tests/crdb/prisma.sh); sourced after testlib.sh.
#
#   prisma_timezone_checks URL   URL's sessions run in America/New_York; the
#                                "Product" table exists and is empty
#
# Prisma writes createdAt (timestamp(3) without time zone) in UTC and reads it
# back as UTC. A row crdbload inserts takes the column's DEFAULT
# CURRENT_TIMESTAMP, wall time in the session's TimeZone, unless the recipe
# --default "createdAt=(now() AT TIME ZONE 'UTC')" is given.

# Seconds between the newest createdAt read as Prisma reads it (the text taken
# as UTC) and the real time now.
created_skew() {
    local text
    text=$(q 'SELECT max("createdAt")::text FROM "Product"')
    echo $(($(date -u -d "$text UTC" +%s) - $(date -u +%s)))
}

prisma_timezone_checks() {
    local url=$1 skew
    local -a base=(--url "$url" --table Product --columns sku,name,description,price,stock,-
        --default 'id=gen_random_uuid()::text')
    local recipe="createdAt=(now() AT TIME ZONE 'UTC')"
    "$GENCATALOG" -n 500 -s 21 -o "$TMP/tz.csv"
    check_eq "the session's TimeZone is America/New_York" \
        "$(psql -X -At -d "$url" -c 'SHOW TimeZone')" "America/New_York"

    run_loader "${base[@]}" --dry-run "$TMP/tz.csv"
    check_match "dry run: warns that createdAt gets the session's local time" "$(cat "$TMP/loader.err")" \
        'warning: column "createdAt" \(timestamp(\(3\))? without time zone\) is filled with (CURRENT_TIMESTAMP|current_timestamp\(\)), the time in the session.s TimeZone \(America/New_York\), not UTC'
    check_match "... and gives the recipe" "$(cat "$TMP/loader.err")" \
        "Hint: .*--default \"createdAt=\\(now\\(\\) AT TIME ZONE 'UTC'\\)\""

    # The problem the warning is about, shown.
    run_loader "${base[@]}" "$TMP/tz.csv"
    check_eq "without the recipe: loads (exit 0)" "$loader_rc" 0
    check_match "... a run in New York warns too" "$(cat "$TMP/loader.err")" 'warning: column "createdAt"'
    skew=$(created_skew)
    check "... createdAt read as UTC is hours behind (skew ${skew} s)" test "$skew" -le -10800

    q 'DELETE FROM "Product"' >/dev/null
    run_loader "${base[@]}" --default "$recipe" --dry-run "$TMP/tz.csv"
    check "with the recipe: the dry run does not warn" bash -c "! grep -q 'warning: column' '$TMP/loader.err'"
    run_loader "${base[@]}" --default "$recipe" "$TMP/tz.csv"
    check_eq "with the recipe: loads (exit 0)" "$loader_rc" 0
    check_eq "... every row" "$(q 'SELECT count(*) FROM "Product"')" 500
    skew=$(created_skew)
    check "... createdAt read as UTC is the UTC time (skew ${skew} s)" test "${skew#-}" -le 120
    local before
    before=$(q 'SELECT md5(string_agg("createdAt"::text, $$,$$ ORDER BY sku)) FROM "Product"')
    run_loader "${base[@]}" --default "$recipe" "$TMP/tz.csv"
    check_eq "... a reload keeps createdAt (--default is insert-only)" \
        "$(q 'SELECT md5(string_agg("createdAt"::text, $$,$$ ORDER BY sku)) FROM "Product"')" "$before"
}
