"""Search index on real documents, for each engine (Whoosh and tantivy): exact string recall against brute force,
numerals, widths, filters, facets, documents mode, versions and stale entries, more-like-this; and for Whoosh the
write lock and compatibility with Whoosh's own reader."""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path

import pytest

from kb.errors import IndexMissing, KbError, QuerySyntaxError, StoreError
from kb.models import ClauseKind, Document, TopicTag
from kb.pipeline import process_bytes, process_file
from kb.search.analyzer import normalize
from kb.search.engines import ENGINES, open_search_index
from kb.search.entries import CLAUSE, Entry
from kb.search.interface import SearchIndex
from kb.search.whoosh_index import WhooshIndex, _WriteLock, entries_for, open_index
from tests.conftest import corpus_file

DATA_SECURITY = "行政法/数据安全法(2021-06-10).md"
PERSONAL_INFO = "行政法/个人信息保护法(2021-08-20).md"
SHENZHEN = "DLC/广东地方法规/地方性法规/广东/深圳经济特区数据条例(2021-07-06).md"
SHANGHAI = "DLC/上海地方法规/地方性法规/上海/上海市数据条例(2021-11-25).md"
SHANDONG = "DLC/山东地方法规/地方性法规/山东/山东省大数据发展促进条例(2021-09-30).md"
NETWORK = "行政法规/网络数据安全管理条例(2024-09-24).md"
FILES = (DATA_SECURITY, PERSONAL_INFO, SHENZHEN, SHANGHAI, SHANDONG, NETWORK)


def load(relative: str) -> tuple[Document, tuple[TopicTag, ...]]:
    processed = process_file(corpus_file(relative))
    return processed.document, processed.topics


@pytest.fixture(scope="module")
def docs() -> list[tuple[Document, tuple[TopicTag, ...]]]:
    return [load(f) for f in FILES]


