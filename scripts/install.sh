#!/usr/bin/env bash
# Builds libgamelift_auth (release) and installs it into a prefix, the way C and C++ builds find
# a library: a versioned shared library with a SONAME, the static library, the header, a
# pkg-config file and a CMake package.
#
#   scripts/install.sh --prefix /opt/gamelift-auth
#
# Installs, for version X.Y.Z (from Cargo.toml):
#   <prefix>/include/gamelift_auth.h
#   <prefix>/lib/libgamelift_auth.so.X.Y.Z           SONAME libgamelift_auth.so.<sover>
#   <prefix>/lib/libgamelift_auth.so.<sover>  -> libgamelift_auth.so.X.Y.Z
#   <prefix>/lib/libgamelift_auth.so          -> libgamelift_auth.so.X.Y.Z
#   <prefix>/lib/libgamelift_auth.a
#   <prefix>/lib/pkgconfig/gamelift-auth.pc
#   <prefix>/lib/cmake/GameLiftAuth/GameLiftAuthConfig.cmake
#   <prefix>/lib/cmake/GameLiftAuth/GameLiftAuthConfigVersion.cmake
# <sover> follows cargo-c: X for X >= 1, 0.Y for 0.Y.Z (Y >= 1), 0.0.Z for 0.0.Z.
#
# Options:
#   --prefix DIR      where to install, absolute (default /usr/local)
#   --libdir DIR      libraries, relative to the prefix or absolute inside it (default lib;
#                     e.g. lib/x86_64-linux-gnu on Debian)
#   --includedir DIR  the header, likewise (default include)
#   --destdir DIR     stage under DIR (for packagers): files go to DIR/<prefix>/..., while the
#                     pkg-config file still names <prefix> (the CMake package is relocatable)
#
# Needs cargo, patchelf (sets the SONAME on the installed copy only: the libraries under target/
# keep none, so the tests and examples-c link them as they are) and coreutils. Linux only.
# Environment: CARGO (default cargo), and whatever cargo itself reads (CARGO_TARGET_DIR,
# RUSTFLAGS, ...). The build is `cargo rustc --release --lib --locked`, a second when target/
# is up to date.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cargo=${CARGO:-cargo}
prefix=/usr/local
libdir=lib
includedir=include
destdir=

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}
die() {
    echo "install.sh: $*" >&2
    exit 1
}

while [ $# -gt 0 ]; do
    case $1 in
    --*=*) opt=${1%%=*} value=${1#*=} ;;
    --prefix | --libdir | --includedir | --destdir)
        [ $# -ge 2 ] || die "$1 needs a value"
        opt=$1 value=$2
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
    case $opt in
    --prefix) prefix=$value ;;
    --libdir) libdir=$value ;;
    --includedir) includedir=$value ;;
    --destdir) destdir=$value ;;
    *) die "unknown option '$opt' (see --help)" ;;
    esac
done

[ "$(uname -s)" = Linux ] ||
    die "only Linux is handled (a macOS install name or a Windows import library is not)"
command -v patchelf >/dev/null 2>&1 ||
    die "patchelf is needed to set the SONAME (Debian/Ubuntu: apt-get install patchelf)"

# Paths: an absolute prefix without trailing slashes; libdir and includedir relative to it.
case $prefix in
/*) ;;
*) die "--prefix must be an absolute path, not '$prefix'" ;;
esac
while [ "${prefix%/}" != "$prefix" ] && [ "$prefix" != / ]; do prefix=${prefix%/}; done
inside_prefix() { # $1 option name, $2 value -> the value relative to the prefix
    local rel=$2
    case $rel in
    "$prefix"/*) rel=${rel#"$prefix"/} ;;
    /*) die "$1 '$2' is not inside the prefix '$prefix'" ;;
    esac
    while [ "${rel%/}" != "$rel" ]; do rel=${rel%/}; done
    case /$rel/ in
    //* | */../* | */./*) die "$1 '$2': give a plain path inside the prefix" ;;
    esac
    printf '%s\n' "$rel"
}
libdir=$(inside_prefix --libdir "$libdir")
includedir=$(inside_prefix --includedir "$includedir")
if [ "$prefix" = / ]; then base=; else base=$prefix; fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# ---- build -------------------------------------------------------------------------------------
# One cargo call builds the .so and the .a, prints where it put them (JSON on stdout) and the
# system libraries the .a needs (rustc's note on stderr; cargo replays it when nothing changed).
echo "building libgamelift_auth (release)..." >&2
"$cargo" rustc --manifest-path "$root/Cargo.toml" --release --lib --locked --color never \
    --message-format json-render-diagnostics -- --print native-static-libs \
    2>&1 >"$work/build.json" | tee "$work/build.log" >&2

artifact=$(grep '"reason":"compiler-artifact"' "$work/build.json" |
    grep '"name":"gamelift_auth"' | tail -n 1) ||
    die "cargo reported no gamelift_auth artifact"
file_of() { # $1 file name -> its path among the artifact's files
    printf '%s\n' "$artifact" | grep -o "\"[^\"]*/$1\"" | tr -d '"' | head -n 1
}
so=$(file_of libgamelift_auth.so)
ar=$(file_of libgamelift_auth.a)
if [ ! -f "$so" ] || [ ! -f "$ar" ]; then
    die "cargo built no libgamelift_auth.so and .a (crate-type?)"
fi
native=$(sed -n 's/^note: native-static-libs: //p' "$work/build.log" | tail -n 1)
[ -n "$native" ] || die "rustc printed no native-static-libs note"

