package org.outpost.shell

import android.webkit.RenderProcessGoneDetail
import android.webkit.WebResourceRequest
import android.webkit.WebResourceResponse
import android.webkit.WebView
import android.webkit.WebViewClient
import java.io.ByteArrayInputStream

/**
 * Keeps the WebView on the core: navigations elsewhere are refused, and any
 * request to another origin (image, script, fetch, form post) is answered
 * 403 here without leaving the device, so the user agent, which carries the
 * secret, is never sent anywhere but to the core.
 */
class ShellWebViewClient(
    private val origin: CoreOrigin,
    private val onRendererGone: () -> Unit,
) : WebViewClient() {

    override fun shouldOverrideUrlLoading(view: WebView, request: WebResourceRequest): Boolean =
        !origin.contains(request.url.toString())

    override fun shouldInterceptRequest(view: WebView, request: WebResourceRequest): WebResourceResponse? {
        if (origin.contains(request.url.toString())) {
            return null
        }
        return WebResourceResponse(
            "text/plain", "utf-8", 403, "Forbidden", emptyMap(), ByteArrayInputStream(ByteArray(0)),
        )
    }

    override fun onRenderProcessGone(view: WebView, detail: RenderProcessGoneDetail): Boolean {
        onRendererGone()
        return true
    }
}
