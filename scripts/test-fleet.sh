#!/usr/bin/env bash
# test-fleet.sh — a real, isolated SSH test fleet on 127.0.0.x (Linux, root only).
#
# Each node is an OpenSSH sshd running as PID 1 of its own pid+mount+uts+ipc
# namespaces, chrooted into a tmpfs root built from overlays of the host's
# /etc /usr /var /opt (writes land in per-node upper dirs under DIR) and
# per-node bind mounts for /root /home /tmp /openclaw-data. Nothing is mounted
# or written on the host outside DIR; killing a node's PID 1 tears it all down.
#
# Usage:
#   test-fleet.sh install                  install openssh-server, sudo and shellcheck if missing
#   test-fleet.sh up DIR N [FIRST_OCTET]   start N nodes on 127.0.0.FIRST_OCTET.. (default 11);
#                                         CLAWFLEET_TEST_NET=127.X.Y moves them to 127.X.Y.FIRST_OCTET..
#                                          env FLEET_NAMES="a b c" names the nodes (default node1..nodeN)
#                                          env FLEET_USERS="deploy:nopasswd ops:passwd alice" adds login
#                                            users to every node (the client key logs in as any of them):
#                                            `:nopasswd` may `sudo` anything without a password, `:passwd`
#                                            only with a password (so `sudo -n` refuses), none: no sudo
#                                          env FLEET_ETC_HOSTS="hidden=127.0.0.31 …" adds names to every
#                                            node's /etc/hosts (names only the nodes can resolve: a node
#                                            behind a bastion)
#   test-fleet.sh down DIR                 stop every node of DIR and remove DIR
#   test-fleet.sh exec DIR NAME CMD...     run CMD as root inside node NAME (its fs, hostname, pids)
#
# Layout (host side):
#   DIR/fleet.json, DIR/known_hosts, DIR/client_key{,.pub}
#   DIR/NAME/{root,home,tmp,openclaw-data}   = the node's /root /home /tmp /openclaw-data
#   DIR/NAME/ovl/{etc,usr,var,opt}/{upper,work}  overlay dirs (node writes to /etc etc. land in upper)
#   DIR/NAME/sshd/   host key, sshd_config, authorized keys (copied into the node's /etc/ssh)
#   DIR/NAME/sshd.log, hostpid, unsharepid, utab, newroot/

set -euo pipefail

SSHD=/usr/sbin/sshd
SELF=$(readlink -f "$0")
READY_TIMEOUT_MS=${FLEET_READY_TIMEOUT_MS:-30000}  # a deadline, not a wait: a loaded CI machine can take seconds to start 64 sshds

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

