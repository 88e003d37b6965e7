#!/usr/bin/env bash
# Prints the home of a JDK 25: $JAVA_HOME if it is one, else the first one under /usr/lib/jvm.
is25() { [[ -x "$1/bin/javac" ]] && "$1/bin/java" -version 2>&1 | grep -q 'version "25'; }
if [[ -n "${JAVA_HOME:-}" ]] && is25 "$JAVA_HOME"; then echo "$JAVA_HOME"; exit 0; fi
for d in /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/java-25-openjdk-amd64 /usr/lib/jvm/*25*; do
  if is25 "$d"; then echo "$d"; exit 0; fi
done
exit 1
