# VoiceDesk. The two commands: `make demo` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
GO    ?= go
WAILS := $(shell $(GO) env GOPATH)/bin/wails
APP   := build/bin/voicedesk
LAB   := bin/lab
# golangci-lint, built once into bin/ at the version .golangci.yml is written for.
GOLANGCI_VERSION := v2.15.0
GOLANGCI := bin/golangci-lint-$(GOLANGCI_VERSION)
export LAB_DIR ?= $(CURDIR)/.lab
# WebKitGTK 4.1 where 4.0 is gone (newer Ubuntu and Fedora): Wails and backend/webview take the webkit2_41 tag (wails
# build is given it: its own -tags would override GOFLAGS'), and GOFLAGS carries it to go vet and go test. Switching
# a machine between the two needs `go clean -cache` first: Go's build cache keys a package by its files, and Wails'
# `#cgo webkit2_41 pkg-config:` lines select the library inside the same files (seen: a build without the tag linked
# the 4.1 library left in the cache by one with it).
WEBKIT_TAGS := $(shell pkg-config --exists webkit2gtk-4.0 || { pkg-config --exists webkit2gtk-4.1 && echo webkit2_41; })
ifneq ($(WEBKIT_TAGS),)
export GOFLAGS += -tags=$(WEBKIT_TAGS)
endif
# The release, from wails.json (the one place it is written).
VERSION := $(shell sed -n 's/.*"productVersion": *"\([^"]*\)".*/\1/p' wails.json)
# The source's revision (Wails builds with -buildvcs=false, so it is stamped here), "+changes" for a changed tree.
COMMIT = $(shell git rev-parse --short=12 HEAD 2>/dev/null)$(shell git diff --quiet HEAD 2>/dev/null || echo +changes)
# Every test's raw output, the apps' and the labs' logs and the secrets handed out are kept under
# test-output/kept (test/keep) for the secret scan that ends make test (test-secrets).
export VOICEDESK_TEST_OUTPUT := $(CURDIR)/test-output
KEPT := $(VOICEDESK_TEST_OUTPUT)/kept
RAW = tee -a $(KEPT)/go-test-$@.log
VOICEDESK_WINEPREFIX ?= /var/cache/voicedesk/wineprefix
export VOICEDESK_WINEPREFIX
$(shell mkdir -p $(KEPT))

.PHONY: install uninstall demo test e2e bench fuzz fuzz-seeds soak package windows test-package test-windows chaos test-secrets setup app frontend labbin lab lab-down lab-health vet lint test-go test-frontend test-lab test-hostile test-netem test-calls test-sound test-window test-links test-desktop test-ui clean

## demo: install what is missing, build, start the lab, launch the app against it
demo: setup app labbin
	@echo "== starting the lab"
	@$(LAB) up >/dev/null
	@scripts/demo.sh

## test: every test: Go (race on backend/), frontend unit tests, lab and window smoke tests
test: setup app labbin
	@start=$$(date +%s); rm -rf $(KEPT) && mkdir -p $(KEPT); \
	$(MAKE) --no-print-directory vet lint test-go test-frontend test-lab test-hostile test-netem test-calls test-sound test-window test-links test-desktop test-ui test-package test-windows test-secrets && \
	echo "== make test: all passed in $$(( $$(date +%s) - start )) s"

setup:
	@scripts/setup.sh

frontend:
	@echo "== building the frontend"
	@cd frontend && npm run build --silent

app:
	@echo "== building the app (wails build, about 35 s)"
	@$(WAILS) build -trimpath $(if $(WEBKIT_TAGS),-tags $(WEBKIT_TAGS)) -ldflags "-s -w -X main.version=$(VERSION) -X main.commit=$(COMMIT)" >build/wails-build.log 2>&1 || { tail -40 build/wails-build.log; exit 1; }
	@ls -l $(APP) | awk '{printf "== built %s (%.1f MB)\n", $$9, $$5/1048576}'

labbin:
	@mkdir -p bin
	@$(GO) build -o $(LAB) ./lab/cmd/lab

