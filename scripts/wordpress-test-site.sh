#!/usr/bin/env bash
# A real local WordPress for Crosspost's live tests (tests/channels/test_wordpress_live.py).
#
#   eval "$(scripts/wordpress-test-site.sh)"   # install what is missing, start, print exports
#   scripts/wordpress-test-site.sh stop         # stop the server (the site and its data stay)
#   scripts/wordpress-test-site.sh status
#
# For Debian 12, as root (CI runs it on a clean machine). Idempotent: a second run
# reuses the packages, database, site and application passwords, and a running server.
# It uses Debian's `wordpress` package but never its /etc/wordpress configuration: the
# site lives in a private copy of the document root with its own wp-config.php, so
# other WordPress sites on the machine are left alone. PHP's built-in server serves it
# on loopback only.
#
# Settings (environment, all optional):
#   CROSSPOST_WP_DIR         where the site lives  (default /var/tmp/crosspost-wordpress)
#   CROSSPOST_WP_PORT        loopback port          (default 8089)
#   CROSSPOST_WP_PERMALINKS  pretty | plain         (default pretty; plain means the REST
#                            API is only at /?rest_route=, as on a fresh WordPress)
#   CROSSPOST_WP_DB_HOST / CROSSPOST_WP_DB_PORT    MariaDB (default 127.0.0.1 / 3306),
#                            reached as root with no password to create the database
#
# Prints on stdout only `export` lines:
#   CROSSPOST_TEST_WP_URL, CROSSPOST_TEST_WP_USER, CROSSPOST_TEST_WP_APP_PASSWORD
#   CROSSPOST_TEST_WP_READER_USER, CROSSPOST_TEST_WP_READER_APP_PASSWORD (a Subscriber)
# Everything else goes to stderr.
set -euo pipefail

WP_DIR=${CROSSPOST_WP_DIR:-/var/tmp/crosspost-wordpress}
WP_PORT=${CROSSPOST_WP_PORT:-8089}
WP_URL="http://127.0.0.1:${WP_PORT}"
PERMALINKS=${CROSSPOST_WP_PERMALINKS:-pretty}
DB_HOST=${CROSSPOST_WP_DB_HOST:-127.0.0.1}
DB_PORT=${CROSSPOST_WP_DB_PORT:-3306}
DB_NAME=crosspost_wp_test
DB_USER=crosspost_wp
ADMIN_LOGIN=crosspost-admin
READER_LOGIN=crosspost-reader
PACKAGES=(wordpress php-cli php-mysql)

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
STATE="$WP_DIR/state.env"
DOCROOT="$WP_DIR/htdocs"
PIDFILE="$WP_DIR/server.pid"
LOG="$WP_DIR/server.log"

