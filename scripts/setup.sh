#!/usr/bin/env bash
# Installs what VoiceDesk needs to build, run the lab and run the tests on
# Debian 12, idempotently: only what is missing is installed.
#   apt:  Wails' GTK/WebKit headers, libopus and libspeexdsp (cgo), PulseAudio (sound
#         through miniaudio; headless null sinks in tests), GNOME Keyring and D-Bus (the OS
#         keyring tests), the lab (Kamailio, rtpengine, baresip),
#         the window smoke test (Xvfb, xdotool, ImageMagick, Tesseract), phone links (xdg-utils), the UI tests
#         (Debian Chromium, driven by playwright-core; never a downloaded browser), the INVITE flood
#         (sip-tester: SIPp), the Debian package and its test in a clean root (dpkg-dev, debootstrap), the
#         Windows build and its tests under Wine (mingw-w64, wine64, NSIS for the installer)
#   go:   the Wails CLI, pinned
#   npm:  the frontend's packages, from its lockfile
set -euo pipefail
cd "$(dirname "$0")/.."

WAILS_VERSION=v2.11.0
# WebKitGTK 4.0 where the system has it (Debian 12), else 4.1 (newer Ubuntu, Fedora-like systems dropped 4.0;
# the Makefile then builds with the webkit2_41 tag).
WEBKIT_DEV=libwebkit2gtk-4.0-dev
dpkg-query -W -f='${Status}' "$WEBKIT_DEV" 2>/dev/null | grep -q "install ok installed" ||
  apt-cache show "$WEBKIT_DEV" >/dev/null 2>&1 || WEBKIT_DEV=libwebkit2gtk-4.1-dev
APT_PACKAGES=(
  build-essential pkg-config libgtk-3-dev "$WEBKIT_DEV"
  libopus-dev libopusfile-dev libspeexdsp-dev libwebrtc-audio-processing-dev libpulse0 espeak-ng
  pulseaudio pulseaudio-utils gnome-keyring dbus
  kamailio kamailio-websocket-modules kamailio-tls-modules rtpengine-daemon baresip
  xvfb xdotool x11-utils imagemagick tesseract-ocr tesseract-ocr-eng xdg-utils
  chromium fonts-dejavu-core
  sip-tester
  dpkg-dev debootstrap
  gcc-mingw-w64-x86-64 g++-mingw-w64-x86-64 wine64 nsis
)

step() { printf '\n== setup: %s\n' "$*"; }

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  step "apt packages: ${missing[*]} (about a minute)"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  step "apt packages: all present"
fi

command -v go >/dev/null || { echo "setup: Go is required (https://go.dev/dl/)"; exit 1; }
command -v npm >/dev/null || { echo "setup: Node.js 20.19+ with npm is required"; exit 1; }

WAILS="$(go env GOPATH)/bin/wails"
if [ -x "$WAILS" ] && "$WAILS" version 2>/dev/null | grep -q "$WAILS_VERSION"; then
  step "wails $WAILS_VERSION: present"
else
  step "wails $WAILS_VERSION: installing (about a minute)"
  go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
fi

step "go modules"
go mod download

if [ ! -d frontend/node_modules ] || [ frontend/package-lock.json -nt frontend/node_modules/.package-lock.json ]; then
  step "npm packages"
  (cd frontend && npm ci --no-audit --no-fund --loglevel=error)
else
  step "npm packages: present"
fi

# The Windows build's C libraries (libopus, libspeexdsp) as static mingw-w64 libraries from Debian's own source
# packages: a deb-src entry is added if there is none; about 20 s the first time, then kept.
step "Windows libraries (static, from Debian's sources)"
scripts/windows-libs.sh