## install: the built app into $(PREFIX) (default /usr/local) with its desktop file and icon; it is made the
## handler of tel:, callto:, sip: and sips: links (xdg-mime) when the desktop's tools are there. DESTDIR stages it.
PREFIX ?= /usr/local
install: app
	@install -Dm755 $(APP) $(DESTDIR)$(PREFIX)/bin/voicedesk
	@install -Dm644 build/linux/voicedesk.desktop $(DESTDIR)$(PREFIX)/share/applications/voicedesk.desktop
	@install -Dm644 build/appicon.png $(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/voicedesk.png
	@if [ -z "$(DESTDIR)" ]; then \
	  command -v update-desktop-database >/dev/null && update-desktop-database -q $(PREFIX)/share/applications || true; \
	  command -v xdg-mime >/dev/null && xdg-mime default voicedesk.desktop x-scheme-handler/tel x-scheme-handler/callto x-scheme-handler/sip x-scheme-handler/sips || true; \
	fi
	@echo "== installed $(DESTDIR)$(PREFIX)/bin/voicedesk, its desktop file (tel:, callto:, sip:, sips: links) and icon"

uninstall:
	@rm -f $(DESTDIR)$(PREFIX)/bin/voicedesk $(DESTDIR)$(PREFIX)/share/applications/voicedesk.desktop $(DESTDIR)$(PREFIX)/share/icons/hicolor/512x512/apps/voicedesk.png

## lab / lab-down: start or stop the lab (state in $(LAB_DIR)/state.json, logs in $(LAB_DIR)/logs)
lab: labbin
	@$(LAB) up

lab-down: labbin
	@$(LAB) down

lab-health: labbin
	@$(LAB) health

vet:
	@echo "== go vet"
	@$(GO) vet ./...

## lint: golangci-lint with .golangci.yml (the import rules of docs/architecture.md, errcheck, revive, staticcheck)
lint: $(GOLANGCI)
	@echo "== golangci-lint $(GOLANGCI_VERSION)"
	@$(GOLANGCI) run ./...

$(GOLANGCI):
	@echo "== building golangci-lint $(GOLANGCI_VERSION) into bin/ (once, about a minute)"
	@mkdir -p bin && GOBIN=$(CURDIR)/bin/.golangci $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@mv bin/.golangci/golangci-lint $@ && rmdir bin/.golangci

# The sound card's tests play and record in real time: they run on their own,
# after the rest and without the race detector, whose slowdown of the audio
# callbacks shows as xruns (distorted tones) on a 2-core machine; the call
# scenarios (test-calls) still run the engine under -race.
test-go:
	@echo "== go test (race) backend/ and lab/ (in a D-Bus session with GNOME Keyring, for the OS keyring tests)"
	@scripts/keyring-session.sh $(GO) test -race -count=1 $$($(GO) list . ./backend/... ./lab/... | grep -v /backend/soundcard$$) 2>&1 | $(RAW) | grep -v 'Failed to set fd limit'
	@$(GO) test -count=1 ./backend/soundcard/ 2>&1 | $(RAW) | grep -v '^warning: '

test-frontend:
	@echo "== frontend unit tests"
	@cd frontend && npx vitest run

test-lab:
	@echo "== lab smoke test (Kamailio, rtpengine, baresip, lab API)"
	@$(GO) test -count=1 -v ./test/lab/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)' 

## test-hostile: the phone (real SIP and media, a fake platform) behind a test proxy that sends it RFC 4475's torture
## messages, huge and malformed ones, requests of no dialog and offers it cannot take
test-hostile:
	@echo "== hostile SIP: torture messages, huge and malformed messages, requests of no dialog, unusable offers"
	@$(GO) test -race -count=1 -v ./test/hostile/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- FAIL|PASS|FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

## test-netem: a call across a bad link (5 % loss both ways here; every condition in make chaos): what each end
## hears in 100 ms windows, the phone's line-quality verdict, the call surviving
test-netem:
	@echo "== a call over a bad network (a loss, jitter and outage relay on loopback: this kernel has no netem)"
	@$(GO) test -count=1 -v ./test/netem/ 2>&1 | $(RAW) | grep -E '^(e2e:|=== RUN|--- |PASS|FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

test-calls:
	@echo "== call scenarios against the lab (engine <-> Kamailio/rtpengine <-> baresip)"
	@$(GO) test -race -count=1 -v ./test/calls/ 2>&1 | $(RAW) | grep -E '^(e2e:|=== RUN|--- |PASS|FAIL|ok|lab up|panic|\s+\S+\.go:[0-9]+:)'

