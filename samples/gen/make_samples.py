#!/usr/bin/env python3
"""Generate the huizong sample workspace under samples/.

Run from the repository root:  python3 samples/gen/make_samples.py

Writes (from scratch, deterministically):
  samples/huizong.toml            copy of templates/huizong.toml
  samples/名册.xlsx                master list (real villages + invented enterprises/chambers)
  samples/returns/2015-09/        one mostly compliant return per unit
  samples/returns/2015-10/        returns with the deliberate problems listed in README.md
  samples/README.md               workspace description, the expected-discrepancy table, the
                                  expected name-match table and the expected month-over-month
                                  change table of 2015-10 (computed from the records written)

Every cell address in the README tables is computed here, from the same model that writes the
workbooks, and checked by re-opening the files at the end.  Needs Python 3.11, openpyxl and,
for the .xls/.ods returns, LibreOffice (`soffice`).  `--pinyin-table` prints the embedded pinyin
table anew (maintenance only; needs pypinyin).
"""

from __future__ import annotations

import csv
import io
import random
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

HERE = Path(__file__).resolve().parent
SAMPLES = HERE.parent
ROOT = SAMPLES.parent
TEMPLATE_TOML = ROOT / "templates" / "huizong.toml"
VILLAGES_CSV = ROOT.parent / "shared" / "data" / "jinhua_villages.csv"
LO_PROFILE = "file:///tmp/lo_profile_samples2"

P09, P10 = "2015-09", "2015-10"
ORGANISER = "金华经济技术开发区"
CAMPAIGN_END = date(2015, 12, 31)
rng = random.Random(20151028)  # the only source of "randomness": fixed seed


# ════════════════════════════════════════════════════════════════════════════════════════════
# Master list
# ════════════════════════════════════════════════════════════════════════════════════════════

@dataclass
class Org:
    unit: str
    place: str  # 寺平村 / 新园社区 / 金华市云帆网络科技有限公司 / 金华经济技术开发区温州商会
    suffix: str  # 党支部 / 党总支
    code: str
    kind: str  # 村 / 社区 / 两新组织
    aliases: list[str] = field(default_factory=list)
    star: int = 3

    @property
    def name(self) -> str:
        return self.place + self.suffix


CONFIG = tomllib.loads(TEMPLATE_TOML.read_text(encoding="utf-8"))
UNITS = [u["name"] for u in CONFIG["units"]]
QUOTA = {u["name"]: (u.get("points"), u["demo"]) for u in CONFIG["units"]}
SECTOR = [u for u in UNITS if QUOTA[u][0] is None]  # 网络经济产业党委, 商会党委

ENTERPRISES = [  # invented; (place, short-name alias or "")
    ("金华市云帆网络科技有限公司", "云帆网络"),
    ("金华市易购电子商务有限公司", ""),
    ("金华市星链信息技术有限公司", "星链信息"),
    ("金华市八婺网络科技有限公司", ""),
    ("金华市青创电子商务有限公司", ""),
    ("金华市聚点网络科技有限公司", ""),
    ("金华市浙中数据科技有限公司", "浙中数据"),
    ("金华市畅达物流信息有限公司", ""),
    ("金华市千越网络科技有限公司", ""),
    ("金华市智汇软件有限公司", ""),
    ("金华市蓝海跨境电子商务有限公司", ""),
    ("金华市联创网络传媒有限公司", ""),
]
CHAMBERS = ["温州", "台州", "义乌", "永康", "东阳", "福建"]  # invented chambers of commerce
# Old names ("原XX村") given as master-list aliases: invented, checked below not to be real places.
OLD_NAMES = ["原溪西村", "原枫树村", "原石塘村", "原樟树下村", "原新华村", "原后溪村",
             "原上塘村", "原荷花塘村", "原杨柳村", "原前山村", "原下宅村", "原红星村"]


def place_of_village(raw: str) -> str:
    if raw.endswith("社区居委会"):
        return raw[: -len("居委会")]
    if raw.endswith("村委会"):
        return raw[: -len("村委会")] + "村"
    return raw  # 仙舟社区


