#!/usr/bin/env bash
# Builds RenderBench in Release and times PdfRenderer against ReportLab on the shared room fixtures and on the
# international room (tests/PdfWorker.Tests/Rooms/international.json: CJK, Arabic, Hebrew, Thai, Hindi).
# Usage: bench/run.sh [FIXTURES_DIR] [RenderBench options, e.g. --renders 40,20,7 --reportlab off --out /tmp/bench-pdfs]
# FIXTURES_DIR defaults to ../shared/fixtures/rooms; a relative path is taken from the repo root.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=../shared/fixtures/rooms
if [ $# -gt 0 ] && [[ $1 != --* ]]; then
  fixtures=$1
  shift
fi
case "$fixtures" in
  /*) ;;
  *) fixtures="$root/$fixtures" ;;
esac
[ -f "$fixtures/medium.json" ] || { echo "No room fixtures in $fixtures" >&2; exit 1; }

# ReportLab comes from Debian's python3-reportlab, which a pyenv python3 earlier on PATH does not see.
python=${PYTHON:-}
if [ -z "$python" ]; then
  for candidate in python3 /usr/bin/python3; do
    if "$candidate" -c 'import reportlab' 2>/dev/null; then python=$candidate; break; fi
  done
fi
[ -n "$python" ] || { echo "No python3 with ReportLab found: apt-get install -y python3-reportlab" >&2; exit 1; }

dotnet build "$root/bench/RenderBench/RenderBench.csproj" -c Release -warnaserror --nologo -v quiet
dotnet run --project "$root/bench/RenderBench/RenderBench.csproj" -c Release --no-build -- \
  --fixtures "$fixtures" --international "$root/tests/PdfWorker.Tests/Rooms/international.json" \
  --script "$root/bench/reportlab_render.py" --python "$python" "$@"
