package org.outpost.shell

import java.security.SecureRandom
import java.util.Base64

/** The per-launch secret the core requires on every request (DESIGN.md section 6). */
object ShellSecret {
    /** The header the core reads; the user agent token is `SDB-Magic/<secret>`. */
    const val HEADER = "SDB-Magic"
    private const val BYTES = 32

    /** 256 random bits from the platform CSPRNG, as header- and user-agent-safe base64url. */
    fun generate(random: SecureRandom = SecureRandom()): String {
        val bytes = ByteArray(BYTES)
        random.nextBytes(bytes)
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
    }

    /** The WebView's user agent with the token the core's check looks for. */
    fun userAgent(base: String, secret: String): String = "$base $HEADER/$secret"
}
