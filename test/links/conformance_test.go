package links

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"voicedesk/backend/bridge"
	"voicedesk/backend/phone"
	"voicedesk/test/desktop"
	"voicedesk/test/labtest"
	"voicedesk/test/pulse"
)

// reference is frontend/e2e/reference.json: the reference's methods and
// events, and for each method but logout a probe (arguments that read, or
// are refused, signed in with no call) and what it must answer.
type reference struct {
	Methods []string          `json:"methods"`
	Events  []string          `json:"events"`
	Probe   map[string][]any  `json:"probe"`
	Expect  map[string]string `json:"expect"`
	// BridgeExpect overrides Expect over the integration API, where a
	// method the reference types void still answers its failure.
	BridgeExpect map[string]string `json:"bridgeExpect"`
}

func loadReference(t *testing.T) reference {
	t.Helper()
	b, err := os.ReadFile("../../frontend/e2e/reference.json")
	if err != nil {
		t.Fatal(err)
	}
	var r reference
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("reference.json: %v", err)
	}
	return r
}

// typeOf names a JSON result as the element's conformance test does
// (undefined is JSON-RPC's null result).
func typeOf(raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "invalid JSON"
	}
	switch v.(type) {
	case nil:
		return "undefined"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		return "number"
	}
	return "unknown"
}

