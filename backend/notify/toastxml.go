package notify

import (
	"html"
	"strings"
)

// The toast library (go-toast) writes text into its XML inside CDATA
// sections and attributes with text/template, which escapes nothing: a
// caller name holding "]]>" would end the section and could add actions
// or change what a click runs. What comes from the network goes through
// toastText, every attribute through toastAttr.

// toastText makes s safe inside a CDATA section: characters XML 1.0 does
// not allow are dropped and "]]>" is split.
func toastText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.ReplaceAll(s, "]]>", "]] >")
}

// toastAttr makes s safe as an attribute's value.
func toastAttr(s string) string { return html.EscapeString(toastText(s)) }

// toastArgs is what a toast's button hands back when clicked: the action and
// the call, split again by parseToastArgs.
func toastArgs(action, callID string) string { return action + " " + callID }

func parseToastArgs(args string) (action, callID string, ok bool) {
	action, callID, ok = strings.Cut(strings.TrimSpace(args), " ")
	switch {
	case !ok || callID == "":
		return "", "", false
	case action == ActionAnswer, action == ActionReject, action == ActionOpen:
		return action, callID, true
	}
	return "", "", false
}
