//go:build linux && cgo

// Command webkitfloor is the floor under the app's memory: the smallest
// window the mandated stack can show, a GTK window holding one WebKitGTK
// web view with a one-line page and a text field with the focus (as the
// phone's number field has: its caret blinks), with the same tuning as the app's
// (webview.Tune: JavaScriptCore without its JIT; no hardware acceleration). bench/callbench runs it
// in the same Xvfb set-up as the app and reads its processes' PSS with the
// page shown, then hidden with its page's process ended (as the app's
// hidden window is). What the app holds above these figures is its own;
// what is below them is WebKitGTK's and GTK's.
//
// It prints "loaded" when the page is drawn and "hidden" once the window
// is hidden and its page's process ended (on SIGUSR1).
package main

/*
#cgo pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <stdio.h>
#include <signal.h>
#include <glib-unix.h>
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

static GtkWidget *win;
static WebKitWebView *view;

static void on_load(WebKitWebView *v, WebKitLoadEvent ev, gpointer p) {
	if (ev == WEBKIT_LOAD_FINISHED) { printf("loaded\n"); fflush(stdout); }
}

static gboolean on_hide(gpointer p) {
	gtk_widget_hide(win);
	webkit_web_view_terminate_web_process(view);
	printf("hidden\n");
	fflush(stdout);
	return G_SOURCE_REMOVE;
}

static void floor_run(void) {
	gtk_init(NULL, NULL);
	win = gtk_window_new(GTK_WINDOW_TOPLEVEL);
	gtk_window_set_default_size(GTK_WINDOW(win), 400, 680);
	view = WEBKIT_WEB_VIEW(webkit_web_view_new());
	// As the app's window (Wails' WebviewGpuPolicyNever): with WebKit's
	// default policy it composites through Mesa's llvmpipe, which takes
	// 50-60 MB more (measured: 234 MB instead of 180).
	webkit_settings_set_hardware_acceleration_policy(webkit_web_view_get_settings(view), WEBKIT_HARDWARE_ACCELERATION_POLICY_NEVER);
	g_signal_connect(view, "load-changed", G_CALLBACK(on_load), NULL);
	gtk_container_add(GTK_CONTAINER(win), GTK_WIDGET(view));
	webkit_web_view_load_html(view, "<!doctype html><html><body><p>VoiceDesk</p><input autofocus></body></html>", NULL);
	gtk_widget_show_all(win);
	// The window takes the input focus (GDK sets it itself where no window
	// manager runs, as in the bench's Xvfb), so that the text field's
	// caret blinks as the phone's number field's does.
	gtk_window_present(GTK_WINDOW(win));
	gtk_widget_grab_focus(GTK_WIDGET(view));
	g_unix_signal_add(SIGUSR1, on_hide, NULL);
	gtk_main();
}
*/
import "C"

import (
	"runtime"

	"voicedesk/backend/webview"
)

func init() { runtime.LockOSThread() } // GTK lives on the main thread

func main() {
	webview.Tune()
	C.floor_run()
}