# The version, from the package id ("path+file:///dir#gamelift-auth@X.Y.Z" or ".../dir#X.Y.Z").
id=$(printf '%s\n' "$artifact" | grep -o '"package_id":"[^"]*"' | tr -d '"')
version=${id##*#}
version=${version##*@}
case $version in
[0-9]*.[0-9]*.[0-9]*) ;;
*) die "cannot read the version from '$id'" ;;
esac
IFS=. read -r major minor patch <<<"${version%%[-+]*}"
if [ "$major" != 0 ]; then
    sover=$major
elif [ "$minor" != 0 ]; then
    sover=0.$minor
else
    sover=0.0.$patch
fi
real=libgamelift_auth.so.$version
soname=libgamelift_auth.so.$sover
description=$(sed -n 's/^description = "\(.*\)"$/\1/p' "$root/Cargo.toml" | head -n 1)

# The pointer size of the library (ELF class: byte 4 is 1 for 32-bit, 2 for 64-bit).
case $(od -An -t u1 -j 4 -N 1 "$so" | tr -d ' ') in
1) sizeof_void_p=4 ;;
2) sizeof_void_p=8 ;;
*) die "$so is not an ELF file" ;;
esac

# What the .a needs, for CMake: -lpthread -> Threads::Threads, -ldl -> ${CMAKE_DL_LIBS}, libc is
# the compiler driver's; other -lNAME -> NAME, anything else as it is.
# shellcheck disable=SC2016 # for CMake to expand, not the shell
cmake_dl_libs='${CMAKE_DL_LIBS}'
cmake_native=
for flag in $native; do
    case $flag in
    -lc) continue ;;
    -lpthread) item=Threads::Threads ;;
    -ldl) item=$cmake_dl_libs ;;
    -l*) item=${flag#-l} ;;
    *) item=$flag ;;
    esac
    cmake_native=${cmake_native:+$cmake_native;}$item
done

# ---- generate ----------------------------------------------------------------------------------
cmakedir=$libdir/cmake/GameLiftAuth
up=
IFS=/ read -ra parts <<<"$cmakedir"
for _ in "${parts[@]}"; do up=${up:+$up/}..; done

sed_escape() { printf '%s' "$1" | sed 's/[\\|&]/\\&/g'; }
fill() { # $1 template in packaging/, $2 output
    sed -e "s|@PREFIX@|$(sed_escape "$prefix")|g" \
        -e "s|@LIBDIR@|$(sed_escape "$libdir")|g" \
        -e "s|@INCLUDEDIR@|$(sed_escape "$includedir")|g" \
        -e "s|@CMAKEDIR@|$(sed_escape "$cmakedir")|g" \
        -e "s|@CMAKEDIR_TO_PREFIX@|$up|g" \
        -e "s|@DESCRIPTION@|$(sed_escape "$description")|g" \
        -e "s|@VERSION@|$version|g" \
        -e "s|@VERSION_MAJOR@|$major|g" \
        -e "s|@VERSION_MINOR@|$minor|g" \
        -e "s|@SOVER@|$sover|g" \
        -e "s|@SONAME@|$soname|g" \
        -e "s|@NATIVE_STATIC_LIBS@|$(sed_escape "$native")|g" \
        -e "s|@CMAKE_NATIVE_LIBS@|$(sed_escape "$cmake_native")|g" \
        -e "s|@SIZEOF_VOID_P@|$sizeof_void_p|g" \
        -e "s|@POINTER_BITS@|$((sizeof_void_p * 8))|g" \
        "$root/packaging/$1" >"$work/$2"
    if grep -n '@[A-Z_]*@' "$work/$2" >&2; then die "$1: a placeholder is left"; fi
}
fill gamelift-auth.pc.in gamelift-auth.pc
fill GameLiftAuthConfig.cmake.in GameLiftAuthConfig.cmake
fill GameLiftAuthConfigVersion.cmake.in GameLiftAuthConfigVersion.cmake

cp "$so" "$work/$real"
patchelf --set-soname "$soname" "$work/$real"
[ "$(patchelf --print-soname "$work/$real")" = "$soname" ] || die "patchelf did not set the SONAME"

# ---- install -----------------------------------------------------------------------------------
# `install` replaces a file by a new one (a running program keeps the old); the symlinks last, so
# that they never point at a missing file.
d_lib=$destdir$base/$libdir
d_include=$destdir$base/$includedir
d_cmake=$destdir$base/$cmakedir
install -d "$d_lib" "$d_lib/pkgconfig" "$d_include" "$d_cmake"
install -m 0644 "$root/include/gamelift_auth.h" "$d_include/gamelift_auth.h"
install -m 0644 "$ar" "$d_lib/libgamelift_auth.a"
install -m 0755 "$work/$real" "$d_lib/$real"
ln -sfn "$real" "$d_lib/$soname"
ln -sfn "$real" "$d_lib/libgamelift_auth.so"
install -m 0644 "$work/gamelift-auth.pc" "$d_lib/pkgconfig/gamelift-auth.pc"
install -m 0644 "$work/GameLiftAuthConfig.cmake" "$work/GameLiftAuthConfigVersion.cmake" "$d_cmake/"

echo "installed gamelift-auth $version into $destdir$base/ (SONAME $soname):" >&2
for f in "$includedir/gamelift_auth.h" "$libdir/$real" "$libdir/$soname" \
    "$libdir/libgamelift_auth.so" "$libdir/libgamelift_auth.a" \
    "$libdir/pkgconfig/gamelift-auth.pc" "$cmakedir/GameLiftAuthConfig.cmake" \
    "$cmakedir/GameLiftAuthConfigVersion.cmake"; do
    echo "  $f" >&2
done
