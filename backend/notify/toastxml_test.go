package notify

import (
	"encoding/xml"
	"strings"
	"testing"
)

// What a hostile caller can put in a name or number must stay text in the
// toast's XML (the toast library escapes nothing).
func TestToastTextStaysText(t *testing.T) {
	for _, c := range []struct{ rule, in string }{
		{"a CDATA end does not end the section", `Eve]]></text></binding></visual><actions><action content="Pay" arguments="x"/></actions><![CDATA[`},
		{"control characters are dropped", "Bob\x00\x01\x1b[31m"},
		{"broken UTF-8 is dropped", "Al\xffice"},
		{"markup is shown as typed", `<b>Boss</b> & "friends"`},
	} {
		t.Run(c.rule, func(t *testing.T) {
			doc := `<toast launch="` + toastAttr(c.in) + `"><text><![CDATA[` + toastText(c.in) + `]]></text></toast>`
			var v struct {
				Launch string     `xml:"launch,attr"`
				Text   []string   `xml:"text"`
				Action []struct{} `xml:"actions>action"`
			}
			if err := xml.Unmarshal([]byte(doc), &v); err != nil {
				t.Fatalf("not XML any more: %v\n%s", err, doc)
			}
			if len(v.Text) != 1 || len(v.Action) != 0 {
				t.Fatalf("the text became structure: %+v\n%s", v, doc)
			}
			if strings.ContainsAny(v.Text[0]+v.Launch, "\x00\x01\x1b") {
				t.Errorf("a control character came through: %q", v.Text[0])
			}
		})
	}
}

func TestToastArgs(t *testing.T) {
	for _, c := range []struct {
		rule, args, action, call string
		ok                       bool
	}{
		{"answer", toastArgs(ActionAnswer, "abc123"), ActionAnswer, "abc123", true},
		{"reject", toastArgs(ActionReject, "abc123"), ActionReject, "abc123", true},
		{"the body", toastArgs(ActionOpen, "abc123"), ActionOpen, "abc123", true},
		{"an unknown action is refused", "pay abc123", "", "", false},
		{"no call is refused", "answer ", "", "", false},
		{"nothing is refused", "", "", "", false},
	} {
		a, id, ok := parseToastArgs(c.args)
		if a != c.action || id != c.call || ok != c.ok {
			t.Errorf("%s: %q → %q %q %v", c.rule, c.args, a, id, ok)
		}
	}
}
