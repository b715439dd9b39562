package phone

import (
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode/utf16"

	"voicedesk/backend/sip"
)

// MaxUserData is the reference's bound: setUserData's data must serialize
// to fewer than 491 characters.
const MaxUserData = 491

// Errors of setUserData and getCallExtraData.
var (
	ErrUserDataNotObject = coded("user-data-not-object", "User data must be an object")
	ErrUserDataTooLong   = coded("user-data-too-long", "User data length must be under 491 characters in serialized string format")
)

// SetUserData is the reference's setUserData(data): data travels with the
// calls this user transfers and reaches the target in the call events'
// userData. For a consulted transfer it must be set before the
// consultation call starts.
func (p *Phone) SetUserData(data any) (bool, error) {
	obj, ok := data.(map[string]any)
	if !ok || obj == nil {
		return false, fmt.Errorf("%w (got %T)", ErrUserDataNotObject, data)
	}
	raw, err := serializeLikeJS(obj)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrUserDataNotObject, err)
	}
	if n := jsLength(raw); n >= MaxUserData {
		return false, fmt.Errorf("%w (got %d)", ErrUserDataTooLong, n)
	}
	p.mu.Lock()
	p.userData = raw
	p.mu.Unlock()
	return true, nil
}

// userDataHeader is the header a transfer carries the user data in.
func (p *Phone) userDataHeader() []sip.Header {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.userData == "" {
		return nil
	}
	return []sip.Header{{Name: sip.HeaderUserData, Value: p.userData}}
}

// userDataOf decodes an incoming call's user data: a JSON object under the
// bound, or nothing.
func userDataOf(raw string) map[string]any {
	if raw == "" || len(raw) >= 4*MaxUserData {
		return nil
	}
	var obj map[string]any
	if err := json.Unmarshal([]byte(raw), &obj); err != nil {
		return nil
	}
	return obj
}

// CallExtraDataType is the reference's CallExtraDataTypeEnum.
type CallExtraDataType int

// StrongAuth is strong-authentication data (e.g. from an IVR's bank id).
const StrongAuth CallExtraDataType = 1

// CallExtraData is the reference's CallExtraDataInterface.
type CallExtraData struct {
	CallID        string            `json:"CallId"`
	ExtraDataType CallExtraDataType `json:"ExtraDataType,omitempty"`
	Keyword       string            `json:"Keyword"`
	Value         string            `json:"Value"`
}

// maxExtraData bounds what an incoming call may carry.
const maxExtraData = 32

// extraDataOf decodes the platform's extra data of an incoming call: a
// form-encoded list of keyword=value (the lab's choice, lab/API.md);
// AUTH.* keywords are strong authentication.
func extraDataOf(callID, raw string) []CallExtraData {
	values, err := url.ParseQuery(raw)
	if err != nil || raw == "" {
		return nil
	}
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []CallExtraData
	for _, k := range keys {
		for _, v := range values[k] {
			if len(out) == maxExtraData {
				return out
			}
			d := CallExtraData{CallID: callID, Keyword: k, Value: v}
			if strings.HasPrefix(k, "AUTH.") {
				d.ExtraDataType = StrongAuth
			}
			out = append(out, d)
		}
	}
	return out
}

// GetCallExtraData is the reference's getCallExtraData(): the extra data of
// the ongoing basic call (not a consultation call).
func (p *Phone) GetCallExtraData() ([]CallExtraData, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.session == nil {
		return nil, ErrNotLoggedIn
	}
	var basic *call
	for _, c := range p.active {
		if c.ev.IsConsulted || c.established() == "" {
			continue
		}
		if basic == nil || c.ev.StartTime.Before(basic.ev.StartTime) {
			basic = c
		}
	}
	if basic == nil {
		// The reference's list, empty: no ongoing call has no extra data.
		return []CallExtraData{}, nil
	}
	out := make([]CallExtraData, 0, len(basic.extra))
	for _, d := range basic.extra {
		d.CallID = basic.ev.CallID
		out = append(out, d)
	}
	return out, nil
}

// serializeLikeJS is the object as the browser's JSON.stringify writes it:
// no HTML escaping of <, > and & (Go's default writes them as \u003c…).
func serializeLikeJS(v any) (string, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// jsLength is a string's length as JavaScript counts it (String.length):
// UTF-16 code units, so an emoji outside the BMP counts 2.
func jsLength(s string) int { return len(utf16.Encode([]rune(s))) }
