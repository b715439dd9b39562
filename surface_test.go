package main

import (
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"testing"
)

// referenceMethods are the reference's public methods (voice-for-browser,
// "Methods"), in Go's spelling.
var referenceMethods = []string{
	"AnswerCall", "Call", "CallOutboundCallback", "CallOutboundQueue", "ConfirmTransfer", "EndCall",
	"GetCallExtraData", "GetUserRole", "GetUserRoles", "GetUserStatus", "Login", "LoginUsingAuthHeader",
	"LoginUsingSSO", "LoginUsingUsernameAndPassword", "Logout", "MakeAPICall", "MuteCall", "PauseCall",
	"RejectCall", "ResumeCall", "SetAudioHandling", "SetAuthHeader", "SetAuthType", "SetClientId",
	"SetDiscoveryUrl", "SetPNPSMissionType", "SetPhoneAlerts", "SetPhoneLanguage", "SetUserData",
	"SetUserRole", "StartCallSupervision", "SendDTMF", "StartCallRecording", "StopCallRecording",
	"TransferCall", "UnmuteCall", "UpdateBeneUiUrl", "UpdateJWT",
}

// Beyond the reference's methods, the phone surface has State (what a
// (re)attaching element or integration reads first) and the element's
// attributes that change the phone (disable-pnps-query; auto-answer and
// auto-answer-delay, VoiceDesk's own), and the three-way call's merge and
// split (VoiceDesk's own, for integrations too).
var phoneSurfaceExtras = []string{"State", "DisablePNPSQuery", "SetAutoAnswer", "MergeCalls", "SplitCall"}

// notYet are reference methods the phone surface does not have yet
// (issue 19 closes them); listed so that adding one is a visible change.
var notYet = []string{}

// App is what the bridge serves to integrations (CRM pages, programs): it
// must be exactly the reference's methods and the extras above. A method
// added to App fails here until it is named in one of these lists, so what
// an integration may call is always a decision, never an accident; the
// window's own methods belong on Window, which no integration reaches.
func TestThePhoneSurfaceIsTheReferences(t *testing.T) {
	var want []string
	for _, m := range append(slices.Clone(referenceMethods), phoneSurfaceExtras...) {
		if !slices.Contains(notYet, m) {
			want = append(want, m)
		}
	}
	sort.Strings(want)
	got := methodNames(reflect.TypeOf(&App{}))
	if !slices.Equal(got, want) {
		for _, m := range got {
			if !slices.Contains(want, m) {
				t.Errorf("App.%s is served to integrations but is not the reference's: move it to Window or name it here", m)
			}
		}
		for _, m := range want {
			if !slices.Contains(got, m) {
				t.Errorf("the reference's %s is not on App", m)
			}
		}
	}
	// And no name is on both surfaces (the bridge refuses that at start).
	for _, m := range methodNames(reflect.TypeOf(&Window{})) {
		if slices.Contains(got, m) {
			t.Errorf("%s is on both App and Window", m)
		}
	}
}

func methodNames(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumMethod(); i++ {
		names = append(names, t.Method(i).Name)
	}
	sort.Strings(names)
	return names
}

// The frontend reaches the backend only through frontend/src/api.ts: every
// method it names must be bound (on App or Window), so a rename on either
// side fails here, not as "method not found" in a view at run time.
func TestTheFrontendCallsOnlyBoundMethods(t *testing.T) {
	src, err := os.ReadFile("frontend/src/api.ts")
	if err != nil {
		t.Fatal(err)
	}
	bound := append(methodNames(reflect.TypeOf(&App{})), methodNames(reflect.TypeOf(&Window{}))...)
	calls := regexp.MustCompile(`this\.call<[^(]*>\('([A-Za-z]+)'`).FindAllStringSubmatch(string(src), -1)
	if len(calls) < 40 {
		t.Fatalf("found %d backend calls in api.ts; the pattern no longer matches its code", len(calls))
	}
	for _, m := range calls {
		if !slices.Contains(bound, m[1]) {
			t.Errorf("api.ts calls %s, which neither App nor Window has", m[1])
		}
	}
}
