#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked GNOME
# Keyring (the Secret Service go-keyring talks to), as a desktop session
# would have: for the keyring tests on a headless machine.
#   scripts/keyring-session.sh go test ./backend/secrets/
set -euo pipefail
if [[ -z "${VOICEDESK_IN_KEYRING_SESSION:-}" ]]; then
  export VOICEDESK_IN_KEYRING_SESSION=1
  exec dbus-run-session -- "$0" "$@"
fi
data=$(mktemp -d)
# A throwaway keyring (keyrings live under $XDG_DATA_HOME), unlocked with a
# fixed password; HOME stays, so Go's caches do.
export XDG_DATA_HOME="$data"
# In the foreground (as a child of this script), so that it can be stopped.
printf 'voicedesk-test' | gnome-keyring-daemon --foreground --unlock --components=secrets >"$data/env" 2>"$data/log" &
keyring=$!
cleanup() { kill "$keyring" 2>/dev/null || true; wait "$keyring" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 100); do grep -q GNOME_KEYRING_CONTROL "$data/env" 2>/dev/null && break; sleep 0.05; done
grep -q GNOME_KEYRING_CONTROL "$data/env" || { echo "gnome-keyring did not start:" >&2; cat "$data/log" >&2; exit 1; }
set -a; . "$data/env"; set +a
"$@"