def build_master() -> list[Org]:
    orgs: list[Org] = []
    with VILLAGES_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            orgs.append(Org(row["township"], place_of_village(row["name"]), "党支部", row["code"], row["kind"]))
    # ~10 % of the villages have a general branch (党总支) instead of a branch.
    for o in rng.sample(orgs, len(orgs) // 10):
        o.suffix = "党总支"
    for i, (place, alias) in enumerate(ENTERPRISES, 1):
        suffix = "党总支" if i == 12 else "党支部"
        orgs.append(Org("网络经济产业党委", place, suffix, f"W{i:04d}", "两新组织", [alias] if alias else []))
    for i, city in enumerate(CHAMBERS, 1):
        orgs.append(Org("商会党委", f"{ORGANISER}{city}商会", "党支部", f"S{i:04d}", "两新组织",
                        [f"{city}商会"] if i in (2, 5) else []))
    return orgs


MASTER = build_master()
BY_UNIT = {u: [o for o in MASTER if o.unit == u] for u in UNITS}


def org(unit: str, place: str) -> Org:
    hits = [o for o in BY_UNIT[unit] if o.place == place]
    assert len(hits) == 1, (unit, place)
    return hits[0]


# ════════════════════════════════════════════════════════════════════════════════════════════
# Belts: which organisations each unit reports, per period
# ════════════════════════════════════════════════════════════════════════════════════════════

def eligible(o: Org) -> bool:
    # Villages with numerals (仓里一村, 五都钱二村) stay off the belts: not what this sample tests.
    return not re.search(r"[一二三四]村$", o.place)


FORCED = {  # organisations every reader of the README will look for
    "苏孟乡": ["苏孟村"],  # the unit's short name inside a village name
    "汤溪镇": ["寺平村", "仙舟社区"],
    "罗埠镇": ["邵家村"],  # 邵家村 exists in 罗埠镇 and 洋埠镇
    "洋埠镇": ["邵家村"],
    "西关街道": ["西关社区"],
}
CROSS_UNIT = ("洋埠镇", "一乐堂村")  # listed by 罗埠镇 in 2015-10: belongs to 洋埠镇
CROSS_UNIT_QB = ("三江街道", "雅苑社区")  # listed by 秋滨街道 in 2015-10 (exact name): belongs to 三江街道

# 2015-10 only (issue 3, fuzzy matching).  Homophone typos from pinyin input: one character of the place
# name replaced by another with the same toneless pinyin, on rows that are otherwise compliant; each must
# be auto-accepted by fuzzy matching (method `fuzzy`) and raise no discrepancy.
HOMOPHONES = {  # unit: (real place, as typed)
    "汤溪镇": ("寺平村", "四平村"),
    "苏孟乡": ("清湖村", "青湖村"),
    "三江街道": ("东莱社区", "东来社区"),
    "洋埠镇": ("寺前杨村", "寺前阳村"),
}
# An abbreviation that fits two villages of the unit differing only by a position word: needs_review.
AMBIGUOUS = ("罗埠镇", "章村", ("上章村", "下章村"))
POSITION_WORDS = "上下东西南北前后中里外"
FULL_NAME_10 = ("汤溪镇", "油麻车村")  # a 镇/村 row written as the full official name (中国共产党…支部委员会)


def pick_belt(unit: str, n: int) -> list[Org]:
    pool = [o for o in BY_UNIT[unit] if eligible(o) and (unit, o.place) != CROSS_UNIT]
    forced = [org(unit, p) for p in FORCED.get(unit, [])]
    rest = [o for o in pool if o not in forced]
    chosen = set(map(id, forced + rng.sample(rest, n - len(forced))))
    return [o for o in BY_UNIT[unit] if id(o) in chosen]  # master-list order, as clerks list them


BELT09: dict[str, list[Org]] = {}
DEMO09: dict[str, list[Org]] = {}
for _u in UNITS:
    points, demo = QUOTA[_u]
    if points is None:  # sector committees: no belt, demo sites only
        BELT09[_u] = [o for o in BY_UNIT[_u] if o.place != ENTERPRISES[11][0]][:demo]
        DEMO09[_u] = list(BELT09[_u])
        continue
    n = points - 1 if _u == "西关街道" else points  # 西关街道 has reported one point short since 9月
    BELT09[_u] = pick_belt(_u, n)
    must_demo = [org(_u, "寺平村")] if _u == "汤溪镇" else []
    others = [o for o in BELT09[_u] if o not in must_demo]
    picked = must_demo + rng.sample(others, demo - len(must_demo))
    DEMO09[_u] = [o for o in BELT09[_u] if any(o is p for p in picked)]

# 2015-10 changes to the belts.  Month over month (SPEC §7) they give the changes added (汤溪镇's new point,
# 三江街道's replacement point), removed (三江街道's dropped point → point_removed), demo_added and
# demo_removed; the star changes are below (STAR10), the venue changes come from sumeng_10 / yangbu_10.
TX_NEW_POINT = rng.choice([o for o in BY_UNIT["汤溪镇"] if eligible(o) and o not in BELT09["汤溪镇"]])
TX_NEW_DEMO = rng.choice([o for o in BELT09["汤溪镇"] if o not in DEMO09["汤溪镇"] and o.kind == "村"])
LB_DROPPED_DEMO = DEMO09["罗埠镇"][-1]
BELT10 = {u: list(BELT09[u]) for u in UNITS}
DEMO10 = {u: list(DEMO09[u]) for u in UNITS}
BELT10["汤溪镇"] = [o for o in BY_UNIT["汤溪镇"] if o in BELT09["汤溪镇"] or o is TX_NEW_POINT]
DEMO10["汤溪镇"] = [o for o in BELT10["汤溪镇"] if o in DEMO09["汤溪镇"] or o is TX_NEW_DEMO]
DEMO10["罗埠镇"].remove(LB_DROPPED_DEMO)
# 三江街道 swaps one ordinary point: 洪坞村社区 leaves the belt (→ removed, point_removed) and 江滨社区, another
# real community of the street, takes its row (→ added), so the street stays at its quota and no row moves.
SJ_DROPPED_POINT = org("三江街道", "洪坞村社区")
SJ_NEW_POINT = org("三江街道", "江滨社区")
assert SJ_DROPPED_POINT in BELT09["三江街道"] and SJ_DROPPED_POINT not in DEMO09["三江街道"]
assert eligible(SJ_NEW_POINT) and SJ_NEW_POINT not in BELT09["三江街道"] and SJ_NEW_POINT.place != CROSS_UNIT_QB[1]
BELT10["三江街道"][BELT10["三江街道"].index(SJ_DROPPED_POINT)] = SJ_NEW_POINT


def assign_stars() -> None:
    """现星级 in the master list; the returns report the same star (so nothing changes month on month)."""
    belt = {id(o) for u in UNITS for o in BELT09[u]}
    demo = {id(o) for u in UNITS for o in DEMO09[u]}
    for o in MASTER:
        if id(o) in demo:
            o.star = rng.choice([4, 4, 5])
        elif id(o) in belt:
            o.star = rng.choice([3, 3, 4, 4, 5])
        else:
            o.star = rng.choice([2, 3, 3, 4, 5])
    TX_NEW_POINT.star = 2  # → point_star_low
    TX_NEW_DEMO.star = 3  # demo site from 2015-10 → demo_star_low
    org(*CROSS_UNIT).star = 3


def assign_aliases() -> Org:
    """Old-name aliases for ten villages (one with two), 城区社区 for 仙舟社区; returns the 罗埠镇 belt
    village whose alias its returns use."""
    villages = [o for o in MASTER if o.kind in ("村", "社区") and eligible(o)]
    lb_alias = next(o for o in BELT09["罗埠镇"] if o not in DEMO09["罗埠镇"] and o.kind == "村" and o.place != "邵家村")
    xianzhou = org("汤溪镇", "仙舟社区")
    xianzhou.aliases = ["城区社区"]
    others = [o for o in rng.sample(villages, 12) if o is not lb_alias and o is not xianzhou][:9]
    for o, old in zip([lb_alias] + others, OLD_NAMES):
        o.aliases.append(old)
    others[0].aliases.append(OLD_NAMES[10])  # two aliases, written 原A村、原B村
    return lb_alias


assign_stars()
LB_ALIAS_ORG = assign_aliases()

# 2015-10 star changes on two ordinary points that stay on their belts: the October return reports a star other
# than September's (the master list keeps its 现星级).  4 → 3 is still ≥ 3: star_down without point_star_low.
STAR_DOWN = (org("秋滨街道", "冠山顶社区"), 3)
STAR_UP = (org("苏孟乡", "南塘村"), 4)
STAR10 = {o.code: star for o, star in (STAR_DOWN, STAR_UP)}  # code → star reported in 2015-10
for (_o, _new), _was in ((STAR_DOWN, 4), (STAR_UP, 3)):
    assert _o.star == _was and _o in BELT09[_o.unit] and _o in BELT10[_o.unit] and _o not in DEMO10[_o.unit], _o


# ════════════════════════════════════════════════════════════════════════════════════════════
# A reference normaliser (SPEC §4.1) used only to self-check that every name variant we write
# resolves to the intended organisation — and only by exact name, alias or normalised key.
# ════════════════════════════════════════════════════════════════════════════════════════════

SUFFIXES = [("社区居民委员会", "社区"), ("社区居委会", "社区"), ("居委会", "社区"), ("村民委员会", "村"),
            ("村委会", "村"), ("党总支部委员会", "党总支"), ("总支部委员会", "党总支"), ("党总支", "党总支"),
            ("总支", "党总支"), ("党支部委员会", "党支部"), ("支部委员会", "党支部"), ("党支部", "党支部"),
            ("支部", "党支部"), ("委员会", "党委")]
TYPE_WORDS = {"党支部", "党总支", "党委", "村", "社区", "支部"}


def norm(name: str) -> str:
    s = unicodedata.normalize("NFKC", name)
    s = re.sub(r"[\s\u3000\u00a0\u200b\ufeff]", "", s)
    for a in ("(示范点)", "(新)", "★"):
        s = s.replace(a, "")
    prefixes = ["中国共产党", "中共", ORGANISER, "金华市", "婺城区", "开发区", *UNITS]
    fired = True
    while fired:
        fired = False
        for p in prefixes:
            if s.startswith(p) and s[len(p):] and s[len(p):] not in TYPE_WORDS:
                s, fired = s[len(p):], True
    for old, new in SUFFIXES:
        if s.endswith(old):
            s = s[: -len(old)] + new
            break
    return s


def strip_party(key: str) -> str:
    for suf in ("党总支", "党支部", "党委"):
        if key.endswith(suf):
            return key[: -len(suf)]
    return key


def resolve_in(unit: str, raw: str) -> list[Org]:
    cands = BY_UNIT[unit]
    for test in (lambda o: o.name == raw.strip(),
                 lambda o: raw.strip() in o.aliases,
                 lambda o: norm(o.name) == norm(raw),
                 lambda o: strip_party(norm(raw)) == norm(raw) and strip_party(norm(o.name)) == norm(raw)):
        hits = [o for o in cands if test(o)]
        if hits:
            return hits
    return []


def check_resolves(unit: str, raw: str, expected: Org | None) -> None:
    own = resolve_in(unit, raw)
    if expected is None:
        others = [o for u in UNITS for o in resolve_in(u, raw)]
        assert not own and not others, f"{raw!r} should match nothing, matches {others or own}"
    elif expected.unit == unit:
        assert own == [expected], f"{unit}: {raw!r} → {[o.name for o in own]}, expected {expected.name}"
    else:
        assert not own, f"{unit}: {raw!r} unexpectedly matches its own {[o.name for o in own]}"
        assert resolve_in(expected.unit, raw) == [expected], raw


def check_master() -> None:
    keys = [(o.unit, o.name) for o in MASTER]
    assert len(keys) == len(set(keys)), "duplicate (unit, name) in master list"
    places = {o.place for o in MASTER}
    for o in MASTER:
        for a in o.aliases:
            assert a not in places and norm(a) not in {norm(p.name) for p in MASTER}, a
    missing = sorted(pinyin_table_chars() - PINYIN.keys())
    assert not missing, f"拼音表缺少 {''.join(missing)}：用 --pinyin-table 重建 PINYIN_TABLE"
    for unit, place in (CROSS_UNIT_QB, *((AMBIGUOUS[0], p) for p in AMBIGUOUS[2])):
        o = org(unit, place)
        assert o not in BELT09[unit] and o not in BELT10[unit], f"{o.name} must not be on a belt"


def match_method(unit: str, raw: str, o: Org) -> str:
    """The tier that resolves `raw` to `o` in `unit` by the rules above, in huizong's order (SPEC §4.2):
    exact name or code, normalised key, master-list alias, bare place name unique in the unit."""
    s = raw.strip()
    tiers = [("exact", lambda x: x.name == s or x.code == s),
             ("normalized", lambda x: norm(x.name) == norm(raw)),
             ("alias", lambda x: s in x.aliases),
             ("normalized", lambda x: strip_party(norm(raw)) == norm(raw) and strip_party(norm(x.name)) == norm(raw))]
    for method, test in tiers:
        hits = [x for x in BY_UNIT[unit] if test(x)]
        if hits:
            assert hits == [o], f"{unit}: {raw!r} → {[x.name for x in hits]}, expected {o.name}"
            return method
    raise AssertionError(f"{unit}: {raw!r} resolves to nothing")


# ── pinyin (for the homophone typos of 2015-10) ─────────────────────────────────────────────────
# Toneless pinyin with every reading (heteronyms included) of each character of the master list's
# place names and of the typos: pypinyin's Style.NORMAL, heteronym=True.  If the village list changes,
# rebuild it with `python3 samples/gen/make_samples.py --pinyin-table` (needs `pip install pypinyin`).
PINYIN_TABLE = """
一=yi 丁=ding/zheng 万=mo/wan 三=san 上=shang 下=xia 业=ye 东=dong 严=yan 中=zhong 义=yi 乌=wu 乐=le/yue 二=er
云=yun 五=wu 亭=ting 仁=ren 仓=cang 仙=xian 件=jian/mou 伊=yi 会=hui/kuai 传=chuan/zhuan 何=he 保=bao
信=shen/xin 儿=er/ren 元=yuan 光=guang 八=ba 公=gong 关=guan 兴=xing 冠=guan 冬=dong 刘=liu 创=chuang
前=jian/qian 务=wu 化=hua/huo 区=ou/qu 十=shi 千=qian 半=ban/pan 华=hua 南=na/nan 卜=bo/bu/pu 双=shuang
发=fa 口=kou 台=si/tai/yi 叶=xie/ye 司=ci/si 合=ge/he 后=hou 吕=lv 周=zhou 咀=ju/zui 和=he/hu/huo 唐=tang
商=shang 四=si 园=wan/yuan 国=guo 地=de/di 坊=fang 坝=ba 坞=wu 坟=fen 垅=long 埠=bu 基=ji 堂=tang 堪=chen/kan
堰=yan 塔=da/ta 塘=tang 境=jing 夏=jia/xia 大=da/dai/tai 天=tian 央=yang/ying 头=tou 姑=gu 姜=jiang
婺=mou/mu/wu 媒=mei 子=zi 孙=sun 孟=meng 学=xue 宅=che/du/zhai 安=an 宋=song 官=guan 定=ding 家=gu/jia/jie
对=dui 寺=shi/si 尖=jian 尘=chen 山=shan 岗=gang 岛=dao 岩=yan 峰=feng 州=zhou 市=fu/shi 帆=fan
平=beng/bing/pian/ping 庄=peng/zhuang 店=dian 康=kang 建=jian 开=kai 张=zhang 彰=zhang 征=zheng 徐=xu 息=xi
戴=dai 技=ji/qi 据=ju 数=shu/shuo 新=xin 方=fang/feng/pang/wang 施=shi/yi 昌=chang 易=yi 星=xing 智=zhi
曹=cao 有=wei/you 木=mu 术=shu/zhu 朱=shu/zhu 李=li 村=cun 杓=biao/di/shao/shuo/zhuo 来=lai 杨=yang 枧=jian
桥=qiao 楼=lou 樟=zhang 横=guang/heng/huang 殿=dian 水=shui 永=yong 汇=hui 江=jiang 汤=shang/tang
汪=hong/wang 沃=wo 沈=chen/shen/tan 沙=sha/suo 油=you 沿=yan 洋=xiang/yang 洪=hong 洲=zhou
派=bai/mai/pa/pai 流=liu 济=ji 浙=zhe 海=hai 淤=yu 淳=chun/zhun 清=qing 温=wen/yun 湖=hu 湾=wan 溪=qi/xi
滨=bin 滩=tan 潘=bo/fan/pan 瀛=ying 点=dian 牛=niu 物=wu 献=xian 王=wang/yu 珠=zhu 瑞=rui 田=tian 电=dian
畅=chang 畈=fan 界=jie 白=bai/bo 皇=huang/wang 益=yi 石=dan/shi 碓=dui 社=she 祝=chu/zhou/zhu 福=fu 禾=he
秋=qiu 科=ke 程=cheng 稍=shao 章=zhang 童=tong/zhong 竹=zhu 经=jing 络=lao/luo 网=wang 罗=luo 羊=yang 群=qun
联=lian 聚=ju 背=bei 胡=hu 舟=zhou 艺=yi 节=jie 花=hua 苏=su 苑=yu/yuan/yun 茶=cha 荞=qiao 莱=lai 莲=lian
萧=xiao 董=dong/zhong 蒋=jiang 蓝=la/lan 蟠=fan/pan 西=xi 角=gu/jiao/jue/lu 让=rang 贞=zhen 购=gou
越=huo/yue 跃=yue 跨=ku/kua 路=lu/luo 车=che/ju 软=ruan 边=bian 达=da/ta/ti 邵=shao 郑=zheng 都=dou/du 里=li
野=shu/ye 金=jin 钱=qian 铺=pu 链=lian 阳=yang 陆=liu/lu 陈=chen 限=wen/xian 陶=dao/tao/yao 雅=ya 集=ji
青=jing/qing 鞍=an 顶=ding 项=xiang 马=ma 高=gao 鸭=ya 鸽=ge 鹤=he 麦=mai 麻=ma 黄=huang 龙=long 龚=gong
"""
PINYIN = {t.split("=")[0]: set(t.split("=")[1].split("/")) for t in PINYIN_TABLE.split()}


def pinyin_table_chars() -> set[str]:
    return set("".join(o.place for o in MASTER)) | {c for _, typed in HOMOPHONES.values() for c in typed}


def pinyin_table_text() -> str:
    from pypinyin import Style, pinyin  # only for rebuilding the table
    toks = [c + "=" + "/".join(sorted(set(pinyin(c, style=Style.NORMAL, heteronym=True)[0])))
            for c in sorted(pinyin_table_chars())]
    lines, cur = [], ""
    for t in toks:
        if len(cur) + len(t) + 1 > 96:
            lines.append(cur)
            cur = ""
        cur = f"{cur} {t}".strip()
    return "\n".join(lines + [cur])


def homophones(a: str, b: str) -> bool:
    """Same length and, position by position, a toneless reading in common."""
    missing = sorted({c for c in a + b if c not in PINYIN})
    assert not missing, f"拼音表缺少 {''.join(missing)}：用 --pinyin-table 重建 PINYIN_TABLE"
    return len(a) == len(b) and all(PINYIN[x] & PINYIN[y] for x, y in zip(a, b))


def check_homophone(unit: str, raw: str, o: Org) -> None:
    """A homophone typo: one character of the place replaced by a same-sounding one; the typo is no real
    place, resolves by none of the exact/alias/normalised rules in any unit (it must need fuzzy
    matching), and sounds like no other organisation of any unit (so the intended one leads clearly)."""
    real, typed = HOMOPHONES[unit]
    assert o.unit == unit and o.place == real and raw == typed + o.suffix, (unit, raw, o.name)
    assert len(typed) == len(real) and sum(a != b for a, b in zip(real, typed)) == 1, (real, typed)
    assert homophones(real, typed), f"{typed} is no homophone of {real}"
    assert typed not in {x.place for x in MASTER}, f"{typed} is a real place"
    check_resolves(unit, raw, None)
    check_resolves(unit, typed, None)
    clash = [f"{x.unit}{x.name}" for x in MASTER if x is not o and homophones(x.place, typed)]
    assert not clash, f"{typed} sounds like {clash}"


def check_ambiguous(unit: str, raw: str) -> None:
    """An abbreviation that resolves nowhere and fits exactly the intended villages differing by a
    position word."""
    u, abbr, places = AMBIGUOUS
    assert (unit, raw) == (u, abbr), (unit, raw)
    check_resolves(unit, raw, None)
    fits = [x.place for x in BY_UNIT[unit] if x.place[0] in POSITION_WORDS and x.place[1:] == abbr]
    assert sorted(fits) == sorted(places), fits


def check_rec(unit: str, r: "Rec") -> None:
    if r.intent == "fuzzy":
        check_homophone(unit, r.raw, r.org)
    elif r.intent == "review":
        check_ambiguous(unit, r.raw)
    else:
        check_resolves(unit, r.raw, r.org)


# ════════════════════════════════════════════════════════════════════════════════════════════
# People, plans, wording: the content of a row
# ════════════════════════════════════════════════════════════════════════════════════════════

SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董潘袁蒋蔡余杜叶程魏吕丁沈姜范傅钟卢汪戴方金邵"
GIVEN = ["建华", "卫东", "志刚", "国强", "晓燕", "立新", "永明", "伟民", "玉兰", "海峰", "建平", "丽娟", "春生",
         "小军", "建国", "美华", "志强", "红英", "文斌", "金土", "素芬", "德明", "水根", "雪梅", "立军", "建新",
         "桂香", "海涛", "卫红", "国良", "丽萍", "振华", "秀英", "志远", "金根", "建芳", "国荣", "春燕", "小平"]
LEADERS = {  # township leaders who each 联系 one demo site (invented names)
    u: [f"{s}{g}" for s, g in zip("徐陈方黄邵施蒋应", ["国华", "建军", "立平", "晓明", "红梅", "志勇", "海波", "文杰"])]
    for u in UNITS
}
for _i, _u in enumerate(UNITS):
    LEADERS[_u] = LEADERS[_u][_i % 3:] + LEADERS[_u][: _i % 3]

MEASURES = {
    "村": ["规范“三会一课”，建立党员联系农户制度", "改造提升村级活动场所，建设党员活动室", "打造红色文化长廊，开展主题党日活动",
          "推行党员设岗定责，带领村民发展特色产业", "开展美丽乡村建设，整治村容村貌", "建立党员志愿服务队，开展结对帮扶"],
    "社区": ["推行网格化管理，党员联系楼道", "建设社区党员服务中心，开展邻里互助", "组建在职党员志愿服务队，认领服务项目",
            "完善社区议事会制度，推进共驻共建", "开展“红色物业”创建，改善小区环境"],
    "两新组织": ["设立党员先锋岗，推动党建与生产经营融合", "建设党员活动室，规范组织生活", "开展“红色网商”培育，党员带头创业",
             "建立党员技术攻关小组", "组织党员参与社区志愿服务"],
}
PROGRESS = {P09: ["已制定创建方案", "已召开动员会", "方案已上报"],
            P10: ["已完成阵地改造", "按计划推进", "已完成70%", "正在完善台账", "已组织党员开展活动"]}


def stable_hash(*parts: str) -> int:
    return zlib.crc32("|".join(parts).encode("utf-8"))


def person(o: Org) -> str:
    h = stable_hash(o.code, "person")
    return SURNAMES[h % len(SURNAMES)] + GIVEN[(h // len(SURNAMES)) % len(GIVEN)]


def measures(o: Org) -> str:
    lst = MEASURES[o.kind]
    return lst[stable_hash(o.code, "measures") % len(lst)]


def deadline(o: Org) -> date:
    return [date(2015, 10, 31), date(2015, 11, 30), date(2015, 12, 31), date(2015, 12, 31)][int(o.code[-1]) % 4 if o.code[-1].isdigit() else 2]


@dataclass
class Rec:
    """One row of a return, in semantic form (rendered per unit style). str values pass through."""
    org: Org | None
    raw: str
    demo: bool
    star: int | str | None
    target: int | str | None
    venue: str | None
    resp: str | None
    deadline: date | str | None
    measures: str | tuple[str, str] | None
    contact: str | None
    five: tuple[str, ...] | None = None
    accept: str | None = None
    progress: str | None = None
    remarks: str | None = None
    intent: str | None = None  # "fuzzy" (homophone typo of org), "review" (ambiguous abbreviation), else None


def rec(o: Org, period: str, demo: bool, raw: str | None = None, contact_index: int = 0, **over) -> Rec:
    venue = "达标"
    star = STAR10.get(o.code, o.star) if period == P10 else o.star
    r = Rec(org=o, raw=raw if raw is not None else o.name, demo=demo, star=star,
            target=5 if demo or star >= 4 else 4, venue=venue, resp=person(o), deadline=deadline(o),
            measures=measures(o), contact=LEADERS[o.unit][contact_index % 8] if demo else None,
            five=("是",) * 5 if demo else None, accept="未验收",
            progress=PROGRESS[period][stable_hash(o.code, period) % len(PROGRESS[period])])
    for k, v in over.items():
        setattr(r, k, v)
    return r


def belt_recs(unit: str, period: str, variants: dict[str, str] | None = None) -> list[Rec]:
    belt, demo = (BELT09, DEMO09) if period == P09 else (BELT10, DEMO10)
    leaders_order = DEMO09[unit] + [o for o in DEMO10[unit] if o not in DEMO09[unit]]  # stable per site
    out = []
    for o in belt[unit]:
        d = o in demo[unit]
        how = (variants or {}).get(o.place, "exact")
        out.append(rec(o, period, d, contact_index=leaders_order.index(o) if d else 0, raw=variant(o, how),
                       intent="fuzzy" if how == "homophone" else None))
    return out


def variant(o: Org, how: str) -> str:
    """A name as a clerk writes it.  All forms but "homophone" resolve by the exact/alias/normalised-key
    rules; "homophone" (2015-10 only) is the name with the unit's homophone typo, which needs fuzzy matching."""
    stem, party = o.place, o.suffix
    if how == "homophone":
        real, typed = HOMOPHONES[o.unit]
        assert o.place == real, (o.unit, o.place, real)
        return typed + party
    long_suffix = "总支部委员会" if party == "党总支" else "支部委员会"
    short_suffix = "总支" if party == "党总支" else "支部"
    forms = {
        "exact": o.name,
        "space": f"{stem}　{party}",  # ideographic space
        "spaces": f" {stem} {party} ",
        "zhonggong": f"中共{o.name}",
        "zgcd": f"中国共产党{stem}{long_suffix}",
        "township": f"{o.unit}{o.name}",
        "zg_township": f"中共{o.unit}{stem}{long_suffix}",
        "full": f"中国共产党{ORGANISER}{o.unit}{stem}{long_suffix}",
        "long": f"{stem}{long_suffix}",
        "short": f"{stem}{short_suffix}",
        "demo_note": f"{o.name}（示范点）",
        "star_note": f"{o.name}★",
        "bare": stem,
        "alias": o.aliases[0] if o.aliases else o.name,
        "organiser": o.name.removeprefix(ORGANISER),
        "zg_organiser": f"中共{o.name}".replace("党支部", "支部委员会"),
    }
    return forms[how]


# ── rendering of values ──────────────────────────────────────────────────────────────────────
CN_DIGIT = "〇一二三四五"


def fmt_star(v, how: str):
    if v is None or isinstance(v, str):
        return v
    return {"int": v, "text": str(v), "xing": f"{v}星", "cn": f"{CN_DIGIT[v]}星", "cnj": f"{CN_DIGIT[v]}星级",
            "stars": "★" * v, "float": float(v)}[how]


def fmt_demo(d: bool, how: str):
    return {"shifou": "是" if d else "否", "check": "√" if d else None, "type": "示范点" if d else "一般点",
            "yes_blank": "是" if d else None}[how]


def fmt_deadline(v, how: str):
    if v is None or isinstance(v, str):
        return v
    if how == "date":
        return v
    if how == "iso":
        return v.isoformat()
    if how == "slash":
        return f"{v.year}/{v.month}/{v.day}"
    if how == "dot":
        return f"{v.year}.{v.month:02d}.{v.day:02d}"
    if how == "cn":
        return f"{v.year}年{v.month}月{v.day}日"
    if how == "cnm":  # month end only
        return f"{v.year}年{v.month}月"
    if how == "loose":  # 年底 / 10月底
        return "年底" if v == CAMPAIGN_END else f"{v.month}月底"
    raise ValueError(how)


@dataclass
class Style:
    star: str = "int"
    target: str = "int"
    demo: str = "shifou"
    deadline: str = "iso"
    five: tuple[str, str] = ("是", "否")


def render(r: Rec, st: Style) -> dict:
    v = {"name": r.raw, "demo": fmt_demo(r.demo, st.demo), "star": fmt_star(r.star, st.star),
         "target": fmt_star(r.target, st.target), "venue": r.venue, "resp": r.resp,
         "deadline": fmt_deadline(r.deadline, st.deadline),
         "measures": r.measures if not isinstance(r.measures, tuple) else r.measures[0],
         "contact": r.contact, "accept": r.accept, "progress": r.progress, "remarks": r.remarks}
    for i, k in enumerate(FIVE_KEYS):
        f = r.five[i] if r.five else None
        v[k] = {"是": st.five[0], "否": st.five[1]}.get(f, f)
    return v


# ════════════════════════════════════════════════════════════════════════════════════════════
# Sheet building helpers: title / header / rows / merges / footers, with addresses tracked
# ════════════════════════════════════════════════════════════════════════════════════════════

FIVE_KEYS = ["f_team", "f_system", "f_carrier", "f_position", "f_culture"]
FIVE_GROUP = ("五个有", [("f_team", "红色队伍"), ("f_system", "红色制度"), ("f_carrier", "红色载体"),
                      ("f_position", "红色阵地"), ("f_culture", "红色文化")])
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WIDTH = {"seq": 6, "name": 30, "measures": 34, "progress": 16, "remarks": 18, "deadline": 13, "unit": 10}


class Sheet:
    def __init__(self, name: str, columns: list, first_col: int = 1, hidden: bool = False):
        """columns: [(key, label)] with at most one ("group", (label, [(key, label)…])) entry."""
        self.name, self.c0, self.hidden = name, first_col, hidden
        self.cols: list[tuple[str, str, str | None]] = []
        for c in columns:
            if c[0] == "group":
                glabel, subs = c[1]
                self.cols += [(k, lbl, glabel) for k, lbl in subs]
            else:
                self.cols.append((c[0], c[1], None))
        self.cells: dict[tuple[int, int], object] = {}
        self.kind: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.r = 1
        self.records = 0  # rows that become records (set by the unit function's choices)
        self.rec_rows: list[tuple[int, "Rec"]] = []  # (row, record) of the rows that become records

    # geometry
    @property
    def last_col(self) -> int:
        return self.c0 + len(self.cols) - 1

    def col(self, key: str) -> int:
        return self.c0 + [k for k, _, _ in self.cols].index(key)

    def has(self, key: str) -> bool:
        return key in [k for k, _, _ in self.cols]

    def addr(self, row: int, key: str = "name") -> str:
        return f"{get_column_letter(self.col(key))}{row}"

    # primitives
    def put(self, r: int, c: int, v, kind: str = "body") -> None:
        if v is not None and v != "":
            self.cells[(r, c)] = v
        self.kind[(r, c)] = kind

    def merge(self, r1: int, c1: int, r2: int, c2: int) -> None:
        if (r1, c1) != (r2, c2):
            self.merges.append((r1, c1, r2, c2))

    # building blocks
    def title(self, text: str) -> None:
        self.put(self.r, self.c0, text, "title")
        self.merge(self.r, self.c0, self.r, self.last_col)
        self.r += 1

    def line(self, text: str) -> None:
        """A full-width text line: 填报单位…, 注…, 填表人… (merged across the table)."""
        self.put(self.r, self.c0, text, "line")
        self.merge(self.r, self.c0, self.r, self.last_col)
        self.r += 1

    def blank(self, n: int = 1) -> None:
        self.r += n

    def header(self) -> int:
        """Writes the header (two rows when there is a group); returns its first row."""
        top, grouped = self.r, any(g for _, _, g in self.cols)
        seen = set()
        for i, (k, lbl, g) in enumerate(self.cols):
            c = self.c0 + i
            if g is None:
                self.put(top, c, lbl, "head")
                if grouped:
                    self.put(top + 1, c, None, "head")
                    self.merge(top, c, top + 1, c)
            else:
                self.put(top + 1, c, lbl, "head")
                if g not in seen:
                    seen.add(g)
                    span = sum(1 for _, _, gg in self.cols if gg == g)
                    self.put(top, c, g, "head")
                    for j in range(1, span):
                        self.put(top, c + j, None, "head")
                    self.merge(top, c, top, c + span - 1)
        self.r += 2 if grouped else 1
        return top

    def row(self, values: dict, record: bool = True) -> int:
        r = self.r
        for k, _, _ in self.cols:
            self.put(r, self.col(k), values.get(k), "cell")
        self.r += 1
        self.records += record
        if record and "_rec" in values:
            self.rec_rows.append((r, values["_rec"]))
        return r

    def merge_down(self, key: str, r1: int, r2: int) -> None:
        self.merge(r1, self.col(key), r2, self.col(key))

    def total(self, text_key: str = "name", **values) -> int:
        r = self.row({text_key: "合计", **values}, record=False)
        return r


@dataclass
class Issue:
    period: str
    code: str
    unit: str
    source: str
    note: str
    check: tuple | None = None  # (relpath, sheet|None, cell, expected value) verified at the end


@dataclass
class Book:
    period: str
    rel: str  # path relative to the period folder
    unit: str | None  # the unit whose records it contributes (None: none)
    sheets: list[Sheet]
    created: datetime
    modified: datetime
    author: str = "张伟"
    status: str = "used"  # used / superseded / ignored
    note: str = ""

    @property
    def fmt(self) -> str:
        return Path(self.rel).suffix.lstrip(".")

    def records(self) -> int:
        return 0 if self.status != "used" else sum(s.records for s in self.sheets)


ISSUES: list[Issue] = []
BOOKS: list[Book] = []
OTHER_FILES: list[tuple[str, str, str, str]] = []  # (period, rel, unit, note): files that are not returns


def src(book: Book, sheet: Sheet | None, row: int | None = None, key: str = "name") -> str:
    if sheet is None:
        return book.rel
    if book.fmt == "csv":
        return f"{book.rel}!{sheet.addr(row, key)}"
    if row is None:
        return f"{book.rel}!{sheet.name}"
    return f"{book.rel}!{sheet.name}!{sheet.addr(row, key)}"


def issue(book: Book, code: str, unit: str, note: str, sheet: Sheet | None = None, row: int | None = None,
          key: str = "name", expect=None) -> None:
    s = src(book, sheet, row, key) if sheet is not None or code in ("superseded_file", "unit_conflict", "ignored_file") else "—"
    chk = None
    if row is not None:
        chk = (book.rel, None if book.fmt == "csv" else sheet.name, sheet.addr(row, key), expect)
    ISSUES.append(Issue(book.period, code, unit, s, note, chk))


@dataclass
class NameRow:
    """A 2015-10 record whose name is not the exact official name, with the expected match."""
    unit: str
    source: str
    raw: str
    official: str  # the organisation's official name, or — (review / unmatched)
    method: str  # exact / normalized / alias / fuzzy / review / none
    check: tuple  # (relpath, sheet|None, cell, raw) verified at the end


def expected_match(r: Rec) -> tuple[str, str] | None:
    """(official name or —, method) for a record, None when it is written as the exact official name."""
    if r.intent == "fuzzy":
        return r.org.name, "fuzzy"
    if r.intent == "review":
        return "—", "review"
    if r.org is None:
        return "—", "none"
    if r.raw == r.org.name:
        return None
    return r.org.name, match_method(r.org.unit, r.raw, r.org)


def name_rows() -> list[NameRow]:
    """Every 2015-10 record (used files, record rows only) with a variant name, in file and row order."""
    out = []
    for b in BOOKS:
        if b.period != P10 or b.status != "used":
            continue
        for sh in b.sheets:
            for row, r in sh.rec_rows:
                exp = expected_match(r)
                if exp:
                    out.append(NameRow(b.unit, src(b, sh, row), r.raw, *exp,
                                       (b.rel, None if b.fmt == "csv" else sh.name, sh.addr(row), r.raw)))
    order = {u: i for i, u in enumerate(UNITS)}
    return sorted(out, key=lambda n: order[n.unit])  # stable: file and row order within a unit


# ── month over month (SPEC §7): 2015-10 against 2015-09, by organisation, over valid records ────────────
CHANGE_KINDS = ["added", "removed", "star_up", "star_down", "demo_added", "demo_removed", "venue_changed"]


@dataclass
class Change:
    kind: str  # one of CHANGE_KINDS
    org: Org
    before: str  # as text: star number, 是/否, venue; — for added/removed
    after: str


def valid_records(period: str) -> dict[str, tuple[Rec, Book, Sheet, int]]:
    """Organisation code → (record, book, sheet, row) of its valid record in `period`: a record row of a used
    file, matched to an organisation of the unit that reported it (待核实, 未匹配 and 跨单位 rows are not), first
    occurrence in the unit (a duplicate's second row is not)."""
    out: dict[str, tuple[Rec, Book, Sheet, int]] = {}
    for b in BOOKS:
        if b.period != period or b.status != "used":
            continue
        for sh in b.sheets:
            for row, r in sh.rec_rows:
                if r.org is None or r.intent == "review" or r.org.unit != b.unit:
                    continue
                out.setdefault(r.org.code, (r, b, sh, row))
    return out


def month_over_month() -> list[Change]:
    """The changes of 2015-10 against 2015-09, computed from the records written; a unit that sent nothing in
    2015-10 (江南街道) is not compared, so its points are not removed.  Also files the star_down (source: this
    month's name cell) and point_removed (no source) discrepancies."""
    before, after = valid_records(P09), valid_records(P10)
    submitted = {b.unit for b in BOOKS if b.period == P10 and b.status == "used"}
    yes_no = {True: "是", False: "否"}
    out: list[Change] = []
    for code, (r, b, sh, row) in after.items():
        if code not in before:
            out.append(Change("added", r.org, "—", "—"))
            continue
        was = before[code][0]
        assert isinstance(was.star, int) and isinstance(r.star, int), (r.org.name, was.star, r.star)
        if r.star != was.star:
            out.append(Change("star_up" if r.star > was.star else "star_down", r.org, str(was.star), str(r.star)))
            if r.star < was.star:
                issue(b, "star_down", b.unit, f"{r.org.name}星级由上月{was.star}星降为{r.star}星", sh, row, expect=r.raw)
        if r.demo != was.demo:
            out.append(Change("demo_added" if r.demo else "demo_removed", r.org, yes_no[was.demo], yes_no[r.demo]))
        if was.venue is not None and r.venue is not None and was.venue != r.venue:
            out.append(Change("venue_changed", r.org, was.venue, r.venue))
    for code, (r, b, _, _) in before.items():
        if code not in after and b.unit in submitted:
            out.append(Change("removed", r.org, "—", "—"))
            issue(Book(P10, "", None, [], T10_CREATED, T10_CREATED), "point_removed", b.unit,
                  f"{r.org.name}上月在示范带上，本月未报")
    order = {u: i for i, u in enumerate(UNITS)}
    out.sort(key=lambda c: (order[c.org.unit], c.org.code, CHANGE_KINDS.index(c.kind)))
    # every change is one the samples were built to have
    got = {(c.kind, c.org.code) for c in out if c.kind != "venue_changed"}
    want = {("added", TX_NEW_POINT.code), ("added", SJ_NEW_POINT.code), ("removed", SJ_DROPPED_POINT.code),
            ("demo_added", TX_NEW_DEMO.code), ("demo_removed", LB_DROPPED_DEMO.code),
            ("star_down", STAR_DOWN[0].code), ("star_up", STAR_UP[0].code)}
    assert got == want, f"unexpected changes: {got ^ want}"
    venue = {(c.org.unit, c.before, c.after) for c in out if c.kind == "venue_changed"}
    assert venue == {("苏孟乡", "达标", "不达标"), ("洋埠镇", "达标", "无")}, venue
    return out


CHANGES: list[Change] = []


def title_text(unit: str, period: str, what: str = "党建示范带创建情况月报表") -> str:
    y, m = period.split("-")
    return f"{unit}{what}（{y}年{int(m)}月）"


def unit_line(unit: str, day: date) -> str:
    return f"填报单位：{unit}　　填报日期：{day.year}年{day.month}月{day.day}日"


FOOTER_PEOPLE = [("张伟", "李强"), ("王芳", "陈刚"), ("刘洋", "赵敏"), ("周静", "吴斌"), ("徐丽", "孙涛"),
                 ("胡敏", "朱军"), ("郭燕", "何勇"), ("高峰", "林霞"), ("罗娜", "郑磊"), ("梁晨", "谢婷")]


def footer_text(unit: str) -> str:
    a, b = FOOTER_PEOPLE[UNITS.index(unit)]
    return f"填表人：{a}　审核人：{b}　联系电话：0579-8{2200000 + 1371 * UNITS.index(unit):07d}"


def standard_ending(sh: Sheet, unit: str, recs: list[Rec], note: str | None = None) -> None:
    demo = sum(r.demo for r in recs)
    sh.total("name", remarks=f"共{len(recs)}个点，其中示范点{demo}个" if sh.has("remarks") else None)
    if note:
        sh.line(note)
    sh.line(footer_text(unit))


# ════════════════════════════════════════════════════════════════════════════════════════════
# Writers: xlsx (openpyxl, fixed zip times), xls/ods (LibreOffice), csv (GB18030)
# ════════════════════════════════════════════════════════════════════════════════════════════

FONT = Font(name="宋体", size=11)
FONT_TITLE = Font(name="黑体", size=16)
FONT_HEAD = Font(name="宋体", size=11, bold=True)
FILL_HEAD = PatternFill("solid", fgColor="D9D9D9")


def to_workbook(book: Book) -> openpyxl.Workbook:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sh in book.sheets:
        ws = wb.create_sheet(sh.name)
        ws.sheet_state = "hidden" if sh.hidden else "visible"
        for (r, c), kind in sh.kind.items():
            cell = ws.cell(r, c)
            v = sh.cells.get((r, c))
            if v is not None:
                cell.value = v
            if isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
            if kind == "title":
                cell.font, cell.alignment = FONT_TITLE, Alignment(horizontal="center", vertical="center")
            elif kind == "head":
                cell.font, cell.fill, cell.border = FONT_HEAD, FILL_HEAD, BOX
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            elif kind == "cell":
                cell.font, cell.border = FONT, BOX
                cell.alignment = Alignment(vertical="center", wrap_text=True)
            else:
                cell.font = FONT
        for r1, c1, r2, c2 in sh.merges:
            ws.merge_cells(start_row=r1, start_column=c1, end_row=r2, end_column=c2)
        for i, (k, lbl, _) in enumerate(sh.cols):
            ws.column_dimensions[get_column_letter(sh.c0 + i)].width = WIDTH.get(k, max(8, 2 * len(lbl) + 2))
        if sh.c0 > 1:
            ws.column_dimensions["A"].width = 3
        ws.row_dimensions[1].height = 30
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
    wb.active = next(i for i, s in enumerate(book.sheets) if not s.hidden)
    wb.properties.creator = wb.properties.lastModifiedBy = book.author
    wb.properties.created, wb.properties.modified = book.created, book.modified
    return wb


def fixed_zip(data: bytes, when: datetime) -> bytes:
    """Rewrites a zip (xlsx/ods) with fixed entry times, keeping order and compression."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=when.timetuple()[:6])
            zi.compress_type = info.compress_type
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, zin.read(info.filename))
    return out.getvalue()


def xlsx_bytes(book: Book) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        ExcelWriter(to_workbook(book), z).save()  # save_workbook() would stamp "now" as modified
    return fixed_zip(buf.getvalue(), book.modified)


def soffice_convert(xlsx: bytes, fmt: str, when: datetime) -> bytes:
    with tempfile.TemporaryDirectory(prefix="huizong_samples_") as tmp:
        src_path = Path(tmp) / "in.xlsx"
        src_path.write_bytes(xlsx)
        subprocess.run(["soffice", f"-env:UserInstallation={LO_PROFILE}", "--headless", "--convert-to", fmt,
                        "--outdir", tmp, str(src_path)], check=True, capture_output=True, timeout=300)
        out = Path(tmp) / f"in.{fmt}"
        if not out.exists():
            raise SystemExit(f"LibreOffice did not produce {fmt} output")
        src_path.unlink()  # the intermediate .xlsx
        data = out.read_bytes()
    return fixed_zip(data, when) if fmt == "ods" else data


def write_csv(book: Book, path: Path) -> None:
    sh = book.sheets[0]
    rows = []
    for r in range(1, sh.r):
        rows.append(["" if (v := sh.cells.get((r, c))) is None else str(v) for c in range(1, sh.last_col + 1)])
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    path.write_bytes(text.getvalue().encode("gb18030"))


def write_book(book: Book, period_dir: Path) -> None:
    path = period_dir / book.rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if book.fmt == "csv":
        write_csv(book, path)
    elif book.fmt == "xlsx":
        path.write_bytes(xlsx_bytes(book))
    else:
        path.write_bytes(soffice_convert(xlsx_bytes(book), book.fmt, book.modified))


# ════════════════════════════════════════════════════════════════════════════════════════════
# 2015-09: one plain, mostly compliant return per unit (layout and wording vary per unit)
# ════════════════════════════════════════════════════════════════════════════════════════════

# Header wordings per unit (all from templates/return_fields.toml), reused in 2015-10.
COLS = {
    "苏孟乡": [("seq", "序号"), ("name", "党组织名称"), ("demo", "是否示范点"), ("star", "星级"), ("target", "目标星级"),
            ("venue", "活动场所"), ("resp", "责任人"), ("deadline", "完成时限"), ("measures", "工作举措"),
            ("contact", "联系领导"), ("accept", "验收结果"), ("remarks", "备注")],
    "秋滨街道": [("seq", "序号"), ("name", "村（社区）名称"), ("demo", "点位类型"), ("star", "现星级"), ("target", "创建目标"),
             ("venue", "活动场所情况"), ("resp", "负责人"), ("deadline", "完成时间"), ("measures", "创建举措"),
             ("contact", "联系班子成员"), ("progress", "进展情况"), ("remarks", "备注")],
    "三江街道": [("seq", "序号"), ("name", "组织名称"), ("demo", "类别"), ("star", "星级"), ("target", "目标星级"),
             ("venue", "场所是否达标"), ("resp", "责任人"), ("deadline", "完成时限"), ("measures", "主要措施"),
             ("contact", "联系领导"), ("accept", "验收情况"), ("remarks", "备注")],
    "西关街道": [("seq", "序号"), ("name", "党组织名称（全称）"), ("demo", "是否示范点"), ("star", "评定星级"),
             ("target", "目标星级"), ("venue", "活动场所"), ("resp", "责任人"), ("deadline", "完成时限"),
             ("measures", "工作举措"), ("contact", "联系领导"), ("remarks", "备注")],
    "江南街道": [("seq", "序号"), ("name", "党组织名称"), ("demo", "是否示范点"), ("star", "星级"), ("target", "目标星级"),
             ("venue", "活动场所"), ("resp", "责任人"), ("deadline", "完成时限"), ("measures", "工作举措"),
             ("contact", "联系领导"), ("progress", "进展情况")],
    "汤溪镇": [("seq", "序号"), ("name", "党组织名称"), ("demo", "是否示范点"), ("star", "星级"), ("target", "目标星级"),
            ("venue", "活动场所"), ("resp", "责任人"), ("deadline", "完成时限"), ("measures", "工作举措"),
            ("contact", "联系领导"), ("progress", "进展情况")],
    "罗埠镇": [("seq", "序号"), ("name", "名称"), ("demo", "是否为示范点"), ("star", "当前星级"), ("target", "拟创星级"),
            ("venue", "场所情况"), ("resp", "第一责任人"), ("deadline", "计划完成时间"), ("measures", "具体措施"),
            ("contact", "指导员"), ("remarks", "备注")],
    "洋埠镇": [("seq", "序号"), ("unit", "乡镇"), ("name", "党组织名称"), ("demo", "是否示范点"), ("star", "星级"),
            ("target", "目标星级"), ("venue", "活动场所"), ("resp", "责任人"), ("deadline", "完成时限"),
            ("measures", "工作举措"), ("contact", "联系领导"), ("remarks", "备注")],
    "网络经济产业党委": [("seq", "序号"), ("name", "单位名称"), ("demo", "是否示范点"), ("star", "星级"), ("target", "创建目标"),
                 ("venue", "活动场所"), ("resp", "负责人"), ("deadline", "完成时限"), ("measures", "工作举措"),
                 ("contact", "联系领导"), ("group", FIVE_GROUP), ("progress", "进展情况")],
    "商会党委": [("seq", "序号"), ("name", "组织名称"), ("demo", "是否示范点"), ("star", "星级"), ("target", "目标星级"),
             ("resp", "责任人"), ("deadline", "完成时限"), ("measures", "工作举措"), ("contact", "联系领导"),
             ("accept", "验收结果"), ("remarks", "备注")],
}
STYLES = {
    "苏孟乡": Style(star="stars", target="stars", deadline="date"),
    "秋滨街道": Style(star="xing", target="cnj", demo="type", deadline="loose"),
    "三江街道": Style(star="cnj", target="cnj", demo="type", deadline="cnm"),
    "西关街道": Style(star="int", target="int", demo="check", deadline="slash"),
    "江南街道": Style(star="cn", target="cn", deadline="cn"),
    "汤溪镇": Style(star="int", target="int", deadline="date"),
    "罗埠镇": Style(star="text", target="text", deadline="loose"),
    "洋埠镇": Style(star="text", target="text", deadline="iso"),
    "网络经济产业党委": Style(star="xing", target="xing", deadline="dot", five=("√", "×")),
    "商会党委": Style(star="int", target="int", deadline="iso"),
}
V09 = {  # a few name variants already in 9月 (all resolve by normalised key or alias)
    "苏孟乡": {"苏孟村": "township"},
    "汤溪镇": {"寺平村": "zg_township", "仙舟社区": "alias"},
    "罗埠镇": {LB_ALIAS_ORG.place: "alias"},
    "西关街道": "full",
    "商会党委": "organiser",
}


def values(r: Rec, st: Style, seq, unit: str | None = None) -> dict:
    v = render(r, st)
    v["seq"] = seq
    v["_rec"] = r  # not a column: lets the sheet remember which record each row is
    if unit:
        v["unit"] = unit
    return v


def return_09(unit: str) -> Book:
    """The 2015-09 return of any unit: title, 填报单位 line, header, rows, 合计, footer."""
    vs = V09.get(unit, {})
    variants = {o.place: vs for o in BELT09[unit]} if isinstance(vs, str) else vs
    recs = belt_recs(unit, P09, variants)
    cols = [c for c in COLS[unit] if c[0] != "unit"]
    sheet_name = "9月" if UNITS.index(unit) % 2 == 0 else "Sheet1"
    sh = Sheet(sheet_name, cols)
    is_sector = unit in SECTOR
    sh.title(title_text(unit, P09, "党建示范创建情况月报表" if is_sector else "党建示范带创建情况月报表"))
    sh.line(unit_line(unit, date(2015, 9, 25)))
    sh.header()
    for i, r in enumerate(recs, 1):
        sh.row(values(r, STYLES[unit], i))
    standard_ending(sh, unit, recs)
    book = Book(P09, f"{unit}.xlsx", unit, [sh], datetime(2015, 9, 20, 9, 0), datetime(2015, 9, 25, 16, 30))
    for r in recs:
        check_rec(unit, r)
    if unit == "西关街道":
        issue(book, "points_shortfall", unit, f"只上报{len(recs)}个点，应建{QUOTA[unit][0]}个")
    return book


# ════════════════════════════════════════════════════════════════════════════════════════════
# 2015-10: one function per unit
# ════════════════════════════════════════════════════════════════════════════════════════════

D10 = date(2015, 10, 28)
T10_CREATED = datetime(2015, 10, 26, 9, 0)


def book10(rel: str, unit: str | None, sheets: list[Sheet], modified: datetime, **kw) -> Book:
    b = Book(P10, rel, unit, sheets, T10_CREATED, modified, **kw)
    BOOKS.append(b)
    return b


def sumeng_10() -> None:
    """苏孟乡: an older file and a revised one (修改版, used) with a two-row header (五个有)."""
    unit, st = "苏孟乡", STYLES["苏孟乡"]
    demo_orgs = DEMO10[unit]
    venue_bad = next(o for o in BELT10[unit] if o not in demo_orgs and o.kind == "村" and o.place != "苏孟村")
    five_bad = demo_orgs[1]
    variants = {"苏孟村": "township", demo_orgs[0].place: "demo_note", demo_orgs[2].place: "zhonggong",
                HOMOPHONES[unit][0]: "homophone"}
    assert org(unit, HOMOPHONES[unit][0]) not in (venue_bad, five_bad)

    # older version: no 五个有 columns yet, sent on 10-27, replaced by the 修改版 on 10-30
    old = Sheet("10月", COLS[unit])
    old.title(title_text(unit, P10))
    old.line(unit_line(unit, date(2015, 10, 27)))
    old.header()
    recs = belt_recs(unit, P10, variants)
    for i, r in enumerate(recs, 1):
        old.row(values(r, st, i))
    standard_ending(old, unit, recs)
    b_old = book10("苏孟乡.xlsx", unit, [old], datetime(2015, 10, 27, 17, 40), status="superseded",
                   note="被“苏孟乡（修改版）.xlsx”替代")
    issue(b_old, "superseded_file", unit, "同一单位两份报表，文件名含“修改”的“苏孟乡（修改版）.xlsx”优先")

    cols = COLS[unit][:10] + [("group", FIVE_GROUP)] + COLS[unit][10:]
    sh = Sheet("10月", cols)
    sh.title(title_text(unit, P10))
    sh.line(unit_line(unit, date(2015, 10, 30)))
    sh.header()
    recs = belt_recs(unit, P10, variants)
    rows = {}
    for i, r in enumerate(recs, 1):
        if r.org is venue_bad:
            r.venue, r.remarks = "不达标", "场所面积不足，正在改造"
        if r.org is five_bad:
            r.five = ("是", "是", "是", "否", "是")
            r.remarks = "红色阵地正在建设"
        rows[id(r.org)] = sh.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(sh, unit, recs, note="注：星级用“★”表示，五个有填“是”或“否”。")
    b = book10("苏孟乡（修改版）.xlsx", unit, [sh], datetime(2015, 10, 30, 10, 15))
    issue(b, "venue_substandard", unit, f"{venue_bad.name}活动场所“不达标”", sh, rows[id(venue_bad)],
          expect=next(r.raw for r in recs if r.org is venue_bad))
    issue(b, "five_have_missing", unit, f"示范点{five_bad.name}“红色阵地”为“否”", sh, rows[id(five_bad)],
          expect=next(r.raw for r in recs if r.org is five_bad))


def qiubin_10() -> None:
    """秋滨街道's return, saved under a 三江街道 file name; a repeated header; one empty 负责人."""
    unit, st = "秋滨街道", STYLES["秋滨街道"]
    demo_orgs = DEMO10[unit]
    nondemo = [o for o in BELT10[unit] if o not in demo_orgs]
    no_resp = nondemo[-1]
    variants = {nondemo[0].place: "bare", nondemo[1].place: "space", demo_orgs[0].place: "zg_township"}
    sh = Sheet("Sheet1", COLS[unit])
    sh.title(title_text(unit, P10))
    sh.line(unit_line(unit, D10))
    sh.header()
    recs = belt_recs(unit, P10, variants)
    cross_org = org(*CROSS_UNIT_QB)  # a 三江街道 community, under its exact name, as the last row
    cross = rec(cross_org, P10, False)
    cross.resp, cross.measures = "冯国平", "与秋滨街道相邻社区结对共建"
    recs.append(cross)
    rows = {}
    for i, r in enumerate(recs, 1):
        if i == 7:
            sh.header()  # the header row repeated in the middle (pasted from another page)
        if r.org is no_resp:
            r.resp = None
        if i == 2:
            r.resp = "王　平"  # 2-character name padded with an ideographic space
        rows[id(r.org)] = sh.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(sh, unit, recs)
    b = book10("三江街道月报表.xlsx", unit, [sh], datetime(2015, 10, 28, 11, 5))
    issue(b, "unit_conflict", unit, "文件名为三江街道，表内“填报单位：秋滨街道”，按表内认定为秋滨街道")
    issue(b, "plan_incomplete", unit, f"{no_resp.name}未填负责人", sh, rows[id(no_resp)],
          expect=next(r.raw for r in recs if r.org is no_resp))
    issue(b, "cross_unit", unit, f"“{cross_org.name}”属{cross_org.unit}", sh, rows[id(cross_org)], expect=cross.raw)


def sanjiang_10() -> None:
    """三江街道: LibreOffice .ods; 类别 column with 示范点/一般点; a blank row; one late deadline."""
    unit, st = "三江街道", STYLES["三江街道"]
    demo_orgs = DEMO10[unit]
    late = [o for o in BELT10[unit] if o not in demo_orgs][2]
    variants = {demo_orgs[1].place: "long", BELT10[unit][-1].place: "bare", HOMOPHONES[unit][0]: "homophone"}
    assert org(unit, HOMOPHONES[unit][0]) is not late
    sh = Sheet("10月", COLS[unit])
    sh.title(title_text(unit, P10))
    sh.line(unit_line(unit, D10))
    sh.blank()
    sh.header()
    recs = belt_recs(unit, P10, variants)
    rows = {}
    for i, r in enumerate(recs, 1):
        if r.org is late:
            r.deadline, r.remarks = "2016-03-31", "需待旧城改造完成"
        if i == 6:
            sh.blank()  # a stray blank row inside the data
        rows[id(r.org)] = sh.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(sh, unit, recs, note="注：类别填“示范点”或“一般点”。")
    b = book10("三江街道.ods", unit, [sh], datetime(2015, 10, 28, 15, 20))
    issue(b, "deadline_late", unit, f"{late.name}完成时限2016-03-31，晚于2015-12-31", sh, rows[id(late)],
          expect=next(r.raw for r in recs if r.org is late))


def xiguan_10() -> None:
    """西关街道: .xls, full official names (中国共产党…支部委员会), only 6 of 7 points."""
    unit, st = "西关街道", STYLES["西关街道"]
    recs = belt_recs(unit, P10, {o.place: "full" for o in BELT10[unit]})
    recs[1].raw = variant(recs[1].org, "township")
    sh = Sheet("Sheet1", COLS[unit])
    sh.title(title_text(unit, P10))
    sh.line(unit_line(unit, D10))
    sh.header()
    for i, r in enumerate(recs, 1):
        sh.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(sh, unit, recs)
    b = book10("西关街道.xls", unit, [sh], datetime(2015, 10, 28, 9, 40))
    issue(b, "points_shortfall", unit, f"有效点数{len(recs)}个，应建{QUOTA[unit][0]}个")


def tangxi_10() -> None:
    """汤溪镇: sheet 示范带点位 (all points, no demo column) + sheet 示范点 (demo sites only, 五个有);
    a name merged down two rows; a 2-star point, a 3-star demo site, an unknown organisation."""
    unit, st = "汤溪镇", STYLES["汤溪镇"]
    demo_orgs = DEMO10[unit]
    variants = {HOMOPHONES[unit][0]: "homophone", "仙舟社区": "alias", demo_orgs[-1].place: "short",
                FULL_NAME_10[1]: "full"}
    assert len(set(variants)) == 4 and org(*FULL_NAME_10) in BELT10[unit]
    assert org(*FULL_NAME_10) not in demo_orgs + [TX_NEW_POINT, TX_NEW_DEMO]
    recs = belt_recs(unit, P10, variants)
    two_line = next(r for r in recs[4:] if not r.demo and r.org is not TX_NEW_POINT)
    two_line.measures = ("硬化村内道路，改造文化礼堂", "建立党员议事制度，每月开展主题党日")
    unmatched = rec(TX_NEW_POINT, P10, False, raw="汤溪镇新农村党建联盟")
    unmatched.org, unmatched.star, unmatched.target, unmatched.venue = None, 3, 4, "达标"
    unmatched.resp, unmatched.measures = "童建伟", "整合周边村资源，联建共享党员活动阵地"
    recs.insert(len(recs) - 2, unmatched)

    pcols = [c for c in COLS[unit] if c[0] != "demo"]
    pcols[1] = ("name", "示范带点位")
    pts = Sheet("示范带点位", pcols)
    pts.title(title_text(unit, P10))
    pts.line(unit_line(unit, D10))
    pts.header()
    rows = {}
    for i, r in enumerate(recs, 1):
        v = values(r, st, i)
        r0 = pts.row(v)
        rows[id(r)] = r0
        if r is two_line:  # second line of measures on its own row; name, star … merged down
            pts.row({"measures": r.measures[1]}, record=False)
            for k in ("seq", "name", "star", "target", "venue", "resp", "deadline", "contact", "progress"):
                pts.merge_down(k, r0, r0 + 1)
        check_rec(unit, r)
    standard_ending(pts, unit, recs)

    dcols = [c for c in COLS[unit] if c[0] not in ("demo", "progress")]
    dcols[1] = ("name", "示范点名称")
    dcols += [("group", FIVE_GROUP), ("accept", "验收结果")]
    dem = Sheet("示范点", dcols)
    dem.title(title_text(unit, P10, "党建示范点创建情况表"))
    dem.line(unit_line(unit, D10))
    dem.header()
    drecs = [r for r in recs if r.demo or r.org is TX_NEW_DEMO]
    for i, r in enumerate(drecs, 1):
        r.demo = True
        dem.row(values(r, st, i), record=False)  # merged with the 示范带点位 row: not a new record
    dem.line(footer_text(unit))
    b = book10("汤溪镇.xlsx", unit, [pts, dem], datetime(2015, 10, 28, 16, 50))

    low_point = next(r for r in recs if r.org is TX_NEW_POINT and r is not unmatched)
    low_demo = next(r for r in recs if r.org is TX_NEW_DEMO)
    issue(b, "point_star_low", unit, f"{TX_NEW_POINT.name}为2星，低于三星", pts, rows[id(low_point)], expect=low_point.raw)
    issue(b, "demo_star_low", unit, f"示范点{TX_NEW_DEMO.name}为3星（见“示范点”表），低于四星", pts,
          rows[id(low_demo)], expect=low_demo.raw)
    issue(b, "unmatched", unit, "“汤溪镇新农村党建联盟”不在名册中", pts, rows[id(unmatched)], expect=unmatched.raw)


def luobu_10() -> None:
    """罗埠镇: blank column A, numbers as text, 指导员 and 计划完成时间 merged down, a hidden 底稿 sheet,
    only 4 demo sites, and a 洋埠镇 village on its list."""
    unit, st = "罗埠镇", STYLES["罗埠镇"]
    variants = {LB_ALIAS_ORG.place: "alias", DEMO10[unit][0].place: "star_note"}
    recs = belt_recs(unit, P10, variants)
    for j, r in enumerate(x for x in recs if x.demo):
        r.contact = LEADERS[unit][j]
    cross_org = org(*CROSS_UNIT)
    cross = rec(cross_org, P10, False)
    cross.resp, cross.measures = "陈志华", "与罗埠镇相邻村联建，共建党员活动阵地"
    recs.insert(len(recs) // 2, cross)
    # two adjacent demo sites share one 指导员 (merged over 2 rows); make the pair adjacent
    d = [r for r in recs if r.demo]
    recs.remove(d[1])
    recs.insert(recs.index(d[0]) + 1, d[1])
    d[1].contact = d[0].contact
    # the last row: "章村", which fits both 上章村 and 下章村 (neither on the belt) → needs_review
    amb_unit, amb_raw, amb_places = AMBIGUOUS
    assert amb_unit == unit
    ambiguous = rec(org(unit, amb_places[1]), P10, False, raw=amb_raw, intent="review")
    ambiguous.org, ambiguous.deadline = None, date(2015, 11, 30)
    ambiguous.resp, ambiguous.measures = "章伟民", "整治村容村貌，建设村级文化礼堂"
    recs.append(ambiguous)

    sh = Sheet("10月", COLS[unit], first_col=2)
    sh.title(title_text(unit, P10))
    sh.line(unit_line(unit, D10))
    sh.blank()
    sh.header()
    rows = {}
    run = []  # consecutive non-demo rows with deadline 年底: merged down
    for i, r in enumerate(recs, 1):
        v = values(r, st, str(i))  # 序号 stored as text
        rows[id(r)] = sh.row(v)
        check_rec(unit, r)
    r_first = rows[id(d[0])]
    sh.cells.pop((r_first + 1, sh.col("contact")), None)
    sh.merge_down("contact", r_first, r_first + 1)
    for r in recs:
        if not r.demo and r.deadline == CAMPAIGN_END and r is not cross and r is not ambiguous:
            run.append(r)
    for a, b_ in zip(run, run[1:]):
        if rows[id(b_)] == rows[id(a)] + 1:  # first pair of adjacent 年底 rows: merge 2..3 rows
            end = rows[id(b_)]
            nxt = next((x for x in run if rows[id(x)] == end + 1), None)
            end = end + 1 if nxt else end
            for rr in range(rows[id(a)] + 1, end + 1):
                sh.cells.pop((rr, sh.col("deadline")), None)
            sh.merge_down("deadline", rows[id(a)], end)
            break
    else:
        raise AssertionError("罗埠镇: no adjacent 年底 rows to merge")
    standard_ending(sh, unit, recs)

    draft = Sheet("底稿", COLS[unit], hidden=True)
    draft.title("罗埠镇示范带点位底稿")
    draft.header()
    for i, r in enumerate(belt_recs(unit, P09), 1):
        draft.row(values(r, st, i), record=False)
    b = book10("罗埠镇.xlsx", unit, [sh, draft], datetime(2015, 10, 29, 8, 55))

    issue(b, "demo_shortfall", unit, f"有效示范点{len(DEMO10[unit])}个，应建{QUOTA[unit][1]}个")
    issue(b, "cross_unit", unit, f"“{cross_org.name}”属洋埠镇", sh, rows[id(cross)], expect=cross.raw)
    fits = "、".join(org(unit, p).name for p in amb_places)
    issue(b, "needs_review", unit, f"“{amb_raw}”可对应{fits}，需人工核实", sh, rows[id(ambiguous)],
          expect=ambiguous.raw)
    issue(b, "skipped_sheet", unit, "隐藏工作表“底稿”", draft)


def yangbu_10() -> None:
    """洋埠镇: CSV in GB18030, header on the first line, a 乡镇 column; 无 venue; one duplicate."""
    unit, st = "洋埠镇", STYLES["洋埠镇"]
    demo_orgs = DEMO10[unit]
    nondemo = [o for o in BELT10[unit] if o not in demo_orgs and o.kind == "村"]
    no_venue, dup = nondemo[1], nondemo[3]
    variants = {demo_orgs[0].place: "long", nondemo[0].place: "zhonggong", HOMOPHONES[unit][0]: "homophone"}
    assert org(unit, HOMOPHONES[unit][0]) not in (no_venue, dup)
    recs = belt_recs(unit, P10, variants)
    for r in recs:
        if r.org is no_venue:
            r.venue, r.remarks = "无", "原活动场所拆迁，新场所在建"
    first = next(r for r in recs if r.org is dup)
    again = rec(dup, P10, False, raw=variant(dup, "zg_township"))
    recs.append(again)
    sh = Sheet("", COLS[unit])
    sh.header()
    rows = {}
    for i, r in enumerate(recs, 1):
        rows[id(r)] = sh.row(values(r, st, i, unit))
        check_rec(unit, r)
    b = book10("洋埠镇.csv", unit, [sh], datetime(2015, 10, 28, 0, 0))
    issue(b, "venue_substandard", unit, f"{no_venue.name}活动场所为“无”", sh, rows[id(next(r for r in recs if r.org is no_venue))],
          expect=next(r.raw for r in recs if r.org is no_venue))
    issue(b, "duplicate", unit, f"{dup.name}重复上报（第一次在第{rows[id(first)]}行）", sh, rows[id(again)], expect=again.raw)


def network_10() -> None:
    """网络经济产业党委: sheets 9月 (last month's, skipped) and 10月; 创建目标 “优秀”."""
    unit, st = "网络经济产业党委", STYLES["网络经济产业党委"]
    what = "党建示范创建情况月报表"

    def one(period: str, day: date, variants: dict) -> tuple[Sheet, list[Rec], dict]:
        sh = Sheet(f"{int(period[-2:])}月", COLS[unit])
        sh.title(title_text(unit, period, what))
        sh.line(unit_line(unit, day))
        sh.header()
        recs = belt_recs(unit, period, variants)
        for r in recs:
            if r.org.place == ENTERPRISES[1][0] or r.org.place == ENTERPRISES[5][0]:
                r.venue = None  # an enterprise without its own venue: not a failure
        return sh, recs, {}

    s9, r9, _ = one(P09, date(2015, 9, 25), {})
    for i, r in enumerate(r9, 1):
        s9.row(values(r, st, i), record=False)
    standard_ending(s9, unit, r9)

    orgs = BELT10[unit]
    s10, r10, _ = one(P10, D10, {orgs[0].place: "alias", orgs[3].place: "zg_organiser", orgs[6].place: "spaces"})
    bad = r10[4]
    bad.target = "优秀"
    rows = {}
    for i, r in enumerate(r10, 1):
        rows[id(r)] = s10.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(s10, unit, r10)
    b = book10("网络经济产业党委.xlsx", unit, [s9, s10], datetime(2015, 10, 28, 14, 0))
    issue(b, "skipped_sheet", unit, "工作表“9月”属于其他期间", s9)
    issue(b, "bad_value", unit, f"创建目标“优秀”不是星级（{bad.raw}所在行），该行保留，目标星级留空",
          s10, rows[id(bad)], key="target", expect="优秀")


def chamber_10() -> None:
    """商会党委: late file in 补报/; no 责任人 column at all; one demo site without 联系领导."""
    unit, st = "商会党委", STYLES["商会党委"]
    orgs = BELT10[unit]
    recs = belt_recs(unit, P10, {orgs[0].place: "organiser", orgs[1].place: "alias", orgs[2].place: "zg_organiser"})
    no_contact = recs[2]
    no_contact.contact = None
    cols = [c for c in COLS[unit] if c[0] != "resp"]
    sh = Sheet("商会党委", cols)
    sh.title(title_text(unit, P10, "党建示范创建情况月报表") + "（补报）")
    sh.line(unit_line(unit, date(2015, 10, 31)))
    sh.header()
    rows = {}
    for i, r in enumerate(recs, 1):
        rows[id(r)] = sh.row(values(r, st, i))
        check_rec(unit, r)
    standard_ending(sh, unit, recs)
    b = book10("补报/商会党委.xlsx", unit, [sh], datetime(2015, 10, 31, 10, 0))
    issue(b, "plan_incomplete", unit, "工作表缺少“责任人”列", sh)
    issue(b, "contact_missing", unit, f"示范点{no_contact.org.name}未填联系领导", sh, rows[id(no_contact)],
          expect=no_contact.raw)


def ignored_10(period_dir: Path) -> None:
    """Files that are not returns: Office lock file, a note, an archive."""
    user = "zhangwei"
    blob = bytes([len(user)]) + user.encode().ljust(53, b" ") + len(user).to_bytes(2, "little")
    blob += user.encode("utf-16-le")
    blob = blob.ljust(165, b"\x20")
    assert len(blob) == 165
    (period_dir / "~$苏孟乡.xlsx").write_bytes(blob)
    (period_dir / "说明.txt").write_bytes(
        "10月份党建示范带月报表收取情况：\r\n苏孟乡先后报送两次，以修改版为准；商会党委为补报；江南街道未报。\r\n".encode("utf-8"))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in [("活动照片/说明.txt", "汤溪镇寺平村主题党日活动照片（共3张，另行报送）。\r\n"),
                           ("罗埠镇经验材料.txt", "罗埠镇党建示范带创建经验材料（略）。\r\n")]:
            zi = zipfile.ZipInfo(name, date_time=(2015, 10, 28, 9, 0, 0))
            zi.compress_type, zi.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(zi, text.encode("utf-8"))
    (period_dir / "附件.zip").write_bytes(buf.getvalue())
    dummy = Book(P10, "", None, [], T10_CREATED, T10_CREATED)
    for rel, unit, note in [("~$苏孟乡.xlsx", "苏孟乡", "Office锁定文件（文件名指向苏孟乡）"), ("说明.txt", "—", "非报表文件"),
                            ("附件.zip", "—", "压缩包，请解压后放入本文件夹")]:
        dummy.rel = rel
        issue(dummy, "ignored_file", unit, note)
        OTHER_FILES.append((P10, rel, unit, note))


# ════════════════════════════════════════════════════════════════════════════════════════════
# README
# ════════════════════════════════════════════════════════════════════════════════════════════

README_HEAD = """# huizong 示例工作区

本文件夹是一个完整的 huizong 工作区，用于演示和端到端测试：

```
huizong.toml          配置（复制自 templates/huizong.toml，即《关于开展党建示范带创建的通知》的默认指标）
名册.xlsx              基层党组织名册（{n_master} 个组织）
returns/2015-09/      9月各单位报表：10个单位各一份，基本合规
returns/2015-10/      10月各单位报表：各种格式、命名和故意设置的问题
gen/make_samples.py   生成本工作区的脚本
```

在本文件夹中运行：

```
huizong run returns/2015-09 returns/2015-10
```

9月先汇总，10月的环比变化以9月为基期（按组织比较两期的有效记录）：{mom_story}
逐条见下文“2015-10 环比变化”表。

## 数据来源

- 村（社区）名称和组织编码取自 `shared/data/jinhua_villages.csv`，是金华经济技术开发区八个乡镇（街道）
  真实的村委会、居委会（2016年统计用区划代码，12位，名册中以文本存储）。组织名称由地名改写为党组织名称
  （寺平村委会 → 寺平村党支部，新园社区居委会 → 新园社区党支部），约一成改为“党总支”；现星级、别名
  （“原××村”等旧村名）为虚构。
- 网络经济产业党委下的 {n_ent} 家企业（编码 W0001…）和商会党委下的 {n_ch} 家商会（编码 S0001…）
  **均为虚构**，如有雷同纯属巧合。
- 责任人、联系领导、填表人等人名均为虚构。
- 邵家村在罗埠镇和洋埠镇各有一个，两者都在名册中，也都在各自的示范带上。

所有文件由 `python3 samples/gen/make_samples.py`（在仓库根目录运行）重新生成，结果是确定的
（固定随机种子，文档创建/修改时间固定在2015年）。需要 Python 3.11、openpyxl 和 LibreOffice。

## 报表中的名称写法

9月报表中的组织名称只用以下写法，均可通过“标准名称 / 名册别名 / 规范化键”精确识别：
全称、全角空格或多余空格、加“中共”“中国共产党”前缀、加乡镇（街道）全称前缀（“中共汤溪镇寺平村支部委员会”）、
加“金华经济技术开发区”前缀或省略该前缀、“支部委员会/支部/党支部”“总支部委员会/党总支”互换、
加注“（示范点）”或“★”、在本单位内唯一时只写地名（“寺平村”）。

10月报表还有以下写法（逐行见下文“名称匹配”表）：

{name_notes}

## 2015-10 文件一览

| 文件 | 说明 |
|---|---|
{file_rows}

## 故意设置的问题（预期的问题清单）

下表由生成脚本根据写入的单元格计算得出。“来源”为 `文件!工作表!单元格`（文件路径相对于期间文件夹，
单元格为该行“名称”单元格，数据格式问题为出错的那个单元格，行号从1起），CSV 为 `文件!单元格`，工作表级问题为 `文件!工作表`，
文件级问题只写文件名，未上报、指标缺口和“本月移出示范带”为 `—`。除下表所列外，两期报表不应产生其他问题。
环比问题只有两条：10月降星的点位记“星级下降”（`star_down`，来源为10月该行的名称单元格），9月在示范带上、
10月没有有效记录的点位记“本月移出示范带”（`point_removed`）；江南街道10月未上报，只记“未上报”，其点位不算移出。

| 期间 | 问题代码 | 单位 | 来源 | 说明 |
|---|---|---|---|---|
{issue_rows}

## 2015-10 名称匹配（预期的匹配方式）

下表由生成脚本根据写入的单元格计算得出，列出 2015-10 写法不是标准名称的每一条记录（被替代的文件、被跳过的工作表、
与示范点表合并的行不列；写的就是标准名称的行，包括跨单位上报的两行，也不列）。“来源”同上表，为该行“名称”单元格；
“上报名称”为单元格原文（首尾空格在表中不显示）；“标准名称”为应匹配的名册组织，待核实和未匹配的行为 `—`。
“匹配方式”：`exact` 标准名称或组织编码，`normalized` 规范化键相同（含本单位唯一的地名），`alias` 名册别名，
`fuzzy` 同音错字（相似度自动接受），`review` 待核实，`none` 未匹配。

| 期间 | 单位 | 来源 | 上报名称 | 标准名称 | 匹配方式 |
|---|---|---|---|---|---|
{name_rows}

## 2015-10 环比变化（预期的变化）

下表由生成脚本根据写入的两期报表计算得出：按组织比较 2015-09 和 2015-10 的有效记录（匹配到本单位组织的首次出现；
待核实、未匹配、跨单位上报的行和重复上报的第二行不参与），列出全部变化。“变化”为变化代码：`added` 新进示范带、
`removed` 移出示范带、`star_up` 星级上升、`star_down` 星级下降、`demo_added` 新增示范点、`demo_removed` 不再是示范点、
`venue_changed` 活动场所变化（两期都填了活动场所才比较）；“组织”为名册标准名称；“上月”“本月”为变化前后的值
（星级为数字，示范点为“是/否”，活动场所为原文），`added`、`removed` 为 `—`。江南街道10月未上报，不参与比较。

| 期间 | 变化 | 单位 | 组织 | 上月 | 本月 |
|---|---|---|---|---|---|
{change_rows}

## 各文件贡献的记录数

“记录”指有名称的数据行（合计、表头、重复表头、页脚、合并续行、与示范点表合并的行均不计）。
被替代的文件和被跳过的工作表不贡献记录。

| 期间 | 文件 | 单位 | 记录数 | 说明 |
|---|---|---|---|---|
{count_rows}

## 其他预期结果（供核对）

{expect_notes}
"""


def readme() -> str:
    file_notes = {
        "苏孟乡.xlsx": "苏孟乡较早的一版，被修改版替代",
        "苏孟乡（修改版）.xlsx": "两行表头（合并的“五个有”），星级写作★",
        "三江街道月报表.xlsx": "文件名为三江街道，内容是秋滨街道的报表；表中间有一行重复表头；最后一行是三江街道的社区",
        "三江街道.ods": "LibreOffice 转换的 ODS，“类别”列写示范点/一般点，数据中有空行",
        "西关街道.xls": "LibreOffice 转换的 Excel 97 格式，名称为全称（中国共产党…支部委员会）",
        "汤溪镇.xlsx": "“示范带点位”表列出全部点位，“示范点”表只列示范点（与前表合并为同一记录）；一个名称合并两行",
        "罗埠镇.xlsx": "A列空白，数字存为文本，指导员、完成时间合并单元格，隐藏工作表“底稿”；最后一行只写简称“章村”",
        "洋埠镇.csv": "GB18030 编码的 CSV，首行即表头，有“乡镇”列",
        "网络经济产业党委.xlsx": "两张工作表“9月”“10月”",
        "补报/商会党委.xlsx": "放在子文件夹“补报”中，没有“责任人”列",
        "~$苏孟乡.xlsx": "Office 锁定文件（165字节）",
        "说明.txt": "文字说明，非报表",
        "附件.zip": "压缩包，非报表",
    }
    books10 = [b for b in BOOKS if b.period == P10]
    files = [b.rel for b in books10] + [rel for p, rel, _, _ in OTHER_FILES if p == P10]
    file_rows = "\n".join(f"| `{f}` | {file_notes[f]} |" for f in files)
    order = {u: i for i, u in enumerate(UNITS)}
    codes = ["unmatched", "needs_review", "duplicate", "cross_unit", "points_shortfall", "demo_shortfall",
             "point_star_low", "demo_star_low", "venue_substandard", "plan_incomplete", "deadline_late",
             "contact_missing", "five_have_missing", "missing_submission", "superseded_file", "unit_conflict",
             "bad_value", "rejected_file", "ignored_file", "skipped_sheet", "star_down", "point_removed"]  # SPEC §5
    iss = sorted(ISSUES, key=lambda x: (x.period, order.get(x.unit, 99), codes.index(x.code), x.source))
    issue_rows = "\n".join(f"| {i.period} | {i.code} | {i.unit} | {i.source} | {i.note} |" for i in iss)
    counts = []
    for period in (P09, P10):
        bs = sorted((b for b in BOOKS if b.period == period), key=lambda b: (order[b.unit], b.rel))
        for b in bs:
            counts.append(f"| {period} | {b.rel} | {b.unit} | {b.records()} | {b.note} |")
        for p, rel, unit, note in OTHER_FILES:
            if p == period:
                counts.append(f"| {period} | {rel} | {unit} | 0 | {note}，不读取 |")
        counts.append(f"| {period} | 合计 | — | {sum(b.records() for b in bs)} | |")
    (down, down_to), (up, up_to) = STAR_DOWN, STAR_UP
    venues = "、".join(f"{c.org.unit}{c.org.name}的活动场所由“{c.before}”变为“{c.after}”"
                       for c in CHANGES if c.kind == "venue_changed")
    mom_story = (f"汤溪镇新增点位{TX_NEW_POINT.name}，{TX_NEW_DEMO.name}新认定为示范点；罗埠镇{LB_DROPPED_DEMO.name}"
                 f"不再是示范点；三江街道以{SJ_NEW_POINT.name}替换{SJ_DROPPED_POINT.name}（前者新进、后者移出示范带）；"
                 f"{down.unit}{down.name}由{down.star}星降为{down_to}星，{up.unit}{up.name}由{up.star}星升为{up_to}星；"
                 f"{venues}。")
    notes = [
        f"- 2015-10 有效点数：" + "、".join(
            f"{u} {valid_points(u)}" for u in UNITS if QUOTA[u][0] is not None and u != "江南街道") + "；江南街道未上报。",
        f"- 2015-10 有效示范点：" + "、".join(f"{u} {len(DEMO10[u])}" for u in UNITS if u != "江南街道") + "。",
        f"- 汤溪镇“示范带点位”表没有“是否示范点”列；“示范点”表的 {len(DEMO10['汤溪镇'])} 行与前表中的同一组织合并为一条记录"
        f"（第二行跳过，原因“与示范点表合并”，不算重复上报），这些组织因此是示范点，其中{TX_NEW_DEMO.name}是10月新认定的示范点。",
        f"- 2015-10 对 2015-09 的环比变化共 {len(CHANGES)} 条（见“2015-10 环比变化”表），环比问题两条"
        "（“星级下降”“本月移出示范带”各一）。江南街道未上报，只记“未上报”，不应记为其点位移出示范带，也不产生其他环比变化。",
        f"- {STAR_DOWN[0].unit}{STAR_DOWN[0].name}降为{STAR_DOWN[1]}星，仍不低于三星：只记“星级下降”，不记星级未达标；"
        f"{SJ_NEW_POINT.name}替换{SJ_DROPPED_POINT.name}后三江街道有效点数仍为 {valid_points('三江街道')}。",
        f"- 2015-10 上报点数：" + "、".join(
            f"{u} {reported_points(u)}" for u in UNITS if QUOTA[u][0] is not None and u != "江南街道") + "。",
        f"- 跨单位上报的“{org(*CROSS_UNIT).name}”“{org(*CROSS_UNIT_QB).name}”、待核实的“{AMBIGUOUS[1]}”"
        "和重复上报的第二行都计入上报点数，但不是有效记录；罗埠镇、秋滨街道的有效点数仍达到指标。",
        "- 同音错字的" + "、".join(f"“{variant(org(u, real), 'homophone')}”" for u, (real, _) in HOMOPHONES.items())
        + "应按相似度自动匹配到本单位的组织（匹配方式“相似匹配”），是有效记录，不产生任何问题，也不产生环比变化。",
        "- “优秀”写在网络经济产业党委10月表的“创建目标”（目标星级）列，而不是“星级”列：若写在“星级”列，"
        "该值被置空后会按“未填星级”另计星级未达标。",
    ]
    homo = "、".join(f"{u}“{variant(org(u, real), 'homophone')}”（{org(u, real).name}）"
                     for u, (real, _) in HOMOPHONES.items())
    amb_unit, amb_raw, amb_places = AMBIGUOUS
    name_notes = "\n".join([
        f"- 同音错字（拼音输入的同音字，只错一个字）：{homo}。错字后的名称不是任何真实的村（社区），与任何单位的其他组织"
        "都不同音，也不能按标准名称、别名或规范化键识别，应按相似度（拼音相同）自动匹配（`fuzzy`），不产生问题；",
        f"- 完整的正式名称：汤溪镇“{variant(org(*FULL_NAME_10), 'full')}”（西关街道各行也都写全称）；",
        f"- 一个简称对应两个村：{amb_unit}只写“{amb_raw}”，名册中有"
        + "、".join(org(amb_unit, p).name for p in amb_places) + "，只差一个方位字，应列为待核实（`needs_review`）；",
        f"- 其他乡镇（街道）的村（社区）按标准名称上报：罗埠镇报“{org(*CROSS_UNIT).name}”（{CROSS_UNIT[0]}），"
        f"秋滨街道报“{org(*CROSS_UNIT_QB).name}”（{CROSS_UNIT_QB[0]}），为跨单位上报（`cross_unit`）。",
    ])
    rows = "\n".join(f"| {P10} | {n.unit} | {n.source} | {n.raw} | {n.official} | {n.method} |" for n in NAME_ROWS)
    change_rows = "\n".join(f"| {P10} | {c.kind} | {c.org.unit} | {c.org.name} | {c.before} | {c.after} |"
                             for c in CHANGES)
    return README_HEAD.format(n_master=len(MASTER), n_ent=len(ENTERPRISES), n_ch=len(CHAMBERS),
                              file_rows=file_rows, issue_rows=issue_rows, count_rows="\n".join(counts),
                              expect_notes="\n".join(notes), name_notes=name_notes, name_rows=rows,
                              mom_story=mom_story, change_rows=change_rows)


def valid_points(u: str) -> int:
    return len(BELT10[u])


def reported_points(u: str) -> int:
    return sum(b.records() for b in BOOKS if b.period == P10 and b.unit == u)


NAME_ROWS: list[NameRow] = []


# ════════════════════════════════════════════════════════════════════════════════════════════
# Master list workbook, main, verification
# ════════════════════════════════════════════════════════════════════════════════════════════

def write_master(path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名册"
    ws.append(["单位", "组织名称", "组织编码", "组织类别", "别名", "现星级"])
    for o in MASTER:
        ws.append([o.unit, o.name, o.code, o.kind, "、".join(o.aliases) or None, o.star])
    for c in ws[1]:
        c.font, c.fill, c.border = FONT_HEAD, FILL_HEAD, BOX
    for row in ws.iter_rows(min_row=2):
        row[2].number_format = "@"  # the code is text, never a number
    for col, w in zip("ABCDEF", [18, 40, 16, 10, 24, 8]):
        ws.column_dimensions[col].width = w
    ws.freeze_panes = "A2"
    wb.properties.creator = wb.properties.lastModifiedBy = "区委组织部"
    wb.properties.created = wb.properties.modified = datetime(2015, 9, 1, 9, 0)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        ExcelWriter(wb, z).save()
    path.write_bytes(fixed_zip(buf.getvalue(), datetime(2015, 9, 1, 9, 0)))


def verify(out: Path) -> None:
    """Re-open every workbook; check that each README address holds the expected name."""
    for b in BOOKS:
        p = out / "returns" / b.period / b.rel
        if b.fmt == "xlsx":
            wb = openpyxl.load_workbook(p)
            assert [ws.title for ws in wb.worksheets] == [s.name for s in b.sheets], p
            assert wb.properties.modified == b.modified, (p, wb.properties.modified)
    roundtrip: dict[str, Path] = {}
    tmp = Path(tempfile.mkdtemp(prefix="huizong_verify_"))
    try:
        checks = [(i.period, i.source, i.check) for i in ISSUES if i.check]
        checks += [(P10, n.source, n.check) for n in NAME_ROWS]
        for period, source, check in checks:
            rel, sheet, cell, expected = check
            p = out / "returns" / period / rel
            if p.suffix == ".csv":
                lines = list(csv.reader(io.StringIO(p.read_bytes().decode("gb18030"))))
                m = re.fullmatch(r"([A-Z]+)(\d+)", cell)
                col = openpyxl.utils.column_index_from_string(m[1])
                got = lines[int(m[2]) - 1][col - 1]
            else:
                if p.suffix in (".xls", ".ods"):  # read back through LibreOffice
                    if str(p) not in roundtrip:
                        subprocess.run(["soffice", f"-env:UserInstallation={LO_PROFILE}", "--headless",
                                        "--convert-to", "xlsx", "--outdir", str(tmp), str(p)],
                                       check=True, capture_output=True, timeout=300)
                        roundtrip[str(p)] = tmp / (p.stem + ".xlsx")
                    wb = openpyxl.load_workbook(roundtrip[str(p)])
                else:
                    wb = openpyxl.load_workbook(p)
                got = wb[sheet][cell].value
            assert got == expected, f"{source}: found {got!r}, expected {expected!r}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    if sys.argv[1:] == ["--pinyin-table"]:  # maintenance: rebuild PINYIN_TABLE (needs pypinyin)
        print(pinyin_table_text())
        return
    if shutil.which("soffice") is None:
        raise SystemExit("需要 LibreOffice（soffice）来生成 .xls/.ods 样例")
    check_master()
    for target in (SAMPLES / "returns", SAMPLES / "名册.xlsx", SAMPLES / "huizong.toml", SAMPLES / "README.md"):
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    shutil.copyfile(TEMPLATE_TOML, SAMPLES / "huizong.toml")
    write_master(SAMPLES / "名册.xlsx")

    d09, d10 = SAMPLES / "returns" / P09, SAMPLES / "returns" / P10
    d09.mkdir(parents=True)
    d10.mkdir(parents=True)
    for u in UNITS:
        b = return_09(u)
        BOOKS.append(b)
    for make in (sumeng_10, qiubin_10, sanjiang_10, xiguan_10, tangxi_10, luobu_10, yangbu_10, network_10, chamber_10):
        make()
    issue(Book(P10, "", None, [], T10_CREATED, T10_CREATED), "missing_submission", "江南街道", "10月未报送任何文件")
    CHANGES.extend(month_over_month())
    for b in BOOKS:
        write_book(b, d09 if b.period == P09 else d10)
    ignored_10(d10)
    NAME_ROWS.extend(name_rows())
    (SAMPLES / "README.md").write_text(readme(), encoding="utf-8")
    verify(SAMPLES)

    files = sorted(p.relative_to(SAMPLES).as_posix() for p in SAMPLES.rglob("*") if p.is_file())
    print(f"生成 {len(files)} 个文件：")
    for f in files:
        print("  ", f)
    print(f"预期问题 {len(ISSUES)} 条；名称匹配表 {len(NAME_ROWS)} 行；环比变化 {len(CHANGES)} 条；记录数 2015-09 {sum(b.records() for b in BOOKS if b.period == P09)}，"
          f"2015-10 {sum(b.records() for b in BOOKS if b.period == P10)}；所有地址已核对。")


if __name__ == "__main__":
    sys.exit(main())
