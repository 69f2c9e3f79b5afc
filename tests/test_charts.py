"""kb.report.charts: CJK fonts, what a chart shows (title, axes, every year, values on bars) and the files it writes."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from kb.errors import KbError, MissingDependency
from kb.models import DocFilter, DocMeta, DocSummary, DocType, Format, Level
from kb.report import charts
from kb.report.stats import NONE, count


def doc(i: int, year: int | None, province: str | None = "浙江", topics: tuple[str, ...] = (),
        city: str | None = None) -> DocSummary:  # fmt: skip
    meta = DocMeta(
        title=f"文件{i}", year=year, version_date=date(year, 1, 1) if year else None, province=province, city=city,
        level=Level.NATIONAL if province is None else Level.PROVINCIAL,
        doc_type=DocType.LAW if province is None else DocType.LOCAL_REGULATION,
    )  # fmt: skip
    return DocSummary(id=str(i), path=f"{i}.md", format=Format.MARKDOWN, title=meta.title, meta=meta, clause_count=1,
                      topics=topics)  # fmt: skip


# 2011: 2, 2012: 0, 2013: 1 (national), 2014: 0, 2015: 3 (one of 山东), plus 2021 outside the range.
DOCS = [
    doc(1, 2011, topics=("数据安全",)),
    doc(2, 2011, topics=("数据安全", "数据共享")),
    doc(3, 2013, province=None),
    doc(4, 2015),
    doc(5, 2015, province="山东", topics=("数据共享",)),
    doc(6, 2015),
    doc(7, 2021),
]


@pytest.fixture(autouse=True)
def strict_glyphs() -> Iterator[None]:
    """A glyph missing from the chosen font is a matplotlib warning: make it fail the test."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing.*")
        yield


def texts_of(fig: object) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]  # type: ignore[attr-defined]


def bar_labels(ax: object) -> list[str]:
    return [t.get_text() for t in ax.texts]  # type: ignore[attr-defined]


# -- fonts -----------------------------------------------------------------------------------------------------------


def test_the_font_found_draws_chinese() -> None:
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    family = charts.find_cjk_font()
    path = font_manager.findfont(font_manager.FontProperties(family=family), fallback_to_default=False)
    font = FT2Font(path)
    for ch in "文件数量年份省份浙江全国未注明其他":
        assert font.get_char_index(ord(ch)) != 0, (family, ch)


@pytest.mark.parametrize(
    ("installed", "expected"),
    [
        ({"DejaVu Sans", "Noto Serif CJK SC", "Noto Sans CJK SC"}, "Noto Sans CJK SC"),
        ({"DejaVu Sans", "WenQuanYi Micro Hei"}, "WenQuanYi Micro Hei"),
        ({"Noto Serif CJK JP", "Noto Sans CJK JP"}, "Noto Sans CJK JP"),
        ({"DejaVu Sans", "Some Vendor CJK Font"}, "Some Vendor CJK Font"),
        ({"DejaVu Sans", "Liberation Serif"}, None),
    ],
)
def test_pick_family_prefers_simplified_sans(installed: set[str], expected: str | None) -> None:
    assert charts.pick_family(installed) == expected


def test_no_cjk_font_names_the_packages_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(charts, "_installed_families", lambda: {"DejaVu Sans"})
    monkeypatch.setattr(charts, "_register_font_files", lambda: None)
    charts.find_cjk_font.cache_clear()
    try:
        with pytest.raises(MissingDependency, match=r"no font for Chinese text.*fonts-noto-cjk.*fonts-wqy-microhei"):
            charts.plot(count(DOCS, ["year"]), Path("unused.png"))
    finally:
        charts.find_cjk_font.cache_clear()


# -- what a chart shows ----------------------------------------------------------------------------------------------


def test_year_chart_has_every_year_title_axes_and_values() -> None:
    table = count(DOCS, ["year"], year_range=(2011, 2015))
    fig = charts.render_figure(table, filters=DocFilter(province="浙江"))
    (ax,) = fig.axes
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2011", "2012", "2013", "2014", "2015"]
    assert bar_labels(ax) == ["2", "0", "1", "0", "3"]
    assert [p.get_height() for p in ax.patches] == [2, 0, 1, 0, 3]
    assert fig.get_suptitle() == "2011—2015年文件数量（按年份）"
    assert ax.get_title() == "浙江 · 共 6 件 · 每个文件按所收录版本的年份计一次"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("年份", "文件数（件）")
    assert ax.get_ylim()[1] > 3  # room above the tallest bar for its label


def test_title_and_subtitle_can_be_given() -> None:
    fig = charts.render_figure(count(DOCS, ["year"]), title="图1 政策文件", subtitle="来源：kb")
    assert fig.get_suptitle() == "图1 政策文件" and fig.axes[0].get_title() == "来源：kb"


