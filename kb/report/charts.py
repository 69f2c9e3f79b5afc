"""Charts: CountTable -> a bar chart (PNG, SVG or PDF) with Chinese labels, for reports as they are.

matplotlib is imported only here and only when a chart is drawn, through its object API (no pyplot state), with
the Agg renderer. Chinese text needs a CJK font installed on the system; :func:`find_cjk_font` looks one up through
matplotlib's font manager and raises :class:`MissingDependency` naming the Debian packages when there is none.

What a chart shows, so a reader can use it without the command that made it: a title naming the period and the
dimension (2011—2020年文件数量（按年份）), a subtitle with the filters, the number of documents and the counting
rule, labelled axes, the value on every bar, and with years every year of the range as a tick, zero years included.
Two dimensions give grouped bars (up to :data:`MAX_GROUPED` series) or stacked bars with the totals on top.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kb.errors import KbError, MissingDependency
from kb.models import DocFilter, Level, Status
from kb.report.stats import NATIONAL, NONE, CountTable, Value, cross_tab

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# Font families that draw simplified Chinese, best first: Noto Sans CJK (Debian fonts-noto-cjk), Source Han (the
# same design under Adobe's name), WenQuanYi (fonts-wqy-microhei / -zenhei), then serif and other-region variants,
# which still cover every character of the labels.
CJK_FONT_FAMILIES = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
    "Noto Serif SC",
    "Source Han Serif SC",
    "Source Han Serif CN",
    "Noto Sans CJK TC",
    "Noto Sans CJK JP",
    "Source Han Sans",
    "Noto Serif CJK JP",
    "Droid Sans Fallback",
    "AR PL UMing CN",
)

# File names of CJK fonts, for a font installed after matplotlib built its font cache: NotoSansCJK-Regular.ttc,
# NotoSerifCJK-Bold.ttc, SourceHanSansSC-Regular.otf, wqy-microhei.ttc, DroidSansFallbackFull.ttf, uming.ttc.
CJK_FONT_FILE = re.compile(r"(?i)(noto(sans|serif)(cjk|sc)|sourcehan|wqy|droidsansfallback|uming)")

PACKAGES_HINT = "install one, e.g. `apt-get install fonts-noto-cjk` (or fonts-wqy-microhei) on Debian/Ubuntu"

SUFFIXES = (".png", ".svg", ".pdf")

# Series drawn side by side up to this many; more are stacked.
MAX_GROUPED = 3
# Bars of one chart at most (years excepted: every year of the range is drawn); the rest are summed as 其他.
MAX_CATEGORIES = 35
# Series of a two-dimensional chart at most; the rest are summed as 其他.
MAX_SERIES = 10

DIMENSION_LABELS = {
    "year": "年份",
    "province": "省份",
    "city": "城市",
    "level": "层级",
    "type": "文件类型",
    "topic": "主题",
    "status": "效力状态",
}
VALUE_LABELS: dict[str, str] = {
    Level.NATIONAL.value: "国家级",
    Level.PROVINCIAL.value: "省级",
    Level.MUNICIPAL.value: "市级",
    Level.COUNTY.value: "县级",
    Status.DRAFT.value: "草案",
    Status.IN_FORCE.value: "现行有效",
    Status.NOT_YET_IN_FORCE.value: "尚未施行",
    Status.AMENDED.value: "已修改",
    Status.REPEALED.value: "已废止",
    NONE: "未注明",
    NATIONAL: "全国",
}
OTHER_LABEL = "其他"
COUNT_LABEL = "文件数（件）"


@dataclass(frozen=True, slots=True)
class ChartData:
    """What a chart draws, after folding the smallest categories and series into 其他."""

    categories: tuple[str, ...]
    series: tuple[str, ...]  # empty for one dimension
    values: tuple[tuple[int, ...], ...]  # values[s][c]: series s (or the only one), category c
    note: str | None = None  # what the chart leaves out, for its subtitle


# -- fonts ---------------------------------------------------------------------------------------------------------


def _installed_families() -> set[str]:
    from matplotlib import font_manager

    return {entry.name for entry in font_manager.fontManager.ttflist}


def _register_font_files() -> None:
    """Add CJK font files of the system that matplotlib's cached font list does not know yet."""
    from matplotlib import font_manager

    known = {entry.fname for entry in font_manager.fontManager.ttflist}
    for path in font_manager.findSystemFonts():
        if path not in known and CJK_FONT_FILE.search(Path(path).name):
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError, ValueError):
                continue


