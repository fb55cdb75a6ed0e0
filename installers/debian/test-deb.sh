#!/usr/bin/env bash
# Installs a SipScope .deb into a clean Debian 12 root and runs it there.
#
# Usage: installers/debian/test-deb.sh [--keep] path/to/sipscope_VERSION_amd64.deb
#   --keep   leave the root in place (its path is printed) instead of deleting it
#
# The root is `debootstrap --variant=minbase bookworm` from the mirror the host's apt uses; the
# fresh root is cached as a tarball in $SIPSCOPE_CI_CACHE (default /var/cache/sipscope-ci) so the
# next run only unpacks it. apt inside the root resolves the package's Depends from that mirror,
# so a missing dependency fails here exactly as it would for a user.
#
# Checks, inside the root (chroot): sipscope-cli --version; sipscope-cli calls on the bundled
# example lists 11 calls; QT_QPA_PLATFORM=offscreen sipscope --self-test; the desktop, MIME, icon
# and man page files are where the desktop expects them; the capability on sipscope-capture.
#
# Environment: SIPSCOPE_DEB_MIRROR (override the mirror), SIPSCOPE_CI_CACHE, SIPSCOPE_CACHE_DAYS
# (rebuild a cached root older than this, default 14), TMPDIR (where the root is unpacked).
#
# Exit status: 0 all checks passed; 1 a check failed; 2 usage; 77 skipped (not root, no
# debootstrap, or the mirror cannot be reached), the "skipped" code of CTest and Automake.
set -euo pipefail

readonly suite=bookworm
readonly expected_calls=11
readonly cache_dir=${SIPSCOPE_CI_CACHE:-/var/cache/sipscope-ci}
readonly cache_days=${SIPSCOPE_CACHE_DAYS:-14}

say() { printf 'test-deb: %s\n' "$*" >&2; }
skip() {
    say "SKIP: $*"
    exit 77
}
die() {
    say "FAIL: $*"
    exit 1
}
usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }

keep=0
deb=
while (($#)); do
    case $1 in
    --keep) keep=1 ;;
    -h | --help)
        usage
        exit 0
        ;;
    -*)
        usage >&2
        exit 2
        ;;
    *) deb=$1 ;;
    esac
    shift
done
[[ -n $deb ]] || {
    usage >&2
    exit 2
}
[[ -f $deb ]] || die "no such file: $deb"
deb=$(readlink -f "$deb")

((EUID == 0)) || skip "needs root (debootstrap, chroot, mount)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed (apt-get install debootstrap)"

# The first plain Debian mirror (not -security, not -updates) with bookworm/main in the host's
# apt sources, one-line (.list) or deb822 (.sources) format.
host_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] || continue
        awk -v s="$suite" '$1 == "deb" {
            i = 2; if ($i ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
            if ($(i + 1) == s) { for (j = i + 2; j <= NF; j++) if ($j == "main") { print $i; exit } }
        }' "$f"
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] || continue
        # deb822 stanzas are separated by blank lines; RS="" reads one stanza per record.
        awk -v s="$suite" 'BEGIN { RS = "" } {
            uri = ""; ok_suite = 0; ok_comp = 0; ok_type = 0; enabled = 1
            n = split($0, lines, "\n")
            for (k = 1; k <= n; k++) {
                l = lines[k]; if (l ~ /^#/) continue
                split(l, kv, ":"); key = tolower(kv[1]); val = substr(l, length(kv[1]) + 2)
                m = split(val, w, " ")
                if (key == "types") for (x = 1; x <= m; x++) if (w[x] == "deb") ok_type = 1
                if (key == "uris") uri = w[1]
                if (key == "suites") for (x = 1; x <= m; x++) if (w[x] == s) ok_suite = 1
                if (key == "components") for (x = 1; x <= m; x++) if (w[x] == "main") ok_comp = 1
                if (key == "enabled" && w[1] == "no") enabled = 0
            }
            if (uri != "" && ok_type && ok_suite && ok_comp && enabled) { print uri; exit }
        }' "$f"
    done
}

mirror=${SIPSCOPE_DEB_MIRROR:-$(host_mirror | head -n1)}
[[ -n $mirror ]] || skip "no bookworm/main mirror in the host's apt sources; set SIPSCOPE_DEB_MIRROR"
mirror=${mirror%/}

