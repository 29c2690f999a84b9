#!/usr/bin/env bash
# `make windows-test`: gwq.exe under Wine on a copy of samples/ placed under a path
# with Chinese characters and spaces; `check`, `score`, `audit-fees` and `report
# monthly` with --json must print exactly what the Linux binary prints on its own
# copy. Not part of `make test` (it needs Wine and a Windows build).
#   scripts/windows-test.sh GWQ_EXE GWQ_LINUX
set -euo pipefail
exe=$(realpath "${1:?usage: windows-test.sh GWQ_EXE GWQ_LINUX}")
linux=$(realpath "${2:?usage: windows-test.sh GWQ_EXE GWQ_LINUX}")
here=$(cd "$(dirname "$0")/.." && pwd)

command -v wine >/dev/null || "$here/scripts/apt-install.sh" wine wine64
export WINEARCH=win64 WINEPREFIX=${WINEPREFIX:-$HOME/.wine-gwq} WINEDEBUG=-all
[ -d "$WINEPREFIX/drive_c" ] || wineboot -i >/dev/null 2>&1 || true

# Wine 8 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std imports: a shim.
sys32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$sys32/bcryptprimitives.dll" ]; then
  shim=$(mktemp -d)
  cat > "$shim/shim.c" <<'C'
#include <windows.h>
#include <bcrypt.h>
BOOL WINAPI ProcessPrng(PBYTE p, SIZE_T n) {
  return BCryptGenRandom(NULL, p, (ULONG)n, BCRYPT_USE_SYSTEM_PREFERRED_RNG) == 0;
}
C
  printf 'LIBRARY bcryptprimitives\nEXPORTS\n  ProcessPrng\n' > "$shim/shim.def"
  x86_64-w64-mingw32-gcc -shared -o "$sys32/bcryptprimitives.dll" "$shim/shim.c" "$shim/shim.def" -lbcrypt
  rm -rf "$shim"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
win_ws="$work/监管 工作区/样例 数据"
lin_ws="$work/linux/样例 数据"
mkdir -p "$(dirname "$win_ws")" "$(dirname "$lin_ws")"
for ws in "$win_ws" "$lin_ws"; do
  cp -r "$here/samples" "$ws"
  rm -rf "$ws/.gwq" "$ws/reports" "$ws/ledger" "$ws/field"
done

budget="data/预算/网络通信服务费用预算.xlsx"
failed=0
run_both() {
  local name=$1
  shift
  (cd "$win_ws" && wine "$exe" -w . --no-progress --json "$@" > "$work/win.json" 2> "$work/win.err") || true
  (cd "$lin_ws" && "$linux" -w . --no-progress --json "$@" > "$work/lin.json" 2> "$work/lin.err") || true
  if cmp -s "$work/win.json" "$work/lin.json" && [ -s "$work/lin.json" ]; then
    echo "ok    $name: $(wc -c < "$work/lin.json") bytes of JSON, identical"
  else
    echo "FAIL  $name: the JSON differs"
    diff <(head -c 2000 "$work/win.json") <(head -c 2000 "$work/lin.json") | head -20 || true
    sed -n 1,5p "$work/win.err"
    failed=1
  fi
}
run_both "check"       check --quarter 2025Q3
run_both "score"       score --quarter 2025Q3
run_both "audit-fees"  audit-fees "$budget" --quarter 2025Q3
run_both "report monthly" report monthly --month 2025-08
ls "$win_ws/reports/2025-08/" | sed 's/^/      wrote /'
exit $failed