def pick_family(installed: set[str]) -> str | None:
    """The first of :data:`CJK_FONT_FAMILIES` in ``installed``, else any family named like a CJK font."""
    for family in CJK_FONT_FAMILIES:
        if family in installed:
            return family
    fallback = sorted(name for name in installed if "CJK" in name or "WenQuanYi" in name or "Source Han" in name)
    return fallback[0] if fallback else None


@lru_cache(maxsize=1)
def find_cjk_font() -> str:
    """The family name of an installed font that draws Chinese; MissingDependency when there is none."""
    try:
        family = pick_family(_installed_families())
        if family is None:
            _register_font_files()
            family = pick_family(_installed_families())
    except ImportError as exc:
        raise MissingDependency(f"charts need matplotlib ({exc}); install it with `pip install matplotlib`") from exc
    if family is None:
        raise MissingDependency(f"no font for Chinese text found for the chart's labels; {PACKAGES_HINT}")
    return family


# -- titles --------------------------------------------------------------------------------------------------------


def label(value: Value) -> str:
    """How a value shows on a chart: years as written, levels and statuses in Chinese, (none) as 未注明."""
    if isinstance(value, int):
        return str(value)
    return VALUE_LABELS.get(value, value)


def describe_filter(filters: DocFilter | None) -> str | None:
    """The filters of a count in words, for a subtitle: 浙江 · 省级 · 地方性法规 · 主题：数据安全."""
    if filters is None:
        return None
    parts: list[str] = []
    if filters.province:
        parts.append(label(filters.province))
    if filters.city:
        parts.append(filters.city)
    if filters.level is not None:
        parts.append(label(filters.level.value))
    if filters.doc_type is not None:
        parts.append(filters.doc_type.value)
    if filters.topic:
        parts.append(f"主题：{filters.topic}")
    if filters.status is not None:
        parts.append(label(filters.status.value))
    if filters.first_year_from is not None or filters.first_year_to is not None:
        low = filters.first_year_from or ""
        high = filters.first_year_to or ""
        parts.append(f"首次通过{low}—{high}年")
    return " · ".join(parts) or None


def default_title(table: CountTable) -> str:
    """2011—2020年文件数量（按年份）, 2020年文件数量（按省份和层级）, 文件数量（按主题）."""
    period = ""
    if table.year_range is not None:
        first, last = table.year_range
        period = f"{first}年" if first == last else f"{first}—{last}年"
    dims = "和".join(DIMENSION_LABELS.get(dim, dim) for dim in table.by)
    return f"{period}文件数量（按{dims}）"


def default_subtitle(table: CountTable, filters: DocFilter | None = None) -> str:
    """Filters, number of documents and the counting rule, e.g. 浙江 · 共 410 件 · 每个文件按所收录版本的年份计一次."""
    parts = [p for p in (describe_filter(filters),) if p]
    parts.append(f"共 {table.total} 件")
    parts.append("每个文件按所收录版本的年份计一次")
    if "topic" in table.by:
        parts.append("一个文件可属多个主题")
    return " · ".join(parts)


# -- data ----------------------------------------------------------------------------------------------------------


def _groups(dim: str, values: tuple[Value, ...], weights: Sequence[int], limit: int) -> list[tuple[str, list[int]]]:
    """(label, indexes into ``values``) of each bar or series to draw.

    Years are all kept, in order. Documents of no topic are left out of a topic chart (they would dwarf the
    topics). Past ``limit`` values, the ``limit - 1`` heaviest are kept in their order and the rest summed as 其他.
    """
    indexes = [i for i, v in enumerate(values) if not (dim == "topic" and v == NONE)]
    if dim == "year" or len(indexes) <= limit:
        return [(label(values[i]), [i]) for i in indexes]
    heaviest = set(sorted(indexes, key=lambda i: -weights[i])[: limit - 1])
    rest = [i for i in indexes if i not in heaviest]
    kept = [(label(values[i]), [i]) for i in indexes if i in heaviest]
    return [*kept, (f"{OTHER_LABEL}（{len(rest)}项）", rest)]


def chart_data(table: CountTable) -> ChartData:
    """The bars of a one- or two-dimensional table (see :func:`_groups` for what is folded or left out)."""
    if len(table.by) not in (1, 2):
        raise KbError(f"a chart shows one or two dimensions, not {len(table.by)}: {', '.join(table.by)}")
    note = None
    if "topic" in table.by:
        axis = table.by.index("topic")
        untagged = dict(zip(table.values[axis], table.margins[axis], strict=True))
        if untagged.get(NONE):
            note = f"未标注主题的 {untagged[NONE]} 件不在图中"
    if len(table.by) == 1:
        counts = [row.count for row in table.rows]
        bars = _groups(table.by[0], table.values[0], counts, MAX_CATEGORIES)
        only = tuple(sum(counts[i] for i in idx) for _, idx in bars)
        return ChartData(tuple(name for name, _ in bars), (), (only,), note)
    grid = cross_tab(table)
    bars = _groups(grid.row_dim, grid.rows, grid.row_totals, MAX_CATEGORIES)
    series = _groups(grid.column_dim, grid.columns, grid.column_totals, MAX_SERIES)
    values = tuple(tuple(sum(grid.cells[i][j] for i in rows for j in cols) for _, rows in bars) for _, cols in series)
    return ChartData(tuple(name for name, _ in bars), tuple(name for name, _ in series), values, note)