@pytest.fixture(scope="module", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def index(
    docs: list[tuple[Document, tuple[TopicTag, ...]]], engine: str, tmp_path_factory: pytest.TempPathFactory
) -> SearchIndex:
    home = tmp_path_factory.mktemp("home")
    ix = open_search_index(home, create=True, engine=engine)
    ix.update(docs)
    return ix


@pytest.fixture(scope="module")
def entries(docs: list[tuple[Document, tuple[TopicTag, ...]]]) -> list[Entry]:
    return [e for doc, tags in docs for e in entries_for(doc, tags) if e.kind == CLAUSE]


def brute_force(entries: list[Entry], text: str) -> set[tuple[str, str | None]]:
    """Clauses whose normalised text contains the normalised string: what search must return, exactly."""
    needle = normalize(text)
    return {(e.doc_id, e.clause_id) for e in entries if needle in normalize(e.text)}


def result_set(index: SearchIndex, query: str, **kwargs: object) -> set[tuple[str, str | None]]:
    result = index.search(query, limit=100_000, facets=False, **kwargs)  # type: ignore[arg-type]
    assert result.total == len(result.hits)
    return {(h.doc_id, h.clause_id) for h in result.hits}


def clause_of(docs: list[tuple[Document, tuple[TopicTag, ...]]], title: str, number: str) -> tuple[str, str]:
    for doc, _ in docs:
        if doc.title == title:
            for clause in doc.clauses:
                if clause.kind == ClauseKind.ARTICLE and clause.number == number:
                    return doc.id, clause.id
    raise AssertionError(f"{title} {number} not in the test documents")


# Strings that cut across jieba's word boundaries, one character, phrases, paragraph breaks, numerals, widths and
# traditional forms: each must find the article the source file has it in (第二十一条 of 数据安全法 holds
# "国家建立数据分类分级保护制度 ... 篡改 ..."; 第二条 runs "...适用本法。" on into "在中华人民共和国境外...").
@pytest.mark.parametrize(
    ("query", "title", "number"),
    [
        ("据安全", "中华人民共和国数据安全法", "第一条"),
        ("共数据开", "深圳经济特区数据条例", "第四十九条"),
        ("据分类分级保", "中华人民共和国数据安全法", "第二十一条"),
        ("篡", "中华人民共和国数据安全法", "第二十一条"),
        ('"国家建立数据分类分级保护制度"', "中华人民共和国数据安全法", "第二十一条"),
        ('"数据 分类 分级"', "中华人民共和国数据安全法", "第二十一条"),
        ("适用本法。在中华", "中华人民共和国数据安全法", "第二条"),
        ("第21条", "中华人民共和国数据安全法", "第二十一条"),
        ("第２１条", "中华人民共和国数据安全法", "第二十一条"),
        ("數據分類分級", "中华人民共和国数据安全法", "第二十一条"),
        ("分类分级 篡改", "中华人民共和国数据安全法", "第二十一条"),
        ("信息 OR 篡改", "中华人民共和国数据安全法", "第二十一条"),
    ],
)
def test_query_finds_the_article(index: SearchIndex, docs: list, query: str, title: str, number: str) -> None:
    assert clause_of(docs, title, number) in result_set(index, query)


@pytest.mark.parametrize(
    "text",
    ["数据", "据安全", "共数据开", "法", "，", "分级分类", "全安数据", "人民政府", "县级以上人民政府",
     "个人信息处理者", "应当", "第二十一条", "数据处理活动", "(一)", "app"],
)  # fmt: skip
def test_result_set_is_exactly_the_clauses_containing_the_string(index: SearchIndex, entries: list[Entry],
                                                                 text: str) -> None:  # fmt: skip
    assert result_set(index, f'"{text}"') == brute_force(entries, text)


def test_random_substrings_are_found_exactly(index: SearchIndex, entries: list[Entry]) -> None:
    import random

    rng = random.Random(7)
    for _ in range(60):
        entry = rng.choice(entries)
        length = rng.randint(1, 12)
        start = rng.randrange(0, max(1, len(entry.text) - length))
        piece = entry.text[start : start + length]
        if '"' in piece or not normalize(piece):
            continue
        found = result_set(index, f'"{piece}"')
        assert (entry.doc_id, entry.clause_id) in found
        assert found == brute_force(entries, piece)


def test_not_excludes(index: SearchIndex, entries: list[Entry]) -> None:
    with_both = brute_force(entries, "分类分级") & brute_force(entries, "篡改")
    assert with_both
    assert result_set(index, "分类分级 -篡改") == brute_force(entries, "分类分级") - with_both


def test_numerals_match_in_both_scripts(index: SearchIndex) -> None:
    assert result_set(index, "第21条") == result_set(index, "第二十一条")
    assert result_set(index, "第21条") - result_set(index, '"第二十一条"') == set()


def test_filters_and_whole_set_facets(index: SearchIndex, entries: list[Entry]) -> None:
    result = index.search("数据", limit=1, facets=True)
    matched = [e for e in entries if "数据" in normalize(e.text)]
    assert result.total == len(matched)
    assert len(result.hits) == 1
    facets = dict(result.facets)
    assert dict(facets["province"]) == dict(Counter(e.province for e in matched if e.province))
    assert dict(facets["type"]) == dict(Counter(e.doc_type for e in matched if e.doc_type))
    assert dict(facets["year"]) == dict(Counter(str(e.year) for e in matched if e.year))
    assert sum(n for _, n in facets["type"]) == result.total  # every test document has a type
    guangdong = index.search("数据 province:广东", limit=1000)
    assert guangdong.total == sum(1 for e in matched if e.province == "广东") > 0
    assert {h.title for h in guangdong.hits} == {"深圳经济特区数据条例"}
    assert index.search("数据 province:广东省").total == guangdong.total
    assert index.search("数据 level:national type:法律").total == sum(
        1 for e in matched if e.level == "national" and e.doc_type == "法律"
    )
    assert index.search("数据 year:2021").total == sum(1 for e in matched if e.year == 2021)
    assert index.search("数据 year:2022..").total == sum(1 for e in matched if e.year and e.year >= 2022)


def test_subject_and_status_facets_count_the_store_values(index: SearchIndex, entries: list[Entry],
                                                         docs: list) -> None:  # fmt: skip
    matched = [e for e in entries if "数据" in normalize(e.text)]
    values = {
        docs[0][0].id: ("in_force", ("数据治理", "数据安全与个人信息")),
        docs[2][0].id: ("amended", ("数据治理",)),
        docs[3][0].id: (None, ("数据共享开放",)),
    }
    subjects: Counter[str] = Counter()
    statuses: Counter[str] = Counter()
    for e in matched:
        status, assigned = values.get(e.doc_id, (None, ()))
        statuses.update([status] if status else [])
        subjects.update(assigned)
    index.set_document_facets(values)
    try:
        facets = dict(index.search("数据", limit=1).facets)
        assert dict(facets["subject"]) == dict(subjects) and dict(facets["status"]) == dict(statuses)
        assert facets["subject"][0] == ("数据治理", subjects["数据治理"])  # the most frequent first
        # status: typed in the query is the store's status too, as --status reads it (the versions stage decides
        # it after indexing: an indexed document may since have been amended).
        amended = index.search("数据 status:amended", limit=1000)
        assert amended.total == statuses["amended"] and {h.doc_id for h in amended.hits} == {docs[2][0].id}
        assert index.search("数据 status:repealed").total == 0
        # New store values (after a build) replace the old ones, for a search of the same text too.
        index.set_document_facets({docs[2][0].id: ("repealed", ())})
        again = dict(index.search("数据", limit=1).facets)
        assert again["subject"] == ()
        assert again["status"] == (("repealed", sum(1 for e in matched if e.doc_id == docs[2][0].id)),)
    finally:
        index.set_document_facets(None)
    assert {"subject", "status"}.isdisjoint(dict(index.search("数据", limit=1).facets))


def test_topic_filter_uses_the_clause_tags(index: SearchIndex, entries: list[Entry]) -> None:
    tagged = {(e.doc_id, e.clause_id) for e in entries if "数据安全" in e.topics}
    assert tagged
    assert result_set(index, "topic:数据安全") == tagged
    assert result_set(index, "数据 topic:数据安全") == tagged & brute_force(entries, "数据")


def test_filter_only_query_lists_by_date(index: SearchIndex, entries: list[Entry]) -> None:
    result = index.search("province:上海", limit=5)
    assert result.total == sum(1 for e in entries if e.province == "上海")
    assert all(h.province == "上海" for h in result.hits)


def test_sort_by_date_puts_newest_first(index: SearchIndex, entries: list[Entry]) -> None:
    hits = index.search("数据", limit=200, sort="date").hits
    dates = [next(e.date or "" for e in entries if (e.doc_id, e.clause_id) == (h.doc_id, h.clause_id)) for h in hits]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == max(e.date or "" for e in entries if "数据" in e.text)
    undated = index.search("数据", limit=1000, sort="date").hits[-1]
    assert undated.year is None  # 网络数据安全管理条例 states no date: last


def test_hits_carry_highlights_on_the_matched_words(index: SearchIndex) -> None:
    hits = index.search("分类分级 篡改", limit=10).hits
    for hit in hits:
        assert {hit.snippet[h.start : h.end] for h in hit.highlights} == {"分类分级", "篡改"}
    assert ("中华人民共和国数据安全法", "第二十一条") in {(h.title, h.number) for h in hits}
    spaced = index.search("数据分类分级", limit=1).hits[0]
    assert all(normalize(spaced.snippet[h.start : h.end]) == "数据分类分级" for h in spaced.highlights)


def test_documents_mode(index: SearchIndex, docs: list) -> None:
    result = index.search("数据安全法", docs=True, limit=10)
    assert result.hits[0].title == "中华人民共和国数据安全法"
    assert result.hits[0].clause_id is None
    containing = {d.id for d, _ in docs if "数据安全法" in normalize(d.body + (d.title or ""))}
    assert result.total == len(containing)
    short = index.search("个人信息保护法", docs=True, limit=1).hits[0]
    assert short.title == "中华人民共和国个人信息保护法"
    both = index.search("公共数据 深圳", docs=True, limit=10)  # the words may sit in different clauses
    assert "深圳经济特区数据条例" in {h.title for h in both.hits}
    assert sum(n for _, n in dict(both.facets)["type"]) == both.total


def test_more_like_this_finds_similar_clauses_elsewhere(index: SearchIndex, docs: list) -> None:
    doc_id, clause_id = clause_of(docs, "中华人民共和国数据安全法", "第二十一条")
    hits = index.more_like_this(doc_id, clause_id, limit=5)
    assert hits
    assert (doc_id, clause_id) not in {(h.doc_id, h.clause_id) for h in hits}
    assert any("分类分级" in h.snippet for h in hits)


@pytest.mark.parametrize(
    ("query", "error"),
    [('"未闭合', QuerySyntaxError), ("", QuerySyntaxError), ("bogus:1", QuerySyntaxError)],
)
def test_bad_queries_raise_kb_errors(index: SearchIndex, query: str, error: type[KbError]) -> None:
    with pytest.raises(error):
        index.search(query)


def test_bad_sort_is_an_error(index: SearchIndex) -> None:
    with pytest.raises(KbError, match="sort 'name'"):
        index.search("数据", sort="name")


def test_missing_index_says_to_ingest(tmp_path: Path, engine: str) -> None:
    with pytest.raises(IndexMissing, match="run `kb ingest"):
        open_search_index(tmp_path, engine=engine)


# -- entries ------------------------------------------------------------------------------------------------------


def test_entries_cover_each_article_once(docs: list) -> None:
    doc, tags = docs[0]
    entries = entries_for(doc, tags)
    own, clauses = entries[0], entries[1:]
    assert own.kind == "doc" and own.text.startswith("中华人民共和国数据安全法\n数据安全法")
    articles = [c for c in doc.clauses if c.kind == ClauseKind.ARTICLE]
    by_id = {e.clause_id: e for e in clauses}
    for article in articles:
        assert by_id[article.id].text == article.text.strip()
    paragraph_ids = {c.id for c in doc.clauses if c.kind == ClauseKind.PARAGRAPH}
    assert not paragraph_ids & set(by_id)
    body = normalize(doc.body)
    assert len(normalize("".join(e.text for e in clauses))) == len(body)  # nothing indexed twice, nothing lost
    assert by_id[articles[20].id].number == "第二十一条"


def test_entry_topics_gather_the_article_tags(docs: list) -> None:
    doc, tags = docs[0]
    entries = {e.clause_id: e for e in entries_for(doc, tags)}
    for tag in tags:
        unit = tag.clause_id.split("__para_")[0]
        assert tag.topic in entries[unit].topics


# -- versions, stale entries, incremental updates ------------------------------------------------------------------


def changed(doc_file: str, old: str, new: str) -> tuple[Document, tuple[TopicTag, ...]]:
    path = corpus_file(doc_file)
    data = path.read_bytes().decode("utf-8").replace(old, new).encode("utf-8")
    processed = process_bytes(data, str(path))
    return processed.document, processed.topics


def test_a_live_filter_naming_the_hidden_versions_answers_as_one_naming_the_kept(
    tmp_path: Path, docs: list, engine: str
) -> None:
    # The store names the few versions a search leaves out (copies) when the index holds exactly its versions;
    # an engine may filter by those instead of by every kept one, and must answer the same.
    from kb.search.interface import LiveVersions

    index = open_search_index(tmp_path, create=True, engine=engine)
    index.update(docs[:3])
    kept = {doc.id: doc.sha256 for doc, _ in docs[:2]}
    hidden = {docs[2][0].id: docs[2][0].sha256}
    queries = ("数据", '"数据安全"', "个人信息 保护", "深圳", "数据 type:法律")
    index.set_live(kept)
    by_kept = [index.search(q) for q in queries]
    index.set_live(LiveVersions(kept, hidden))
    by_hidden = [index.search(q) for q in queries]
    index.set_live(LiveVersions({doc.id: doc.sha256 for doc, _ in docs[:3]}, {}))  # nothing hidden
    everything = [index.search(q) for q in queries]
    index.set_live(None)
    unfiltered = [index.search(q) for q in queries]

    def answers(results: list) -> list:
        return [(r.total, r.facets, [h.doc_id for h in r.hits]) for r in results]

    assert answers(by_hidden) == answers(by_kept)
    assert answers(everything) == answers(unfiltered)
    assert by_kept[3].total == 0 and unfiltered[3].total > 0  # 深圳 is only in the hidden document


def test_searchable_versions_names_the_hidden_copies_only_when_the_index_is_clean() -> None:
    from kb.search.interface import LiveVersions
    from kb.versions.query import searchable_versions

    class Store:
        def __init__(self, state: str) -> None:
            self.state = state

        def get_meta(self, key: str) -> str:
            return self.state

        def copy_ids(self) -> set[str]:
            return {"c"}

        def live_versions(self) -> dict[str, str]:
            return {"a": "1", "b": "2", "c": "3"}

    clean = searchable_versions(Store("clean"))  # type: ignore[arg-type]
    assert isinstance(clean, LiveVersions) and clean == {"a": "1", "b": "2"} and clean.hidden == {"c": "3"}
    dirty = searchable_versions(Store("dirty"))  # type: ignore[arg-type]
    assert isinstance(dirty, LiveVersions) and dirty == {"a": "1", "b": "2"} and dirty.hidden is None


def test_versions_stale_entries_and_removal(tmp_path: Path, docs: list, engine: str) -> None:
    index = open_search_index(tmp_path, create=True, engine=engine)
    first, second = docs[0], docs[2]
    index.update([first, second])
    assert index.indexed_versions() == {first[0].id: first[0].sha256, second[0].id: second[0].sha256}
    new = changed(DATA_SECURITY, "国家建立数据分类分级保护制度", "国家建立数据分门别类保护制度")
    assert new[0].id == first[0].id and new[0].sha256 != first[0].sha256
    index.update([new])  # adds the new version; the old one stays until the store says which is live
    assert index.search('"分门别类"').total == 1
    assert index.search('"国家建立数据分类分级保护制度"').total == 1
    assert index.indexed_versions()[first[0].id] == new[0].sha256  # the version written last
    index.set_live({first[0].id: first[0].sha256, second[0].id: second[0].sha256})
    assert index.search('"分门别类"').total == 0
    assert index.search('"国家建立数据分类分级保护制度"').total == 1
    assert dict(index.search("数据").facets)["type"] == (("地方性法规", index.search("数据 province:广东").total),
                                                        ("法律", index.search("数据 type:法律").total))  # fmt: skip
    live = {first[0].id: new[0].sha256, second[0].id: second[0].sha256}
    index.set_live(live)
    assert index.search('"分门别类"').total == 1
    assert index.search('"国家建立数据分类分级保护制度"').total == 0
    assert index.remove_stale(live) == 1
    index.set_live(None)
    assert index.search('"国家建立数据分类分级保护制度"').total == 0
    assert index.remove_stale(live) == 0
    index.update([], remove=[second[0].id])
    assert index.indexed_versions() == {first[0].id: new[0].sha256}
    assert index.search("深圳").total == 0


def test_re_adding_a_version_replaces_it(tmp_path: Path, docs: list, engine: str) -> None:
    index = open_search_index(tmp_path, create=True, engine=engine)
    index.update([docs[0]])
    total = index.search("数据").total
    index.update([docs[0]])
    assert index.search("数据").total == total
    assert index.doc_count() == len(entries_for(*docs[0]))


def test_incremental_updates_keep_segments_few(tmp_path: Path, docs: list) -> None:
    index = open_index(tmp_path, create=True)
    index.update(docs)
    base = index.search("数据").total
    for i in range(8):
        doc, tags = changed(SHENZHEN, "深圳经济特区", f"深圳经济特区{i}")
        index.update([(doc, tags)])
        index.remove_stale({d.id: (doc.sha256 if d.id == doc.id else d.sha256) for d, _ in docs})
        assert len(index.snapshot().parts) <= 4  # small segments are merged, so a query reads few
    assert index.search("数据").total == base
    assert len(index.snapshot().parts) <= 4
    assert index.search('"深圳经济特区7"').total > 0
    assert index.search('"深圳经济特区6"').total == 0


def test_new_documents_in_another_process_are_seen(tmp_path: Path, docs: list, engine: str) -> None:
    reader = open_search_index(tmp_path, create=True, engine=engine)
    assert reader.search("数据").total == 0
    writer = open_search_index(tmp_path)
    writer.update([docs[0]])
    assert reader.search("数据").total > 0  # the reader picks up the new commit


def test_write_lock_names_its_holder(tmp_path: Path) -> None:
    import os

    index = open_index(tmp_path, create=True)
    with (
        _WriteLock(index.storage, index.path),
        pytest.raises(StoreError, match=f"being written by process {os.getpid()}"),
        _WriteLock(index.storage, index.path, wait=0.2),
    ):
        pass
    with _WriteLock(index.storage, index.path, wait=0.2):  # released: free again
        pass


@pytest.fixture(scope="module")
def whoosh(docs: list[tuple[Document, tuple[TopicTag, ...]]], tmp_path_factory: pytest.TempPathFactory) -> WhooshIndex:
    ix = open_index(tmp_path_factory.mktemp("whoosh"), create=True)
    ix.update(docs)
    return ix


def test_whoosh_reads_the_segments_kb_writes(whoosh: WhooshIndex) -> None:
    from whoosh.query import And, Term

    from kb.search.whoosh_analysis import BIGRAM_ANALYZER

    index = whoosh
    snapshot = index.snapshot()
    with index.storage.open_index("MAIN").searcher() as searcher:
        for term in ("数据", "分类", "篡改"):
            ours = sorted(
                part.docbase + int(i) for part in snapshot.parts for i in (part.data.postings("text", term) or [[]])[0]
            )  # fmt: skip
            theirs = sorted(searcher.reader().postings("text", term).all_ids())
            assert ours == theirs
        hits = searcher.search(And([Term("text", "分类"), Term("text", "分级")]), limit=None)
        assert len(hits) > 0
        assert [t.text for t in BIGRAM_ANALYZER("分类分级")] == ["分类", "类分", "分级"]
        assert searcher.doc_frequency("province", "广东") > 0


def test_entry_record_round_trips() -> None:
    entry = Entry(kind=CLAUSE, doc_id="d", version="d@x", clause_id="art_1", text="第一条 数据", year=2021,
                  topics=("数据安全",))  # fmt: skip
    assert Entry.from_tuple(entry.as_tuple()) == entry
    assert dataclasses.replace(entry, text="x").as_tuple()[4] == "x"


def test_the_engines_agree_on_the_tantivy_folder() -> None:
    from kb.search import engines, tantivy_index

    assert engines.TANTIVY_DIR == tantivy_index.TANTIVY_DIR


def test_the_engines_agree_on_the_whoosh_folder() -> None:
    from kb.search import engines, whoosh_index

    assert engines.WHOOSH_DIR == whoosh_index.INDEX_DIR


def test_a_tantivy_index_of_an_older_schema_is_named_to_readers_and_rebuilt_by_ingest(tmp_path: Path) -> None:
    # An index built before the bigram fields: readers are told to ingest; the next ingest indexes every document
    # again from the store, and searches answer as before.
    import tantivy

    from kb.pipeline import ingest
    from kb.search.tantivy_index import tantivy_path

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_bytes(corpus_file(DATA_SECURITY).read_bytes())
    home = tmp_path / "home"
    ingest([corpus], home, engine="tantivy")
    before = open_search_index(home).search("重要数据目录", limit=5)
    assert before.total > 0
    path = tantivy_path(home)
    for child in path.iterdir():
        child.unlink()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("norm", stored=False)
    old = tantivy.Index(builder.build(), path=str(path))
    writer = old.writer(heap_size=15_000_000, num_threads=1)
    writer.commit()
    writer.wait_merging_threads()
    with pytest.raises(IndexMissing, match="older kb"):
        open_search_index(home)
    report = ingest([corpus], home)
    assert not report.failures
    after = open_search_index(home).search("重要数据目录", limit=5)
    assert (after.total, [h.clause_id for h in after.hits]) == (before.total, [h.clause_id for h in before.hits])
