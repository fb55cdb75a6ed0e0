#!/usr/bin/env bash
# Builds the SipScope .deb: a Release build in BUILD_DIR, then `cpack -G DEB`.
#
# Usage: installers/debian/build-deb.sh [-j N] [BUILD_DIR]
#   BUILD_DIR   build tree to configure and use (default: build-deb/ in the repository)
#   -j N        parallel build jobs (default: $SIPSCOPE_JOBS, else nproc)
#
# Progress goes to stderr; the last line on stdout is the absolute path of the .deb, so
# `deb=$(installers/debian/build-deb.sh /tmp/b)` works. Tests and benchmarks are not built.
# Needs the build dependencies (installers/debian/deps.sh --build) and dpkg-dev (dpkg-shlibdeps).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
jobs=${SIPSCOPE_JOBS:-$(nproc 2>/dev/null || echo 2)}
build_dir=

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
    -j)
        jobs=${2:?-j needs a number}
        shift
        ;;
    -j*) jobs=${1#-j} ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *) build_dir=$1 ;;
    esac
    shift
done
build_dir=${build_dir:-$repo/build-deb}
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)

say() { printf 'build-deb: %s\n' "$*" >&2; }
for tool in cmake cpack dpkg-deb dpkg-shlibdeps; do
    command -v "$tool" >/dev/null || {
        say "$tool not found (apt-get install cmake dpkg-dev)"
        exit 2
    }
done

# Debian's build flags with full hardening (fortify, stack protector, RELRO, bind now), as a
# distribution package would get them from debhelper. -O2 instead of CMake's Release -O3: that
# is what Debian builds with, and GCC 12 at -O3 reports false -Wrestrict errors in std::string
# code (GCC bug 105329), which -Werror turns into a failed build.
buildflag() { (cd "$repo" && DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --get "$1"); }
cxxflags=
for flag in $(buildflag CPPFLAGS) $(buildflag CXXFLAGS); do
    # No debug info (the package is stripped); the optimisation level is set below.
    [[ $flag == -g || $flag == -O? ]] || cxxflags+=" $flag"
done
cxxflags=${cxxflags# }
ldflags=$(buildflag LDFLAGS)

generator=()
[[ -f $build_dir/CMakeCache.txt ]] || generator=(-G Ninja)
start=$SECONDS
say "configuring a Release build in $build_dir (CXXFLAGS: $cxxflags; LDFLAGS: $ldflags)"
cmake -S "$repo" -B "$build_dir" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
    -DSIPSCOPE_BUILD_TESTS=OFF -DSIPSCOPE_BUILD_BENCH=OFF >&2
say "building with -j$jobs"
cmake --build "$build_dir" --parallel "$jobs" >&2
say "built in $((SECONDS - start)) s; packaging"

# cpack names the file it wrote on a line "CPack: - package: PATH generated."
log=$build_dir/cpack-deb.log
if ! (cd "$build_dir" && cpack -G DEB) >"$log" 2>&1; then
    cat "$log" >&2
    say "cpack failed"
    exit 1
fi
cat "$log" >&2
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$log" | tail -n 1)
[[ -n $deb && -f $deb ]] || {
    say "cpack did not report a .deb (see $log)"
    exit 1
}
say "package ready in $((SECONDS - start)) s: $(du -h "$deb" | cut -f1)"
dpkg-deb --field "$deb" Package Version Architecture Depends >&2
printf '%s\n' "$deb"
