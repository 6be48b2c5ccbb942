"""Shared body of the pandas benchmark baselines (pipeline_calamine.py, pipeline_openpyxl.py).

This is a benchmark baseline, not part of huizong: it is the script a competent analyst
would write in pandas instead of using huizong to consolidate the townships' monthly
returns. It reads the config and the master list, reads every return, normalises and
matches the reported organisation names within their unit (exact name, normalised key,
place, master alias, then rapidfuzz), counts per unit with pandas and writes one
workbook with xlsxwriter (sheets 汇总, 明细, 待核实).

It is deliberately plain: one process, no caching, no parallelism; the only thing the
two variants change is the function that turns a workbook into a list of row tuples.
"""

import datetime as dt
import re
import sys
import time
import tomllib
import unicodedata
from pathlib import Path

import pandas as pd
from rapidfuzz import fuzz, process

FUZZY_ACCEPT = 90
FUZZY_REVIEW = 75

# Header wordings of the three template generations, per field.
HEADERS = {
    "seq": ["序号", "编号"],
    "name": ["党组织名称", "示范带点位", "村（社区）名称"],
    "demo": ["是否示范点", "点位类型"],
    "star": ["星级", "当前星级", "现星级"],
    "target": ["目标星级", "创建目标"],
    "venue": ["活动场所", "活动场所情况", "场所是否达标"],
    "responsible": ["责任人", "负责人", "第一责任人"],
    "deadline": ["完成时限", "完成时间", "计划完成时间"],
    "measures": ["工作举措", "主要措施", "具体措施"],
    "contact": ["联系领导", "指导员"],
    "progress": ["进展情况", "工作进展", "进展"],
    "remarks": ["备注", "说明"],
}

PARTY_PREFIXES = ["中国共产党", "中共"]
ANNOTATIONS = ["(示范点)", "(示范)", "(新)", "(新增)", "(一般点)", "★", "☆", "*"]
TYPE_WORDS = {"党支部", "党总支", "党委", "村", "社区", "支部"}
PARTY_SUFFIXES = ["党总支", "党支部", "党委"]
# Longest first; (written suffix, canonical suffix).
SUFFIXES = [
    ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("居民委员会", "社区"), ("居委会", "社区"),
    ("村村民委员会", "村"), ("村民委员会", "村"), ("村村委会", "村"), ("村委会", "村"),
    ("党总支部委员会", "党总支"), ("总支部委员会", "党总支"), ("总支", "党总支"),
    ("党支部委员会", "党支部"), ("支部委员会", "党支部"), ("支部", "党支部"),
    ("党委员会", "党委"), ("委员会", "党委"),
]
SKIP_PREFIXES = ("合计", "小计", "总计", "填表人", "审核人", "制表人", "填报人", "负责人：", "说明：", "注：")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5}
SPACE_RE = re.compile(r"\s+")


def text(v):
    """A cell as stripped text ('' for empty)."""
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()


def fold(s):
    """NFKC (full width → half width, （）→ ()), no white space."""
    return SPACE_RE.sub("", unicodedata.normalize("NFKC", s)).replace("\u200b", "")


def normalize(name, unit):
    """The matching key of an organisation name reported by (or listed under) `unit`."""
    s = fold(name)
    for a in ANNOTATIONS:
        s = s.replace(a, "")
    s = re.sub(r"\(原[^)]*\)", "", s)
    for p in PARTY_PREFIXES + [unit]:
        if s.startswith(p) and s[len(p):] and s[len(p):] not in TYPE_WORDS:
            s = s[len(p):]
    for old, new in SUFFIXES:
        if s.endswith(old):
            stem = s[: -len(old)]
            if new.startswith("党") and stem.endswith("党"):
                stem = stem[:-1]
            if stem:
                s = stem + new
            break
    return s


def place_of(key):
    """The key without its party suffix (the key itself when it has none)."""
    for suf in PARTY_SUFFIXES:
        if key.endswith(suf) and key[: -len(suf)] and key[: -len(suf)] not in TYPE_WORDS:
            return key[: -len(suf)]
    return key


def parse_star(v):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v) if 1 <= v <= 5 else None
    s = fold(text(v))
    if not s:
        return None
    if s.count("★") and set(s) <= {"★", "☆"}:
        return float(s.count("★"))
    s = s.removesuffix("级").removesuffix("星")
    if s in CN_DIGITS:
        return float(CN_DIGITS[s])
    try:
        n = float(s)
    except ValueError:
        return None
    return n if 1 <= n <= 5 else None


def parse_demo(v):
    return text(v) in ("是", "示范点", "Y", "y", "√")


def parse_date(v):
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    s = text(v)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(s, fmt).date()
        except ValueError:
            pass
    return None


def load_config(workspace):
    with open(workspace / "huizong.toml", "rb") as f:
        return tomllib.load(f)


