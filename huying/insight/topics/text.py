"""Normalising, segmenting and reading places and groups out of one citizen message.

Segmentation is jieba's dictionary and HMM through rjieba (jieba-rs, the same words about
twenty times faster) with jieba itself as the fallback. One pass of part-of-speech tagging
gives both the words the clustering weighs and the tokens the place and group rules read.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

try:  # jieba-rs: the same dictionary and algorithm, about twenty times faster.
    import rjieba

    _tag: Callable[[str], list[tuple[str, str]]] = rjieba.tag
except ImportError:  # pragma: no cover - the pure Python jieba gives the same tokens
    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)

    def _tag(text: str) -> list[tuple[str, str]]:
        return [(pair.word, pair.flag) for pair in jieba.posseg.lcut(text)]


# Boilerplate of letters to a government: greetings, requests, the words every message
# shares. They carry no topic and would glue unrelated messages together.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "您好",
        "你好",
        "尊敬",
        "尊敬的",
        "领导",
        "各位",
        "各位领导",
        "书记",
        "市长",
        "局长",
        "区长",
        "主任",
        "县长",
        "请问",
        "咨询",
        "询问",
        "想问",
        "问一下",
        "一下",
        "希望",
        "恳请",
        "恳求",
        "请求",
        "要求",
        "强烈",
        "强烈要求",
        "呼吁",
        "建议",
        "期待",
        "盼望",
        "请",
        "麻烦",
        "拜托",
        "感谢",
        "谢谢",
        "非常感谢",
        "万分感谢",
        "辛苦",
        "相关",
        "相关部门",
        "有关",
        "有关部门",
        "政府",
        "部门",
        "职能部门",
        "主管部门",
        "领导们",
        "给予",
        "予以",
        "尽快",
        "及时",
        "早日",
        "马上",
        "立即",
        "赶紧",
        "解决",
        "处理",
        "落实",
        "重视",
        "关注",
        "关心",
        "调查",
        "核实",
        "查处",
        "整改",
        "回复",
        "答复",
        "回应",
        "帮助",
        "帮忙",
        "协调",
        "督促",
        "过问",
        "出面",
        "介入",
        "问题",
        "情况",
        "事情",
        "事宜",
        "现象",
        "方面",
        "反映",
        "投诉",
        "举报",
        "来电",
        "来信",
        "留言",
        "市民",
        "群众",
        "老百姓",
        "百姓",
        "本人",
        "我们",
        "我",
        "你们",
        "他们",
        "大家",
        "自己",
        "这个",
        "那个",
        "这些",
        "那些",
        "这样",
        "那样",
        "这种",
        "那种",
        "什么",
        "怎么",
        "怎么办",
        "如何",
        "为什么",
        "为何",
        "是否",
        "能否",
        "可否",
        "能不能",
        "可以",
        "可能",
        "应该",
        "必须",
        "需要",
        "已经",
        "一直",
        "还是",
        "还有",
        "而且",
        "并且",
        "但是",
        "可是",
        "不过",
        "因为",
        "所以",
        "如果",
        "虽然",
        "然后",
        "以及",
        "或者",
        "现在",
        "目前",
        "最近",
        "近期",
        "近日",
        "今年",
        "去年",
        "今天",
        "昨天",
        "每天",
        "天天",
        "时候",
        "期间",
        "之后",
        "以后",
        "以前",
        "之前",
        "当时",
        "多次",
        "多年",
        "一次",
        "没有",
        "不是",
        "就是",
        "只是",
        "还是",
        "只能",
        "只有",
        "不能",
        "不会",
        "不要",
        "不了",
        "不到",
        "得到",
        "进行",
        "存在",
        "出现",
        "发生",
        "导致",
        "造成",
        "影响",
        "严重",
        "非常",
        "十分",
        "特别",
        "比较",
        "更加",
        "太",
        "很",
        "都",
        "也",
        "又",
        "再",
        "就",
        "才",
        "还",
        "让",
        "被",
        "把",
        "给",
        "对",
        "对于",
        "关于",
        "由于",
        "通过",
        "根据",
        "按照",
        "为了",
        "针对",
        "的",
        "了",
        "着",
        "过",
        "和",
        "与",
        "及",
        "或",
        "在",
        "是",
        "有",
        "为",
        "于",
        "从",
        "向",
        "到",
        "以",
        "等",
        "等等",
        "之",
        "其",
        "该",
        "此",
        "其中",
        "一个",
        "一些",
        "一样",
        "一定",
        "一起",
        "一下子",
        "吗",
        "呢",
        "吧",
        "啊",
        "呀",
        "哦",
        "嘛",
        "啦",
        "么",
        "谢",
        "好",
        "能",
        "会",
        "要",
        "去",
        "来",
        "说",
        "看",
        "做",
        "想",
        "用",
        "上",
        "下",
        "中",
        "内",
        "外",
        "里",
        "后",
        "前",
        "人",
        "事",
        "时",
        "年",
        "月",
        "日",
        "号",
        "反映问题",
        "网友",
        "楼主",
        "答复意见",
        "敬请",
        "此致",
        "敬礼",
        "特此",
        "望",
        "贵",
        "单位",
        "有限",
        "有限公司",
        "号楼",
        "小区内",
        "附近",
        "周边",
        "旁边",
        "一带",
    ]
)

# Words that end a place or group name's left edge: they are never part of a name.
_LEFT_STOP: frozenset[str] = STOP_WORDS | frozenset(
    [
        "住",
        "住在",
        "位于",
        "地处",
        "我家",
        "我家住",
        "家住",
        "居住",
        "购买",
        "买",
        "买了",
        "购房",
        "小区",
        "业主",
        "居民",
        "路段",
        "位置",
        "地址",
        "门口",
        "对面",
        "楼下",
        "楼上",
        "靠近",
        "临近",
        "距离",
        "距",
        "离",
        "紧邻",
        "毗邻",
        "隔壁",
        "原",
        "新",
        "老",
        "即",
        "称",
        "叫",
        "名为",
        "所在",
        "所属",
        "整个",
        "全体",
        "广大",
        "部分",
        "很多",
        "许多",
        "众多",
        "多名",
        "市",
        "省",
        "区",
        "县",
        "镇",
        "乡",
        "村",
        "街道",
        "社区",
        "边上",
        "旁",
        "边",
        "侧",
        "前",
        "后",
        "内",
        "外",
        "里",
        "上",
        "下",
        "往",
        "向",
        "靠",
        "临",
        "沿",
        "沿街",
        "临街",
        "民办",
        "公办",
        "私立",
        "老旧",
        "新建",
        "普惠性",
        "普惠",
        "公立",
        "各个",
        "多所",
        "一所",
        "这所",
        "那所",
        "多家",
        "很多家",
        "大型",
        "小型",
        "正规",
        "无证",
        "黑",
        "回家",
        "另外",
        "还有",
        "以及",
        "在建",
        "某",
        "某某",
        "本地",
        "当地",
        "外地",
        "全市",
        "全区",
        "全县",
        "我市",
        "我区",
        "我县",
        "该市",
        "本市",
        "周围",
        "附近",
        "周边",
        "旁边",
        "对面",
        "隔壁",
        "一家",
        "这家",
        "那家",
    ]
)

_GROUP_TAGS = frozenset({"n", "nr", "nrt", "nrfg", "ns", "nt", "nz", "ng", "j", "eng", "m"})
_NOUN_TAGS = _GROUP_TAGS | {"u", "a", "b", "l", "i", "an", "vn", "x"}
_NAME_TAGS = frozenset(
    {
        "u",
        "n",
        "nr",
        "nrt",
        "nrfg",
        "ns",
        "nt",
        "nz",
        "ng",
        "j",
        "eng",
        "m",
        "l",
        "i",
        "a",
        "b",
        "an",
        "vn",
        "v",
        "zg",
        "x",
    }
)

# Place kinds by their last word. Longer suffixes first so 幼儿园 wins over 园.
PLACE_SUFFIXES: dict[str, tuple[str, ...]] = {
    "compound": (
        "小区", "花园", "家园", "新村", "新城", "公寓", "苑", "庭", "府", "园", "城", "湾", "广场", "大厦",
        "山庄", "公馆", "名都", "华庭", "雅苑", "嘉园", "佳园", "国际", "天地", "一品", "首府", "御府", "世家",
        "楼盘", "商城",
    ),
    "road": ("大道", "大街", "路", "街", "巷", "桥", "隧道", "高速", "号线", "立交"),
    "area": ("街道", "社区", "镇", "乡", "村", "组", "开发区", "园区", "工业园", "景区", "公园", "片区"),
    "school": ("大学", "学院", "中学", "小学", "学校", "幼儿园", "职校", "一中", "二中", "三中", "实验学校"),
    "hospital": ("医院", "卫生院", "诊所", "卫生服务中心"),
    "organisation": ("公司", "集团", "平台", "银行", "工厂", "厂", "搅拌站", "市场", "酒店", "网贷", "车贷", "理财"),
}  # fmt: skip
# Roads, streets and villages hold many unrelated issues: sharing one is a weaker signal.
WEAK_KINDS = frozenset({"road", "area"})
GROUP_WORDS: tuple[str, ...] = (
    "受害人", "受害者", "投资人", "投资者", "出借人", "借款人", "债权人", "业主", "家长", "商户", "居民", "村民",
    "职工", "员工", "工人", "农民工", "教师", "老师", "学生", "司机", "骑手", "租户", "摊贩", "考生", "退役军人",
    "老人", "患者", "会员", "储户", "股民", "车主", "购房者", "拆迁户", "毕业生", "大学生", "应届生", "残疾人", "退休人员",
    "案", "案件",
)  # fmt: skip

_SUFFIX_KIND: list[tuple[str, str]] = sorted(
    ((suffix, kind) for kind, suffixes in PLACE_SUFFIXES.items() for suffix in suffixes),
    key=lambda pair: -len(pair[0]),
)
_SUFFIX_MAP = dict(_SUFFIX_KIND)
_SUFFIX_LAST = frozenset(suffix[-1] for suffix in _SUFFIX_MAP)
_ENTITY_LAST = _SUFFIX_LAST | frozenset(word[-1] for word in GROUP_WORDS)
_SUFFIX_LENGTHS = sorted({len(suffix) for suffix in _SUFFIX_MAP}, reverse=True)
_GROUP_SET = frozenset(GROUP_WORDS)
# Single characters that are a place only with a long enough name before them.
# Whole tokens that end like a place but are common words.
_NOT_PLACES = frozenset(
    [
        "城市",
        "县城",
        "进城",
        "全城",
        "满城",
        "城乡",
        "长城",
        "花园式",
        "公园里",
        "家园里",
        "停车场",
        "市场化",
        "市场监管",
        "菜市场",
        "工地上",
        "物业费",
        "物业公司",
        "道路",
        "马路",
        "公路",
        "铁路",
        "思路",
        "出路",
        "线路",
        "网路",
        "走路",
        "一路",
        "沿路",
        "上路",
        "半路",
        "路上",
        "路口",
        "路段",
        "路面",
        "街上",
        "大街上",
        "街头",
        "街边",
        "农村",
        "乡村",
        "山村",
        "村里",
        "村庄",
        "村子",
        "村委",
        "村民",
        "社区里",
        "医院里",
        "学校里",
        "中心城区",
        "中心",
        "平台上",
        "项目部",
        "公司里",
        "厂家",
        "工厂里",
        "公交线路",
        "市政道路",
        "人行道",
        "车道",
        "主干道",
        "辅道",
        "快速路",
        "小路",
        "线路",
        "电路",
        "水路",
        "套路",
        "门路",
        "末路",
        "进路",
        "通路",
        "迷路",
        "修路",
        "高速路",
        "本村",
        "临街",
        "沿街",
        "上街",
        "逛街",
        "满街",
        "该村",
        "全村",
        "本镇",
        "该镇",
        "全镇",
        "本小区",
        "该小区",
        "我小区",
        "此小区",
        "整个小区",
        "国际",
        "天地",
        "一品",
    ]
)
_ADMIN_PREFIX = re.compile(
    r"^(?:[\u4e00-\u9fa5]{2,3}省)?(?:[A-Z\u4e00-\u9fa5]{1,3}[0-9]{0,2}市)?(?:[A-Z\u4e00-\u9fa5]{1,3}[0-9]{0,2}[区县])?"
)
ADMIN_TOKEN = re.compile(r"^(?:[A-Z][0-9]{0,2}|[\u4e00-\u9fa5]{1,3})?[省市区县]$")
# Anonymised or short admin names (A市, A5区, K8县) glue to the next word in jieba: split them.
_ADMIN_CODE = re.compile(r"((?:^|(?<=[^A-Za-z0-9]))[A-Z][0-9]{0,2}[省市区县])")
_COUNTED = re.compile(r"^[0-9几数多上近约一二三四五六七八九十百千万余]+[名位个人户家]?$|.*[名位个]$")
_CODE_WORD = re.compile(r"^[A-Za-z][0-9]{0,2}$")
_DATE_UNITS = frozenset(
    {
        "年",
        "月",
        "日",
        "号",
        "点",
        "时",
        "分",
        "秒",
        "元",
        "块",
        "天",
        "个",
        "岁",
        "次",
        "多",
        "万",
        "余",
        "平",
        "米",
        "平米",
        "平方",
        "分钟",
        "小时",
        "万元",
        "周",
    }
)
_PHONE = re.compile(r"(?<!\d)(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)")
_URL = re.compile(r"https?://\S+|www\.\S+")
_LONG_NUMBER = re.compile(r"\d{12,}")
_SPACES = re.compile(r"\s+")
_CJK = re.compile(r"[\u4e00-\u9fa5]")
_WORDY = re.compile(r"^[\u4e00-\u9fa5A-Za-z0-9]+$")
_DIGITS = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


# Paraphrases citizens use for the same problem: a message saying any of the words also
# carries the concept as a term, so "半夜打桩吵得睡不着" meets "夜间施工噪音扰民".
CONCEPTS: dict[str, tuple[str, ...]] = {
    "噪音": ("噪音", "噪声", "吵", "扰民", "轰鸣", "喧哗", "声音很大", "分贝", "睡不着"),
    "夜间": ("夜间", "晚上", "半夜", "深夜", "凌晨", "夜里", "通宵", "夜晚"),
    "施工": ("施工", "工地", "打桩", "挖掘机", "泥头车", "浇筑", "渣土车"),
    "油烟": ("油烟", "排烟", "烟味", "油烟机"),
    "异味": ("臭", "异味", "气味", "刺鼻", "难闻"),
    "车位": ("车位", "停车位", "车库", "地下室停车"),
    "捆绑": ("捆绑", "搭售", "强制购买", "必须购买", "必须同时购买", "强制消费"),
    "补贴": ("补贴", "补助", "津贴", "奖励金"),
    "欠薪": ("工资", "欠薪", "拖欠", "工钱", "薪酬", "讨薪"),
    "实习": ("实习", "顶岗", "实训"),
    "集资": ("集资", "暴雷", "爆雷", "跑路", "兑付", "非法吸收", "网贷", "出借", "理财", "车贷"),
    "立案": ("立案", "报案", "侦查", "经侦", "追赃", "追缴", "侦办"),
    "产权证": ("房产证", "不动产权证", "产权证", "办证", "不动产证"),
    "交房": ("交房", "延期交付", "逾期交付", "交付"),
    "供水": ("停水", "水压", "自来水", "供水", "水质"),
    "供电": ("停电", "供电", "电压", "跳闸"),
    "拥堵": ("拥堵", "堵车", "红绿灯", "信号灯", "塞车"),
    "违建": ("违建", "违章搭建", "私搭乱建", "加建", "违法建设", "违章建筑"),
    "拆迁": ("拆迁", "征收", "安置", "征地"),
    "学位": ("学位", "入学", "招生", "摇号", "划片", "择校"),
    "污染": ("污染", "偷排", "废气", "污水", "粉尘", "扬尘", "排放"),
    "诈骗": ("诈骗", "骗子", "被骗", "受骗"),
    "户籍": ("户口", "落户", "户籍"),
    "物业": ("物业",),
    "搅拌站": ("搅拌站", "混凝土搅拌", "沥青站"),
}


def concepts(text: str) -> list[str]:
    return ["#" + name for name, words in CONCEPTS.items() if any(word in text for word in words)]


def normalise(text: str) -> str:
    """Full-width to half-width, contact details and links out, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _URL.sub(" ", text)
    text = _PHONE.sub(" ", text)
    text = _LONG_NUMBER.sub(" ", text)
    return _SPACES.sub(" ", text).strip()


