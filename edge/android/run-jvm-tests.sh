#!/usr/bin/env bash
# Compiles and runs the plain-JVM tests of the shell's origin and secret logic
# with Debian's kotlin and junit4 packages (installed when missing). The Android
# classes need the Android SDK and are not compiled here (README.md).
set -euo pipefail
cd "$(dirname "$0")/app/src"
if ! command -v kotlinc >/dev/null 2>&1 || [ ! -f /usr/share/java/junit4.jar ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq kotlin junit4 >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
kotlinc main/java/org/outpost/shell/CoreOrigin.kt main/java/org/outpost/shell/ShellSecret.kt \
  test/java/org/outpost/shell/CoreOriginTest.kt -cp /usr/share/java/junit4.jar -d "$out" 2>&1 \
  | grep -v 'deprecated in JDK' || true
java -cp "$out:/usr/share/java/junit4.jar:/usr/share/java/hamcrest-core.jar:/usr/share/java/kotlin-stdlib.jar" \
  org.junit.runner.JUnitCore org.outpost.shell.CoreOriginTest
