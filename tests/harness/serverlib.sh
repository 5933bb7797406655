# tests/harness/serverlib.sh - process and port helpers shared by the server
# harnesses (with_pg.sh, with_crdb.sh); sourced.
#
#   start_time PID     the process's start time (field 22 of /proc/PID/stat),
#                      to tell a PID from a reuse; fails when PID is gone
#   port_free PORT     true when nothing listens on 127.0.0.1:PORT
#   random_port        a number in 20000-60000

start_time() {
    local stat fields
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) } # the command name may hold spaces; skip past it
    read -r -a fields <<<"$stat"
    echo "${fields[19]}"
}

port_free() {
    if command -v ss >/dev/null 2>&1; then
        [ -z "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
    else
        ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
    fi
}

random_port() {
    echo $((20000 + (RANDOM * 32768 + RANDOM) % 40001))
}