@dataclass
class Entity:
    """A named place or group: ``key`` for matching, ``label`` for showing."""

    key: str
    label: str
    kind: str


@dataclass
class Analysed:
    words: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)


def _kind_of(word: str) -> tuple[str, str] | None:
    if not word or word[-1] not in _SUFFIX_LAST:
        return None
    for length in _SUFFIX_LENGTHS:
        kind = _SUFFIX_MAP.get(word[-length:])
        if kind is not None:
            return word[-length:], kind
    return None


def _left_name(
    pairs: list[tuple[str, str]],
    end: int,
    max_chars: int,
    tags: frozenset[str] = _NAME_TAGS,
    kind: str = "",
) -> tuple[int, str]:
    """The longest run of name-like tokens ending just before ``end``.

    Another place word ends the run (汇金路|五矿万境), except a compound's inside a
    compound's name (伊景园滨河苑)."""
    start = end
    length = 0
    while start > 0:
        word, tag = pairs[start - 1]
        if (word in _LEFT_STOP and word != "之") or tag not in tags or not _WORDY.match(word):
            break
        if tag.startswith("u") and word != "之":
            break
        if ADMIN_TOKEN.match(word) or (tag == "v" and len(word) > 2):
            break
        found = _kind_of(word) if len(word) > 1 and end - start >= 1 else None
        if word in _GROUP_SET or (found and not (kind == "compound" and found[1] == "compound")):
            break
        if length + len(word) > max_chars:
            break
        length += len(word)
        start -= 1
    return start, "".join(word for word, _ in pairs[start:end])


