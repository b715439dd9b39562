package supervise

import "syscall"

// dieWithParent has the kernel send SIGTERM to the program when its
// supervisor dies, even by SIGKILL: no app is left running unsupervised.
func dieWithParent(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
