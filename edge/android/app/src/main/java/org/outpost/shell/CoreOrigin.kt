package org.outpost.shell

import java.net.URI
import java.net.URISyntaxException

/**
 * The only origin the WebView may load from: the core on 127.0.0.1 and the
 * port of this launch. Plain Kotlin (no Android class), so it is tested on
 * the JVM (src/test).
 */
class CoreOrigin(val port: Int) {
    val url: String = "http://127.0.0.1:$port"

    /** Same scheme, host and port, and no user info: `http://127.0.0.1:p@evil.test/` is not the core. */
    fun contains(url: String): Boolean = try {
        val uri = URI(url)
        uri.scheme == "http" && uri.host == "127.0.0.1" && uri.port == port && uri.rawUserInfo == null
    } catch (error: URISyntaxException) {
        false
    }
}
