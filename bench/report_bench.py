"""The rakor report on 1,000,000 complaints: compile + PDF in ≤ 15 s and ≤ 500 MB.

``python bench/report_bench.py [postgresql|sqlite] [N]`` (default: postgresql 1000000). Seeds through
``bench/seed.py`` (cached databases of demo complaints, 41 Banten OPDs, over two years), then runs the
report for a six-month period ending today in a fresh child process, so its peak RSS is the report's
own. The meeting is a transient object (never stored): the database is only read.
Writes ``bench/out/report_bench.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LIMIT_S = 15.0
LIMIT_MB = 500.0


def run_child(url: str) -> dict:
    """In the child: build the report once, measure wall time per phase and peak memory."""
    from bench.seed import bench_config
    from portal import create_app
    from portal.core.timeutil import today_wib
    from portal.extensions import db
    from portal.meetings.models import Meeting, MeetingMode, MeetingStatus
    from portal.meetings.report import build as report
    from portal.meetings.report import operations as report_ops

    app = create_app(bench_config(url))
    with app.app_context():
        end = today_wib()
        start = (end.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        for _ in range(4):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        now = dt.datetime.now(dt.UTC)
        meeting = Meeting(title="Rakor Benchmark", starts_at=now, ends_at=now + dt.timedelta(hours=5),
                          venue="Aula", period_start=start, period_end=end, mode=MeetingMode.TATAP_MUKA,
                          status=MeetingStatus.HELD)
        t0 = time.perf_counter()
        figures = report.compile_report(meeting)
        t1 = time.perf_counter()
        pdf = report_ops.render_pdf_bytes(meeting, None, figures)
        t2 = time.perf_counter()
        db.session.rollback()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"period": [start.isoformat(), end.isoformat()], "opds": len(figures["per_opd"]),
            "complaints_in_period": figures["indicators"]["received"],
            "compile_s": round(t1 - t0, 2), "pdf_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2),
            "pdf_kb": len(pdf) // 1024, "peak_rss_mb": round(peak_mb, 1)}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print("RESULT " + json.dumps(run_child(sys.argv[2])))
        return
    backend = sys.argv[1] if len(sys.argv) > 1 else "postgresql"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    from bench import seed

    url = seed.ensure(backend, n)
    out = subprocess.run([sys.executable, __file__, "--child", url], capture_output=True, text=True,
                         timeout=600, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    result = {"backend": backend, "complaints": n, **json.loads(line[7:])}
    result["ok"] = result["total_s"] <= LIMIT_S and result["peak_rss_mb"] <= LIMIT_MB
    (ROOT / "bench" / "out").mkdir(exist_ok=True)
    (ROOT / "bench" / "out" / "report_bench.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    sys.exit(0 if result["ok"] else 1)


if __name__ == "__main__":
    main()
