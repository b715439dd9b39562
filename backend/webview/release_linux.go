//go:build linux && cgo

package webview

/*
#cgo linux pkg-config: gtk+-3.0
#cgo !webkit2_41 pkg-config: webkit2gtk-4.0
#cgo webkit2_41 pkg-config: webkit2gtk-4.1
#include <gtk/gtk.h>
#include <webkit2/webkit2.h>

// The window's web view, found among the toplevels' widgets (Wails keeps
// its own pointer to itself).
static WebKitWebView *vd_find_view(GtkWidget *w) {
	if (WEBKIT_IS_WEB_VIEW(w)) return WEBKIT_WEB_VIEW(w);
	if (!GTK_IS_CONTAINER(w)) return NULL;
	GList *children = gtk_container_get_children(GTK_CONTAINER(w));
	WebKitWebView *found = NULL;
	for (GList *l = children; l != NULL && found == NULL; l = l->next) found = vd_find_view(GTK_WIDGET(l->data));
	g_list_free(children);
	return found;
}

// Runs f on every web view of the toplevels.
static void vd_each_view(void (*f)(WebKitWebView *)) {
	GList *tops = gtk_window_list_toplevels();
	for (GList *l = tops; l != NULL; l = l->next) {
		WebKitWebView *v = vd_find_view(GTK_WIDGET(l->data));
		if (v != NULL) f(v);
	}
	g_list_free(tops);
}

// On GTK's main loop: end the web process of every web view, or load its
// page again (in a new web process).
static gboolean vd_release(gpointer data) { vd_each_view(webkit_web_view_terminate_web_process); return G_SOURCE_REMOVE; }
static gboolean vd_reload(gpointer data) { vd_each_view(webkit_web_view_reload); return G_SOURCE_REMOVE; }

static void vd_release_soon(void) { g_idle_add(vd_release, NULL); }
static void vd_reload_soon(void) { g_idle_add(vd_reload, NULL); }
*/
import "C"

// Release ends the page's web process, on GTK's main loop (it may be
// called from any goroutine). WebKit starts a new one when the page is
// loaded again.
func Release() { C.vd_release_soon() }

// Reload loads the page again in a new web process, on GTK's main loop.
// (Wails' own WindowReload runs a script in the page, which a released
// page has not.)
func Reload() { C.vd_reload_soon() }
