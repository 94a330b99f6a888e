#!/usr/bin/env bash
# Installs what the tests need beyond Rust: the reference `age` tool (Debian's package),
# which proves that contribution files open with something other than tend; rclone (its
# `serve webdav` is the WebDAV server of tests/sync_webdav.rs); syncthing (for
# scripts/sync-syncthing.sh); and dbus-daemon (the private system bus on which
# tests/agent_logind.rs plays logind). Only what is missing is installed.
set -euo pipefail
missing=()
command -v age >/dev/null 2>&1 && command -v age-keygen >/dev/null 2>&1 || missing+=(age)
command -v rclone >/dev/null 2>&1 || missing+=(rclone)
command -v syncthing >/dev/null 2>&1 || missing+=(syncthing)
command -v dbus-daemon >/dev/null 2>&1 || missing+=(dbus-daemon)
if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null
  packages=()
  for tool in "${missing[@]}"; do
    if [ "$tool" = dbus-daemon ] && ! apt-cache show dbus-daemon >/dev/null 2>&1; then
      # Before Debian 12 the daemon came in the `dbus` package.
      packages+=(dbus)
    else
      packages+=("$tool")
    fi
  done
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${packages[@]}" >/dev/null
else
  echo "install-test-tools: please install ${missing[*]} and try again" >&2
  echo "(age: https://age-encryption.org; dbus-daemon: your system's dbus package)" >&2
  exit 1
fi