log() { echo "wordpress-test-site: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

# ------------------------------------------------------------------ packages

packages_missing() {
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" != "install ok installed" ]]; then
            return 0
        fi
    done
    return 1
}

install_packages() {
    packages_missing || return 0
    [[ $EUID -eq 0 ]] || die "installing ${PACKAGES[*]} needs root"
    log "installing ${PACKAGES[*]} (apt)"
    # `wordpress` pulls in apache2; a policy-rc.d saying 101 keeps Debian from starting it.
    local own_policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        own_policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$own_policy"
        chmod 755 "$own_policy"
        trap 'rm -f /usr/sbin/policy-rc.d' EXIT
    fi
    local apt=(apt-get install -y -q --no-install-recommends "${PACKAGES[@]}")
    if ! DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2; then
        log "apt-get install failed; refreshing the package lists and trying again"
        DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        DEBIAN_FRONTEND=noninteractive "${apt[@]}" >&2
    fi
    if [[ -n "$own_policy" ]]; then
        rm -f "$own_policy"
        trap - EXIT
    fi
}

# ------------------------------------------------------------------ state

random_token() { php -r 'echo bin2hex(random_bytes(24));'; }

# The secrets of this site (database password, salts, application passwords), mode 600.
load_state() {
    mkdir -p "$WP_DIR"
    chmod 700 "$WP_DIR"
    if [[ -f "$STATE" ]]; then
        # shellcheck disable=SC1090
        source "$STATE"
    fi
    DB_PASSWORD=${DB_PASSWORD:-$(random_token)}
    ADMIN_PASSWORD=${ADMIN_PASSWORD:-$(random_token)}
    SALT=${SALT:-$(random_token)}
    WP_ADMIN_APP_PASSWORD=${WP_ADMIN_APP_PASSWORD:-}
    WP_READER_APP_PASSWORD=${WP_READER_APP_PASSWORD:-}
    save_state
}

save_state() {
    (
        umask 077
        cat >"$STATE" <<EOF
DB_PASSWORD=$DB_PASSWORD
ADMIN_PASSWORD=$ADMIN_PASSWORD
SALT=$SALT
WP_ADMIN_APP_PASSWORD=$WP_ADMIN_APP_PASSWORD
WP_READER_APP_PASSWORD=$WP_READER_APP_PASSWORD
EOF
    )
}

# ------------------------------------------------------------------ database

db_root() { mariadb --protocol=tcp -h "$DB_HOST" -P "$DB_PORT" -u root "$@"; }

ensure_mariadb() {
    if db_root -e 'SELECT 1' >/dev/null 2>&1; then
        return 0
    fi
    if [[ -x /usr/sbin/mariadbd ]] && command -v start-stop-daemon >/dev/null; then
        log "MariaDB does not answer on $DB_HOST:$DB_PORT; starting it"
        start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd >&2
        local _
        for _ in $(seq 1 60); do
            db_root -e 'SELECT 1' >/dev/null 2>&1 && return 0
            sleep 0.5
        done
    fi
    die "MariaDB does not answer on $DB_HOST:$DB_PORT as root (set CROSSPOST_WP_DB_HOST/PORT)"
}

ensure_database() {
    local host
    {
        echo "CREATE DATABASE IF NOT EXISTS \`$DB_NAME\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        # WordPress connects over TCP; MariaDB may see it as 127.0.0.1 or as localhost.
        for host in 127.0.0.1 localhost; do
            echo "CREATE USER IF NOT EXISTS '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASSWORD';"
            echo "ALTER USER '$DB_USER'@'$host' IDENTIFIED BY '$DB_PASSWORD';"
            echo "GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'$host';"
        done
    } | db_root
}

# ------------------------------------------------------------------ site files

# A private copy of Debian's document root, refreshed when the package changes; its
# wp-content (uploads) lives beside it so a refresh keeps it.
ensure_docroot() {
    local version
    version=$(dpkg-query -W -f='${Version}' wordpress)
    if [[ "$(cat "$DOCROOT/.debian-version" 2>/dev/null)" != "$version" ]]; then
        log "copying WordPress $version to $DOCROOT"
        rm -rf "$DOCROOT"
        cp -a /usr/share/wordpress "$DOCROOT"
        rm -rf "$DOCROOT/wp-content"
        ln -s ../wp-content "$DOCROOT/wp-content"
        echo "$version" >"$DOCROOT/.debian-version"
    fi
    mkdir -p "$WP_DIR/wp-content/uploads" "$WP_DIR/wp-content/mu-plugins" \
        "$WP_DIR/wp-content/plugins" "$WP_DIR/wp-content/themes"
    cp "$HERE/wordpress/mu-plugin.php" "$WP_DIR/wp-content/mu-plugins/crosspost-test-site.php"
    cp "$HERE/wordpress/router.php" "$WP_DIR/router.php"
    write_config
}

write_config() {
    local name
    (
        umask 077
        {
            cat <<EOF
<?php
// Written by scripts/wordpress-test-site.sh for Crosspost's live tests; rewritten on each run.
define('DB_NAME', '$DB_NAME');
define('DB_USER', '$DB_USER');
define('DB_PASSWORD', '$DB_PASSWORD');
define('DB_HOST', '$DB_HOST:$DB_PORT');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
\$table_prefix = 'wp_';

define('WP_HOME', '$WP_URL');
define('WP_SITEURL', '$WP_URL');
// "local" lets application passwords work over plain HTTP.
define('WP_ENVIRONMENT_TYPE', 'local');
define('WP_DEBUG', false);
// No internet here: no update checks, no cron calling itself, no outbound requests.
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
EOF
            for name in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT \
                SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
                echo "define('$name', '$name-$SALT');"
            done
            cat <<'EOF'

if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
EOF
        } >"$DOCROOT/wp-config.php"
    )
}

ensure_site() {
    local output
    output=$(
        WP_HOME_URL="$WP_URL" WP_PERMALINKS="$PERMALINKS" WP_ADMIN_PASSWORD="$ADMIN_PASSWORD" \
            WP_ADMIN_APP_PASSWORD="$WP_ADMIN_APP_PASSWORD" \
            WP_READER_APP_PASSWORD="$WP_READER_APP_PASSWORD" \
            php "$HERE/wordpress/setup.php" "$DOCROOT"
    ) || die "setting up the site failed (see above)"
    WP_ADMIN_APP_PASSWORD=$(sed -n 's/^WP_ADMIN_APP_PASSWORD=//p' <<<"$output")
    WP_READER_APP_PASSWORD=$(sed -n 's/^WP_READER_APP_PASSWORD=//p' <<<"$output")
    [[ -n "$WP_ADMIN_APP_PASSWORD" && -n "$WP_READER_APP_PASSWORD" ]] ||
        die "setup.php printed no application passwords"
    save_state
}

# ------------------------------------------------------------------ server

server_pid() {
    local pid
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

answers() { curl -fsS -o /dev/null --max-time 5 "$WP_URL/?rest_route=/"; }

start_server() {
    if server_pid >/dev/null; then
        if answers; then
            log "server already running (pid $(server_pid)) at $WP_URL"
            return 0
        fi
        stop_server
    fi
    if curl -s -o /dev/null --max-time 2 "$WP_URL/"; then
        die "port $WP_PORT already answers and it is not our server: set CROSSPOST_WP_PORT"
    fi
    log "starting PHP's built-in server at $WP_URL (log: $LOG)"
    # setsid: its own process group, so `stop` ends the server and its workers only.
    PHP_CLI_SERVER_WORKERS=4 setsid nohup php \
        -d display_errors=0 -d log_errors=1 -d "error_log=$WP_DIR/php-errors.log" \
        -d upload_max_filesize=32M -d post_max_size=32M \
        -S "127.0.0.1:$WP_PORT" -t "$DOCROOT" "$WP_DIR/router.php" \
        </dev/null >>"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    local _
    for _ in $(seq 1 100); do
        answers 2>/dev/null && return 0
        server_pid >/dev/null || die "the server exited; see $LOG"
        sleep 0.2
    done
    die "the server did not answer within 20 s; see $LOG"
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
}

print_exports() {
    printf 'export CROSSPOST_TEST_WP_URL=%q\n' "$WP_URL"
    printf 'export CROSSPOST_TEST_WP_USER=%q\n' "$ADMIN_LOGIN"
    printf 'export CROSSPOST_TEST_WP_APP_PASSWORD=%q\n' "$WP_ADMIN_APP_PASSWORD"
    printf 'export CROSSPOST_TEST_WP_READER_USER=%q\n' "$READER_LOGIN"
    printf 'export CROSSPOST_TEST_WP_READER_APP_PASSWORD=%q\n' "$WP_READER_APP_PASSWORD"
}

# ------------------------------------------------------------------ main

case "${1:-start}" in
    start)
        [[ "$PERMALINKS" == pretty || "$PERMALINKS" == plain ]] ||
            die "CROSSPOST_WP_PERMALINKS must be pretty or plain"
        install_packages
        load_state
        ensure_mariadb
        ensure_database
        ensure_docroot
        ensure_site
        start_server
        print_exports
        ;;
    stop)
        stop_server
        ;;
    status)
        if pid=$(server_pid) && answers; then
            log "running (pid $pid) at $WP_URL"
        else
            log "not running"
            exit 1
        fi
        ;;
    *)
        die "usage: $0 [start|stop|status]"
        ;;
esac