// The integration API is the reference's surface: a CRM's JSON-RPC client
// reaches every method of the reference by its name and argument order,
// gets the result type the reference's promise resolves to, or its
// rejection with the reference's message and a stable code; and hears the
// reference's events by their names, with the reference's payloads.
func TestConformanceOverTheBridge(t *testing.T) {
	app := os.Getenv("VOICEDESK_APP")
	if app == "" {
		t.Fatal("VOICEDESK_APP must name the built app (make test sets it)")
	}
	ref := loadReference(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	pulse.Start(t)
	lab := labtest.Start(ctx, t)
	home := t.TempDir()
	control := filepath.Join(home, "control.sock")
	a := desktop.StartApp(t, app, filepath.Join(home, "app.log"), control, []string{"HOME=" + home},
		"--headless", "--bridge", "127.0.0.1:0", "--bridge-origins", crmOrigin, "--discovery-url", lab.DiscoveryURL,
		"--settings", filepath.Join(home, "settings.json"))
	crm, err := desktop.DialBridgeFrom(ctx, a.Bridge(t, 20*time.Second), crmOrigin)
	if err != nil {
		t.Fatal(err)
	}
	defer crm.Close()
	if err := crm.WaitEvent(phone.EventInit, 5*time.Second); err != nil {
		t.Fatalf("init is the first thing a client hears: %v", err)
	}

	// Every method is reachable before login too, and those that need a
	// login say so (the reference's "User is not logged in").
	if _, err := crm.Call("getUserStatus"); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Errorf("getUserStatus before login: %v, want the reference's not-logged-in rejection", err)
	}
	if _, err := crm.Call("login", map[string]any{"type": "Credentials", "username": lab.Demo[0].Username, "password": lab.Demo[0].Password}); err != nil {
		t.Fatalf("login: %v", err)
	}
	if err := crm.WaitEvent(phone.EventLoggedIn, 10*time.Second); err != nil {
		t.Fatal(err)
	}

	t.Run("every method answers as the reference has it", func(t *testing.T) {
		for _, m := range ref.Methods {
			if m == "logout" {
				continue // below: it ends the session
			}
			args, ok := ref.Probe[m]
			if !ok {
				t.Errorf("%s: reference.json has no probe for it", m)
				continue
			}
			res, err := crm.Call(m, args...)
			got := "resolves " + typeOf(res)
			var rpcErr *desktop.RPCError
			if errors.As(err, &rpcErr) {
				got = "rejects " + rpcErr.Message
				if rpcErr.Code != bridge.CodeRejected {
					t.Errorf("%s%v: JSON-RPC code %d (%s): the call did not run as the reference's method", m, args, rpcErr.Code, rpcErr.Message)
					continue
				}
				var data struct {
					Code string `json:"code"`
				}
				if json.Unmarshal(rpcErr.Data, &data) != nil || data.Code == "" {
					t.Errorf("%s%v: the rejection %q carries no stable code (data %s)", m, args, rpcErr.Message, rpcErr.Data)
				}
			} else if err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			want := ref.Expect[m]
			if w, ok := ref.BridgeExpect[m]; ok {
				want = w
			}
			if !strings.HasPrefix(got, want) {
				t.Errorf("%s%v: %s; want %s", m, args, got, want)
			}
		}
	})

	t.Run("arguments are read in the reference's order", func(t *testing.T) {
		for _, tc := range []struct {
			rule   string
			method string
			args   []any
			want   string // the start of the rejection
		}{
			{"transferCall(type, number): the type comes first", "transferCall", []any{lab.Tone.Number, "direct"}, "Unsupported transfer type"},
			{"sendDTMF(callId, tones): the call comes first", "sendDTMF", []any{"1", "no-such-call"}, "Call not found"},
			{"callOutboundQueue(number, queueId, cli?): the number comes first", "callOutboundQueue", []any{"", "queue-1"}, "Target number is missing"},
			{"callOutboundCallback(number, listId, requestId, cli?)", "callOutboundCallback", []any{lab.Tone.Number, "list-1", ""}, "callbackListId and callbackRequestId must be given together"},
			{"makeAPICall(method, path): the method comes first", "makeAPICall", []any{"users/[me]", "GET"}, "Unsupported HTTP method"},
			{"an argument of another type is refused before anything runs", "call", []any{42}, "invalid params"},
		} {
			_, err := crm.Call(tc.method, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %s%v answered %v; want %q", tc.rule, tc.method, tc.args, err, tc.want)
			}
		}
	})

	t.Run("events arrive by the reference's names with its payloads", func(t *testing.T) {
		res, err := crm.Call("call", lab.Tone.Number)
		if err != nil {
			t.Fatal(err)
		}
		var id string
		if typeOf(res) != "string" || json.Unmarshal(res, &id) != nil || id == "" {
			t.Fatalf("call resolves %s, want the call's id (a string)", res)
		}
		if err := crm.WaitEvent(phone.EventCallConfirmed, 15*time.Second); err != nil {
			t.Fatal(err)
		}
		for _, step := range []struct{ method, event string }{
			{"muteCall", phone.EventCallMuted}, {"unmuteCall", phone.EventCallUnmuted},
			{"pauseCall", phone.EventCallPaused}, {"resumeCall", phone.EventCallResumed},
		} {
			if _, err := crm.Call(step.method, id); err != nil {
				t.Fatal(err)
			}
			if err := crm.WaitEvent(step.event, 5*time.Second); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := crm.Call("endCall", id); err != nil {
			t.Fatal(err)
		}
		if err := crm.WaitEvent(phone.EventCallEnded, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		// The reference's call event payload: these fields, these types.
		for _, name := range []string{phone.EventCallStarted, phone.EventCallConfirmed, phone.EventCallMuted, phone.EventCallEnded} {
			var d map[string]any
			if err := json.Unmarshal(crm.Detail(name), &d); err != nil {
				t.Errorf("%s: detail %s: %v", name, crm.Detail(name), err)
				continue
			}
			if d["callId"] != id || d["callDirection"] != "outbound" || d["phoneNumber"] != lab.Tone.Number {
				t.Errorf("%s: callId %v, callDirection %v, phoneNumber %v; want %s, outbound, %s", name, d["callId"], d["callDirection"], d["phoneNumber"], id, lab.Tone.Number)
			}
			if _, ok := d["isConsulted"].(bool); !ok {
				t.Errorf("%s: isConsulted %v is not a boolean", name, d["isConsulted"])
			}
			if s, _ := d["startTime"].(string); !validTime(s) {
				t.Errorf("%s: startTime %v is not an RFC 3339 time", name, d["startTime"])
			}
		}
		var ended map[string]any
		_ = json.Unmarshal(crm.Detail(phone.EventCallEnded), &ended)
		if s, _ := ended["endTime"].(string); !validTime(s) {
			t.Errorf("call-ended: endTime %v is not an RFC 3339 time", ended["endTime"])
		}
		// user-status-changed: getUserStatus's object (PublicUserStatusInterface).
		before := len(crm.Events)
		if _, err := crm.Call("makeAPICall", "POST", "users/[me]/availability", map[string]any{"EventTypeID": 2, "Note": "conformance"}); err != nil {
			t.Fatal(err)
		}
		if err := crm.WaitEventSince(phone.EventUserStatusChanged, before, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		var st map[string]any
		_ = json.Unmarshal(crm.Detail(phone.EventUserStatusChanged), &st)
		if st["EventTypeID"] != float64(2) || st["Note"] != "conformance" || st["EventSourceCategory"] == nil {
			t.Errorf("user-status-changed %v, want PublicUserStatusInterface with EventTypeID 2", st)
		}
		_, _ = crm.Call("makeAPICall", "POST", "users/[me]/availability", map[string]any{"EventTypeID": 1})
	})

	t.Run("every event heard is the reference's or a documented addition", func(t *testing.T) {
		own := []string{phone.EventLoggedOut, "audio-device-added", "audio-device-removed", "audio-device-changed", "auth-type-changed", "ui-url-changed"}
		for _, e := range crm.Events {
			if !slices.Contains(ref.Events, e) && !slices.Contains(own, e) {
				t.Errorf("the client heard %q: neither the reference's nor one of VoiceDesk's documented own events", e)
			}
		}
	})

	// logout resolves (undefined) and the session ends.
	res, err := crm.Call("logout")
	if err != nil || typeOf(res) != "undefined" {
		t.Fatalf("logout: %s, %v; want it to resolve undefined", res, err)
	}
	if _, err := crm.Call("getUserStatus"); err == nil || !strings.Contains(err.Error(), "not logged in") {
		t.Errorf("getUserStatus after logout: %v", err)
	}
}

func validTime(s string) bool {
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}