die() { echo "test-fleet: $*" >&2; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

json_str() { # JSON-escape $1 (backslash, quote, control chars are not expected)
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  printf '"%s"' "$s"
}

# "alive" = exists and is not a zombie (no subprocesses: called in polling loops)
alive() {
  local pid=$1 line st
  [ -n "$pid" ] || return 1
  { read -r line <"/proc/$pid/stat"; } 2>/dev/null || return 1
  st=${line##*) }; st=${st%% *}
  [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

ppid_of() {
  local line rest
  { read -r line <"/proc/$1/stat"; } 2>/dev/null || return 0
  rest=${line##*) }; rest=${rest#* }
  echo "${rest%% *}"
}

# true if pid carries FLEET_NODE_DIR=$2 in its environment (guards against pid
# reuse). Only for the unshare process: sshd overwrites its own environ with
# its process title, so a node's PID 1 is recognised as the child of its unshare.
is_ours() {
  grep -qzxF "FLEET_NODE_DIR=$2" "/proc/$1/environ" 2>/dev/null
}

# node_ok NODEDIR: prints the host PID of the node's sshd (PID 1) if it is running
node_ok() {
  local nd=$1 hp up
  hp=$(cat "$nd/hostpid" 2>/dev/null || true)
  up=$(cat "$nd/unsharepid" 2>/dev/null || true)
  [ -n "$hp" ] && [ -n "$up" ] && alive "$hp" && [ "$(ppid_of "$hp")" = "$up" ] && is_ours "$up" "$nd" || return 1
  echo "$hp"
}

# ---------------------------------------------------------------------------
cmd_install() {
  need_root
  if [ -x "$SSHD" ] && command -v ssh-keygen >/dev/null 2>&1 && command -v sudo >/dev/null 2>&1 && command -v shellcheck >/dev/null 2>&1; then return 0; fi
  export DEBIAN_FRONTEND=noninteractive
  local log
  log=$(mktemp)
  if ! { apt-get update && apt-get install -y --no-install-recommends openssh-server openssh-client sudo shellcheck; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    rm -f "$log"
    die "apt-get install openssh-server failed"
  fi
  rm -f "$log"
  [ -x "$SSHD" ] || die "openssh-server installed but $SSHD is missing"
}

# ---------------------------------------------------------------------------
# Runs inside the new namespaces (PID 1): build the node root, exec sshd.
cmd__node() {
  local nd=$1 name=$2
  local R=$nd/newroot d ovl=$nd/ovl
  export LIBMOUNT_UTAB=$nd/utab

  mount -t tmpfs -o mode=0755 "fleet-$name" "$R"

  # Overlay upper dirs live under DIR. If DIR's filesystem can't serve as an
  # overlay upper (e.g. DIR itself on overlayfs), fall back to a namespace-private
  # tmpfs mounted over DIR/NAME/ovl (still invisible to the host).
  local try
  for try in disk tmpfs; do
    if [ "$try" = tmpfs ]; then
      for d in etc usr var opt; do umount "$R/$d" 2>/dev/null || true; done
      mount -t tmpfs -o mode=0700 "fleet-$name-ovl" "$ovl"
    fi
    local ok=1
    for d in etc usr var opt; do
      mkdir -p "$R/$d" "$ovl/$d/upper" "$ovl/$d/work"
      if ! mount -t overlay "fleet-$name-$d" \
          -o "lowerdir=/$d,upperdir=$ovl/$d/upper,workdir=$ovl/$d/work" "$R/$d" 2>"$nd/ovl.err"; then
        ok=0; break
      fi
    done
    [ $ok = 1 ] && break
    [ "$try" = tmpfs ] && { cat "$nd/ovl.err" >&2; echo "overlay mount failed" >&2; exit 1; }
  done
  rm -f "$nd/ovl.err"

  # /bin /sbin /lib* as on the host: symlinks copied, real dirs bound read-only.
  for d in bin sbin lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
      ln -s "$(readlink "/$d")" "$R/$d"
    elif [ -d "/$d" ]; then
      mkdir -p "$R/$d"
      mount --rbind "/$d" "$R/$d"
      mount -o remount,bind,ro "$R/$d"
    fi
  done

  for d in root home tmp openclaw-data; do
    mkdir -p "$R/$d"
    mount --bind "$nd/$d" "$R/$d"
  done
  mkdir -p "$R/mnt" "$R/srv" "$R/media"

  mkdir -p "$R/proc" "$R/run" "$R/dev" "$R/sys"
  mount -t proc proc "$R/proc"
  mount -t tmpfs -o mode=0755,nosuid,nodev "fleet-$name-run" "$R/run"
  mkdir -p -m 0755 "$R/run/sshd" "$R/run/lock"
  mount --rbind /dev "$R/dev"
  mount --rbind /sys "$R/sys"

  # Node identity and sshd material (written through the overlay -> upper dir).
  hostname "$name" 2>/dev/null || printf '%s' "$name" >/proc/sys/kernel/hostname
  printf '%s\n' "$name" >"$R/etc/hostname"
  mkdir -p "$R/etc/ssh"
  cp "$nd/sshd/sshd_config" "$R/etc/ssh/sshd_config"
  cp "$nd/sshd/authorized_keys" "$R/etc/ssh/fleet_authorized_keys"
  cp "$nd/sshd/ssh_host_ed25519_key" "$R/etc/ssh/ssh_host_ed25519_key"
  cp "$nd/sshd/ssh_host_ed25519_key.pub" "$R/etc/ssh/ssh_host_ed25519_key.pub"
  chmod 0600 "$R/etc/ssh/ssh_host_ed25519_key"
  chmod 0644 "$R/etc/ssh/fleet_authorized_keys" "$R/etc/ssh/sshd_config"
  # With UsePAM no, a '!'-locked root cannot log in even with a key: unlock it
  # in the node's /etc only (overlay upper), never on the host.
  if grep -q '^root:!' "$R/etc/shadow" 2>/dev/null; then
    sed -i 's/^root:![^:]*:/root:*:/' "$R/etc/shadow"
  fi
  add_users "$R"
  # The node resolves its own name (sudo warns on every run otherwise), and FLEET_ETC_HOSTS.
  local entry
  printf '%s %s\n' "$(sed -n 's/^ListenAddress //p' "$nd/sshd/sshd_config")" "$name" >>"$R/etc/hosts"
  for entry in ${FLEET_ETC_HOSTS:-}; do
    printf '%s %s\n' "${entry#*=}" "${entry%%=*}" >>"$R/etc/hosts"
  done

  cd /
  exec chroot "$R" "$SSHD" -D -e -f /etc/ssh/sshd_config
}

# add_users NEWROOT: the FLEET_USERS login users (node's /etc and /home only), sudo rights in
# /etc/sudoers.d. With UsePAM no, a '!'-locked account cannot log in even with a key: '*' instead.
add_users() {
  local R=$1 spec name rights sudoers=$1/etc/sudoers.d/clawfleet-test-users
  [ -n "${FLEET_USERS:-}" ] || return 0
  mkdir -p "$R/etc/sudoers.d"
  : >"$sudoers"
  for spec in $FLEET_USERS; do
    name=${spec%%:*}
    rights=; [ "$spec" = "$name" ] || rights=${spec#*:}
    chroot "$R" useradd -m -s /bin/sh "$name" >/dev/null
    chroot "$R" usermod -p '*' "$name"
    case $rights in
      nopasswd) printf '%s ALL=(ALL:ALL) NOPASSWD: ALL\n' "$name" >>"$sudoers" ;;
      passwd) printf '%s ALL=(ALL:ALL) ALL\n' "$name" >>"$sudoers" ;;
    esac
  done
  chmod 0440 "$sudoers"
}

# ---------------------------------------------------------------------------
cmd_up() {
  need_root
  [ $# -ge 2 ] || die "usage: up DIR N [FIRST_OCTET]"
  local dir=$1 n=$2 first=${3:-11} net=${CLAWFLEET_TEST_NET:-127.0.0}
  [[ "$net" =~ ^127\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "CLAWFLEET_TEST_NET '$net' must be 127.X.Y (loopback only)"
  [[ "$n" =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] || die "N must be a positive integer"
  [[ "$first" =~ ^[0-9]+$ ]] && [ "$first" -ge 2 ] && [ $((first + n - 1)) -le 254 ] \
    || die "addresses $net.$first..$((first + n - 1)) out of range (2..254)"
  [ -x "$SSHD" ] || die "sshd not installed: run scripts/test-fleet.sh install"
  command -v ssh-keygen >/dev/null || die "ssh-keygen not installed: run scripts/test-fleet.sh install"
  for t in unshare mount chroot; do command -v $t >/dev/null || die "$t not found"; done

  dir=$(readlink -m "$dir")
  case $dir in *[,:\"\\[:space:]]*) die "DIR '$dir' must not contain , : quotes, backslashes or spaces (overlay options, JSON)" ;; esac
  [ ! -e "$dir/fleet.json" ] || die "$dir/fleet.json exists: fleet already up? (run down first)"
  mkdir -p "$dir"
  dir=$(readlink -f "$dir")

  local -a names
  if [ -n "${FLEET_NAMES:-}" ]; then
    read -r -a names <<<"$FLEET_NAMES"
    [ "${#names[@]}" -eq "$n" ] || die "FLEET_NAMES has ${#names[@]} names, N is $n"
  else
    local i; names=()
    for ((i = 1; i <= n; i++)); do names+=("node$i"); done
  fi
  local nm
  for nm in "${names[@]}"; do
    [[ "$nm" =~ ^[A-Za-z0-9][A-Za-z0-9-]{0,62}$ ]] || die "bad node name '$nm' (hostname chars only)"
  done
  [ "$(printf '%s\n' "${names[@]}" | sort -u | wc -l)" -eq "$n" ] || die "duplicate node names"
  local spec
  for spec in ${FLEET_USERS:-}; do
    [[ "$spec" =~ ^[a-z_][a-z0-9_-]{0,30}(:nopasswd|:passwd)?$ ]] || die "bad FLEET_USERS entry '$spec' (NAME[:nopasswd|:passwd])"
  done
  for spec in ${FLEET_ETC_HOSTS:-}; do
    [[ "$spec" =~ ^[A-Za-z0-9][A-Za-z0-9.-]{0,62}=127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "bad FLEET_ETC_HOSTS entry '$spec' (NAME=127.x.y.z)"
  done

  umask 022
  if [ ! -f "$dir/client_key" ]; then
    ssh-keygen -q -t ed25519 -N '' -C "clawfleet-test-client" -f "$dir/client_key" >/dev/null </dev/null
  fi
  chmod 0600 "$dir/client_key"

  # Prepare every node, then launch all at once.
  local i nd host
  local -a pids=() hosts=()
  for ((i = 0; i < n; i++)); do
    nm=${names[$i]}; nd=$dir/$nm; host=$net.$((first + i))
    hosts+=("$host")
    mkdir -p "$nd"/{home,openclaw-data,newroot,sshd,ovl}
    mkdir -p -m 0700 "$nd/root"
    mkdir -p -m 1777 "$nd/tmp"; chmod 1777 "$nd/tmp"
    [ -f "$nd/sshd/ssh_host_ed25519_key" ] ||
      ssh-keygen -q -t ed25519 -N '' -C "root@$nm" -f "$nd/sshd/ssh_host_ed25519_key" >/dev/null </dev/null
    cp "$dir/client_key.pub" "$nd/sshd/authorized_keys"
    cat >"$nd/sshd/sshd_config" <<EOF
# clawfleet test node $nm
ListenAddress $host
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
UsePAM no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
PubkeyAuthentication yes
AuthorizedKeysFile /etc/ssh/fleet_authorized_keys .ssh/authorized_keys
Subsystem sftp internal-sftp
MaxStartups 100:30:200
MaxSessions 50
PidFile none
LogLevel INFO
PrintMotd no
X11Forwarding no
UseDNS no
EOF
    : >"$nd/utab"
    rm -f "$nd/hostpid" "$nd/unsharepid"
    (
      cd /
      exec env FLEET_NODE_DIR="$nd" LIBMOUNT_UTAB="$nd/utab" \
        unshare --pid --fork --kill-child --mount --uts --ipc --propagation private \
        "$SELF" _node "$nd" "$nm"
    ) </dev/null >"$nd/sshd.log" 2>&1 &
    pids+=($!)
    echo "${pids[$i]}" >"$nd/unsharepid"
  done

  # Wait for each node's "Server listening on", find its PID 1 (unshare's child).
  local deadline=$(( $(now_ms) + READY_TIMEOUT_MS )) failed="" failed_host=""
  local -a hpids=()
  for ((i = 0; i < n; i++)); do
    nm=${names[$i]}; nd=$dir/$nm
    while :; do
      if grep -q 'Server listening on' "$nd/sshd.log" 2>/dev/null; then break; fi
      if ! alive "${pids[$i]}" || [ "$(now_ms)" -gt "$deadline" ]; then
        failed=$nm; failed_host=${hosts[$i]}; break 2
      fi
      sleep 0.02
    done
    local hp
    hp=$(pgrep -P "${pids[$i]}" | head -n1 || true)
    [ -n "$hp" ] || { failed=$nm; failed_host=${hosts[$i]}; break; }
    echo "$hp" >"$nd/hostpid"
    hpids+=("$hp")
  done

  if [ -n "$failed" ]; then
    echo "test-fleet: node $failed ($failed_host:22) did not come up (sshd exited, or not listening after ${READY_TIMEOUT_MS}ms); sshd.log tail:" >&2
    tail -n 20 "$dir/$failed/sshd.log" >&2 || true
    stop_nodes "$dir"
    exit 1
  fi

  # known_hosts + fleet.json
  local kh=$dir/known_hosts json pub
  : >"$kh"
  json='{ "nodes": ['
  for ((i = 0; i < n; i++)); do
    nm=${names[$i]}; nd=$dir/$nm
    pub=$(cut -d' ' -f1-2 "$nd/sshd/ssh_host_ed25519_key.pub")
    printf '%s %s\n' "${hosts[$i]}" "$pub" >>"$kh"
    [ $i -gt 0 ] && json+=','
    json+=$'\n    { '"\"name\": $(json_str "$nm"), \"host\": \"${hosts[$i]}\", \"port\": 22, \"user\": \"root\", "
    json+="\"hostPid\": ${hpids[$i]}, \"unsharePid\": ${pids[$i]}, \"hostKeyPub\": $(json_str "$pub"), \"dir\": $(json_str "$nd") }"
  done
  json+=$'\n  ],\n'"  \"clientKey\": $(json_str "$dir/client_key"),"$'\n'"  \"knownHosts\": $(json_str "$kh")"$'\n}\n'
  printf '%s' "$json" >"$dir/fleet.json.tmp"
  mv "$dir/fleet.json.tmp" "$dir/fleet.json"
}

# Kill every node recorded under DIR (by pid files, so this works without fleet.json).
stop_nodes() {
  local dir=$1 nd hp up
  local -a wait_pids=()
  for nd in "$dir"/*/; do
    nd=${nd%/}
    [ -f "$nd/unsharepid" ] || continue
    up=$(cat "$nd/unsharepid" 2>/dev/null || true)
    [ -n "$up" ] && alive "$up" && is_ours "$up" "$nd" || continue
    hp=$(cat "$nd/hostpid" 2>/dev/null || true)
    [ -n "$hp" ] || hp=$(pgrep -P "$up" | head -n1 || true)
    if [ -n "$hp" ] && alive "$hp" && [ "$(ppid_of "$hp")" = "$up" ]; then
      # SIGKILL PID 1 of the node: the kernel kills the whole pid namespace and
      # its mount namespace (with every node mount) goes away with it.
      kill -KILL "$hp" 2>/dev/null || true
      wait_pids+=("$hp")
    else
      # no PID 1 yet (node still starting): SIGKILL unshare itself; its
      # --kill-child takes the child down with it.
      kill -KILL "$up" 2>/dev/null || true
    fi
    wait_pids+=("$up")
  done
  local deadline=$(( $(now_ms) + 10000 )) p
  for p in "${wait_pids[@]}"; do
    while alive "$p"; do
      if [ "$(now_ms)" -gt "$deadline" ]; then
        kill -KILL "$p" 2>/dev/null || true
        [ "$(now_ms)" -gt $((deadline + 5000)) ] && die "process $p did not exit"
      fi
      sleep 0.01
    done
  done
}

cmd_down() {
  need_root
  [ $# -eq 1 ] || die "usage: down DIR"
  local dir=$1
  [ -d "$dir" ] || return 0
  dir=$(readlink -f "$dir")
  [ "$dir" != / ] || die "refusing DIR=/"
  # Only ever delete something `up` created.
  if [ ! -e "$dir/fleet.json" ] && [ ! -e "$dir/client_key" ] && ! compgen -G "$dir/*/unsharepid" >/dev/null; then
    die "$dir does not look like a test fleet dir; not touching it"
  fi
  stop_nodes "$dir"
  # Belt and braces: the node mounts lived only in the dead namespaces, but make
  # sure nothing under DIR is mounted on the host before deleting it.
  if grep -qF " $dir/" /proc/self/mountinfo; then
    die "mounts under $dir still present on the host; not removing it"
  fi
  rm -rf -- "$dir"
}

cmd_exec() {
  need_root
  [ $# -ge 3 ] || die "usage: exec DIR NAME CMD..."
  local dir name nd hp
  dir=$(readlink -f "$1"); name=$2; shift 2
  nd=$dir/$name
  [ -f "$nd/hostpid" ] || die "no node '$name' in $dir"
  hp=$(node_ok "$nd") || die "node '$name' is not running"
  exec nsenter -t "$hp" -m -u -i -p -r -w -- \
    /usr/bin/env -i HOME=/root USER=root LOGNAME=root SHELL=/bin/bash "TERM=${TERM:-dumb}" LANG=C.UTF-8 \
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    /bin/sh -c 'cd "$HOME" 2>/dev/null || true; exec "$@"' sh "$@"
}

# ---------------------------------------------------------------------------
sub=${1:-}
[ $# -gt 0 ] && shift
case "$sub" in
  install) cmd_install "$@" ;;
  up) cmd_up "$@" ;;
  down) cmd_down "$@" ;;
  exec) cmd_exec "$@" ;;
  _node) cmd__node "$@" ;;
  *) sed -n '2,22p' "$SELF" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
