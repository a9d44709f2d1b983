#!/usr/bin/env bash
# Makes sure Debian's `pebble` ACME test server is installed and prints its binary path.
# Idempotent: when pebble is already there it installs nothing. The ACME integration test
# starts its own pebble from this path; nothing here starts a server.
set -euo pipefail

DEBIAN_PATH=/usr/bin/pebble

log() { printf '[pebble] %s\n' "$*" >&2; }

find_pebble() {
  if command -v pebble >/dev/null 2>&1; then
    command -v pebble
  elif [ -x "$DEBIAN_PATH" ]; then
    printf '%s\n' "$DEBIAN_PATH"
  else
    return 1
  fi
}

if ! find_pebble >/dev/null; then
  if [ "$(id -u)" != 0 ]; then
    log 'pebble is missing and installing it needs root'
    exit 1
  fi
  log 'installing pebble'
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends pebble >/dev/null
fi

find_pebble
