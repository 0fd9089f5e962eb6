package org.outpost.shell

import android.app.Service
import android.content.Intent
import android.os.Bundle
import android.os.Handler
import android.os.IBinder
import android.os.Looper
import android.os.Messenger
import android.os.ParcelFileDescriptor
import android.os.Process
import android.system.Os
import java.io.File
import java.security.SecureRandom
import java.util.Base64
import kotlin.concurrent.thread

/**
 * Runs the Outpost core (role `android`) with nodejs-mobile in this service's
 * own process (`:core`): Node can start only once per process, so stopping
 * the core means ending this process. Not exported: only this app binds it.
 */
class CoreService : Service() {
    private var started = false
    private val messenger = Messenger(Handler(Looper.getMainLooper()) { message ->
        if (message.what == START) {
            start(message.data)
        }
        true
    })

    override fun onBind(intent: Intent): IBinder = messenger.binder

    override fun onDestroy() {
        super.onDestroy()
        // SIGTERM: the core closes its store cleanly, then Node ends the process.
        Process.sendSignal(Process.myPid(), SIGTERM)
    }

    private fun start(data: Bundle) {
        if (started) {
            return
        }
        started = true
        val coreDir = CoreAssets.install(this)
        val dataDir = File(filesDir, "data").apply { mkdirs() }
        val secretFd = secretPipe(requireNotNull(data.getString(SECRET)))
        val settings = mapOf(
            "NODE_ENV" to "production",
            "APP_ROLE" to "android",
            "HOST" to "127.0.0.1",
            "PORT" to data.getInt(PORT).toString(),
            "APP_KEY" to appKey(File(dataDir, "app-key")),
            "DB_CONNECTION" to "sqlite",
            "SQLITE_PATH" to File(dataDir, "android.sqlite").path,
            "HL7_MLLP_PORT" to "off",
            "SHELL_SECRET_FD" to secretFd.toString(),
            "HOME" to filesDir.path,
            "TMPDIR" to cacheDir.path,
        )
        settings.forEach { (key, value) -> Os.setenv(key, value, true) }
        thread(name = "outpost-core") {
            NodeRuntime.start(arrayOf("node", File(coreDir, "bin/server.js").path))
            stopSelf()
            Process.killProcess(Process.myPid())
        }
    }

    /**
     * The secret goes to the core through a pipe it reads once (start/env.ts
     * SHELL_SECRET_FD), never through the environment.
     */
    private fun secretPipe(secret: String): Int {
        val (read, write) = ParcelFileDescriptor.createPipe()
        ParcelFileDescriptor.AutoCloseOutputStream(write).use { it.write(secret.toByteArray()) }
        return read.detachFd()
    }

    /** The key that signs the core's cookies: made once, kept in the app's private files. */
    private fun appKey(file: File): String {
        if (file.exists() && file.readText().trim().length >= 32) {
            return file.readText().trim()
        }
        val bytes = ByteArray(32).also { SecureRandom().nextBytes(it) }
        val key = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes)
        file.writeText(key)
        return key
    }

    companion object {
        const val START = 1
        const val PORT = "port"
        const val SECRET = "secret"
        private const val SIGTERM = 15
    }
}
