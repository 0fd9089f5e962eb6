package org.outpost.shell

import android.content.Context
import java.io.File

/**
 * Copies the core (assets/core: its sources and production node_modules) to
 * the app's private files, once per app version: Node needs real files.
 */
object CoreAssets {
    fun install(context: Context): File {
        val target = File(context.filesDir, "core")
        val stamp = File(target, ".installed-version")
        val version = context.packageManager.getPackageInfo(context.packageName, 0).longVersionCode.toString()
        if (stamp.exists() && stamp.readText() == version) {
            return target
        }
        target.deleteRecursively()
        copy(context, "core", target)
        stamp.writeText(version)
        return target
    }

    private fun copy(context: Context, asset: String, target: File) {
        val children = context.assets.list(asset).orEmpty()
        if (children.isEmpty()) {
            target.parentFile?.mkdirs()
            context.assets.open(asset).use { input -> target.outputStream().use { input.copyTo(it) } }
            return
        }
        target.mkdirs()
        children.forEach { copy(context, "$asset/$it", File(target, it)) }
    }
}
