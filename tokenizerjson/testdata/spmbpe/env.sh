# Sourced by make.sh, bench.sh and check-peers.sh: sets here (this folder),
# root (the module root), shared (../shared, or TOK_SHARED relative to the
# module root), puts the peers on PATH, makes a temporary folder tmp
# (removed on exit) and builds tok into $tmp/tok.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
shared=${TOK_SHARED:-../shared}
case $shared in /*) ;; *) shared=$root/$shared ;; esac
export PATH="${TOK_PEERS:-$HOME/.cache/tok-peers}/bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && go build -o "$tmp/tok" ./cmd/tok)
