package supervise

import (
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// dieWithParent: Windows has no parent-death signal; adopt puts the child
// in a job object instead.
func dieWithParent(*syscall.SysProcAttr) {}

// askToStop: a window program has no console to send Ctrl+C to, and
// Windows no SIGTERM; the program is killed (stop), as Windows' own
// shutdown ends a program that does not answer.
func askToStop(*os.Process) error {
	return errors.New("no way to ask a Windows program without a console to stop")
}

// adopt puts the started program in a job object that kills it when the
// job's last handle closes: the supervisor's, even when it is killed, so
// no kiosk app is left running unsupervised. The returned func closes the
// handle once the program has ended.
func adopt(cmd *exec.Cmd, log *slog.Logger) func() {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		log.Warn("supervisor: no job object; the program may outlive the supervisor", "error", err)
		return func() {}
	}
	info := windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION{}
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		log.Warn("supervisor: job object limits", "error", err)
		_ = windows.CloseHandle(job)
		return func() {}
	}
	p, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(cmd.Process.Pid))
	if err == nil {
		err = windows.AssignProcessToJobObject(job, p)
		_ = windows.CloseHandle(p)
	}
	if err != nil {
		log.Warn("supervisor: the program is not in the job object", "error", err)
		_ = windows.CloseHandle(job)
		return func() {}
	}
	return func() { _ = windows.CloseHandle(job) }
}