_PREFIX_PATTERNS = (
    re.compile(r"(?:[A-Z][0-9]{0,2}|[\u4e00-\u9fa5]{2})市(?:[A-Z][0-9]{0,2}|[\u4e00-\u9fa5]{2})[区县]$"),
    re.compile(r"(?:[A-Z][0-9]{0,2}|[\u4e00-\u9fa5]{2})[市区县]$"),
)


def _admin_prefix(pairs: list[tuple[str, str]], start: int) -> str:
    """An anonymised or real 市/区/县 prefix right before a name (A市A5区…), on token edges."""
    words = [word for word, _ in pairs[max(0, start - 8) : start] if word != " "]
    text = "".join(words)
    edges = {0}
    position = 0
    for word in words:
        position += len(word)
        edges.add(position)
    for pattern in _PREFIX_PATTERNS:
        match = pattern.search(text)
        if match and match.start() in edges:
            return match.group(0)
    return ""


def _canonical(name: str) -> str:
    stripped = _ADMIN_PREFIX.sub("", name)
    return stripped if len(stripped) >= 2 else name


def _repair(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """jieba's dictionary has 贷案, which cuts 58车贷案 into 58|车|贷案: make it 58|车贷|案."""
    if not any(word == "贷案" for word, _ in pairs):
        return pairs
    repaired: list[tuple[str, str]] = []
    for word, tag in pairs:
        if word == "贷案":
            if repaired and len(repaired[-1][0]) == 1 and _CJK.match(repaired[-1][0]):
                repaired[-1] = (repaired[-1][0] + "贷", "n")
            else:
                repaired.append(("贷", "n"))
            repaired.append(("案", "n"))
        else:
            repaired.append((word, tag))
    return repaired


def analyse(text: str) -> Analysed:
    """Topic words and named places and groups of one normalised text."""
    pairs = _repair(_tag(_ADMIN_CODE.sub(r"\1 ", text)))
    result = Analysed()
    words = result.words
    count = len(pairs)
    skip_next = False
    for index, (word, _kind) in enumerate(pairs):
        if skip_next:
            skip_next = False
            continue
        if _DIGITS.match(word):
            following = pairs[index + 1][0] if index + 1 < count else ""
            if (following in _DATE_UNITS or following[:1] in _DATE_UNITS) and not following.startswith("号线"):
                skip_next = following in _DATE_UNITS
                continue
            if following and _CJK.match(following) and len(following) <= 3 and following not in STOP_WORDS:
                words.append(word + following)  # 58车贷, 3号线, 5栋
                skip_next = True
            continue
        if word in STOP_WORDS or not _WORDY.match(word) or _CODE_WORD.match(word):
            continue
        if len(word) == 1 and not word.isascii():
            continue
        words.append(word)

    words.extend(concepts(text))
    seen: set[str] = set()
    for index, (word, _kind) in enumerate(pairs):
        if not _WORDY.match(word) or (word in _NOT_PLACES and len(word) > 2):
            continue
        entity = None
        if word[-1] not in _ENTITY_LAST:
            continue
        if word in _GROUP_SET:
            start, name = _left_name(pairs, index, 8, _GROUP_TAGS)
            name = _canonical(name)
            generic = name in _LEFT_STOP or name in _SUFFIX_MAP or name in _NOT_PLACES
            if len(name) >= 2 and _CJK.search(name) and not generic and not _COUNTED.match(name):
                entity = Entity(key=name, label=name + word, kind="group")
        else:
            found = _kind_of(word)
            if found is None or word in _NOT_PLACES:
                continue
            suffix, kind = found
            start, left = _left_name(pairs, index, 10, _NAME_TAGS if kind == "compound" else _NOUN_TAGS, kind)
            name = _canonical(left + word)
            core = name[: -len(suffix)]
            if len(core) < 2 or core in _LEFT_STOP or not _CJK.search(name):
                continue
            if core.isdigit() and kind != "road":
                continue
            prefix = _admin_prefix(pairs, start)
            entity = Entity(key=name, label=prefix + name if prefix else name, kind=kind)
        if entity is not None and entity.key not in seen:
            seen.add(entity.key)
            result.entities.append(entity)
    return result
