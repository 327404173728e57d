#!/usr/bin/env bash
# The showcase store of issue 18 (bench/showcase_scale.cpp): a Release build of
# leanspec_showcase_scale into build-bench/, then the run on SQLite and on PostgreSQL. The
# stores are kept between runs in $LEANSPEC_SHOWCASE_DIR (default build-bench/showcase: the
# SQLite files, the spec ids) and $LEANSPEC_SHOWCASE_PGDATA (default /var/tmp/leanspec-showcase-pg:
# a PostgreSQL 15 cluster this script initializes once, starts for the run on a Unix socket and
# stops at exit; under /var/tmp because the server's user must reach it). Writes
# build-bench/bench-results/showcase_scale.jsonl (JSON lines, read by bench/summarize.py) and
# showcase_scale.txt (the machine, the lines, load average at start and end).
#
#   bench/showcase_scale.sh                        # full size: 800 generated + 200 real projects
#   bench/showcase_scale.sh --generated 20 --specs 20 --real 2 --reads 300 --samples 20 \
#     --search-all-samples 5 --hot-samples 200     # a quick check
#
# Extra arguments go to leanspec_showcase_scale (both backends). Environment:
# LEANSPEC_SHOWCASE_BACKENDS ("sqlite postgres"), LEANSPEC_CACHE_BYTES (the budget, default 256
# MiB), LEANSPEC_CORPUS, LEANSPEC_PG_BINDIR (default /usr/lib/postgresql/15/bin),
# LEANSPEC_SHOWCASE_EXE (a leanspec_showcase_scale already built, e.g. build-dev's: no Release
# build then), LEANSPEC_SHOWCASE_PG_SHARED_BUFFERS (default a quarter of the machine's memory,
# PostgreSQL's documented starting point; its own default, 128 MB, is smaller than the store's
# specs table). The server asks for huge pages (huge_pages=try): reserve them beforehand
# (sysctl vm.nr_hugepages, as root) or every new server backend pays a page fault per 4 KB of
# shared buffers it first touches, hundreds of milliseconds on this VM; showcase_scale.txt
# records whether there were any. No figure is asserted: the script fails only when something
# does not build or run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
build=$repo/build-bench
out=$build/bench-results
store_dir=${LEANSPEC_SHOWCASE_DIR:-$build/showcase}
pgdata=${LEANSPEC_SHOWCASE_PGDATA:-/var/tmp/leanspec-showcase-pg}
bindir=${LEANSPEC_PG_BINDIR:-/usr/lib/postgresql/15/bin}
backends=${LEANSPEC_SHOWCASE_BACKENDS:-sqlite postgres}
cache_bytes=${LEANSPEC_CACHE_BYTES:-268435456}
shared_buffers=${LEANSPEC_SHOWCASE_PG_SHARED_BUFFERS:-$(($(sed -n 's/^MemTotal: *\([0-9]*\) kB/\1/p' /proc/meminfo) / 4096))MB}
mkdir -p "$out" "$store_dir"

exe=${LEANSPEC_SHOWCASE_EXE:-}
if [[ -z $exe ]]; then
  # The same configuration as run_all.sh, so the scripts share build-bench/.
  cmake -S "$repo" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLEANSPEC_BUILD_BENCH=ON \
    -DLEANSPEC_BUILD_CLI=ON -DLEANSPEC_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j"$(nproc)" --target leanspec_showcase_scale
  exe=$build/bench/leanspec_showcase_scale
fi

# PostgreSQL's tools as the server's user: `postgres` when run as root (initdb refuses root).
as_server() {
  if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_started=
stop_postgres() {
  if [[ -n $pg_started ]]; then as_server "$bindir/pg_ctl" -D "$pgdata/data" -m fast -w stop >/dev/null; fi
}
trap stop_postgres EXIT

# Starts the kept cluster (initialized on first use); sets pg_url.
start_postgres() {
  if [[ ! -f $pgdata/data/PG_VERSION ]]; then
    mkdir -p "$pgdata"
    [[ $(id -u) == 0 ]] && chown postgres: "$pgdata"
    as_server "$bindir/initdb" -D "$pgdata/data" -U postgres -A trust -E UTF8 --locale=C \
      --no-instructions >"$pgdata/initdb.log"
  fi
  local port
  port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  # No TCP: the socket in $pgdata. fsync off: the store is a cache this script can rebuild.
  as_server "$bindir/pg_ctl" -D "$pgdata/data" -l "$pgdata/server.log" -w -t 120 \
    -o "-c listen_addresses='' -k $pgdata -p $port -c fsync=off -c full_page_writes=off \
        -c shared_buffers=$shared_buffers -c huge_pages=try" start \
    >/dev/null
  pg_started=1
  if [[ -z $(as_server "$bindir/psql" -h "$pgdata" -p "$port" -U postgres -d postgres -tAc \
    "SELECT 1 FROM pg_database WHERE datname = 'showcase'") ]]; then
    as_server "$bindir/createdb" -h "$pgdata" -p "$port" -U postgres showcase
  fi
  pg_url="postgresql://postgres@/showcase?host=$pgdata&port=$port"
}

{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpus: $(nproc); model: $(lscpu | sed -n 's/^Model name: *//p')"
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "compiler: $(c++ --version | head -1)"
  echo "postgres: $("$bindir/postgres" --version)"
  echo "commit: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "cache_bytes: $cache_bytes"
  echo "postgres shared_buffers: $shared_buffers; huge pages reserved before the server started: $(sed -n 's/^HugePages_Total: *//p' /proc/meminfo)"
} | tee "$out/showcase_scale.txt"

: >"$out/showcase_scale.jsonl"
for backend in $backends; do
  args=(--cache-dir "$store_dir" --cache-bytes "$cache_bytes" --json "$out/showcase_scale.jsonl")
  if [[ $backend == postgres ]]; then
    [[ -n $pg_started ]] || start_postgres
    args+=(--postgres "$pg_url")
  fi
  echo "== $backend" | tee -a "$out/showcase_scale.txt"
  "$exe" "${args[@]}" "$@" 2>&1 | tee -a "$out/showcase_scale.txt"
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$out/showcase_scale.txt"
