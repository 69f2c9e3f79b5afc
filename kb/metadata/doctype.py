"""Document type and level: issuer, title shape and header events -> DocType and Level."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.models import DateEvent, DocType, EventKind, Level
from kb.normalize.docnumber import doc_number_key
from kb.normalize.places import Place, is_county, leading_place, province_kind

# The country name national bodies and laws may be written with: 中华人民共和国国务院, 中华人民共和国民法典.
COUNTRY = "中华人民共和国"

# The national legislature and its standing committee, in full or short: 全国人民代表大会(常务委员会), 全国人大常委会.
NATIONAL_LEGISLATURE = re.compile(r"^(?:中华人民共和国)?全国人民代表大会|^全国人大")
# The State Council and the Central Military Commission (joint military administrative regulations).
STATE_COUNCIL = re.compile(r"^(?:(?:中华人民共和国)?(?:国务院|中央军事委员会|中央军委)、?)+$")
# The State Council's General Office, which issues policy documents (国办发) rather than regulations.
STATE_COUNCIL_OFFICE = re.compile(r"^(?:中华人民共和国)?国务院办公厅$|^中央军委办公厅$")
# The Supreme People's Court and Procuratorate, the authors of judicial interpretations.
SUPREME_JUDICIARY = re.compile(r"^(?:中华人民共和国)?最高人民(?:法院|检察院)")
# A local legislature: 广东省人民代表大会常务委员会, 深圳市人大常委会, 市人大常委会, 景宁畲族自治县人民代表大会.
LOCAL_LEGISLATURE = re.compile(r"人民代表大?会|人大")
# A local government: 北京市人民政府, 浙江省人民政府办公厅.
LOCAL_GOVERNMENT = re.compile(r"人民政府(?:办公厅|办公室)?$")

# Title endings of regulations and rules (条例, 规定, 办法, 实施细则, 规则, 规程, 标准) as opposed to policy documents.
REGULATORY_TITLE = re.compile(r"(?:条例|规定|办法|细则|规则|规程|规范|准则|标准|守则|章程)(?:（[^）]*）|\([^)]*\))?$")
# Types only national bodies make.
NATIONAL_TYPES = frozenset(
    {DocType.CONSTITUTION, DocType.LAW, DocType.ADMIN_REGULATION, DocType.DEPT_RULE, DocType.JUDICIAL}
)
# Titles of a legislature's or government's decisions and resolutions: ……的决定, ……的决议.
DECISION_TITLE = re.compile(r"(?:决定|决议)(?:（[^）]*）|\([^)]*\))?$")
# Titles of policy documents: notices, opinions, replies, letters, plans, announcements (规范性文件 and the like).
POLICY_TITLE = re.compile(
    r"(?:通知|意见|批复|复函|函|答复|纪要|方案|规划|通报|公告|通告|指引|指南|要点)(?:（[^）]*）|\([^)]*\))?$"
)
# A national law's title: 中华人民共和国数据安全法, 民法典, 刑法修正案（十一） (宪法修正案 is caught first).
LAW_TITLE = re.compile(r"(?:法|法典|法修正案(?:（[^（）]*）)?)(?:（[^（）]*）)?$")
# The constitution and its amendments.
CONSTITUTION_TITLE = re.compile(r"^(?:中华人民共和国)?宪法(?:修正案)?(?:（[^）]*）)?$")
# Words of a judicial interpretation's title when it does not name the court: 关于审理…案件具体应用法律若干问题的解释.
JUDICIAL_TITLE = re.compile(
    r"(?:适用法律|应用法律|审理|审判|刑事案件|民事案件|行政案件).*(?:解释|规定|批复|答复)(?:（[^）]*）)?$"
)
# A ministry named in a body's closing as the maker of the rules it replaces: "公安部令第102号", "（公安部第69号令）",
# "公安部以前制定的关于继续盘问或者留置的规定".
MINISTRY_ORDER = re.compile(r"(?<!国务院)(?<!人民政府)(?:部|总局|委员会|局|署|办公室|银行)(?:令|第\d+号令|以前制定)")


# A local government promulgating its rules: "河北省人民政府令〔2020〕第1号", "…已经2019年…省政府第35次常务会议通过，
# 现予公布" — 地方政府规章, where a local legislature's 公告 would make it 地方性法规.
GOVERNMENT_ORDER = re.compile(
    r"人民政府令|(?:省|市|自治区)(?:人民)?政府(?:第[0-9０-９一二三四五六七八九十百]+次)?常务会议"
)


@dataclass(frozen=True, slots=True)
class IssuerKind:
    """What kind of body an issuer is, and the place it belongs to (None for national bodies)."""

    kind: str  # "legislature", "state_council", "state_council_office", "judiciary", "ministry", "local_legislature",
    # "local_government", "local_department" or "unknown"
    place: Place | None


def issuer_kind(issuer: str) -> IssuerKind:
    """Classify a body by its name: 全国人民代表大会常务委员会 -> legislature; 深圳市人民代表大会常务委员会 ->
    local_legislature in 广东/深圳; 公安部 -> ministry; 北京市人民政府 -> local_government."""
    name = issuer.strip()
    if NATIONAL_LEGISLATURE.search(name):
        return IssuerKind("legislature", None)
    if STATE_COUNCIL.search(name):
        return IssuerKind("state_council", None)
    if STATE_COUNCIL_OFFICE.search(name):
        return IssuerKind("state_council_office", None)
    if SUPREME_JUDICIARY.search(name):
        return IssuerKind("judiciary", None)
    place = leading_place(name)
    local = place is not None or is_county(name) or name.startswith(("市", "省", "自治区", "县"))
    # Below the national level every legislature is a 人民代表大会 and every government a 人民政府, also where the
    # place is not one the gazetteer knows.
    if local or LOCAL_LEGISLATURE.search(name) or LOCAL_GOVERNMENT.search(name):
        if LOCAL_LEGISLATURE.search(name):
            return IssuerKind("local_legislature", place)
        if LOCAL_GOVERNMENT.search(name):
            return IssuerKind("local_government", place)
        return IssuerKind("local_department", place)
    if name.startswith(COUNTRY) or re.search(r"(?:部|委员会|总局|局|署|办公室|银行|总署|委)$", name):
        return IssuerKind("ministry", None)
    return IssuerKind("unknown", None)


def classify(
    title: str | None,
    issuers: Sequence[str],
    events: Sequence[DateEvent],
    doc_number: str | None,
    body_head: str,
    body_tail: str,
) -> DocType | None:
    """The document's type from who issued it, how, and the shape of its title (None when nothing tells).

    全国人大(常委会) -> 法律; 国务院 adopting or 国务院令 -> 行政法规 (its 通知/意见 -> 规范性文件);
    最高人民法院/检察院 -> 司法解释; a ministry's 令 or 部务会议 rule -> 部门规章; a local 人大 -> 地方性法规;
    a local government's 令 or rule -> 地方政府规章, its 通知/意见 -> 规范性文件.
    """
    name = (title or "").strip()
    if CONSTITUTION_TITLE.match(name):
        return DocType.CONSTITUTION
    kinds = [issuer_kind(i).kind for i in issuers]
    main = kinds[0] if kinds else "unknown"
    regulatory = REGULATORY_TITLE.search(name) is not None
    policy = POLICY_TITLE.search(name) is not None
    decision = DECISION_TITLE.search(name) is not None
    order = doc_number is not None and "令" in doc_number
    if "judiciary" in kinds or name.startswith(("最高人民法院", "最高人民检察院")):
        return DocType.JUDICIAL
    if main == "legislature":
        # A title that starts with a place is a local text whatever its header says (a copy's header may be wrong).
        if local_title(name):
            return DocType.LOCAL_REGULATION
        # 全国人大常委会关于…的决定: a decision of the legislature, not a law (it has no articles of its own)
        return DocType.DECISION if decision and not LAW_TITLE.search(name) else DocType.LAW
    acted = [e for e in events if e.kind is not EventKind.SIGNED]
    by_state_council = any(e.body and _names_state_council(e.body) for e in acted)
    state_order = doc_number is not None and (doc_number_key(doc_number) or "").startswith("国令")
    if main == "state_council" or by_state_council or state_order:
        # The State Council's own notices and opinions are policy documents unless a header shows them adopted or
        # promulgated as regulations (the older 行政法规 titled 通知).
        if policy and not state_order and not acted:
            return DocType.NORMATIVE
        if decision and not state_order and not acted:
            return DocType.DECISION
        return DocType.ADMIN_REGULATION
    if main == "state_council_office":
        return DocType.DECISION if decision else DocType.NORMATIVE
    if main == "ministry":
        if policy and not order:
            return DocType.NORMATIVE
        return DocType.DEPT_RULE
    if main == "local_legislature":
        return DocType.LOCAL_REGULATION
    if main == "local_government":
        if regulatory or order:
            return DocType.LOCAL_GOV_RULE
        return DocType.DECISION if decision else DocType.NORMATIVE
    if main == "local_department":
        return DocType.NORMATIVE
    return _classify_by_title(name, body_head, body_tail)


def _names_state_council(body: str) -> bool:
    """Whether an event's body is or includes the State Council ("国务院", "中共中央、国务院")."""
    return any(STATE_COUNCIL.search(part) for part in re.split(r"[、，,\s]", body) if part)