test-sound:
	@echo "== sound card scenarios (headless PulseAudio + the lab): devices, ringer, ringback, unplugging, echo"
	@$(GO) test -count=1 -v ./test/sound/ 2>&1 | $(RAW) | grep -E '^(e2e:|=== RUN|--- |PASS|FAIL|ok|lab up|panic|\s+\S+\.go:[0-9]+:)'

## e2e: just the lab call scenarios (outbound PCMU/PCMA, inbound answered/rejected/cancelled, Kamailio restart), one line per scenario with the frequencies measured each way
e2e: setup labbin
	@$(GO) test -count=1 -v ./test/calls/ ./test/sound/ 2>&1 | $(RAW) | grep -E '^(e2e:|--- FAIL|FAIL|ok)'

## bench: call set-up, CPU and memory on one lab for VoiceDesk and the browser phone's stack (JsSIP in Chromium), side by side; the echo cancellers compared on simulated rooms; answer-to-voice, mouth-to-ear latency, speech fidelity and the sound path's CPU with real (virtual) devices (not part of make test)
bench: setup app labbin
	@echo "== the baseline: JsSIP bundled for Chromium (bench/jssip)"
	@cd bench/jssip && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npx esbuild page.js --bundle --format=iife --outfile=dist/page.js --log-level=warning
	@echo "== call bench: VoiceDesk, then JsSIP in Chromium, on one lab, each 3 times (about 20 minutes; in a D-Bus session with GNOME Keyring, for the app's sign-in from the keyring)"
	@scripts/keyring-session.sh $(GO) run ./bench/callbench -lab $(LAB)
	@echo "== echo canceller bench: speexdsp against WebRTC's, on simulated rooms (about 30 s)"
	@$(GO) run ./bench/aecbench
	@echo "== sound bench: headless PulseAudio + the lab (about 15 minutes)"
	@$(GO) run ./bench/soundbench -lab $(LAB) 2>&1 | grep -v '^warning: '

## soak: 1,000 sequential calls and 200 sign-in/sign-out cycles through the lab: goroutines, open files, heap, RSS
## and rtpengine's sessions at the start, middle and end (about 5 minutes; make test runs 50 and 20)
soak: setup labbin
	@echo "== soak: 1,000 calls and 200 sign-ins through the lab (about 5 minutes)"
	@mkdir -p test-output
	@VOICEDESK_SOAK_CALLS=1000 VOICEDESK_SOAK_SIGNINS=200 $(GO) test -count=1 -v -timeout 30m -run 'TestSequentialCalls|TestSignInCycles' ./test/calls/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)' | tee test-output/soak.txt
	@echo "== soak: the table (test-output/soak.txt)" && scripts/summary.sh < test-output/soak.txt

## chaos: every bad-network condition (loss 5 and 15 %, bursts, jitter, 2 s and 30 s outages), the SIP floods for
## 30 s, the parts killed under a call (rtpengine, Kamailio, the sound server), hostile SIP (about 8 minutes;
## make test runs one condition, 5 s floods, each fault once)
chaos: setup labbin
	@echo "== chaos: bad networks, 30 s floods, faults under a call, hostile SIP (about 8 minutes)"
	@mkdir -p test-output && : > test-output/chaos.txt
	@VOICEDESK_NETEM=all $(GO) test -count=1 -v ./test/netem/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)' | tee -a test-output/chaos.txt
	@VOICEDESK_FLOOD_SECONDS=30 $(GO) test -count=1 -v -timeout 20m -run 'TestSIPFloods|TestRTPEngineKilledMidCall|TestKamailioKilledMidCall' ./test/calls/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)' | tee -a test-output/chaos.txt
	@$(GO) test -count=1 -v -run 'TestSoundServerKilledMidCall|TestHeadsetUnpluggedMidCall' ./test/sound/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)' | tee -a test-output/chaos.txt
	@$(GO) test -count=1 -v ./test/hostile/ ./backend/bridge/ 2>&1 | grep -E '^(--- FAIL|--- PASS: Test[A-Z][A-Za-z]*\b|FAIL|ok|panic|\s+\S+\.go:[0-9]+:)' | grep -v '^    ---' | tee -a test-output/chaos.txt
	@echo "== chaos: the table (test-output/chaos.txt)" && scripts/summary.sh < test-output/chaos.txt

