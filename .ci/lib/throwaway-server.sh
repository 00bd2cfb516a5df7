# Sourced by the CI scripts that drive the API from outside (fuzz-api, generated-client): a throwaway SQLite database
# with the shipped data, a policy-team write token ($TOKEN), an administrator's write token ($ADMIN_TOKEN) and gunicorn
# on a free loopback port ($BASE). The caller's EXIT trap must call stop_throwaway_server.
# shellcheck shell=bash

PY=.venv/bin/python
WORK="$(mktemp -d)"
SERVER_PID=""

stop_throwaway_server() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill "$SERVER_PID" && wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}

show_server_log() {
    echo "--- server log (errors) ---"
    tail -n 100 "$WORK/server.log" "$WORK/server.out"
}

start_throwaway_server() {  # $1: the port to try first
    export DJANGO_DEBUG=1
    export DATABASE_URL="sqlite:///$WORK/throwaway.sqlite3"
    export API_THROTTLE_USER=1000000/minute API_THROTTLE_TOKEN=1000000/minute  # these runs are not about 429s
    export DJANGO_LOG_LEVEL=WARNING

    $PY manage.py migrate --no-input -v 0
    $PY manage.py load_bundle fixtures/*.json >/dev/null
    $PY manage.py shell -v 0 -c "
from django.contrib.auth.models import Group, User
user, _ = User.objects.get_or_create(username='ci-policy')
user.groups.add(Group.objects.get(name='Policy team'))
User.objects.filter(username='ci-admin').exists() or User.objects.create_superuser('ci-admin', '', None)
"
    TOKEN="$($PY manage.py create_api_token ci-policy --write --name ci 2>/dev/null | tail -n 1)"
    ADMIN_TOKEN="$($PY manage.py create_api_token ci-admin --write --name ci 2>/dev/null | tail -n 1)"

    # The port asked for unless it is taken; then the first free one from 8101 to 8199.
    local port
    port="$($PY - "$1" <<'PYTHON'
import socket
import sys

for port in [int(sys.argv[1]), *range(8101, 8200)]:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            continue
        print(port)
        break
else:
    sys.exit("no free port from 8101 to 8199")
PYTHON
)"
    BASE="http://127.0.0.1:$port"

    .venv/bin/gunicorn config.wsgi:application --bind "127.0.0.1:$port" --workers 2 --timeout 60 \
        --error-logfile "$WORK/server.log" >"$WORK/server.out" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 60); do
        if $PY -c "import urllib.request,sys; urllib.request.urlopen(sys.argv[1], timeout=2)" "$BASE/healthz" \
            2>/dev/null; then
            return 0
        fi
        kill -0 "$SERVER_PID" 2>/dev/null || { show_server_log; return 1; }
        sleep 0.5
    done
    echo "the server did not answer within 30 s"
    show_server_log
    return 1
}
