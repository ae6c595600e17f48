#!/usr/bin/env bash
# Install Debian's headless-capable Chromium for the report's browser tests.
#
# Does nothing when /usr/bin/chromium already exists. Needs root (or sudo) and apt-get; when it
# cannot install, it says why and exits 0, so a setup script can run it unconditionally and the
# browser tests then skip with a clear reason.
set -u

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
    echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install_chromium: apt-get not found (not Debian/Ubuntu); install Chromium yourself," \
         "the browser tests will skip until /usr/bin/chromium exists" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "install_chromium: need root or password-less sudo to run apt-get;" \
             "run 'sudo apt-get install -y chromium' yourself, the browser tests skip until then" >&2
        exit 0
    fi
fi

export DEBIAN_FRONTEND=noninteractive
if $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core; then
    echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
else
    echo "install_chromium: apt-get could not install chromium (offline mirror?);" \
         "the browser tests will skip until /usr/bin/chromium exists" >&2
fi
exit 0
