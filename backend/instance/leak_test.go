package instance

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine the package starts is owned and stopped: none is left
// when its tests end. On Windows go-winio runs one I/O completion
// goroutine for the process, started with the first pipe and never
// stopped (its design: one port for all handles).
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/Microsoft/go-winio.ioCompletionProcessor"))
}
