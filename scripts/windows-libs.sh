#!/usr/bin/env bash
# windows-libs.sh: the C libraries the Windows build links (libopus and
# libspeexdsp), built as static Windows (amd64) libraries with mingw-w64
# from Debian 12's own source packages, into $VOICEDESK_MINGW (default
# /var/cache/voicedesk/mingw: lib/, include/, lib/pkgconfig/). Idempotent:
# a library already built for the source version named here is kept.
#
# Why Debian's sources: they are what the Linux build links (the same
# versions, Debian's patches), apt verifies them against the archive's
# signatures, and the machines we build on reach Debian's archive.
#
# webrtc-audio-processing (the Linux build's echo canceller) is not among
# them: the archive's pool serves neither its 0.3 (bookworm) nor its 1.3
# (trixie) sources (404, checked 2026-12-07), so the Windows build cancels
# echo with speexdsp's MDF canceller instead (backend/dsp/apm_speex.c).
set -euo pipefail
PREFIX=${VOICEDESK_MINGW:-/var/cache/voicedesk/mingw}
HOST=x86_64-w64-mingw32
LIBS=(opus speexdsp)

step() { printf '== windows-libs: %s\n' "$*"; }
command -v $HOST-gcc >/dev/null || { echo "windows-libs: mingw-w64 is missing (make setup installs gcc-mingw-w64-x86-64)" >&2; exit 1; }
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

# apt-get source needs a deb-src entry; Debian 12's default sources.list has none.
SRC=/etc/apt/sources.list.d/voicedesk-src.sources
if ! grep -rqs "deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
  step "adding a deb-src entry for bookworm ($SRC)"
  printf 'Types: deb-src\nURIs: http://deb.debian.org/debian\nSuites: bookworm\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' | $SUDO tee "$SRC" >/dev/null
  $SUDO apt-get update -q
fi

mkdir -p "$PREFIX/src"
for name in "${LIBS[@]}"; do
  version=$(apt-cache showsrc "$name" 2>/dev/null | awk '/^Version:/{print $2; exit}')
  [ -n "$version" ] || { echo "windows-libs: apt knows no source of $name (is the deb-src entry there? apt-get update?)" >&2; exit 1; }
  marker="$PREFIX/.$name-$version"
  if [ -f "$marker" ]; then
    step "$name $version: built"
    continue
  fi
  step "$name $version: fetching Debian's source"
  work=$(mktemp -d "$PREFIX/src/$name.XXXX")
  (cd "$work" && apt-get source -q "$name=$version" >/dev/null 2>&1 || apt-get source -q "$name=$version")
  dir=$(find "$work" -mindepth 1 -maxdepth 1 -type d | head -1)
  step "$name $version: building for $HOST (static)"
  extra=()
  case $name in
    opus) extra=(--disable-doc --disable-extra-programs) ;;
    speexdsp) extra=(--disable-examples) ;;
  esac
  (
    cd "$dir"
    [ -x configure ] || autoreconf -fi >/dev/null
    ./configure -q --host=$HOST --prefix="$PREFIX" --enable-static --disable-shared "${extra[@]}" >/dev/null
    make -s -j"$(nproc)" >/dev/null 2>&1 || make -j"$(nproc)"
    make -s install >/dev/null
  )
  # Debian's opus builds with _FORTIFY_SOURCE (its checked memcpy and
  # memset): those live in mingw's libssp, which a static link must name
  # after -lopus. cgo reads only "Libs", so it goes there.
  [ "$name" = opus ] && sed -i 's/^Libs: \(.*-lopus\)$/Libs: \1 -lssp/' "$PREFIX/lib/pkgconfig/opus.pc"
  rm -rf "$work"
  touch "$marker"
done
step "static libraries in $PREFIX/lib: $(cd "$PREFIX/lib" && ls *.a | tr '\n' ' ')"