def local_title(title: str) -> bool:
    """Whether a title starts with a place in the mainland (深圳经济特区…, 潍坊市…, 景宁畲族自治县…): a local text.
    Hong Kong and Macao are left out, as national laws are named after them."""
    place = leading_place(title)
    if place is not None:
        return place.province not in ("香港", "澳门")
    return is_county(title)


def _classify_by_title(name: str, body_head: str, body_tail: str) -> DocType | None:
    """The type when no issuer is known: the title's place and shape, and what the body says of its author."""
    if not name:
        return None
    if JUDICIAL_TITLE.search(name) and ("最高人民法院" in body_head or "最高人民检察院" in body_head or "解释" in name):
        return DocType.JUDICIAL
    if local_title(name):
        if POLICY_TITLE.search(name):
            return DocType.NORMATIVE
        if GOVERNMENT_ORDER.search(body_head):
            return DocType.LOCAL_GOV_RULE
        return DocType.LOCAL_REGULATION
    if name.startswith("国务院"):
        if POLICY_TITLE.search(name):
            return DocType.NORMATIVE
        return DocType.ADMIN_REGULATION
    if LAW_TITLE.search(name) and not REGULATORY_TITLE.search(name):
        return DocType.LAW
    if name.endswith("条例") or (name.startswith(COUNTRY) and REGULATORY_TITLE.search(name)):
        return DocType.ADMIN_REGULATION
    if REGULATORY_TITLE.search(name):
        if MINISTRY_ORDER.search(body_tail) or MINISTRY_ORDER.search(body_head):
            return DocType.DEPT_RULE
        return DocType.ADMIN_REGULATION
    if POLICY_TITLE.search(name):
        return DocType.NORMATIVE
    return None


def level_of(doc_type: DocType | None, issuer: IssuerKind | None, place: Place | None, county: bool) -> Level | None:
    """The administrative level: a place gives a local level (county, municipal or provincial), national bodies and
    national types give national, and nothing else tells."""
    if place is not None:
        if county:
            return Level.COUNTY
        if place.city and province_kind(place.province) != "municipality":
            return Level.MUNICIPAL
        return Level.PROVINCIAL
    national_kinds = {"legislature", "state_council", "state_council_office", "judiciary", "ministry"}
    if (issuer is not None and issuer.kind in national_kinds) or doc_type in NATIONAL_TYPES:
        return Level.NATIONAL
    return Level.COUNTY if county else None
