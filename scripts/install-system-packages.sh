#!/usr/bin/env bash
# Installs the Debian packages the report and its browser test use: graphviz (dot), chromium, chromium-driver.
# Does nothing when they are present; warns (does not fail) when it cannot install them.
set -u
need=""
command -v dot >/dev/null 2>&1 || need="$need graphviz"
command -v chromium >/dev/null 2>&1 || need="$need chromium"
command -v chromedriver >/dev/null 2>&1 || need="$need chromium-driver"
[ -z "$need" ] && exit 0
if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
  echo "warning: cannot install$need (not root, no sudo); the report falls back to a pure-Python layout and browser tests are skipped" >&2
  exit 0
fi
if command -v apt-get >/dev/null 2>&1; then
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need >/dev/null \
    || echo "warning: apt-get could not install$need" >&2
else
  echo "warning: no apt-get; install$need yourself for the graph layout and browser tests" >&2
fi
exit 0
