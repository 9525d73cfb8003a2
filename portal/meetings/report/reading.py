"""The reading room's period-to-period comparison (docs/DOMAIN.md §10): two frozen rakor reports side by side —
key figures (totals, %TL …), the changes per OPD — and two server-side SVG charts (pygal), each with a
``<title>``/``<desc>`` and a data table beside it on the page.

Used by the leadership's reading room (``/rapat/ruang-baca``, approved and published reports) and by
the public ``/rakor`` page (published reports only); both compare only frozen figures.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import escape

from portal.core.i18n import angka, bulan
from portal.extensions import db
from portal.meetings.models import Meeting
from portal.meetings.report import operations as ops
from portal.meetings.report.models import RakorReport, ReportStatus

#: the charts of a comparison, by URL name
CHARTS = ("angka-kunci", "tl-opd")
#: OPDs drawn in the %TL chart (the most reports in the later period); the table lists them all
CHART_OPDS = 10


def frozen_reports(statuses: Sequence[ReportStatus]) -> list[RakorReport]:
    """Reports in ``statuses``, the latest period first."""
    return list(db.session.scalars(
        sa.select(RakorReport).join(Meeting, Meeting.id == RakorReport.meeting_id)
        .where(RakorReport.status.in_(statuses), RakorReport.figures.is_not(None))
        .order_by(Meeting.period_end.desc(), RakorReport.id.desc())))


def pick(reports: list[RakorReport], a_id: int | None, b_id: int | None) -> list[RakorReport]:
    """The two compared: as asked (among ``reports``), else the latest period against the one before."""
    by_id = {r.id: r for r in reports}
    picked = [by_id[i] for i in (a_id, b_id) if i in by_id]
    if len(picked) == 2:
        return picked
    if a_id is None and b_id is None and len(reports) >= 2:
        return [reports[1], reports[0]]
    return []


def period_label(rep: RakorReport) -> str:
    """``Jul 2025 – Des 2025``: short enough for a chart legend."""
    m = rep.meeting

    def short(day: dt.date) -> str:
        return bulan(day)

    return f"{short(m.period_start)} – {short(m.period_end)}"


def comparison(picked: list[RakorReport]) -> dict[str, Any] | None:
    """The comparison of two frozen reports (A the earlier, B the later), with per-OPD changes."""
    if len(picked) != 2:
        return None
    out = ops.compare_reports(picked)
    for o in out["opds"]:
        o["d_total"] = (o["b_total"] - o["a_total"]) if o["a_total"] is not None and o["b_total"] is not None \
            else None
        o["d_tl"] = round(o["b_tl"] - o["a_tl"], 1) if o["a_tl"] is not None and o["b_tl"] is not None else None
        o["better"] = (o["d_tl"] > 0) if o["d_tl"] else None
    out["label_a"], out["label_b"] = period_label(picked[0]), period_label(picked[1])
    out["rows_by_key"] = dict(zip([k for k, *_ in ops.report.KEY_FIGURES], out["rows"], strict=True))
    return out


# --- charts ---------------------------------------------------------------------------------------

_ROOT = re.compile(r"<svg\b[^>]*>")


def accessible(svg: str, title: str, desc: str) -> str:
    """The SVG named for assistive technology: ``role="img"``, a ``<title>`` and a ``<desc>``."""
    def add(match: re.Match) -> str:
        tag = match.group(0)[:-1] + ' role="img" aria-labelledby="chart-title chart-desc">'
        return f'{tag}<title id="chart-title">{escape(title)}</title><desc id="chart-desc">{escape(desc)}</desc>'

    return _ROOT.sub(add, svg, count=1)


def key_chart(cmp: dict[str, Any]) -> str:
    """Received, Total and Selesai of the two periods, grouped bars."""
    from portal.public import charts

    keys = [("received", _("Diterima")), ("total", _("Total")), ("selesai", _("Selesai"))]
    rows = cmp["rows_by_key"]
    chart = charts._pygal().Bar(**charts._config(title=_("Angka kunci dua periode"), show_legend=True,
                                                 legend_at_bottom=True, height=340))
    chart.x_labels = [label for _k, label in keys]
    chart.add(cmp["label_a"], [rows[k]["a"] or 0 for k, _l in keys])
    chart.add(cmp["label_b"], [rows[k]["b"] or 0 for k, _l in keys])
    desc = "; ".join(f"{label}: {angka(rows[k]['a'], 0)} → {angka(rows[k]['b'], 0)}" for k, label in keys)
    return accessible(charts._render(chart), _("Angka kunci dua periode"),
                      f"{cmp['label_a']} → {cmp['label_b']}. {desc}")


def tl_chart(cmp: dict[str, Any]) -> str:
    """%TL of the OPDs with the most reports in the later period, both periods."""
    from portal.public import charts

    opds = sorted(cmp["opds"], key=lambda o: (-(o["b_total"] or 0), o["name"]))[:CHART_OPDS]
    height = max(240, 90 + 44 * len(opds))
    chart = charts._pygal().HorizontalBar(**charts._config(
        title=_("%TL per OPD dua periode"), show_legend=True, legend_at_bottom=True, height=height,
        range=(0, 100), truncate_label=34))
    chart.x_labels = [o["name"] for o in reversed(opds)]
    chart.add(cmp["label_a"], [o["a_tl"] for o in reversed(opds)])
    chart.add(cmp["label_b"], [o["b_tl"] for o in reversed(opds)])
    desc = "; ".join(f"{o['name']}: {angka(o['a_tl'], 1)} → {angka(o['b_tl'], 1)}" for o in opds)
    return accessible(charts._render(chart), _("%TL per OPD dua periode"),
                      f"{cmp['label_a']} → {cmp['label_b']}. {desc}")


def chart_svg(name: str, cmp: dict[str, Any]) -> str:
    return key_chart(cmp) if name == "angka-kunci" else tl_chart(cmp)
