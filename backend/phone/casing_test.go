package phone_test

import (
	"context"
	"errors"
	"testing"

	"voicedesk/backend/phone"
	"voicedesk/backend/phone/phonetest"
)

// The reference's enumerations are values, compared as written: 'fi',
// 'salesforce', 'direct', 'GET'. Another case or stray spaces are refused
// (an integration that sends them learns at once, not in production).
func TestReferenceValuesAreCaseSensitive(t *testing.T) {
	ctx := context.Background()
	fresh := func() *phone.Phone {
		return phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, newEvents())
	}
	tests := []struct {
		rule string
		do   func(p *phone.Phone) error
		want error
	}{
		{"setPhoneLanguage('fi') is a language", func(p *phone.Phone) error { return p.SetPhoneLanguage("fi") }, nil},
		{"setPhoneLanguage('FI') is not", func(p *phone.Phone) error { return p.SetPhoneLanguage("FI") }, phone.ErrUnsupportedLanguage},
		{"setPhoneLanguage(' fi') is not", func(p *phone.Phone) error { return p.SetPhoneLanguage(" fi") }, phone.ErrUnsupportedLanguage},
		{"setPNPSMissionType('salesforce') is a type", func(p *phone.Phone) error { return p.SetPNPSMissionType("salesforce") }, nil},
		{"setPNPSMissionType('Salesforce') is not", func(p *phone.Phone) error { return p.SetPNPSMissionType("Salesforce") }, phone.ErrPNPSMissionType},
		{"transferCall('Direct', …) is not a transfer type", func(p *phone.Phone) error {
			_, err := p.TransferCall(ctx, "Direct", "200")
			return err
		}, phone.ErrTransferType},
		{"makeAPICall('get', …) is not a method", func(p *phone.Phone) error {
			_, err := p.MakeAPICall(ctx, "get", "users/[me]", nil)
			return err
		}, phone.ErrAPIMethod},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := fresh()
			defer p.Close()
			if err := tt.do(p); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

// setAuthType and updateBeneUiUrl: the host's choices, kept by the phone
// (State) so that the window and every integration agree, each change
// told to the window.
func TestHostSetsTheLoginScreenAndTheWebUI(t *testing.T) {
	tests := []struct {
		rule  string
		do    func(p *phone.Phone) error
		want  error
		state func(s phone.State) string
		event string
	}{
		{"'JWT' is an auth type", func(p *phone.Phone) error { return p.SetAuthType("JWT") }, nil,
			func(s phone.State) string { return s.AuthType }, "auth-type-changed:JWT"},
		{"'jwt' is not (the reference's values, as written)", func(p *phone.Phone) error { return p.SetAuthType("jwt") }, phone.ErrAuthType,
			func(s phone.State) string { return s.AuthType }, ""},
		{"an https URL is the web UI", func(p *phone.Phone) error { return p.UpdateBeneUIURL("https://ui.example.com/a?b=c") }, nil,
			func(s phone.State) string { return s.UIURL }, "ui-url-changed:https://ui.example.com/a?b=c"},
		{"a javascript: URL is refused", func(p *phone.Phone) error { return p.UpdateBeneUIURL("javascript:alert(1)") }, phone.ErrUIURL,
			func(s phone.State) string { return s.UIURL }, ""},
		{"not a URL is refused", func(p *phone.Phone) error { return p.UpdateBeneUIURL("not a url") }, phone.ErrUIURL,
			func(s phone.State) string { return s.UIURL }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			ev := newEvents()
			p := phone.New(phone.Config{NoSIP: true, StatusPoll: -1, PNPSFirst: -1}, phonetest.Platform{}, ev)
			defer p.Close()
			if err := tt.do(p); !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if tt.event == "" {
				if s := tt.state(p.State()); s != "" {
					t.Errorf("a refused value is in the state: %q", s)
				}
				return
			}
			if got := ev.from(tt.event); len(got) != 1 {
				t.Errorf("events from %s: %v, want it once", tt.event, got)
			}
			if s := tt.state(p.State()); s == "" {
				t.Error("the state does not have it")
			}
		})
	}
}
