"""Server-side SVG charts (pygal), each served as its own URL and used in ``<img src alt>``.

pygal embeds a ``<style>`` element and a small ``<script>``: the script is stripped, and the SVG
responses get their own Content-Security-Policy that allows only the inline style, no script.
Every chart has a table next to it on the page (the text alternative). pygal is imported on the first
chart drawn, not when the app starts (a worker boots faster).
"""

from __future__ import annotations

import functools
import re
from typing import Any

#: CSP for the SVG documents only: their embedded <style>, nothing else
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; script-src 'none'"


@functools.cache
def _pygal():  # also used by the report charts
    """pygal, imported once, without the import hook it adds to ``sys.meta_path``.

    pygal registers a ``PluginImportFixer`` for its optional map plugins; it makes every later
    first-time import emit an ImportWarning (an error under the test suite's filterwarnings).
    """
    import sys

    import pygal

    sys.meta_path[:] = [f for f in sys.meta_path if type(f).__name__ != "PluginImportFixer"]
    return pygal


@functools.cache
def _style():
    _pygal()
    from pygal.style import Style

    return Style(
        background="#ffffff",
        plot_background="#ffffff",
        foreground="#1c2430",
        foreground_strong="#072a52",
        foreground_subtle="#4f5b6a",
        colors=("#0b3a6e", "#8a5d0f", "#1d6b38", "#a3221b", "#1f4f8a", "#5b3b16", "#3b2e6e", "#3d3d3d"),
        font_family="'Noto Sans', 'Segoe UI', Roboto, Arial, sans-serif",
        title_font_size=16,
        label_font_size=12,
        major_label_font_size=12,
        value_font_size=12,
        legend_font_size=12,
    )


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)

STATUS_ORDER = [
    ("belum_terverifikasi", "Belum Terverifikasi"), ("belum_ditindaklanjuti", "Belum Ditindaklanjuti"),
    ("proses", "Proses"), ("selesai", "Selesai"), ("tunda", "Tunda"), ("arsip", "Arsip"),
    ("diteruskan", "Diteruskan"),
]


def _config(**kw: Any) -> dict[str, Any]:
    base = {"style": _style(), "js": [], "width": 720, "height": 360, "explicit_size": False,
            "show_legend": False, "print_values": True, "disable_xml_declaration": False,
            "no_data_text": "Tidak ada data", "margin": 16, "truncate_label": 40}
    base.update(kw)
    return base


def _render(chart) -> str:
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def status_bar(recap: dict[str, Any], title: str) -> str:
    chart = _pygal().Bar(**_config(title=title, x_label_rotation=20, height=380))
    chart.x_labels = [label for _k, label in STATUS_ORDER]
    chart.add("Jumlah", [recap.get(k, 0) for k, _label in STATUS_ORDER])
    return _render(chart)


def hbar(rows: list[dict[str, Any]], title: str, limit: int = 12) -> str:
    rows = rows[:limit]
    height = max(220, 60 + 30 * len(rows))
    chart = _pygal().HorizontalBar(**_config(title=title, height=height))
    chart.x_labels = [r["label"] for r in reversed(rows)]
    chart.add("Jumlah", [r["count"] for r in reversed(rows)])
    return _render(chart)


def monthly_line(rows: list[dict[str, Any]], title: str, labels: dict[str, str]) -> str:
    chart = _pygal().Line(**_config(title=title, show_legend=True, legend_at_bottom=True, print_values=False,
                                 x_label_rotation=30, show_minor_x_labels=len(rows) <= 12,
                                 x_labels_major_every=max(1, len(rows) // 12)))
    chart.x_labels = [r["key"] for r in rows]
    chart.add(labels["count"], [r["count"] for r in rows])
    chart.add(labels["ditindaklanjuti"], [r["ditindaklanjuti"] for r in rows])
    chart.add(labels["selesai"], [r["selesai"] for r in rows])
    return _render(chart)


def share_bar(rows: list[dict[str, Any]], title: str) -> str:
    chart = _pygal().Bar(**_config(title=title, height=300))
    chart.x_labels = [r["label"] for r in rows]
    chart.add("Jumlah", [r["count"] for r in rows])
    return _render(chart)