def load_master(path, read_rows, unit_names):
    rows = read_rows(path)
    header = [text(c) for c in rows[0]]
    m = pd.DataFrame([[text(c) for c in r[: len(header)]] for r in rows[1:]], columns=header)
    m = m[m["组织名称"] != ""]
    m = m[m["单位"].isin(unit_names)]
    m["key"] = [normalize(n, u) for n, u in zip(m["组织名称"], m["单位"])]
    m["place"] = m["key"].map(place_of)
    return m.reset_index(drop=True)


class UnitIndex:
    """Lookups of one unit's part of the master list."""

    def __init__(self, unit, orgs):
        self.unit = unit
        self.orgs = orgs  # list of (name, code)
        self.by_name, self.by_key, self.by_place, self.by_alias = {}, {}, {}, {}
        self.keys = []
        for i, (name, code, key, place, aliases) in enumerate(orgs):
            self.by_name.setdefault(name, i)
            self.by_key.setdefault(key, i)
            self.by_place.setdefault(place, []).append(i)
            for a in re.split(r"[、,，;；/]", aliases):
                if a.strip():
                    ak = normalize(a, unit)
                    self.by_alias.setdefault(ak, i)
                    self.by_alias.setdefault(place_of(ak), i)
            self.keys.append(key)
        self.places = [o[3] for o in orgs]

    def match(self, raw, key):
        """(index or None, method, score, candidate index)."""
        i = self.by_name.get(raw.strip())
        if i is not None:
            return i, "精确", 100.0, None
        i = self.by_key.get(key)
        if i is not None:
            return i, "规范化", 100.0, None
        place = place_of(key)
        hits = self.by_place.get(place, [])
        if len(hits) == 1:
            return hits[0], "地名", 100.0, None
        i = self.by_alias.get(key, self.by_alias.get(place))
        if i is not None:
            return i, "别名", 100.0, None
        if not self.keys:
            return None, "未匹配", None, None
        # A name written without a party suffix is compared with the places.
        choices = self.keys if place != key else self.places
        best = process.extractOne(key, choices, scorer=fuzz.ratio)
        _, score, i = best
        if score >= FUZZY_ACCEPT:
            return i, "模糊", score, None
        if score >= FUZZY_REVIEW:
            return None, "待核实", score, i
        return None, "未匹配", score, None


def find_header(rows):
    """(header row index, {field: column}) or None."""
    wordings = {fold(w): field for field, ws in HEADERS.items() for w in ws}
    names = {fold(w) for w in HEADERS["name"]}
    for r, row in enumerate(rows[:10]):
        cells = [fold(text(c)) for c in row]
        if any(c in names for c in cells):
            cols = {}
            for c, cell in enumerate(cells):
                field = wordings.get(cell)
                if field and field not in cols:
                    cols[field] = c
            return r, cols
    return None


def read_return(path, unit, read_rows):
    rows = read_rows(path)
    found = find_header(rows)
    if found is None:
        print(f"warning: {path.name}: no header row", file=sys.stderr)
        return []
    h, cols = found
    get = lambda row, f: row[cols[f]] if f in cols and cols[f] < len(row) else None  # noqa: E731
    out = []
    for r in range(h + 1, len(rows)):
        row = rows[r]
        name = text(get(row, "name"))
        first = text(row[0]) if row else ""
        if not name or name.startswith(SKIP_PREFIXES) or first.startswith(SKIP_PREFIXES):
            continue
        out.append({
            "unit": unit,
            "raw": name,
            "demo": parse_demo(get(row, "demo")),
            "star": parse_star(get(row, "star")),
            "target": parse_star(get(row, "target")),
            "venue": text(get(row, "venue")),
            "responsible": text(get(row, "responsible")),
            "deadline": parse_date(get(row, "deadline")),
            "measures": text(get(row, "measures")),
            "contact": text(get(row, "contact")),
            "progress": text(get(row, "progress")),
            "remarks": text(get(row, "remarks")),
            "file": path.name,
            "row": r + 1,
        })
    return out


