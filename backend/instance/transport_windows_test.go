//go:build windows

package instance

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// testPath is a pipe of this test's own.
func testPath(t *testing.T) string {
	return fmt.Sprintf(`\\.\pipe\voicedesk-test-%s-%d`, strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano())
}

// checkPrivate: no one but the pipe's owner (and SYSTEM) may open it: the
// pipe's security is the protected DACL of pipeSecurity (what Wine can
// show of it; a Windows desk is checked by hand, README "Install").
func checkPrivate(t *testing.T, path string) {
	if !strings.HasPrefix(pipeSecurity, "D:P(") || strings.Contains(pipeSecurity, ";;;WD)") || strings.Contains(pipeSecurity, ";;;AU)") {
		t.Fatalf("the pipe's security %q lets others in", pipeSecurity)
	}
}

// checkGone: the stopped instance's pipe no longer answers.
func checkGone(t *testing.T, path string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if c, err := dial(ctx, path); err == nil {
		_ = c.Close()
		t.Fatal("the pipe still answers after the instance stopped")
	}
}
