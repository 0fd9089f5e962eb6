// Starts Node (nodejs-mobile's libnode) with the given arguments and returns
// its exit code. node::Start wants argv in one contiguous block.
#include <jni.h>
#include <cstring>
#include <string>
#include <vector>
#include "node.h"

extern "C" JNIEXPORT jint JNICALL
Java_org_outpost_shell_NodeRuntime_start(JNIEnv *env, jobject, jobjectArray arguments) {
  const jsize count = env->GetArrayLength(arguments);
  std::vector<std::string> values;
  size_t size = 0;
  for (jsize i = 0; i < count; i++) {
    auto value = static_cast<jstring>(env->GetObjectArrayElement(arguments, i));
    const char *chars = env->GetStringUTFChars(value, nullptr);
    values.emplace_back(chars);
    size += values.back().size() + 1;
    env->ReleaseStringUTFChars(value, chars);
    env->DeleteLocalRef(value);
  }
  std::vector<char> block(size);
  std::vector<char *> argv;
  char *cursor = block.data();
  for (const auto &value : values) {
    std::memcpy(cursor, value.c_str(), value.size() + 1);
    argv.push_back(cursor);
    cursor += value.size() + 1;
  }
  return node::Start(static_cast<int>(argv.size()), argv.data());
}
