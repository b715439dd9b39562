package presenter

import (
	"fmt"
	"image/color"

	"voicedesk/backend/phone"
	"voicedesk/backend/platform"
	"voicedesk/backend/tray"
)

// Statuses is how many availabilities the tray's menu offers (the
// platform's six, named status.1 … status.6 in the translations).
const Statuses = 6

// statusColours are the tray dot's colours: green, red, grey, amber.
var statusColours = map[int]color.Color{
	platform.StatusAvailable: color.RGBA{0x2e, 0xa0, 0x43, 0xff},
	platform.StatusBusy:      color.RGBA{0xd3, 0x2f, 0x2f, 0xff},
	platform.StatusDND:       color.RGBA{0xd3, 0x2f, 0x2f, 0xff},
	platform.StatusOffWork:   color.RGBA{0x8a, 0x94, 0xa6, 0xff},
	platform.StatusBRB:       color.RGBA{0xf0, 0xa2, 0x02, 0xff},
	platform.StatusAway:      color.RGBA{0xf0, 0xa2, 0x02, 0xff},
}

// TrayState is what the tray shows of the phone.
type TrayState struct {
	SignedIn bool
	// User is the signed-in user's name.
	User string
	// Status is the availability's id (0: unknown).
	Status int
	Calls  []phone.CallSummary
	// Away: the registration is lost (reconnecting, or given up on).
	Away bool
}

// TrayView is the tray for a phone state, in w's words.
func TrayView(w Words, st TrayState) tray.View {
	v := tray.View{Show: w("tray.show"), Quit: w("tray.quit"), StatusEnabled: st.SignedIn}
	for id := 1; id <= Statuses; id++ {
		v.Statuses = append(v.Statuses, tray.Status{ID: id, Label: w(fmt.Sprint("status.", id)), Current: id == st.Status})
	}
	if !st.SignedIn {
		v.Header = w("tray.signedOut")
	} else {
		v.Header = st.User
		if st.Status >= 1 && st.Status <= Statuses {
			v.Header += ": " + w(fmt.Sprint("status.", st.Status))
			v.Dot = statusColours[st.Status]
		}
	}
	if st.Away {
		// No calls arrive: the availability is not what the agent is.
		v.Header += " · " + w("connection.lost")
		v.Dot = statusColours[platform.StatusOffWork]
	}
	v.Tooltip = "VoiceDesk: " + v.Header
	// A call ringing (a second one, too, while on the first) is what the
	// tooltip tells and the icon blinks for; else the call in progress.
	for _, c := range st.Calls {
		if c.State == phone.StateRinging {
			v.Ringing = true
			v.Tooltip += " · " + w("call.state.incoming") + " " + c.Number
			break
		}
	}
	if !v.Ringing && len(st.Calls) > 0 {
		v.Tooltip += " · " + w("tray.inCall") + " " + st.Calls[0].Number
	}
	return v
}
