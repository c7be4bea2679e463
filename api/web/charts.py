"""Server-rendered SVG charts (pygal), inline in the page, with no script of pygal's."""
from __future__ import annotations

import pygal
from babel.dates import format_date
from flask_babel import get_locale
from flask_babel import gettext as _
from pygal.style import Style

from ..documents import formats

from projections.facts import FACTS

STYLE = Style(background="transparent", plot_background="transparent",
              colors=("#0b6e4f", "#c05621", "#2b6cb0", "#6b46c1"), font_family="system-ui, sans-serif",
              label_font_size=12, major_label_font_size=12, legend_font_size=12)


def _chart(kind, **options):
    return kind(style=STYLE, js=[], disable_xml_declaration=True, height=280, width=720,
                legend_at_bottom=True, show_y_guides=True, **options)


def trend_chart(months, indicators) -> str:
    """Each indicator's monthly percentages over the period (months: (Period, figures))."""
    locale = str(get_locale())
    chart = _chart(pygal.Line, range=(0, 100), title=_("Tren bulanan (%)"), dots_size=3,
                   x_label_rotation=0, allow_interruptions=True,
                   value_formatter=lambda value: formats.percent(value, locale))  # "89,76%"
    # "Mar 2021" for a few months; the month alone ("Mar") for a year's twelve, which fit then
    pattern = "MMM y" if len(months) <= 6 else "MMM"
    chart.x_labels = [format_date(m.start, pattern, locale=locale) for m, _figures in months]
    for index, indicator in enumerate(indicators):
        chart.add(indicator.code, [figures[index].percent for _m, figures in months])
    return chart.render(is_unicode=True)


def media_chart(answer) -> str:
    """Activities documented per media (an activity may count under several)."""
    documented = next(f for f in answer.figures if f.breakdown)
    chart = _chart(pygal.HorizontalBar, title=_("Dokumentasi menurut media (kegiatan)"),
                   print_values=True, show_legend=False)
    chart.x_labels = [_(FACTS[documented.indicator.breakdown[key]].label) for key in documented.breakdown]
    chart.add(_("Kegiatan"), list(documented.breakdown.values()))
    return chart.render(is_unicode=True)
