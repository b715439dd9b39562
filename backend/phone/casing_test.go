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
