#!/bin/sh
# Puts a fresh copy of a journal in place before a timed write (compare.sh's --prepare), and
# syncs it, so the write's own fsync does not also flush the copy.
set -e
cp "$1" "$2"
sync "$2"
