# shellcheck shell=sh
# clawfleet's node probe: answers one ProbeRequest with lstat data, hashes, symlink targets, dir listings
# and file contents, in one round trip. POSIX sh; runs on any node with sshd and coreutils.
#
# The request is DATA on stdin; this text is constant and never has a path written into it. clawfleet runs
#     /bin/sh -c 'eval "$1"' clawprobe "<this file's text>"  <request
# (`sh probe.sh <request` works too, for a look by hand). Batches of found paths are handed back to this
# same text by `find ... -exec /bin/sh -c "$self" clawprobe-meta|clawprobe-hash|clawprobe-link PATH... +`.
# A name is only ever an argument ("$@") or printed with `printf %s`: never evaluated.
#
# Request (one item a line): `lines` or `whole` (how to read the rest: small requests line by line, big
# ones whole), `find gnu|portable|detect`, then the sections in this order, each a letter
# on its own line followed by its absolute paths: `S` stat, `L` list, `M` manifest, `Q` quick (stat-only)
# manifest, `R` read, `A` access, and `Z` to end. A path holding a newline is sent as `%` + its text with `\` as `\\` and newline as `\n`.
#
# Output: NUL-terminated fields. `CLAWPROBE1`, `=G 0|1` when asked to detect GNU find, then per section
# `=S`, `=L`, `=M`, `=Q`, `=R`, `=A` the records below (src/transport/ssh/probe-records.ts names them), `=Z` last
# (so truncated output is detected):
#   T path c                 top-level kind of a list/manifest/read path: d (real dir), f (real file), o (other)
#   M path "hexmode size uid gid"  lstat of a path (`stat -c '%f %s %u %g'`)
#   P path "t octmode size uid gid"  the same from GNU find's -printf (`%y %m %s %U %G`): no process per path
#   H path sha256            a regular file's hash
#   I path dev:ino:ctime     a regular file's stamp (GNU find only: `%D:%i:%C@`); Q sections hash nothing
#   C now                    the node's clock (`date +%s`) as an M section's walk begins (GNU find only)
#   K path target            a symlink's target
#   B path base64            a read file's content
#   W path 0|1               whether the probe's user may create and remove entries in that dir
#   N path                   does not exist (or vanished while probing)
#   E path reason            EACCES / EIO
#   F message                find could not read the whole tree
# Tools: sh builtins, find (-mindepth/-maxdepth/-exec +), stat -c, sha256sum, readlink, base64, cat.
# Processes are batched (find -exec +): a big tree costs a few processes per few thousand entries.

set -f
LC_ALL=C
export LC_ALL
nl='
'
# find's path placeholder, spelled so that this text never holds it: find refuses an -exec whose
# arguments hold it more than once, and this whole text is one of them.
ph='{''}'

