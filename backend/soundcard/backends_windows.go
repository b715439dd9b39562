package soundcard

import (
	"runtime"

	"github.com/gen2brain/malgo"
	"golang.org/x/sys/windows"
)

// systemBackends on Windows: WASAPI (what Windows 7 and later mix through;
// miniaudio follows the default device when the user changes it), else
// DirectSound (an older or stripped-down system). Under Wine both reach the
// host's PulseAudio through winepulse.drv.
var systemBackends = []malgo.Backend{malgo.BackendWasapi, malgo.BackendDsound}

// holdMTA keeps COM's multithreaded apartment alive for the card's life, on
// a thread of its own, and returns what ends it.
//
// miniaudio's WASAPI backend makes COM calls on whichever thread opens a
// device, without initializing COM there for all of them (registering for
// device changes, for one). That works only while some thread of the
// process is in the multithreaded apartment, which the others then share
// (the "implicit MTA"). miniaudio enters it on the thread that sets up the
// context, but that fails where the thread is already a single-threaded
// apartment (the GUI's main thread): every device then failed to open,
// "Failed to create device enumerator" (seen under Wine, headless, too,
// where the context's thread had left the MTA again).
func holdMTA() func() {
	ready, done := make(chan struct{}), make(chan struct{})
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		err := windows.CoInitializeEx(0, windows.COINIT_MULTITHREADED)
		close(ready)
		<-done
		if err == nil {
			windows.CoUninitialize()
		}
	}()
	<-ready
	return func() { close(done) }
}
