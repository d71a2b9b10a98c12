#!/usr/bin/env bash
# The topology of docker/compose.yaml as plain processes on the local PostgreSQL:
# one database, two `datadeed serve` instances sharing the log's key files, and one
# notary witness with its own key and embedded database. Used by the reliability suite
# (tests/reliability) and by hand:
#
#   scripts/cluster.sh up DIR        start everything; prints DIR/cluster.env (ports, URLs, db)
#   scripts/cluster.sh start DIR a   (re)start instance a (or b) on its port
#   scripts/cluster.sh stop DIR a    SIGTERM instance a (or b)
#   scripts/cluster.sh down DIR      stop everything and drop the cluster's database
#
# Environment: PG_ADMIN_URL (default postgres://postgres@127.0.0.1:5432/postgres),
# DATADEED_BIN (default: node bin/datadeed.mjs — the compiled program; `npm run build`),
# PORT_A / PORT_B / PORT_W (default: free ports chosen by the kernel).
# Each instance logs to DIR/<name>.log and writes its pid to DIR/<name>.pid.
set -euo pipefail
cd "$(dirname "$0")/.."

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '2,16p' "$0" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
BIN=${DATADEED_BIN:-node bin/datadeed.mjs}
ADMIN=${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

wait_http() { # url seconds
  for _ in $(seq 1 $(($2 * 10))); do
    if node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "$1" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "cluster: $1 did not answer within $2 s" >&2
  return 1
}

start_instance() { # name
  local name=$1 port
  # shellcheck disable=SC1091
  . "$dir/cluster.env"
  if [ "$name" = a ]; then port=$PORT_A; else port=$PORT_B; fi
  local extra=()
  [ "$name" = a ] && [ ! -f "$dir/seeded" ] && extra=(--demo) && touch "$dir/seeded"
  # the policy exists once the witness trusts the log (the first start of a makes the log key)
  local policy=""
  [ -f "$dir/policy.txt" ] && policy="$dir/policy.txt"
  DATABASE_URL=$DATABASE_URL DATADEED_DATA_DIR="$dir/registry" DATADEED_ORIGIN=$ORIGIN \
    DATADEED_WITNESS_POLICY="$policy" DATADEED_RATE_LIMIT=off PORT=$port HOST=127.0.0.1 LOG_LEVEL=${LOG_LEVEL:-warn} \
    DATADEED_PUBLIC_URL="http://127.0.0.1:$port" \
    $BIN serve "${extra[@]}" >>"$dir/$name.log" 2>&1 &
  echo $! >"$dir/$name.pid"
  wait_http "http://127.0.0.1:$port/healthz" 60
}

stop_pid() { # file
  [ -f "$1" ] || return 0
  local pid
  pid=$(cat "$1")
  kill -CONT "$pid" 2>/dev/null || true
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  rm -f "$1"
}

case "$cmd" in
  up)
    db="dd_cluster_$$_$RANDOM"
    psql "$ADMIN" -qc "CREATE DATABASE $db" >/dev/null
    base=${ADMIN%/*}
    cat >"$dir/cluster.env" <<EOF
DATABASE_URL=$base/$db
DATABASE_NAME=$db
ORIGIN=cluster.datadeed.localhost/log
PORT_A=${PORT_A:-$(free_port)}
PORT_B=${PORT_B:-$(free_port)}
PORT_W=${PORT_W:-$(free_port)}
EOF
    # shellcheck disable=SC1091
    . "$dir/cluster.env"
    # the witness: its own key and database; it trusts the log once the log key exists
    $BIN witness init --data-dir "$dir/witness" --name notary.cluster.localhost >"$dir/witness.vkey"
    start_instance a
    vkey=$(node -e 'fetch(process.argv[1]).then(r=>r.json()).then(j=>console.log(j.keys.find(k=>k.purpose==="log").vkey))' "http://127.0.0.1:$PORT_A/v1/keys")
    $BIN witness add-log --data-dir "$dir/witness" --vkey "$vkey" --origin "$ORIGIN" >/dev/null
    printf 'log %s\nwitness notary %s http://127.0.0.1:%s\nquorum notary\n' "$vkey" "$(tail -n1 "$dir/witness.vkey")" "$PORT_W" >"$dir/policy.txt"
    $BIN witness serve --data-dir "$dir/witness" --port "$PORT_W" >>"$dir/witness.log" 2>&1 &
    echo $! >"$dir/witness.pid"
    # a restarts with the policy in place, then b joins
    stop_pid "$dir/a.pid"
    start_instance a
    start_instance b
    cat "$dir/cluster.env"
    ;;
  start)
    start_instance "${3:?instance name a or b}"
    ;;
  stop)
    stop_pid "$dir/${3:?instance name a or b}.pid"
    ;;
  down)
    for n in a b witness; do stop_pid "$dir/$n.pid"; done
    if [ -f "$dir/cluster.env" ]; then
      # shellcheck disable=SC1091
      . "$dir/cluster.env"
      psql "$ADMIN" -qc "DROP DATABASE IF EXISTS $DATABASE_NAME WITH (FORCE)" >/dev/null || true
    fi
    ;;
  *)
    sed -n '2,16p' "$0" >&2
    exit 2
    ;;
esac
