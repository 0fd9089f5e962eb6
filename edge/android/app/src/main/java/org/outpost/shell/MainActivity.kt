package org.outpost.shell

import android.app.Activity
import android.content.ComponentName
import android.content.Context
import android.content.Intent
import android.content.ServiceConnection
import android.os.Bundle
import android.os.IBinder
import android.os.Message
import android.os.Messenger
import android.webkit.CookieManager
import android.webkit.WebSettings
import android.webkit.WebView
import android.widget.TextView
import java.net.HttpURLConnection
import java.net.InetAddress
import java.net.ServerSocket
import java.net.URL
import kotlin.concurrent.thread

/**
 * The Android shell: makes the secret of this launch, has CoreService start
 * the core on a free loopback port, waits for its health endpoint, then shows
 * it in a locked-down WebView that sends the secret on every request.
 */
class MainActivity : Activity() {
    private val secret = ShellSecret.generate()
    private lateinit var origin: CoreOrigin
    private var webView: WebView? = null
    private var bound = false

    private val connection = object : ServiceConnection {
        override fun onServiceConnected(name: ComponentName, binder: IBinder) {
            val start = Message.obtain(null, CoreService.START).apply {
                data = Bundle().apply {
                    putInt(CoreService.PORT, origin.port)
                    putString(CoreService.SECRET, secret)
                }
            }
            Messenger(binder).send(start)
            thread(name = "outpost-health") { waitForCore() }
        }

        override fun onServiceDisconnected(name: ComponentName) {
            runOnUiThread { showProblem() }
        }
    }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        origin = CoreOrigin(freeLoopbackPort())
        WebView.setWebContentsDebuggingEnabled(false)
        bound = bindService(Intent(this, CoreService::class.java), connection, Context.BIND_AUTO_CREATE)
    }

    override fun onDestroy() {
        webView?.destroy()
        if (bound) {
            unbindService(connection)
        }
        if (isFinishing) {
            stopService(Intent(this, CoreService::class.java))
        }
        super.onDestroy()
    }

    private fun waitForCore() {
        val deadline = System.currentTimeMillis() + 120_000
        while (System.currentTimeMillis() < deadline) {
            if (healthy()) {
                runOnUiThread { showCore() }
                return
            }
            Thread.sleep(250)
        }
        runOnUiThread { showProblem() }
    }

    private fun healthy(): Boolean = try {
        val connection = URL("${origin.url}/health").openConnection() as HttpURLConnection
        connection.setRequestProperty(ShellSecret.HEADER, secret)
        connection.connectTimeout = 2000
        connection.readTimeout = 2000
        val ok = connection.responseCode == 200 &&
            connection.inputStream.bufferedReader().readText().contains("\"role\":\"android\"")
        connection.disconnect()
        ok
    } catch (error: java.io.IOException) {
        false
    }

    private fun showCore() {
        val view = WebView(this)
        view.settings.apply {
            javaScriptEnabled = true
            domStorageEnabled = true
            allowFileAccess = false
            allowContentAccess = false
            @Suppress("DEPRECATION")
            allowFileAccessFromFileURLs = false
            @Suppress("DEPRECATION")
            allowUniversalAccessFromFileURLs = false
            mixedContentMode = WebSettings.MIXED_CONTENT_NEVER_ALLOW
            setSupportMultipleWindows(false)
            javaScriptCanOpenWindowsAutomatically = false
            setGeolocationEnabled(false)
            userAgentString = ShellSecret.userAgent(userAgentString, secret)
        }
        CookieManager.getInstance().setAcceptThirdPartyCookies(view, false)
        view.webViewClient = ShellWebViewClient(origin) { runOnUiThread { showProblem() } }
        view.loadUrl("${origin.url}/", mapOf(ShellSecret.HEADER to secret))
        webView = view
        setContentView(view)
    }

    private fun showProblem() {
        webView?.destroy()
        webView = null
        setContentView(TextView(this).apply {
            setText(R.string.core_failed)
            setPadding(48, 48, 48, 48)
            textSize = 18f
        })
    }

    private fun freeLoopbackPort(): Int =
        ServerSocket(0, 1, InetAddress.getByName("127.0.0.1")).use { it.localPort }
}
