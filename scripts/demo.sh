#!/usr/bin/env bash
# The main job: the lab up, the app built and launched against it. With no
# display (a headless machine) the app runs in Xvfb and a screenshot of its
# window is saved to test-output/demo.png.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=build/bin/voicedesk
DISCOVERY=$(bin/lab discovery-url)

echo
echo "== VoiceDesk demo: discovery $DISCOVERY"
echo "   Sign in with one of the lab's users:"
bin/lab logins
echo "   Stop the app with Ctrl-C (or close its window); stop the lab with: make lab-down"
echo

xvfb_pid=""
app_pid=""
# Stop what this script started, by pid, however it ends.
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${DISPLAY:-}" ]; then
  exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null & echo "pid $!")
  read -r _ xvfb_pid <&3
  read -r disp <&3 || true
  export DISPLAY=":${disp}"
  echo "== no display: running the app in Xvfb on $DISPLAY"
  "$APP" -discovery-url "$DISCOVERY" &
  app_pid=$!
  if xdotool search --sync --onlyvisible --name '^VoiceDesk$' >/dev/null 2>&1; then
    sleep 1
    mkdir -p test-output
    import -window root test-output/demo.png && echo "== screenshot of the window: test-output/demo.png"
  fi
  wait "$app_pid"
else
  "$APP" -discovery-url "$DISCOVERY" &
  app_pid=$!
  wait "$app_pid"
fi
