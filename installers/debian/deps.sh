#!/usr/bin/env bash
# Installs every Debian 12 package SipScope needs to build, test and run. This is the one list:
# CI (.ci/run), the README commands and developers all call this script.
#
# Usage: installers/debian/deps.sh [--runtime] [--build] [--test] [--list] [--help]
#   no option   install all groups
#   --runtime   libraries and tools the installed application uses
#   --build     compilers, CMake, Ninja and the -dev packages
#   --test      fuzzing toolchain, formatter, SIP peers, capture tools, headless display
#   --list      print the selected packages, one a line, and exit
#
# Idempotent: when dpkg already reports every selected package installed, apt-get is not run.
# Needs root when something is missing.
set -euo pipefail

runtime_pkgs=(
    libqt6core6 libqt6gui6 libqt6widgets6 libqt6svg6 libqt6concurrent6 qt6-qpa-plugins
    libqt6multimedia6 # the call player (QAudioSink)
    libpcap0.8 libssl3 libsqlite3-0 libzstd1 zlib1g
    libjemalloc2 # the programs' heap allocator (cmake/SipScopeAllocator.cmake)
    libcap2-bin # setcap on the capture helper
    fonts-dejavu-core
)
build_pkgs=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev # Qt6 Core, Gui, Widgets, Test (+ CMake packages)
    qt6-svg-dev  # Qt6 Svg, SvgWidgets (Debian 12 has no libqt6svg6-dev)
    qt6-multimedia-dev # Qt6 Multimedia: the call player
    libpcap-dev libssl-dev libsqlite3-dev libzstd-dev zlib1g-dev
    libjemalloc-dev
)
test_pkgs=(
    clang-14 libclang-rt-14-dev # libFuzzer + ASan/UBSan runtime for the fuzz targets
    clang-format
    sip-tester # SIPp
    kamailio   # a real proxy/registrar peer for interop tests
    tcpdump tshark
    sngrep # a yardstick for bench_import --sngrep
    python3 python3-scapy
    xvfb xauth
    fonts-dejavu-core
    debootstrap # the .deb is installed and run in a clean Debian 12 root (ci-package.sh)
)

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

want_runtime=0 want_build=0 want_test=0 list_only=0
for arg in "$@"; do
    case "$arg" in
        --runtime) want_runtime=1 ;;
        --build) want_build=1 ;;
        --test) want_test=1 ;;
        --list) list_only=1 ;;
        -h | --help)
            usage
            exit 0
            ;;
        *)
            echo "deps.sh: unknown option: $arg" >&2
            usage >&2
            exit 2
            ;;
    esac
done
if ((want_runtime + want_build + want_test == 0)); then
    want_runtime=1 want_build=1 want_test=1
fi

selected=()
((want_runtime)) && selected+=("${runtime_pkgs[@]}")
((want_build)) && selected+=("${build_pkgs[@]}")
((want_test)) && selected+=("${test_pkgs[@]}")
# Deduplicate, keeping order.
mapfile -t selected < <(printf '%s\n' "${selected[@]}" | awk '!seen[$0]++')

if ((list_only)); then
    printf '%s\n' "${selected[@]}"
    exit 0
fi

if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
    echo "deps.sh: needs a Debian system (dpkg, apt-get)" >&2
    exit 2
fi

# Same answer as `dpkg -s`, without a pipe that could lose the race against grep -q.
is_installed() {
    [[ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null)" == "ii " ]]
}

missing=()
for pkg in "${selected[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "deps.sh: all ${#selected[@]} packages already installed"
    exit 0
fi

echo "deps.sh: missing ${#missing[@]} of ${#selected[@]} packages: ${missing[*]}"
if ((EUID != 0)); then
    echo "deps.sh: run as root (or with sudo) to install them" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
for pkg in "${missing[@]}"; do
    if [[ "$pkg" == tshark ]]; then
        # Keep dumpcap root-only and the install non-interactive.
        echo "deps.sh: preseeding wireshark-common/install-setuid=false"
        echo 'wireshark-common wireshark-common/install-setuid boolean false' |
            debconf-set-selections
    fi
done

echo "deps.sh: apt-get update"
apt-get update
echo "deps.sh: apt-get install -y --no-install-recommends ${missing[*]}"
apt-get install -y --no-install-recommends "${missing[@]}"

# Debian's kamailio package may enable and start a system-wide daemon on port 5060. SipScope's
# tests start their own instance on loopback, so a freshly installed one is stopped and disabled.
for pkg in "${missing[@]}"; do
    if [[ "$pkg" == kamailio ]] && command -v systemctl >/dev/null &&
        [[ -d /run/systemd/system ]]; then
        echo "deps.sh: disabling the kamailio system service (tests run their own)"
        systemctl disable --now kamailio.service || true
    fi
done

still_missing=()
for pkg in "${selected[@]}"; do
    is_installed "$pkg" || still_missing+=("$pkg")
done
if ((${#still_missing[@]} > 0)); then
    echo "deps.sh: still not installed: ${still_missing[*]}" >&2
    exit 1
fi
echo "deps.sh: done, all ${#selected[@]} packages installed"