# apt on the host may reach the mirror through a proxy; debootstrap (wget) and apt in the root
# must use the same one.
eval "$(apt-config shell http_proxy_apt Acquire::http::Proxy)"
if [[ -n ${http_proxy_apt:-} && -z ${http_proxy:-} ]]; then export http_proxy=$http_proxy_apt; fi

say "mirror: $mirror"
timeout 30 wget -q -O /dev/null "$mirror/dists/$suite/Release" ||
    skip "debootstrap cannot reach the mirror $mirror (no $mirror/dists/$suite/Release)"

work=$(mktemp -d "${TMPDIR:-/var/tmp}/sipscope-deb-test.XXXXXX")
root=$work/root
mounts=()
cleanup() {
    local rc=$? m i
    for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
        m=${mounts[i]}
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || say "cannot unmount $m"
    done
    if ((keep)); then
        say "root kept at $root"
    elif ! findmnt -rn -o TARGET | grep -q "^$work/"; then
        # --one-file-system: never follow a mount that somehow survived into the host's /dev.
        rm -rf --one-file-system "$work"
    else
        say "mounts remain under $work; not deleting it"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_in_root() { # type-or-bind source target
    mkdir -p "$root/$3"
    if [[ $1 == bind ]]; then mount --bind "$2" "$root/$3"; else mount -t "$1" "$2" "$root/$3"; fi
    mounts+=("$root/$3")
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f s", b - a }'; }

# --- the clean root: from the cache, or debootstrap then cache -----------------------------------
key=$(printf '%s' "$mirror" | sha256sum | cut -c1-12)
tarball=$cache_dir/debian-$suite-minbase-amd64-$key.tar.gz
mkdir -p "$cache_dir" "$root"
t0=$(now)
if [[ -f $tarball ]] && [[ -z $(find "$tarball" -mtime "+$cache_days") ]]; then
    say "unpacking cached root $tarball"
    timeout 300 tar -xzf "$tarball" -C "$root" --numeric-owner
    say "root from cache in $(elapsed "$t0")"
else
    say "debootstrap --variant=minbase $suite (first run; cached afterwards)"
    if ! timeout 1200 debootstrap --variant=minbase --arch=amd64 "$suite" "$root" "$mirror" \
        >"$work/debootstrap.log" 2>&1; then
        tail -n 20 "$work/debootstrap.log" >&2
        if grep -qE 'Failed getting release file|Couldn.t download|Unable to resolve|Temporary failure in name resolution|Connection refused|timed out' \
            "$work/debootstrap.log"; then
            skip "debootstrap cannot reach the mirror $mirror"
        fi
        die "debootstrap failed (log above)"
    fi
    say "debootstrap in $(elapsed "$t0")"
    t1=$(now)
    tmp_tar=$(mktemp "$cache_dir/.root.XXXXXX")
    # gzip -1: the tarball is a cache, packing speed matters more than its size.
    if timeout 300 tar -c -C "$root" --numeric-owner --one-file-system . | gzip -1 >"$tmp_tar"; then
        chmod 0644 "$tmp_tar"
        mv -f "$tmp_tar" "$tarball"
    else
        rm -f "$tmp_tar"
    fi
    say "cached as $tarball in $(elapsed "$t1")"
fi

# --- install the package with apt, as a user would ------------------------------------------------
cp /etc/resolv.conf "$root/etc/resolv.conf"
if [[ -n ${http_proxy:-} ]]; then
    printf 'Acquire::http::Proxy "%s";\n' "$http_proxy" >"$root/etc/apt/apt.conf.d/01proxy"
fi
# No service starts inside the test root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount_in_root proc proc proc
mount_in_root bind /dev dev
mount_in_root devpts devpts dev/pts
mount_in_root sysfs sysfs sys
mount_in_root tmpfs tmpfs tmp

in_root() { # seconds command...
    local secs=$1
    shift
    timeout "$secs" chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}

cp "$deb" "$root/var/tmp/"
pkg_file=/var/tmp/$(basename "$deb")
t2=$(now)
in_root 300 apt-get update -q >"$work/apt-update.log" 2>&1 || {
    cat "$work/apt-update.log" >&2
    die "apt-get update in the root failed"
}
say "apt-get update in $(elapsed "$t2")"
t3=$(now)
if ! in_root 900 apt-get install -y -q --no-install-recommends "$pkg_file" \
    >"$work/apt-install.log" 2>&1; then
    tail -n 40 "$work/apt-install.log" >&2
    die "apt-get install of $(basename "$deb") failed"
fi
say "apt-get install (package + $(grep -c '^Setting up' "$work/apt-install.log") packages set up) in $(elapsed "$t3")"
# postinst's own lines (a setcap warning, for example).
grep -E '^sipscope: ' "$work/apt-install.log" >&2 || true

# --- checks ---------------------------------------------------------------------------------------
failures=0
check() { # description command...
    local d=$1
    shift
    if "$@"; then say "ok   $d"; else
        say "FAIL $d"
        failures=$((failures + 1))
    fi
}

version_out=$(in_root 30 sipscope-cli --version 2>&1) || true
printf '%s\n' "$version_out"
check "sipscope-cli --version" grep -q '[0-9]\.[0-9]' <<<"$version_out"

capture_version=$(in_root 30 sipscope-capture --version 2>&1) || true
printf '%s\n' "$capture_version"
check "sipscope-capture --version" grep -q '[0-9]\.[0-9]' <<<"$capture_version"

example=/usr/share/sipscope/examples/basic-calls.pcap
calls_out=$(in_root 120 sipscope-cli calls "$example" 2>&1) || true
printf '%s\n' "$calls_out"
# The table has one row per call, each starting with its index; --json has one object per line.
table_rows=$(grep -cE '^[[:space:]]*[0-9]+[[:space:]]' <<<"$calls_out" || true)
calls_json=$(in_root 120 sipscope-cli calls --json "$example" 2>/dev/null) || true
json_rows=$(grep -c '^{' <<<"$calls_json" || true)
say "calls listed: $table_rows (table), $json_rows (--json)"
check "sipscope-cli calls lists $expected_calls calls" test "$table_rows" -eq "$expected_calls" \
    -a "$json_rows" -eq "$expected_calls"

t4=$(now)
self_out=$(in_root 180 env QT_QPA_PLATFORM=offscreen sipscope --self-test 2>&1) && self_rc=0 ||
    self_rc=$?
printf '%s\n' "$self_out"
check "sipscope --self-test (offscreen, $(elapsed "$t4"))" \
    grep -q '^sipscope self-test: ok' <<<"$self_out"
check "sipscope --self-test exit status 0" test "$self_rc" -eq 0

check "desktop entry" test -f "$root/usr/share/applications/sipscope.desktop"
check "icon" test -f "$root/usr/share/icons/hicolor/scalable/apps/sipscope.svg"
for page in sipscope sipscope-cli sipscope-capture; do
    check "man page $page(1)" test -f "$root/usr/share/man/man1/$page.1.gz"
done
if [[ -x $root/usr/bin/update-mime-database ]]; then
    check "MIME database knows *.sipscope.sqlite" grep -q 'application/x-sipscope-database' \
        "$root/usr/share/mime/globs2"
fi
caps=$(in_root 10 getcap /usr/bin/sipscope-capture 2>&1) || true
if [[ $caps == *cap_net_admin,cap_net_raw=eip* ]]; then
    say "ok   capabilities: $caps"
    # The point of the capabilities: a user without privileges captures through the helper.
    # (The root shares the host's network namespace, so lo is there.)
    check "sipscope-capture -i lo as user nobody" in_root 30 runuser -u nobody -- \
        sipscope-capture -i lo --duration 1 --stats-interval 0 -w - >/dev/null
else
    # A root on a file system without security xattrs cannot hold them; postinst warns then.
    say "note capabilities not set on sipscope-capture (${caps:-none}); postinst output:"
    grep -i 'sipscope-capture' "$work/apt-install.log" >&2 || true
fi

purge() { in_root 120 apt-get purge -y -q sipscope >"$work/apt-purge.log" 2>&1; }
check "apt-get purge sipscope" purge
check "no files left after purge" test ! -e "$root/usr/bin/sipscope-capture" -a \
    ! -e "$root/usr/share/applications/sipscope.desktop" -a ! -e "$root/usr/share/sipscope"

if ((failures)); then die "$failures check(s) failed"; fi
say "PASS: $(basename "$deb") installs and runs in a clean Debian 12 root"
