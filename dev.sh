#!/usr/bin/env bash
# The two commands a new user needs; each does all of its own set-up on a machine with Python 3.11.
#   ./dev.sh run                 serve the portal with SQLite, an in-process cache and demo data, and
#                                a notification dispatcher in the background
#   ./dev.sh test [pytest args]  run the tests on every core (arguments go to pytest unchanged;
#                                -n 0 runs them in one process)
#   ./dev.sh setup               only build .venv with the test dependencies (used by .ci/run)
#   ./dev.sh translations        extract every message into the de/en catalogs, compile, check
#                                (exit 1 while a German translation is missing or fuzzy)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
PORT=${PORT:-5000}

say() { printf '==> %s\n' "$*"; }
die() { printf 'dev.sh: %s\n' "$*" >&2; exit 1; }

# Run a chatty set-up command silently; show everything it printed only when it fails.
quietly() {
    local log status=0
    log=$(mktemp)
    "$@" >"$log" 2>&1 || status=$?
    if [ "$status" -ne 0 ]; then
        cat "$log" >&2
        rm -f "$log"
        die "failed ($status): $*"
    fi
    rm -f "$log"
}

is_python311() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; }

find_python() {
    local candidate
    for candidate in python3.11 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && is_python311 "$candidate"; then
            command -v "$candidate"
            return
        fi
    done
    die "Python 3.11 or newer is needed (looked for python3.11 and python3)."
}

# Create .venv if missing (or broken, or older than 3.11) and install the pinned requirements. The
# stamp holds a hash of the pin files: a re-run with unchanged pins skips pip and starts at once.
ensure_venv() {
    local requirements=$1 stamp wanted
    if ! is_python311 "$VENV/bin/python"; then
        say "Creating $VENV with $(find_python)"
        rm -rf "$VENV"
        quietly "$(find_python)" -m venv "$VENV"
    fi
    stamp="$VENV/.installed-$requirements.sha256"
    wanted=$(cat requirements.txt "$requirements" | sha256sum | cut -d' ' -f1)
    if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
        say "Installing pinned packages from $requirements (first run takes a minute)"
        quietly "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r "$requirements"
        echo "$wanted" >"$stamp"
    fi
}

# The .mo files the app reads are built from the committed .po catalogs (a second or less).
compile_catalogs() { quietly "$VENV/bin/python" -m portal.translations compile; }

flask_cmd() { "$VENV/bin/flask" --app wsgi "$@"; }

run_portal() {
    ensure_venv requirements.txt
    compile_catalogs
    say "Migrating the database"
    quietly flask_cmd db upgrade
    say "Loading demo data"
    flask_cmd seed demo
    # Notifications go out while the demo runs: a dispatcher in the background sends what is due
    # (email to the log unless SMTP_URL is set; SMS, WhatsApp and push to the log unless their
    # NOTIFY_*_URL is set), and stops with the portal.
    say "Starting the notification dispatcher (flask notifications dispatch --loop)"
    "$VENV/bin/flask" --app wsgi notifications dispatch --loop --interval 5 &
    DISPATCHER=$!  # global: the trap runs after this function has returned
    trap 'kill "$DISPATCHER" 2>/dev/null || true' EXIT
    say "Portal: http://127.0.0.1:$PORT   (sign in with a demo login above; Ctrl+C stops it)"
    "$VENV/bin/flask" --app wsgi run --host 127.0.0.1 --port "$PORT"
}

run_tests() {
    ensure_venv requirements-dev.txt
    compile_catalogs
    local status=0
    "$VENV/bin/python" -m pytest "$@" || status=$?
    # pytest exits 5 when it ran nothing: a typo in a path or marker must not look like success.
    if [ "$status" -eq 5 ]; then
        die "pytest ran no tests (exit code 5); check the paths and -m/-k expressions given."
    fi
    return "$status"
}

case "${1:-}" in
    run) shift; run_portal ;;
    test) shift; run_tests "$@" ;;
    setup) ensure_venv requirements-dev.txt; compile_catalogs; say "$VENV is ready" ;;
    translations) ensure_venv requirements-dev.txt; "$VENV/bin/python" -m portal.translations update ;;
    *) die "usage: ./dev.sh run | ./dev.sh test [pytest args] | ./dev.sh setup | ./dev.sh translations" ;;
esac