## fuzz: the parsers fed by the network or the user, FUZZTIME each (10 minutes; their seed corpora, and the crashers
## kept in testdata/fuzz, also run in make test): SIP from the proxy, SDP offers and answers, the bridge's JSON-RPC,
## links, caller identities, the settings and policy files, rtpengine's ng protocol
FUZZTIME ?= 10m
fuzz:
	@$(GO) test -run XXX -fuzz FuzzAPIAnswer -fuzztime $(FUZZTIME) ./backend/platform/
	@$(GO) test -run XXX -fuzz FuzzRemoteAnswer -fuzztime $(FUZZTIME) ./backend/media/
	@$(GO) test -run XXX -fuzz FuzzScreen -fuzztime $(FUZZTIME) ./backend/sip/
	@$(GO) test -run XXX -fuzz FuzzDestination -fuzztime $(FUZZTIME) ./backend/sip/
	@$(GO) test -run XXX -fuzz FuzzCallerIdentity -fuzztime $(FUZZTIME) ./backend/sip/
	@$(GO) test -run XXX -fuzz FuzzCheckOffer -fuzztime $(FUZZTIME) ./backend/media/
	@$(GO) test -run XXX -fuzz FuzzWithDefaultCandidate -fuzztime $(FUZZTIME) ./backend/media/
	@$(GO) test -run XXX -fuzz FuzzRPC -fuzztime $(FUZZTIME) ./backend/bridge/
	@$(GO) test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./backend/links/
	@$(GO) test -run XXX -fuzz FuzzSettingsFile -fuzztime $(FUZZTIME) ./backend/settings/
	@$(GO) test -run XXX -fuzz FuzzPolicyFile -fuzztime $(FUZZTIME) ./backend/settings/
	@$(GO) test -run XXX -fuzz FuzzDecode -fuzztime $(FUZZTIME) ./lab/ngproto/
	@$(GO) test -run XXX -fuzz FuzzParse -fuzztime $(FUZZTIME) ./backend/hid/

## fuzz-seeds: the lab's real traffic (SIP read from Kamailio, SDP offers and answers, the platform's answers through a
## sign-in, a held call and incoming calls) added to the fuzz targets' seed corpora under testdata/fuzz (committed)
fuzz-seeds: labbin
	@VOICEDESK_CAPTURE_SEEDS=$(CURDIR) $(GO) test -count=1 -v -run TestCaptureFuzzSeeds ./test/calls/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

test-window:
	@echo "== window smoke test (the app under Xvfb against the lab)"
	@VOICEDESK_APP=$(CURDIR)/$(APP) VOICEDESK_TEST_OUTPUT=$(CURDIR)/test-output $(GO) test -count=1 -v ./test/window/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)'

## test-links: a second launch with a tel: link dials in the running app; the command line (call, status, answer, hangup) against the lab
test-links:
	@echo "== click-to-dial links, single instance and the command line, against the lab"
	@VOICEDESK_APP=$(CURDIR)/$(APP) $(GO) test -count=1 -v ./test/links/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)'

## test-desktop: the tray icon (availability, quick status change, hide on close, start minimized) and the kiosk
## (full screen, locked, signs in by itself, recovers from a Kamailio restart and a crash), the app in Xvfb against
## the lab, in a D-Bus session with a tray host and GNOME Keyring
test-desktop:
	@echo "== tray icon and kiosk mode (the app in Xvfb, a tray host on D-Bus, the keyring, the lab)"
	@VOICEDESK_APP=$(CURDIR)/$(APP) VOICEDESK_TEST_OUTPUT=$(CURDIR)/test-output scripts/keyring-session.sh $(GO) test -p 1 -count=1 -v ./test/tray/ ./test/kiosk/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)'

## test-ui: the UI in Debian Chromium (playwright-core), the app headless behind its bridge, against the lab; screenshots in test-output/ui-*.png
test-ui:
	@echo "== UI in Debian Chromium (playwright-core) against the app's bridge and the lab"
	@VOICEDESK_APP=$(CURDIR)/$(APP) VOICEDESK_TEST_OUTPUT=$(CURDIR)/test-output $(GO) test -count=1 -v ./test/ui/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)'

