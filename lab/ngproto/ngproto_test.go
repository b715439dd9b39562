package ngproto

import (
	"reflect"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   any
		wire string
	}{
		{"string", "ping", "4:ping"},
		{"integer", 42, "i42e"},
		{"negative integer", -3, "i-3e"},
		{"dictionary keys sorted", map[string]any{"command": "start recording", "call-id": "abc"}, "d7:call-id3:abc7:command15:start recordinge"},
		{"list", []any{"a", 1}, "l1:ai1ee"},
	} {
		got, err := Encode(tc.in)
		if err != nil || string(got) != tc.wire {
			t.Errorf("%s: Encode = %q, %v; want %q", tc.name, got, err, tc.wire)
			continue
		}
		back, err := Decode(got)
		if err != nil || !reflect.DeepEqual(back, tc.in) {
			t.Errorf("%s: Decode = %#v, %v", tc.name, back, err)
		}
	}
}

func TestDecodeRefusesMalformed(t *testing.T) {
	for _, bad := range []string{"", "i12", "5:abc", "d3:keye", "l", "x", "d1:ai1e", "i1ei2e", "-1:a", "99999999999999999999:a"} {
		if v, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) = %#v, want an error", bad, v)
		}
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"d6:result2:ok7:createdi1ee", "l4:spami42ee", "d1:ad1:bl1:ceee"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err != nil {
			return
		}
		if _, err := Encode(v); err != nil {
			t.Fatalf("decoded %#v but cannot encode it: %v", v, err)
		}
	})
}