def test_province_chart_labels_national_documents() -> None:
    fig = charts.render_figure(count(DOCS, ["province"]))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["浙江", "全国", "山东"]
    assert bar_labels(ax) == ["5", "1", "1"]
    assert fig.get_suptitle() == "文件数量（按省份）"


def test_level_values_are_named_in_chinese() -> None:
    fig = charts.render_figure(count(DOCS, ["level"]))
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["国家级", "省级"]


def test_two_dimensions_with_few_series_are_grouped() -> None:
    fig = charts.render_figure(count(DOCS, ["year", "province"], year_range=(2011, 2015)))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["浙江", "全国", "山东"]
    assert ax.get_legend().get_title().get_text() == "省份"
    widths = {round(p.get_width(), 3) for p in ax.patches}
    assert len(widths) == 1 and widths.pop() < 0.3  # three bars side by side in each year
    assert fig.get_suptitle() == "2011—2015年文件数量（按年份和省份）"


def test_two_dimensions_with_many_series_are_stacked_with_totals_on_top() -> None:
    many = [doc(i, 2011 + i % 3, province=p) for i, p in enumerate(["浙江", "山东", "北京", "上海", "河南"] * 3)]
    table = count(many, ["year", "province"])
    fig = charts.render_figure(table)
    ax = fig.axes[0]
    labels = bar_labels(ax)
    assert labels[-3:] == ["5", "5", "5"]  # each year's total above its stack
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["浙江", "山东", "北京", "上海", "河南"])


def test_topic_series_are_never_stacked_and_untagged_documents_are_left_out() -> None:
    table = count(DOCS, ["year", "topic"], year_range=(2011, 2015))
    fig = charts.render_figure(table)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["数据共享", "数据安全"]  # 2 each: text order
    assert NONE not in texts_of(fig) and "未注明" not in texts_of(fig)
    assert ax.get_title().endswith("一个文件可属多个主题 · 未标注主题的 3 件不在图中")


def test_many_categories_fold_into_other_and_keep_the_sum() -> None:
    docs = [doc(i, 2020, city=f"城市{i % 50:02d}") for i in range(200)]
    data = charts.chart_data(count(docs, ["city"]))
    assert len(data.categories) == charts.MAX_CATEGORIES
    assert data.categories[-1] == f"其他（{50 - charts.MAX_CATEGORIES + 1}项）"
    assert sum(data.values[0]) == 200


def test_years_are_never_folded() -> None:
    docs = [doc(i, 1950 + i, province="浙江") for i in range(60)]
    data = charts.chart_data(count(docs, ["year"]))
    assert data.categories == tuple(str(y) for y in range(1950, 2010))


def test_chart_of_three_dimensions_is_refused() -> None:
    with pytest.raises(KbError, match="a chart shows one or two dimensions, not 3: year, province, topic"):
        charts.chart_data(count(DOCS, ["year", "province", "topic"]))


# -- files -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<?xml"), (".pdf", b"%PDF")])
def test_plot_writes_the_format_of_the_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    out = charts.plot(count(DOCS, ["year"], year_range=(2011, 2015)), tmp_path / f"chart{suffix}")
    assert out == tmp_path / f"chart{suffix}"
    assert out.read_bytes().startswith(magic)


def test_same_counts_give_the_same_png(tmp_path: Path) -> None:
    table = count(DOCS, ["year", "province"], year_range=(2011, 2015))
    first = charts.plot(table, tmp_path / "a.png").read_bytes()
    assert charts.plot(table, tmp_path / "b.png").read_bytes() == first


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("chart.jpg", r"chart.jpg: unsupported chart format '.jpg'; expected one of .png .svg .pdf"),
        ("missing/chart.png", r"missing/chart.png: folder .*missing does not exist"),
    ],
)
def test_plot_refuses_bad_paths(tmp_path: Path, name: str, message: str) -> None:
    with pytest.raises(KbError, match=message):
        charts.plot(count(DOCS, ["year"]), tmp_path / name)


def test_large_corpus_chart_is_bounded(tmp_path: Path) -> None:
    docs = [doc(i, 2000 + i % 21, province=f"省{i % 31}", city=f"市{i % 400}", topics=("数据安全",) * (i % 2))
            for i in range(50_000)]  # fmt: skip
    table = count(docs, ["city", "year"])
    fig = charts.render_figure(table)
    fig.savefig(tmp_path / "cities.png", dpi=150)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == charts.MAX_CATEGORIES  # 29 cities and 其他, as horizontal bars
    assert len(ax.get_legend().get_texts()) == 21  # years are never folded
    assert len(ax.patches) <= charts.MAX_CATEGORIES * (21 + 1)  # stacked segments and the totals' anchors