## package: the Debian package build/package/voicedesk_<version>_amd64.deb, then its test: apt installs it into a
## clean Debian 12 (a debootstrap root kept in /var/cache/voicedesk, overlaid afresh each run) and the packaged app
## signs in to the lab there, headless (about a minute; needs root)
DEB = build/package/voicedesk_$(VERSION)_amd64.deb
WINSETUP = VoiceDesk-$(VERSION)-windows-amd64-setup.exe
package: setup app labbin
	@echo "== the Debian package"
	@scripts/package-deb.sh $(APP) $(VERSION) build/package | xargs ls -l | awk '{printf "== built %s (%.1f MB)\n", $$9, $$5/1048576}'
	@echo "== installed into a clean Debian 12 with apt, then run there"
	@VOICEDESK_DEB=$(CURDIR)/$(DEB) $(GO) test -count=1 -v -timeout 20m -run TestDebInstallsOnACleanDebian ./test/package/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'
	@echo "== the Windows installer (NSIS)"
	@scripts/windows-build.sh -nsis | tail -1 | xargs -I{} cp {} build/package/
	@ls -l build/package/$(WINSETUP) | awk '{printf "== built %s (%.1f MB)\n", $$9, $$5/1048576}'
	@echo "== installed and uninstalled under Wine, per user and per machine, silently"
	@scripts/wine-test.sh
	@WINEPREFIX=$(VOICEDESK_WINEPREFIX) VOICEDESK_WINDOWS_SETUP=$(CURDIR)/build/package/$(WINSETUP) $(GO) test -count=1 -v -run TestInstallerUnderWine ./test/windows/ 2>&1 | grep -E '^(e2e:|--- |\s+--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

## test-package: make test's short version of make package: the Debian package built and its contents and Depends checked
test-package:
	@echo "== the Debian package: built, its files and dependencies"
	@scripts/package-deb.sh $(APP) $(VERSION) build/package >/dev/null
	@VOICEDESK_DEB=$(CURDIR)/$(DEB) $(GO) test -count=1 -v -run TestDebContents ./test/package/ 2>&1 | $(RAW) | grep -E '^(=== RUN|--- |PASS|FAIL|ok|\s+\S+\.go:[0-9]+:)'

## windows: the Windows exe (amd64), cross-built with mingw-w64 against static libopus and libspeexdsp built from
## Debian's sources (scripts/windows-libs.sh, once), into build/bin/voicedesk.exe
windows: app
	@scripts/windows-build.sh | xargs ls -l | awk '{printf "== built %s (%.1f MB)\n", $$9, $$5/1048576}'

## test-windows: the Windows build under Debian's Wine: the exe built (with the one-line Wine 8 overlay, see
## scripts/windows-build.sh), checked to need no DLL beside it, started headless: it signs in to the lab, places and
## answers a call, with the sound checked at both ends through Wine's PulseAudio driver; the ported packages' own
## tests cross-built and run under Wine; the Windows echo canceller's face (speexdsp) tested here
# (settings: only its Windows test; its others use t.TempDir, whose cleanup Go 1.26 does with a delete Wine 8 lacks)
WINDOWS_PORTED := backend/instance backend/bridge backend/events backend/links backend/ratelog backend/secrets backend/autostart \
	backend/linkhandler backend/notify backend/tray backend/supervise backend/headset backend/settings:TestMachinePolicyKey
test-windows:
	@echo "== the Windows ports' tests under Wine"
	@scripts/wine-test.sh $(WINDOWS_PORTED) 2>&1 | $(RAW)
	@$(GO) test -count=1 -tags speexaec -run 'Speex|TestResampler|TestAPMInputs' ./backend/dsp 2>&1 | $(RAW)
	@echo "== the Windows exe under Wine: built, then a sign-in and two calls with sound"
	@exe=$$(VOICEDESK_WINE=1 scripts/windows-build.sh 2>/dev/null) || { tail -30 build/wails-windows.log; exit 1; }; \
	WINEPREFIX=$(VOICEDESK_WINEPREFIX) VOICEDESK_WINDOWS_EXE=$$exe $(GO) test -count=1 -v -timeout 5m -run 'TestWindowsExeUnderWine|TestExeNeedsNoDLLsBesideIt' ./test/windows/ 2>&1 | $(RAW) | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

## test-secrets: make test's last step: every log the run left (each target's go test output, the apps' and the labs'
## logs, under test-output/) grepped for every secret the run handed out (the labs' ledgers, the tests' tokens)
test-secrets:
	@echo "== secrets in no log: this run's logs against every secret it handed out"
	@$(GO) test -count=1 -v -run TestNoSecretInTheLogs ./test/secrets/ 2>&1 | grep -E '^(e2e:|--- |FAIL|ok|panic|\s+\S+\.go:[0-9]+:)'

clean:
	rm -rf bin build/bin frontend/dist test-output
