#!/usr/bin/env bash
# package-deb.sh APP VERSION OUTDIR: the built app as a Debian package,
# OUTDIR/voicedesk_VERSION_amd64.deb, with dpkg-deb (no packaging tool to
# install: dpkg-dev's dpkg-shlibdeps finds the libraries' packages).
#
# The package: /usr/bin/voicedesk; its desktop entry, which makes it a
# handler of tel:, callto:, sip: and sips: links (desktop-file-utils'
# dpkg trigger updates the MIME cache on install); its icon; the kiosk's
# systemd user unit as an example. Depends: what the binary links
# (WebKitGTK, GTK, libopus, speexdsp, webrtc-audio-processing), found by
# dpkg-shlibdeps, and libpulse0, which miniaudio opens at run time
# (dlopen: invisible to dpkg-shlibdeps).
set -euo pipefail
app=$1 version=$2 out=$3
[ -x "$app" ] || { echo "package-deb: no built app at $app" >&2; exit 1; }
[[ "$version" =~ ^[0-9][0-9A-Za-z.+~-]*$ ]] || { echo "package-deb: version '$version' is not a Debian version" >&2; exit 1; }
command -v dpkg-shlibdeps >/dev/null || { echo "package-deb: dpkg-shlibdeps is missing (apt install dpkg-dev)" >&2; exit 1; }
top=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
install -Dm755 "$app" "$root/usr/bin/voicedesk"
install -Dm644 "$top/build/linux/voicedesk.desktop" "$root/usr/share/applications/voicedesk.desktop"
install -Dm644 "$top/build/appicon.png" "$root/usr/share/icons/hicolor/512x512/apps/voicedesk.png"
# The headset's call buttons: hidraw access for the seat's user (udev's uaccess).
install -Dm644 "$top/build/linux/70-voicedesk-headsets.rules" "$root/lib/udev/rules.d/70-voicedesk-headsets.rules"
install -d "$root/usr/share/doc/voicedesk/examples"
cat > "$root/usr/share/doc/voicedesk/examples/voicedesk-kiosk.service" <<'UNIT'
# A kiosk station's user unit: copy it to ~/.config/systemd/user/ and run
# systemctl --user enable --now voicedesk-kiosk (README: "Kiosk mode").
[Unit]
Description=VoiceDesk kiosk
After=graphical-session.target
PartOf=graphical-session.target

[Service]
ExecStart=/usr/bin/voicedesk --kiosk
Restart=on-failure

[Install]
WantedBy=graphical-session.target
UNIT
cat > "$root/usr/share/doc/voicedesk/copyright" <<'COPY'
VoiceDesk, a desktop softphone for contact-center agents.
Copyright: the VoiceDesk team.
COPY

# dpkg-shlibdeps wants a debian/control of a source package beside it.
mkdir -p "$stage/debian"
printf 'Source: voicedesk\n\nPackage: voicedesk\nArchitecture: amd64\n' > "$stage/debian/control"
shlibs=$(cd "$stage" && dpkg-shlibdeps -O --ignore-missing-info "root/usr/bin/voicedesk" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { echo "package-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk "$root" | cut -f1)
mkdir -p "$root/DEBIAN"
cat > "$root/DEBIAN/control" <<CONTROL
Package: voicedesk
Version: $version
Architecture: amd64
Maintainer: VoiceDesk team <voicedesk@voicedesk.lab>
Installed-Size: $size
Depends: $shlibs, libpulse0
Recommends: gnome-keyring, xdg-utils, pulseaudio | pipewire-pulse
Section: comm
Priority: optional
Description: desktop softphone for contact-center agents
 VoiceDesk is a native softphone: SIP over WebSocket, WebRTC media with
 echo cancellation and noise suppression, the platform's sign-in (password
 or SSO), call control, a tray icon, tel: and sip: links, an integration
 API for CRMs, and a kiosk mode for contact-center stations.
CONTROL
mkdir -p "$out"
deb="$out/voicedesk_${version}_amd64.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
