// Windows: toasts through the Windows Runtime's notification API
// (git.sr.ht/~jackmordaunt/go-toast/v2, over COM; PowerShell where COM is
// refused), with Answer and Reject buttons whose clicks come back to this
// process through the COM activator the library registers for AppID.

package notify

import (
	"fmt"
	"log/slog"
	"sync"

	"git.sr.ht/~jackmordaunt/go-toast/v2"
)

// activatorGUID is VoiceDesk's toast activator class (fixed: Windows keeps
// it in the registry under the AppID).
const activatorGUID = "{4240CF57-AAE2-49BB-9623-C7BFCB05E71C}"

// Notifier shows call toasts. Its methods are safe for concurrent use.
type Notifier struct {
	log      *slog.Logger
	onAction func(callID, action string)

	mu    sync.Mutex
	shown map[string]bool // calls with a toast up
}

// Open registers VoiceDesk's toast identity (HKCU) and its activation
// callback. onAction is called when the user clicks a toast's button or
// body, for a call whose toast this Notifier showed.
func Open(log *slog.Logger, onAction func(callID, action string)) (*Notifier, error) {
	if log == nil {
		log = slog.Default()
	}
	n := &Notifier{log: log, onAction: onAction, shown: map[string]bool{}}
	if err := toast.SetAppData(toast.AppData{AppID: appName, GUID: activatorGUID}); err != nil {
		return nil, fmt.Errorf("notifications: register VoiceDesk's toasts: %w", err)
	}
	toast.SetActivationCallback(n.activated)
	return n, nil
}

// Actions: toasts always show their buttons.
func (n *Notifier) Actions() bool { return true }

// IncomingCall shows the toast of a ringing call: the caller, the queue,
// Answer and Reject. It is silent: the app rings on the chosen ringer.
func (n *Notifier) IncomingCall(c Call, l Labels) error {
	body := text(c, l)
	t := toast.Notification{
		AppID:               appName,
		Title:               toastText(l.Title),
		Body:                toastText(body),
		ActivationArguments: toastAttr(toastArgs(ActionOpen, c.ID)),
		Audio:               toast.Silent,
		Duration:            toast.Long,
		Actions: []toast.Action{
			{Type: toast.Foreground, Content: toastAttr(l.Answer), Arguments: toastAttr(toastArgs(ActionAnswer, c.ID))},
			{Type: toast.Foreground, Content: toastAttr(l.Reject), Arguments: toastAttr(toastArgs(ActionReject, c.ID))},
		},
	}
	if err := t.Push(); err != nil {
		return fmt.Errorf("notifications: show the call %s: %w", c.ID, err)
	}
	n.mu.Lock()
	n.shown[c.ID] = true
	n.mu.Unlock()
	return nil
}

// Withdraw forgets a call's toast: a later click on it does nothing. (The
// library cannot remove a toast; it leaves the screen after about 25 s
// and the Action Center keeps it.)
func (n *Notifier) Withdraw(callID string) {
	n.mu.Lock()
	delete(n.shown, callID)
	n.mu.Unlock()
}

// Close forgets every toast; clicks after it do nothing.
func (n *Notifier) Close() {
	n.mu.Lock()
	n.shown = map[string]bool{}
	n.mu.Unlock()
}

func (n *Notifier) activated(args string, _ []toast.UserData) {
	action, callID, ok := parseToastArgs(args)
	if !ok {
		n.log.Warn("toast activation", "error", "unknown arguments", "args", args)
		return
	}
	n.mu.Lock()
	live := n.shown[callID]
	n.mu.Unlock()
	if !live {
		n.log.Info("toast clicked for a call no longer ringing", "callId", callID, "action", action)
		return
	}
	if n.onAction != nil {
		n.onAction(callID, action)
	}
}
