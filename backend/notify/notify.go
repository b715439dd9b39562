// Package notify shows incoming calls as desktop notifications, with Answer
// and Reject buttons, so that an agent working in another application
// notices and takes the call: through the freedesktop.org notification
// service on Linux (notify_dbus.go), as toasts on Windows
// (notify_windows.go).
package notify

const appName = "VoiceDesk"

// The actions a notification offers.
const (
	ActionAnswer = "answer"
	ActionReject = "reject"
	// ActionOpen is the notification's body clicked ("default").
	ActionOpen = "default"
)

// Call is what an incoming call's notification says. All of it is
// untrusted text from the network.
type Call struct {
	ID, Name, Number, Queue string
}

// Labels are the notification's words, in the phone's language.
type Labels struct {
	Title, Answer, Reject, Queue string
}

// text is what a call's notification says: who calls (name and number)
// and, for a service call, its queue.
func text(c Call, l Labels) string {
	who := c.Number
	if c.Name != "" {
		who = c.Name + " (" + c.Number + ")"
	}
	if c.Queue != "" {
		who += "\n" + l.Queue + ": " + c.Queue
	}
	return who
}
