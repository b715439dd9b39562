#!/usr/bin/env bash
# wine-test.sh [PKG...]: makes the Wine prefix (once), then runs the Go tests of backend packages, cross-built for
# Windows (amd64, cgo off) and run under Debian's Wine, each in its own
# folder (for its testdata). The Wine prefix is made once, in
# $VOICEDESK_WINEPREFIX (default /var/cache/voicedesk/wineprefix), with the
# bcryptprimitives.dll shim Go's Windows binaries need and Wine 8 lacks
# (ProcessPrng: see ../shared/reference/lab-notes.md; built here with
# mingw-w64 from six lines, kept in the prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
WINE=/usr/lib/wine/wine64
[ -x "$WINE" ] || { echo "wine-test: Wine is missing (make setup installs wine64)" >&2; exit 1; }
command -v x86_64-w64-mingw32-gcc >/dev/null || { echo "wine-test: mingw-w64 is missing (make setup installs gcc-mingw-w64-x86-64)" >&2; exit 1; }
export WINEPREFIX=${VOICEDESK_WINEPREFIX:-/var/cache/voicedesk/wineprefix} WINEDEBUG=-all
if [ ! -f "$WINEPREFIX/.voicedesk-ready" ]; then
  echo "== wine: a prefix in $WINEPREFIX (once, a few seconds)"
  mkdir -p "$WINEPREFIX"
  "$WINE" wineboot -i >/dev/null 2>&1
  shim=$(mktemp -d)
  cat > "$shim/prng.c" <<'C'
#include <windows.h>
#define SystemFunction036 NTAPI SystemFunction036
#include <ntsecapi.h>
#undef SystemFunction036
/* Go >= 1.22 draws its randomness from ProcessPrng, which Wine 8's
   bcryptprimitives.dll lacks: RtlGenRandom gives the same. */
BOOL WINAPI ProcessPrng(PBYTE d, SIZE_T n) { return RtlGenRandom(d, (ULONG)n); }
C
  printf 'LIBRARY bcryptprimitives\nEXPORTS\nProcessPrng\n' > "$shim/prng.def"
  x86_64-w64-mingw32-gcc -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" "$shim/prng.c" "$shim/prng.def" -ladvapi32
  rm -rf "$shim"
  touch "$WINEPREFIX/.voicedesk-ready"
fi
# Windows 10, as the agents' desks (Wine 8's new prefix says Windows 7, which
# the installer refuses, as WebView2 and the toasts need 10).
if [ ! -f "$WINEPREFIX/.voicedesk-win10" ]; then
  "$WINE" winecfg /v win10 >/dev/null 2>&1
  touch "$WINEPREFIX/.voicedesk-win10"
fi
[ $# -gt 0 ] || exit 0 # only the prefix was asked for
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
failed=0
for spec in "$@"; do
  # PKG, or PKG:REGEX for the tests of a package that pass under Wine where
  # others fail for Wine's sake (named in the Makefile).
  p=${spec%%:*}
  run=()
  [ "$spec" != "$p" ] && run=(-test.run "${spec#*:}")
  exe="$bin/$(basename "$p").test.exe"
  GOOS=windows GOARCH=amd64 CGO_ENABLED=0 go test -c -o "$exe" "./$p"
  start=$(date +%s%N)
  if out=$(cd "$p" && timeout 300 "$WINE" "$exe" "${run[@]}" 2>&1); then
    printf 'ok    %-28s under Wine (%d ms)\n' "$spec" $(( ($(date +%s%N) - start) / 1000000 ))
  else
    printf 'FAIL  %s under Wine\n' "$p"
    echo "$out" | grep -E -- '^\s*--- FAIL|_test\.go:[0-9]+:' | head -20
    failed=1
  fi
done
exit $failed