# -- drawing -------------------------------------------------------------------------------------------------------


def _vertical(table: CountTable, data: ChartData) -> bool:
    """Years, levels and statuses stand as columns; long or many labels lie as horizontal bars."""
    if table.by[0] in ("year", "level", "status"):
        return True
    return len(data.categories) <= 12 and max((len(c) for c in data.categories), default=0) <= 4


def render_figure(
    table: CountTable, *, title: str | None = None, subtitle: str | None = None, filters: DocFilter | None = None
) -> Figure:
    """The chart of ``table`` as a matplotlib Figure (not yet saved), drawn with a CJK font."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.text import Text
    from matplotlib.ticker import MaxNLocator

    family = find_cjk_font()
    data = chart_data(table)
    vertical = _vertical(table, data)
    n = len(data.categories)
    # Stacks add up their series: never for topics, where one document may count under several.
    stacked = len(data.series) > MAX_GROUPED and table.by[-1] != "topic"
    groups = len(data.series) if data.series and not stacked else 1
    stack_sums = [sum(line[c] for line in data.values) for c in range(n)]
    with matplotlib.rc_context(_rc(family)):
        if vertical:
            width = min(16.0, max(8.0, (0.25 + 0.22 * groups) * n + 2.5))
            fig = Figure(figsize=(width, 5.6), layout="constrained")
        else:
            fig = Figure(figsize=(9.0, min(30.0, max(4.0, 0.38 * n * groups + 1.8))), layout="constrained")
        ax = fig.add_subplot()
        positions = list(range(n))
        bar = ax.bar if vertical else ax.barh
        font_size = 9 if n * groups <= 40 else 7
        if not data.series:
            bars = bar(positions, data.values[0], color="#3a6ea5", zorder=2)
            ax.bar_label(bars, padding=2, fontsize=font_size)
        elif stacked:
            colors = _colors(len(data.series), ordered=table.by[-1] == "year")
            base = [0] * n
            tallest = max(stack_sums, default=0) or 1
            for s, name in enumerate(data.series):
                # Only the segments that have documents are drawn: on long year axes most are empty.
                drawn = [c for c in positions if data.values[s][c] > 0]
                heights = [data.values[s][c] for c in drawn]
                offsets = [base[c] for c in drawn]
                kwargs: dict[str, Any] = {"bottom": offsets} if vertical else {"left": offsets}
                bars = bar(drawn, heights, label=name, color=colors[s], zorder=2, **kwargs)
                # A segment's value is written inside it when the segment is tall enough to hold the digits.
                inside = [str(v) if v >= 0.035 * tallest else "" for v in heights]
                if any(inside):
                    written = ax.bar_label(bars, labels=inside, label_type="center", fontsize=font_size - 1,
                                           color="white")  # fmt: skip
                    for annotation in written:  # an empty label still costs layout time
                        if not annotation.get_text():
                            annotation.remove()
                for c, h in zip(drawn, heights, strict=True):
                    base[c] += h
            for c, total in enumerate(base):  # each stack's total just beyond its end
                at, shift = ((c, total), (0, 2)) if vertical else ((total, c), (2, 0))
                ax.annotate(str(total), at, xytext=shift, textcoords="offset points", fontsize=font_size,
                            fontweight="bold", ha="center" if vertical else "left",
                            va="bottom" if vertical else "center")  # fmt: skip
        else:
            colors = _colors(len(data.series), ordered=table.by[-1] == "year")
            step = 0.8 / groups
            for s, name in enumerate(data.series):
                shifted = [p - 0.4 + step * (s + 0.5) for p in positions]
                bars = bar(shifted, data.values[s], step, label=name, color=colors[s], zorder=2)
                ax.bar_label(bars, padding=1, fontsize=font_size - 1)
        category_label = DIMENSION_LABELS.get(table.by[0], table.by[0])
        # Room above the tallest bar for its value label (a bar's sticky base would stop autoscaling margins).
        peak = max(stack_sums if stacked else [v for line in data.values for v in line], default=0)
        headroom = max(1.0, peak * 1.12 + 0.5)
        if vertical:
            ax.set_xticks(positions, data.categories)
            if n > 16 or max((len(c) for c in data.categories), default=0) > 4:
                for tick in ax.get_xticklabels():
                    tick.set_rotation(45 if n <= 40 else 90)
                    tick.set_horizontalalignment("right" if n <= 40 else "center")
            ax.set_xlim(-0.6, n - 0.4)
            ax.set_xlabel(category_label)
            ax.set_ylabel(COUNT_LABEL)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_ylim(0, headroom)
            ax.grid(axis="y", color="#dddddd", zorder=0)
        else:
            ax.set_yticks(positions, data.categories)
            ax.invert_yaxis()
            ax.set_ylabel(category_label)
            ax.set_xlabel(COUNT_LABEL)
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_xlim(0, headroom)
            ax.grid(axis="x", color="#dddddd", zorder=0)
        ax.spines[["top", "right"]].set_visible(False)
        if data.series:
            handles, names = ax.get_legend_handles_labels()
            if stacked and vertical:  # the legend lists the series top to bottom, as they are stacked
                handles, names = handles[::-1], names[::-1]
            ax.legend(handles, names, title=DIMENSION_LABELS.get(table.by[1], table.by[1]), fontsize=9,
                      title_fontsize=9, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)  # fmt: skip
        fig.suptitle(title or default_title(table), fontsize=14, fontweight="bold")
        if subtitle is None:
            subtitle = " · ".join(p for p in (default_subtitle(table, filters), data.note) if p)
        ax.set_title(subtitle, fontsize=9, color="#555555")
        # Fix the font on every text, and on tick labels made later, so the figure draws the same wherever saved.
        fonts = [family, "DejaVu Sans"]
        ax.tick_params(labelfontfamily=fonts)
        for text in fig.findobj(Text):
            text.set_fontfamily(fonts)
        # Values on bars stay inside the axes (the limits leave room above the tallest): the layout need not
        # measure each of them, which on long year axes is most of the drawing time.
        for text in ax.texts:
            text.set_in_layout(False)
    return fig


def _rc(family: str) -> Any:
    """matplotlib settings for one chart: the CJK font first, DejaVu Sans for what it lacks; SVG text as paths."""
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,
        "svg.fonttype": "path",
    }


def _colors(count: int, ordered: bool = False) -> list[Any]:
    """Series colours: distinct hues for categories; for years (``ordered``) past ten, a light-to-dark sequence."""
    from matplotlib import colormaps

    if ordered and count > 10:
        cmap = colormaps["viridis"]
        return [cmap(0.92 - 0.84 * i / (count - 1)) for i in range(count)]
    cmap = colormaps["tab10" if count <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(count)]


def plot(
    table: CountTable,
    path: str | Path,
    *,
    title: str | None = None,
    subtitle: str | None = None,
    filters: DocFilter | None = None,
) -> Path:
    """Draw ``table`` and save it to ``path`` (.png at 150 dpi, .svg or .pdf); returns the path written."""
    out = Path(path)
    if out.suffix.lower() not in SUFFIXES:
        raise KbError(
            f"{out}: unsupported chart format {out.suffix or '(none)'!r}; expected one of {' '.join(SUFFIXES)}"
        )
    if not out.parent.is_dir():
        raise KbError(f"{out}: folder {out.parent} does not exist; create it or choose another path")
    try:
        import matplotlib
    except ImportError as exc:
        raise MissingDependency(f"charts need matplotlib ({exc}); install it with `pip install matplotlib`") from exc
    fig = render_figure(table, title=title, subtitle=subtitle, filters=filters)
    try:
        with matplotlib.rc_context(_rc(find_cjk_font())):
            fig.savefig(out, dpi=150, metadata=_metadata(out))
    except OSError as exc:
        raise KbError(f"{out}: cannot write the chart ({exc.strerror or exc}); check the path and permissions") from exc
    return out


def _metadata(out: Path) -> dict[str, Any]:
    # No creation date or software version in the file, so the same counts give the same bytes (diffable in git).
    suffix = out.suffix.lower()
    if suffix == ".png":
        return {"Software": None}
    if suffix == ".svg":
        return {"Date": None, "Creator": None}
    return {"CreationDate": None, "Creator": None, "Producer": None}


__all__ = [
    "CJK_FONT_FAMILIES",
    "ChartData",
    "chart_data",
    "default_subtitle",
    "default_title",
    "describe_filter",
    "find_cjk_font",
    "label",
    "pick_family",
    "plot",
    "render_figure",
]