def run(workspace, outdir, read_rows):
    t0 = time.perf_counter()
    workspace, outdir = Path(workspace), Path(outdir)
    cfg = load_config(workspace)
    units = pd.DataFrame(cfg["units"]).set_index("name")
    unit_names = set(units.index)
    master = load_master(workspace / cfg.get("master", "名册.xlsx"), read_rows, unit_names)
    alias_col = master["别名"] if "别名" in master else pd.Series("", index=master.index)
    index = {
        u: UnitIndex(u, list(zip(g["组织名称"], g["组织编码"], g["key"], g["place"], alias_col[g.index])))
        for u, g in master.groupby("单位", sort=False)
    }
    t1 = time.perf_counter()

    records = []
    for path in sorted((workspace / "returns").glob("*/*.xlsx")):
        if path.name.startswith("~$"):
            continue
        unit = path.stem
        if unit not in unit_names:
            print(f"warning: {path.name}: not a configured unit", file=sys.stderr)
            continue
        records.extend(read_return(path, unit, read_rows))
    t2 = time.perf_counter()

    empty = UnitIndex("", [])
    for rec in records:
        idx = index.get(rec["unit"], empty)
        rec["key"] = key = normalize(rec["raw"], rec["unit"])
        i, method, score, cand = idx.match(rec["raw"], key)
        rec["method"], rec["score"] = method, (round(score, 1) if score is not None else None)
        rec["matched"], rec["code"] = idx.orgs[i][:2] if i is not None else ("", "")
        rec["cand_name"], rec["cand_code"] = idx.orgs[cand][:2] if cand is not None else ("", "")
    df = pd.DataFrame(records)
    t3 = time.perf_counter()

    # Per-unit counts.
    df["is_matched"] = df["code"] != ""
    df["dup"] = df["is_matched"] & df.duplicated(["unit", "code"])
    df["valid"] = df["is_matched"] & ~df["dup"]
    df["valid_demo"] = df["valid"] & df["demo"]
    df["star3"] = df["valid"] & (df["star"] >= 3)
    df["demo4"] = df["valid_demo"] & (df["star"] >= 4)
    df["review"] = df["method"] == "待核实"
    df["unmatched"] = df["method"] == "未匹配"
    df["status"] = "有效"
    df.loc[df["dup"], "status"] = "重复"
    df.loc[df["review"], "status"] = "待核实"
    df.loc[df["unmatched"], "status"] = "未匹配"
    counts = df.groupby("unit").agg(
        records=("raw", "size"), matched=("is_matched", "sum"), valid=("valid", "sum"),
        demo=("valid_demo", "sum"), star3=("star3", "sum"), demo4=("demo4", "sum"),
        review=("review", "sum"), unmatched=("unmatched", "sum"),
    )
    summary = units[["points", "demo"]].rename(columns={"points": "quota_points", "demo": "quota_demo"})
    summary = summary.join(counts).fillna(0)
    summary["gap_points"] = (summary["quota_points"] - summary["valid"]).clip(lower=0)
    summary["gap_demo"] = (summary["quota_demo"] - summary["demo"]).clip(lower=0)
    summary = summary.astype(int).reset_index(names="unit")
    summary_out = summary.rename(columns={
        "unit": "单位", "quota_points": "应建点数", "quota_demo": "应建示范点", "records": "上报记录",
        "matched": "已匹配", "valid": "有效点数", "demo": "有效示范点", "star3": "三星以上点数",
        "demo4": "四星以上示范点", "review": "待核实", "unmatched": "未匹配",
        "gap_points": "点数缺口", "gap_demo": "示范点缺口",
    })[["单位", "应建点数", "上报记录", "已匹配", "有效点数", "三星以上点数", "点数缺口",
        "应建示范点", "有效示范点", "四星以上示范点", "示范点缺口", "待核实", "未匹配"]]

    detail = pd.DataFrame({
        "序号": range(1, len(df) + 1), "单位": df["unit"], "上报名称": df["raw"], "规范化名称": df["key"],
        "标准名称": df["matched"], "组织编码": df["code"], "匹配方式": df["method"], "相似度": df["score"],
        "状态": df["status"], "是否示范点": df["demo"].map({True: "是", False: "否"}), "星级": df["star"],
        "目标星级": df["target"], "活动场所": df["venue"], "责任人": df["responsible"], "完成时限": df["deadline"],
        "工作举措": df["measures"], "联系领导": df["contact"], "进展情况": df["progress"], "备注": df["remarks"],
        "来源文件": df["file"], "来源行": df["row"],
    })
    rv = df[df["review"]]
    review = pd.DataFrame({
        "单位": rv["unit"], "上报名称": rv["raw"], "规范化名称": rv["key"], "候选名称": rv["cand_name"],
        "候选编码": rv["cand_code"], "相似度": rv["score"], "来源文件": rv["file"], "来源行": rv["row"],
    })

    outdir.mkdir(parents=True, exist_ok=True)
    title = f"{cfg.get('title', '')}汇总（{len(summary)}个单位，{len(df)}条记录）"
    with pd.ExcelWriter(outdir / "汇总.xlsx", engine="xlsxwriter", date_format="yyyy-mm-dd") as xw:
        summary_out.to_excel(xw, sheet_name="汇总", index=False, startrow=1)
        ws = xw.sheets["汇总"]
        ws.write(0, 0, title, xw.book.add_format({"bold": True, "font_size": 14}))
        ws.set_column(0, 0, 14)
        ws.freeze_panes(2, 1)
        detail.to_excel(xw, sheet_name="明细", index=False)
        xw.sheets["明细"].freeze_panes(1, 0)
        review.to_excel(xw, sheet_name="待核实", index=False)
    t4 = time.perf_counter()

    methods = df["method"].value_counts()
    per_method = " ".join(f"{m}={methods.get(m, 0)}" for m in ["精确", "规范化", "地名", "别名", "模糊", "待核实", "未匹配"])
    print(f"records={len(df)} valid={int(df['valid'].sum())} duplicate={int(df['dup'].sum())} {per_method} "
          f"| seconds: master {t1 - t0:.1f} read {t2 - t1:.1f} match {t3 - t2:.1f} write {t4 - t3:.1f}")
    return df
