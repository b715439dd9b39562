#!/usr/bin/env bash
# Idle memory of the app: launches build/bin/voicedesk in Xvfb against the
# running lab (make lab), waits, and prints PSS from /proc/PID/smaps_rollup
# for the app and every process under it (WebKit's included), and the sum.
# Usage: scripts/memory.sh [seconds-to-wait]
set -euo pipefail
cd "$(dirname "$0")/.."
wait_s=${1:-6}
disc=$(bin/lab discovery-url)
exec 3< <(Xvfb -displayfd 1 -screen 0 1280x800x24 -nolisten tcp 2>/dev/null & echo "pid $!")
read -r _ xvfb <&3; read -r disp <&3
DISPLAY=":$disp" build/bin/voicedesk -discovery-url "$disc" -settings "$(mktemp -d)/s.json" 2>/dev/null &
app=$!
trap 'kill $app $xvfb 2>/dev/null || true' EXIT
sleep "$wait_s"
tree() { echo "$1"; for c in $(cat /proc/"$1"/task/*/children 2>/dev/null); do tree "$c"; done; }
total=0
for p in $(tree "$app"); do
  kb=$(awk '/^Pss:/{print $2}' /proc/"$p"/smaps_rollup 2>/dev/null || echo 0)
  printf '%-8s %-18s %8d kB\n' "$p" "$(cat /proc/"$p"/comm)" "$kb"
  total=$((total + kb))
done
awk -v t="$total" -v s="$wait_s" 'BEGIN{printf "total PSS after %ss at the login screen: %d kB (%.1f MB)\n", s, t, t/1024}'
