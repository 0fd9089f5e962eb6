package org.outpost.shell

import org.junit.Assert.assertEquals
import org.junit.Assert.assertFalse
import org.junit.Assert.assertTrue
import org.junit.Test

class CoreOriginTest {
    private val origin = CoreOrigin(43117)

    @Test
    fun theCorePagesAreOnTheOrigin() {
        assertTrue(origin.contains("http://127.0.0.1:43117/"))
        assertTrue(origin.contains("http://127.0.0.1:43117/clinic/patients?q=ana"))
    }

    @Test
    fun lookAlikesAreNot() {
        listOf(
            "http://localhost:43117/",
            "http://127.0.0.1:43118/",
            "https://127.0.0.1:43117/",
            "http://127.0.0.1:43117@example.org/",
            "http://user@127.0.0.1:43117/",
            "file:///sdcard/x.html",
            "content://media/external/1",
            "not a url"
        ).forEach { assertFalse(it, origin.contains(it)) }
    }

    @Test
    fun eachLaunchHasItsOwnSecretInTheUserAgent() {
        val first = ShellSecret.generate()
        val second = ShellSecret.generate()
        assertTrue(first != second)
        assertTrue(Regex("^[A-Za-z0-9_-]{43}$").matches(first))
        assertEquals("Mozilla/5.0 (Linux) SDB-Magic/$first", ShellSecret.userAgent("Mozilla/5.0 (Linux)", first))
    }
}
