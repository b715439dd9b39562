#!/usr/bin/env bash
# windows-build.sh [wails build flags...]: the Windows (amd64) exe (and with
# -nsis its installer, build/windows/installer/project.nsi),
# cross-built here with mingw-w64, cgo on, linked statically against the C
# libraries scripts/windows-libs.sh builds from Debian's sources, so it
# needs no DLL beside it (only Windows' own and the WebView2 runtime).
# Prints the exe's path (and the installer's). Needs the frontend built (make app builds it and
# the Wails bindings; -skipbindings here, since generating them runs a
# build for this machine, which the Windows pkg-config path would break).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/windows-libs.sh >&2
M=${VOICEDESK_MINGW:-/var/cache/voicedesk/mingw}
VERSION=${VERSION:-$(sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json)}
COMMIT=${COMMIT:-$(git rev-parse --short HEAD 2>/dev/null || echo unknown)}
WAILS=${WAILS:-$(go env GOPATH)/bin/wails}
[ -f frontend/dist/index.html ] || { echo "windows-build: frontend/dist is missing (make app builds it)" >&2; exit 1; }
OUT=voicedesk.exe
GOFLAGS_WIN=""
if [ "${VOICEDESK_WINE:-}" = 1 ]; then
  # The exe for Wine 8 (make test-windows): Go >= 1.23 turns off a UDP
  # socket's NET_UNREACHABLE reports with the SIO_UDP_NETRESET ioctl and
  # fails the socket where that is refused (net/fd_windows.go); every
  # Windows since 7 has it, Wine 8 does not (WSAEOPNOTSUPP), so no UDP
  # socket, and no call's media, worked there. This build takes one line of
  # the standard library through go build's -overlay: that one refusal is
  # let pass. Everything else is the shipped exe's.
  OUT=voicedesk-wine.exe
  ov=$PWD/build/wine-overlay
  mkdir -p "$ov"
  src="$(go env GOROOT)/src/net/fd_windows.go"
  awk '
    /SIO_UDP_NETRESET/ { print; netreset = 1; next }
    netreset && /if err != nil \{/ { sub(/if err != nil \{/, "if err != nil \&\& err != syscall.Errno(10045) { // WSAEOPNOTSUPP: Wine 8 lacks SIO_UDP_NETRESET"); patched = 1; netreset = 0 }
    { print }
    END { if (!patched) exit 1 }' "$src" > "$ov/fd_windows.go" || { echo "windows-build: $src no longer has the SIO_UDP_NETRESET check this overlay patches; see scripts/windows-build.sh" >&2; exit 1; }
  printf '{"Replace":{"%s":"%s"}}\n' "$src" "$ov/fd_windows.go" > "$ov/overlay.json"
  GOFLAGS_WIN="-overlay=$ov/overlay.json"
fi
nsis=""
for a in "$@"; do [ "$a" = -nsis ] && nsis=1; done
# wails build -nsis only warns when NSIS is missing and goes on without an
# installer: here that is an error.
if [ -n "$nsis" ] && ! command -v makensis >/dev/null; then
  echo "windows-build: makensis is missing (make setup installs nsis)" >&2
  exit 1
fi
SETUP="build/bin/VoiceDesk-$VERSION-windows-amd64-setup.exe"
rm -f "$SETUP"
log=build/wails-windows.log
echo "== windows-build: $OUT $VERSION ($COMMIT), about a minute" >&2
if ! env GOFLAGS="$GOFLAGS_WIN" CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc CXX=x86_64-w64-mingw32-g++ \
  PKG_CONFIG_LIBDIR="$M/lib/pkgconfig" PKG_CONFIG_PATH= \
  "$WAILS" build -platform windows/amd64 -s -skipbindings -trimpath -tags nolibopusfile \
  -ldflags "-s -w -extldflags=-static -X main.version=$VERSION -X main.commit=$COMMIT" \
  -o "$OUT" "$@" >"$log" 2>&1; then
  grep -v -E "miniaudio|ma_|^ *\||^[0-9]+ \||warning:|note:|In function" "$log" | tail -30 >&2
  exit 1
fi
echo "$PWD/build/bin/$OUT"
if [ -n "$nsis" ]; then
  [ -f "$SETUP" ] || { echo "windows-build: wails build -nsis made no $SETUP:" >&2; grep -i -E "nsis|error" "$log" | tail -20 >&2; exit 1; }
  echo "$PWD/$SETUP"
fi