# cls PATH: the record of a path lstat cannot see, from test builtins only: N, or E EACCES when an
# ancestor is a dir that cannot be searched.
cls() {
  q=$1
  while :; do
    case $q in */*) q=${q%/*} ;; *) q= ;; esac
    if [ -z "$q" ]; then printf 'N\000%s\000' "$1"; return; fi
    if [ -d "$q" ]; then
      if [ -x "$q" ]; then printf 'N\000%s\000' "$1"; else printf 'E\000%s\000EACCES\000' "$1"; fi
      return
    fi
    if [ -e "$q" ] || [ -L "$q" ]; then printf 'N\000%s\000' "$1"; return; fi
  done
}

# one PATH: the M record of one path (or N/E).
one() {
  if m=$(stat -c '%f %s %u %g' -- "$1" 2>/dev/null); then printf 'M\000%s\000%s\000' "$1" "$m"; else cls "$1"; fi
}

# ---------------------------------------------------------------- batches (find -exec ... +)

batch_meta() {
  if m=$(stat -c '%f %s %u %g' -- "$@" 2>/dev/null); then
    printf '%s\n' "$m" | { for p do IFS= read -r l; printf 'M\000%s\000%s\000' "$p" "$l"; done; }
  else
    for p do one "$p"; done
  fi
}

batch_hash() {
  ok=1
  for p do case $p in *"$nl"*) ok=0; break ;; esac; done
  if [ $ok = 1 ] && h=$(sha256sum -- "$@" 2>/dev/null); then
    printf '%s\n' "$h" | { for p do read -r x _; case $x in \\*) x=${x#?} ;; esac; printf 'H\000%s\000%s\000' "$p" "$x"; done; }
  else
    for p do
      if h=$(sha256sum 2>/dev/null <"$p"); then printf 'H\000%s\000%s\000' "$p" "${h%% *}"
      elif [ -e "$p" ]; then printf 'E\000%s\000EACCES\000' "$p"
      else printf 'N\000%s\000' "$p"; fi
    done
  fi
}

batch_link() {
  for p do
    if t=$(readlink -- "$p" 2>/dev/null && echo x); then printf 'K\000%s\000%s\000' "$p" "${t%?x}"
    elif [ -L "$p" ]; then printf 'E\000%s\000EIO\000' "$p"
    else printf 'N\000%s\000' "$p"; fi
  done
}

case $0 in
  clawprobe-meta) batch_meta "$@"; exit 0 ;;
  clawprobe-hash) batch_hash "$@"; exit 0 ;;
  clawprobe-link) batch_link "$@"; exit 0 ;;
esac

# ---------------------------------------------------------------- the request

self=${1-}
if [ -z "$self" ] && [ -f "$0" ]; then self=$(cat -- "$0"); fi
if [ -z "$self" ]; then echo "clawprobe: run as: sh -c 'eval \"\$1\"' clawprobe \"\$(cat probe.sh)\" <request" >&2; exit 2; fi

# top PATH: the T record of a list/manifest/read path.
top() {
  if [ -L "$1" ]; then printf 'T\000%s\000o\000' "$1"
  elif [ -d "$1" ]; then printf 'T\000%s\000d\000' "$1"
  elif [ -f "$1" ]; then printf 'T\000%s\000f\000' "$1"
  elif [ -e "$1" ]; then printf 'T\000%s\000o\000' "$1"
  else cls "$1"; fi
}

# walk FIND-ARGS...: find, its own failure reported as an F record.
walk() {
  if { fe=$(find "$@" 2>&1 >&3 3>&-); } 3>&1; then :; else printf 'F\000%s\000' "$fe"; fi
}

# Lstat data, hashes and targets of the paths find visits: portable (a batch script per kind) or GNU
# find's -printf (no process per path but for hashing).
full() {
  if [ "$gnu" = 1 ]; then
    "$@" -printf 'P\000%p\000%y %m %s %U %G\000' \( -type f -printf 'I\000%p\000%D:%i:%C@\000' -exec /bin/sh -c "$self" clawprobe-hash "$ph" + -o -type l -printf 'K\000%p\000%l\000' \)
  else
    "$@" \( -exec /bin/sh -c "$self" clawprobe-meta "$ph" + \) \( -type f -exec /bin/sh -c "$self" clawprobe-hash "$ph" + -o -type l -exec /bin/sh -c "$self" clawprobe-link "$ph" + \)
  fi
}

# flush PATH...: one batch of the current section's paths (stat paths exist; list and
# manifest paths are real dirs).
flush() {
  [ $# -gt 0 ] || return 0
  case $sec in
    S) full find "$@" -maxdepth 0 2>/dev/null ;;
    L)
      if [ "$gnu" = 1 ]; then walk "$@" -mindepth 1 -maxdepth 1 -printf 'P\000%p\000%y %m %s %U %G\000'
      else walk "$@" -mindepth 1 -maxdepth 1 -exec /bin/sh -c "$self" clawprobe-meta "$ph" +; fi ;;
    M) full walk "$@" -mindepth 1 ;;
    Q)
      if [ "$gnu" = 1 ]; then walk "$@" -mindepth 1 -printf 'P\000%p\000%y %m %s %U %G\000' \( -type f -printf 'I\000%p\000%D:%i:%C@\000' -o -type l -printf 'K\000%p\000%l\000' \)
      else full walk "$@" -mindepth 1; fi ;;
  esac
}

# readfile PATH: the B record of a regular file, N when it vanished after the test (a lock's holder.json
# removed by its run's release), E when it cannot be read. A file that vanished and is back as a regular file
# (that lock released and taken again by another run) is read again, three tries in all.
readfile() {
  [ -f "$1" ] && [ ! -L "$1" ] || return 0
  rt=1
  until b=$(base64 2>/dev/null <"$1"); do
    if [ ! -e "$1" ] && [ ! -L "$1" ]; then printf 'N\000%s\000' "$1"; return 0; fi
    if [ $rt -ge 3 ] || [ ! -f "$1" ] || [ -L "$1" ] || [ ! -r "$1" ]; then
      if [ -r "$1" ]; then printf 'E\000%s\000EIO\000' "$1"; else printf 'E\000%s\000EACCES\000' "$1"; fi
      return 0
    fi
    rt=$((rt + 1))
  done
  printf 'B\000%s\000%s\000' "$1" "$b"
}

# access PATH: W 1 when the probe's user may create and remove entries in the dir PATH, W 0 when not
# (not a dir, or no write+search permission); N/E when there is nothing. (clawfleet asks only for a
# non-root login: root may write everywhere, and what still stops it — a read-only mount, a full disk —
# shows at apply time and is rolled back.)
access() {
  if [ -d "$1" ] && [ ! -L "$1" ]; then
    if [ -w "$1" ] && [ -x "$1" ]; then printf 'W\000%s\0001\000' "$1"; else printf 'W\000%s\0000\000' "$1"; fi
  elif [ -e "$1" ] || [ -L "$1" ]; then printf 'W\000%s\0000\000' "$1"
  else cls "$1"; fi
}

# The request: read line by line when small (builtins only), by one `cat` when big (sh's read takes a
# system call per byte).
IFS= read -r how
case $how in
  whole) req=$(cat) ;;
  *) req=; while IFS= read -r l; do req=$req$l$nl; done ;;
esac
exec </dev/null
printf 'CLAWPROBE1\000'
IFS=$nl
sec=
n=0
set --
for line in $req; do
  case $line in
    /*) p=$line ;;
    %*) p=$(printf '%b.' "${line#%}"); p=${p%.} ;;
    'find gnu') gnu=1; continue ;;
    'find portable') gnu=0; continue ;;
    'find detect')
      gnu=0
      if find / -maxdepth 0 -printf '' >/dev/null 2>&1; then gnu=1; fi
      printf '=G\000%s\000' "$gnu"
      continue ;;
    S | L | M | Q | R | A | Z)
      flush "$@"
      set --
      n=0
      sec=$line
      printf '=%s\000' "$sec"
      if [ "$sec" = Z ]; then exit 0; fi
      if [ "$sec" = M ] && [ "$gnu" = 1 ]; then printf 'C\000%s\000' "$(date +%s 2>/dev/null)"; fi
      continue ;;
    *) echo "clawprobe: bad request line: $line" >&2; exit 2 ;;
  esac
  case $sec in
    S) if [ -e "$p" ] || [ -L "$p" ]; then set -- "$@" "$p"; n=$((n + 1)); else cls "$p"; fi ;;
    L | M | Q) top "$p"; if [ -d "$p" ] && [ ! -L "$p" ]; then set -- "$@" "$p"; n=$((n + 1)); fi ;;
    R) top "$p"; readfile "$p" ;;
    A) access "$p" ;;
    *) echo "clawprobe: path before a section" >&2; exit 2 ;;
  esac
  # Paths per find invocation: keeps argv far below ARG_MAX.
  if [ "$n" -ge 200 ]; then flush "$@"; set --; n=0; fi
done
echo "clawprobe: request ends without Z" >&2
exit 2
