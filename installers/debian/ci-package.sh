#!/usr/bin/env bash
# CI stage: build the .deb, lint it (informational), install and run it in a clean Debian 12 root.
#
# Usage: installers/debian/ci-package.sh [--strict] [-j N] [BUILD_DIR]
#   BUILD_DIR   build tree for the Release package build (default: build-deb/ in the repository)
#   -j N        build jobs (passed to build-deb.sh)
#   --strict    exit 77 when the clean-root test is skipped (no mirror, not root, no debootstrap)
#               instead of 0
#
# Exit status: 0 packaged and tested, or the test skipped (a line "ci-package: SKIPPED ..." says
# why); non-zero when the build, the package or a check in the clean root failed; 77 skipped
# with --strict.
# Environment: SIPSCOPE_JOBS (build jobs), and those of test-deb.sh (SIPSCOPE_DEB_MIRROR, ...).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
strict=0
build_args=()
while (($#)); do
    case $1 in
    --strict) strict=1 ;;
    -h | --help)
        sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) build_args+=("$1") ;;
    esac
    shift
done

start=$SECONDS
deb=$("$here/build-deb.sh" "${build_args[@]}" | tail -n 1)
echo "ci-package: built $deb in $((SECONDS - start)) s"
dpkg-deb --field "$deb"
dpkg-deb --contents "$deb" | awk '{print $1, $6}'

if command -v lintian >/dev/null; then
    # Informational: the package has no upstream changelog or copyright file yet.
    echo "ci-package: lintian (informational)"
    timeout 300 lintian --tag-display-limit 0 "$deb" || true
fi

test_start=$SECONDS
rc=0
timeout 2400 "$here/test-deb.sh" "$deb" || rc=$?
case $rc in
0) echo "ci-package: clean-root test passed in $((SECONDS - test_start)) s" ;;
77)
    echo "ci-package: SKIPPED the clean-root test (reason above); the .deb was built: $deb"
    ((strict)) && exit 77
    exit 0
    ;;
124) echo "ci-package: clean-root test timed out" && exit 1 ;;
*) echo "ci-package: clean-root test FAILED (exit $rc)" && exit 1 ;;
esac
