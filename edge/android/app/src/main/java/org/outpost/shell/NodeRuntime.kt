package org.outpost.shell

/**
 * nodejs-mobile's libnode.so, started through the small JNI entry point in
 * src/main/cpp/outpost_core.cpp. Returns Node's exit code when the core stops.
 */
object NodeRuntime {
    init {
        System.loadLibrary("node")
        System.loadLibrary("outpost-core")
    }

    external fun start(arguments: Array<String>): Int
}
