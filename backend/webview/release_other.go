//go:build !linux || !cgo

package webview

// Release does nothing here yet: WebView2 (Windows) has its own way to
// suspend a hidden page (issue 22).
func Release() {}

// Reload does nothing here yet (see Release).
func Reload() {}
