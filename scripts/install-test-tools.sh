#!/usr/bin/env bash
# Installs what the tests need beyond Rust: the reference `age` tool (Debian's package),
# which proves that contribution files open with something other than tend; rclone (its
# `serve webdav` is the WebDAV server of tests/sync_webdav.rs) and syncthing (for
# scripts/sync-syncthing.sh).
set -euo pipefail
if command -v age >/dev/null 2>&1 && command -v age-keygen >/dev/null 2>&1 \
  && command -v rclone >/dev/null 2>&1 && command -v syncthing >/dev/null 2>&1; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
if command -v apt-get >/dev/null 2>&1; then
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq age rclone syncthing >/dev/null
else
  echo "install-test-tools: please install age (https://age-encryption.org), rclone and syncthing and try again" >&2
  exit 1
fi
