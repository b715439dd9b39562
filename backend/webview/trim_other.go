//go:build !linux

package webview

// Trim does nothing here: WebView2 (Windows) has its own way to suspend a
// hidden page, and its memory target (issue 22).
func Trim() (int, error) { return 0, nil }
