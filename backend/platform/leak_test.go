package platform_test

import (
	"testing"

	"go.uber.org/goleak"
)

// Every goroutine the package starts is owned and stopped: none is left
// when its tests end.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
