#!/usr/bin/env python3
"""Build the labelled evaluation set of huizong's name matcher (issue 3).

Needs Python 3.11 and pypinyin:   pip install pypinyin==0.55.0
(any recent pypinyin runs; 0.55.0 is the version the committed files were made with, and a
different version may pick other homophones, so the script warns when it differs).

Run from the repository root:      python3 tests/matching/make_labelled.py

Reads ../shared/data/jinhua_villages.csv (the 244 real villages and communities of the eight
townships) and writes, deterministically (fixed seed, sorted iteration everywhere):

  tests/matching/名册.csv       master list: UTF-8 with BOM, 单位,组织名称,组织编码,组织类别,别名,现星级
  tests/matching/labelled.csv   labelled reported names: UTF-8 without BOM,
                                id,unit,reported,expected_name,expected_unit,kind,expect

`expect` is one of
  accept      must be auto-matched to expected_name (in expected_unit);
  review      must go to review with every organisation of expected_name ('|'-separated) among
              its candidates;
  unmatched   must match nothing (no candidate at or above the review threshold);
  not_accept  may go to review or stay unmatched, but must never be auto-accepted.  For the
              cross-unit rows expected_name/expected_unit name the other unit's organisation
              the clerk probably meant (a fine review candidate, never an accepted match).

Every row is checked here against the rules of SPEC §4 with a small reference normaliser (see
`normalise`), so that the labels follow from the spec and not from taste; README.md in this
folder explains the kinds and the caveats.  The enterprises and chambers of commerce are
invented (the same ones as in samples/), and so are the old village names used as aliases.
"""

from __future__ import annotations

import csv
import random
import re
import sys
import unicodedata
import warnings
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

try:
    import pypinyin
    from pypinyin import Style, lazy_pinyin, pinyin
except ImportError:  # pragma: no cover
    sys.exit("make_labelled.py needs pypinyin: pip install pypinyin==0.55.0")

PYPINYIN_VERSION = "0.55.0"
if pypinyin.__version__ != PYPINYIN_VERSION:
    warnings.warn(f"pypinyin {pypinyin.__version__} is installed; the committed files were made with "
                  f"{PYPINYIN_VERSION} and other versions may pick other homophones")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VILLAGES_CSV = ROOT.parent / "shared" / "data" / "jinhua_villages.csv"
MASTER_CSV = HERE / "名册.csv"
LABELLED_CSV = HERE / "labelled.csv"

SEED = 20151031
rng = random.Random(SEED)

ORGANISER = "金华经济技术开发区"
UNITS = ["苏孟乡", "秋滨街道", "三江街道", "西关街道", "江南街道", "汤溪镇", "罗埠镇", "洋埠镇",
         "网络经济产业党委", "商会党委"]
TOWNSHIPS = UNITS[:8]
NET, CHAMBER = UNITS[8], UNITS[9]

POSITION = "上下东西南北前后中大小新老"
NUMERALS = "一二三四五六七八九十百千"
TYPE_CHARS = "村社区党支部总委员会居民"

# ════════════════════════════════════════════════════════════════════════════════════════════
# Common characters: the replacements of homophone typos come only from these.
# COMMON_2500: the 2,500 常用字 of the 现代汉语常用字表 (1988), by stroke count, typed in here.
# FREQUENT: roughly the ~850 most frequent characters of modern text, most frequent first; a
# homophone typo prefers these (an input method offers the frequent characters first).
# ════════════════════════════════════════════════════════════════════════════════════════════
COMMON_2500 = """
一乙二十丁厂七卜人入八九几儿了力乃刀又三于干亏士工土才寸下大丈与万上小口巾山千乞川亿个勺久凡及夕丸么广亡门义之尸弓己已子卫也女飞刃习叉马乡
丰王井开夫天无元专云扎艺木五支厅不太犬区历尤友匹车巨牙屯比互切瓦止少日中冈贝内水见午牛手毛气升长仁什片仆化仇币仍仅斤爪反介父从今凶分乏公仓月氏勿欠风丹匀乌凤勾文六方火为斗忆订计户认心尺引丑巴孔队办以允予劝双书幻
玉刊示末未击打巧正扑扒功扔去甘世古节本术可丙左厉右石布龙平灭轧东卡北占业旧帅归且旦目叶甲申叮电号田由史只央兄叼叫另叨叹四生失禾丘付仗代仙们仪白仔他斥瓜乎丛令用甩印乐句匆册犯外处冬鸟务包饥主市立闪兰半汁汇头汉宁穴它讨写让礼训必议讯记永司尼民出辽奶奴加召皮边发孕圣对台矛纠母幼丝
式刑动扛寺吉扣考托老执巩圾扩扫地扬场耳共芒亚芝朽朴机权过臣再协西压厌在有百存而页匠夸夺灰达列死成夹轨邪划迈毕至此贞师尘尖劣光当早吐吓虫曲团同吊吃因吸吗屿帆岁回岂刚则肉网年朱先丢舌竹迁乔伟传乒乓休伍伏优伐延件任伤价份华仰仿伙伪自血向似后行舟全会杀合兆企众爷伞创肌朵杂危旬旨负各名多争色壮冲冰庄庆亦刘齐交次衣产决充妄闭问闯羊并关米灯州汗污江池汤忙兴宇守宅字安讲军许论农讽设访寻那迅尽导异孙阵阳收阶阴防奸如妇好她妈戏羽观欢买红纤级约纪驰巡
寿弄麦形进戒吞远违运扶抚坛技坏扰拒找批扯址走抄坝贡攻赤折抓扮抢孝均抛投坟抗坑坊抖护壳志扭块声把报却劫芽花芹芬苍芳严芦劳克苏杆杠杜材村杏极李杨求更束豆两丽医辰励否还歼来连步坚旱盯呈时吴助县里呆园旷围呀吨足邮男困吵串员听吩吹呜吧吼别岗帐财针钉告我乱利秃秀私每兵估体何但伸作伯伶佣低你住位伴身皂佛近彻役返余希坐谷妥含邻岔肝肚肠龟免狂犹角删条卵岛迎饭饮系言冻状亩况床库疗应冷这序辛弃冶忘闲间闷判灶灿弟汪沙汽沃泛沟没沈沉怀忧快完宋宏牢究穷灾良证启评补初社识诉诊词译君灵即层尿尾迟局改张忌际陆阿陈阻附妙妖妨努忍劲鸡驱纯纱纳纲驳纵纷纸纹纺驴纽
奉玩环武青责现表规抹拢拔拣担坦押抽拐拖拍者顶拆拥抵拘势抱垃拉拦拌幸招坡披拨择抬其取苦若茂苹苗英范直茄茎茅林枝杯柜析板松枪构杰述枕丧或画卧事刺枣雨卖矿码厕奔奇奋态欧垄妻轰顷转斩轮软到非叔肯齿些虎虏肾贤尚旺具果味昆国昌畅明易昂典固忠咐呼鸣咏呢岸岩帖罗帜岭凯败贩购图钓制知垂牧物乖刮秆和季委佳侍供使例版侄侦侧凭侨佩货依的迫质欣征往爬彼径所舍金命斧爸采受乳贪念贫肤肺肢肿胀朋股肥服胁周昏鱼兔狐忽狗备饰饱饲变京享店夜庙府底剂郊废净盲放刻育闸闹郑券卷单炒炊炕炎炉沫浅法泄河沾泪油泊沿泡注泻泳泥沸波泼泽治怖性怕怜怪学宝宗定宜审宙官空帘实试郎诗肩房诚衬衫视话诞询该详建肃录隶居届刷屈弦承孟孤陕降限妹姑姐姓始驾参艰线练组细驶织终驻驼绍经贯
奏春帮珍玻毒型挂封持项垮挎城挠政赴赵挡挺括拴拾挑指垫挣挤拼挖按挥挪某甚革荐巷带草茧茶荒茫荡荣故胡南药标枯柄栋相查柏柳柱柿栏树要咸威歪研砖厘厚砌砍面耐耍牵残殃轻鸦皆背战点临览竖省削尝是盼眨哄显哑冒映星昨畏趴胃贵界虹虾蚁思蚂虽品咽骂哗咱响哈咬咳哪炭峡罚贱贴骨钞钟钢钥钩卸缸拜看矩怎牲选适秒香种秋科重复竿段便俩贷顺修保促侮俭俗俘信皇泉鬼侵追俊盾待律很须叙剑逃食盆胆胜胞胖脉勉狭狮独狡狱狠贸怨急饶蚀饺饼弯将奖哀亭亮度迹庭疮疯疫疤姿亲音帝施闻阀阁差养美姜叛送类迷前首逆总炼炸炮烂剃洁洪洒浇浊洞测洗活派洽染济洋洲浑浓津恒恢恰恼恨举觉宣室宫宪突穿窃客冠语扁袄祖神祝误诱说诵垦退既屋昼费陡眉孩除险院娃姥姨姻娇怒架贺盈勇怠柔垒绑绒结绕骄绘给络骆绝绞统
耕耗艳泰珠班素蚕顽盏匪捞栽捕振载赶起盐捎捏埋捉捆捐损都哲逝捡换挽热恐壶挨耻耽恭莲莫荷获晋恶真框桂档桐株桥桃格校核样根索哥速逗栗配翅辱唇夏础破原套逐烈殊顾轿较顿毙致柴桌虑监紧党晒眠晓鸭晃晌晕蚊哨哭恩唤啊唉罢峰圆贼贿钱钳钻铁铃铅缺氧特牺造乘敌秤租积秧秩称秘透笔笑笋债借值倚倾倒倘俱倡候俯倍倦健臭射躬息徒徐舰舱般航途拿爹爱颂翁脆脂胸胳脏胶脑狸狼逢留皱饿恋桨浆衰高席准座脊症病疾疼疲效离唐资凉站剖竞部旁旅畜阅羞瓶拳粉料益兼烤烘烦烧烛烟递涛浙涝酒涉消浩海涂浴浮流润浪浸涨烫涌悟悄悔悦害宽家宵宴宾窄容宰案请朗诸读扇袜袖袍被祥课谁调冤谅谈谊剥恳展剧屑弱陵陶陷陪娱娘通能难预桑绢绣验继
球理捧堵描域掩捷排掉堆推掀授教掏掠培接控探据掘职基著勒黄萌萝菌菜萄菊萍菠营械梦梢梅检梳梯桶救副票戚爽聋袭盛雪辅辆虚雀堂常匙晨睁眯眼悬野啦晚啄距跃略蛇累唱患唯崖崭崇圈铜铲银甜梨犁移笨笼笛符第敏做袋悠偿偶偷您售停偏假得衔盘船斜盒鸽悉欲彩领脚脖脸脱象够猜猪猎猫猛馅馆凑减毫麻痒痕廊康庸鹿盗章竟商族旋望率着盖粘粗粒断剪兽清添淋淹渠渐混渔淘液淡深婆梁渗情惜惭悼惧惕惊惨惯寇寄宿窑密谋谎祸谜逮敢屠弹随蛋隆隐婚婶颈绩绪续骑绳维绵绸绿
琴斑替款堪搭塔越趁趋超提堤博揭喜插揪搜煮援裁搁搂搅握揉斯期欺联散惹葬葛董葡敬葱落朝辜葵棒棋植森椅椒棵棍棉棚棕惠惑逼厨厦硬确雁殖裂雄暂雅辈悲紫辉敞赏掌晴暑最量喷晶喇遇喊景践跌跑遗蛙蛛蜓喝喂喘喉幅帽赌赔黑铸铺链销锁锄锅锈锋锐短智毯鹅剩稍程稀税筐等筑策筛筒答筋筝傲傅牌堡集焦傍储奥街惩御循艇舒番释禽腊脾腔鲁猾猴然馋装蛮就痛童阔善羡普粪尊道曾焰港湖渣湿温渴滑湾渡游滋溉愤慌惰愧愉慨割寒富窜窝窗遍裕裤裙谢谣谦属屡强粥疏隔隙絮嫂登缎缓编骗缘
瑞魂肆摄摸填搏塌鼓摆携搬摇搞塘摊蒜勤鹊蓝墓幕蓬蓄蒙蒸献禁楚想槐榆楼概赖酬感碍碑碎碰碗碌雷零雾雹输督龄鉴睛睡睬鄙愚暖盟歇暗照跨跳跪路跟遣蛾蜂嗓置罪罩错锡锣锤锦键锯矮辞稠愁筹签简毁舅鼠催傻像躲微愈遥腰腥腹腾腿触解酱痰廉新韵意粮数煎塑慈煤煌满漠源滤滥滔溪溜滚滨粱滩慎誉塞谨福群殿辟障嫌嫁叠缝缠
静碧璃墙撇嘉摧截誓境摘摔聚蔽慕暮蔑模榴榜榨歌遭酷酿酸磁愿需弊裳颗嗽蜻蜡蝇蜘赚锹锻舞稳算箩管僚鼻魄貌膜膊膀鲜疑馒裹敲豪膏遮腐瘦辣竭端旗精歉熄熔漆漂漫滴演漏慢寨赛察蜜谱嫩翠熊凳骡缩
慧撕撒趣趟撑播撞撤增聪鞋蕉蔬横槽樱橡飘醋醉震霉瞒题暴瞎影踢踏踩踪蝶蝴嘱墨镇靠稻黎稿稼箱箭篇僵躺僻德艘膝膛熟摩颜毅糊遵潜潮懂额慰劈
操燕薯薪薄颠橘整融醒餐嘴蹄器赠默镜赞篮邀衡膨雕磨凝辨辩糖糕燃澡激懒壁避缴
戴擦鞠藏霜霞瞧蹈螺穗繁辫赢糟糠燥臂翼骤鞭覆蹦镰翻鹰警攀蹲颤瓣爆疆壤耀躁嚼嚷籍魔灌蠢霸露囊罐
"""
FREQUENT = """
的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显吧阿李标谈吃图念六引历首医局突专费号尽另周较注语仅考落青随选列武红响虽推势参希古众构房半节土投案黑维革划敌致陈律足态护七兴派孩验责营星够章音跟志底站严巴例防族供效续施留讲型料终答紧黄绝奇察母京段依批群项故按河米围江织害斗双境客纪采举杀攻父苏密低朝友诉止细愿千值仍男钱破网热助倒育属坐帝限船脸职速刻乐否刚威毛状率甚独球般普怕弹校苦创假久错承印晚兰试股拿脑预谁益阳若哪微尼继送急血惊伤素药适波夜省初喜卫源食险待述陆习置居劳财环排福纳欢雷警获模充负云停木游龙树疑层冷洲冲射略范竟句室异激汉村哈策演简卡罪判担州静退既衣您宗积余痛检差富灵协角占配征修皮挥胜降阶审沉坚善妈刘读啊超免压银买皇养伊怀执副乱抗犯追帮宣佛岁航优怪香著田铁控税左右份穿艺背阵草脚概恶块顿敢守酒岛托央户烈洋哥索胡款靠评版宝座释景顾弟登货互付伯慢欧换闻危忙核暗姐介坏讨丽良序升监临亮露永呼味野架域沙掉括舰鱼杂误湖钟
"""


def _chars(text: str) -> list[str]:
    out: list[str] = []
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" and ch not in out:
            out.append(ch)
    return out


FREQ_RANK = {ch: i for i, ch in enumerate(_chars(FREQUENT))}
COMMON = _chars(COMMON_2500 + FREQUENT)  # the fixed list replacements are taken from
assert len(COMMON) >= 2400, len(COMMON)


# Characters of bad omen or plain oddity in a place name: a clerk would notice and not pick them.
UNLIKELY = set("死亡尸屎尿屁聋哑瞎疮病疯毒吼吓骂杀鬼魔贼奸妖痰粪癌瘤丧葬墓坟棺灾祸惨痛疼蛆蛇鼠"
               "蚊蝇呕吐哭嚎嗽喘脓疤毙凶恶罪狱刑贱骗偷盗抢赌淫娼妓屠尿懒蠢傻呆笨臭腥狗猴血虾脸舌")


def _phrase_counts() -> Counter[str]:
    """In how many entries of pypinyin's phrase dictionary each character occurs: a rough
    commonness signal for the characters beyond FREQUENT."""
    from pypinyin.phrases_dict import phrases_dict
    counts: Counter[str] = Counter()
    for phrase in phrases_dict:
        counts.update(set(phrase))
    return counts


_PHRASES = _phrase_counts()
_REST = sorted((ch for ch in COMMON if ch not in FREQ_RANK), key=lambda ch: (-_PHRASES[ch], ch))
COMMON_RANK = {**FREQ_RANK, **{ch: len(FREQ_RANK) + i for i, ch in enumerate(_REST)}}


def rank(ch: str) -> int:
    """Lower is more common: FREQUENT by frequency, then the rest of COMMON by how many
    dictionary phrases use it, then characters outside the list (by code point)."""
    return COMMON_RANK.get(ch, len(COMMON_RANK) + ord(ch))


# ════════════════════════════════════════════════════════════════════════════════════════════
# Pinyin (toneless, heteronym-aware)
# ════════════════════════════════════════════════════════════════════════════════════════════
_READINGS: dict[str, tuple[str, ...]] = {}


def readings(ch: str) -> tuple[str, ...]:
    """All toneless readings of one character, the default reading first."""
    if ch not in _READINGS:
        rs: list[str] = []
        for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]:
            if r not in rs:
                rs.append(r)
        _READINGS[ch] = tuple(rs)
    return _READINGS[ch]


def context_readings(text: str) -> list[str]:
    """The reading of each character in context (pypinyin's phrase-aware choice)."""
    rs = lazy_pinyin(text, style=Style.NORMAL)
    assert len(rs) == len(text), text
    return rs


def homophones(a: str, b: str) -> bool:
    """Same length and every position shares at least one toneless reading."""
    if len(a) != len(b):
        return False
    ca, cb = context_readings(a), context_readings(b)
    return all((set(readings(x)) | {rx}) & (set(readings(y)) | {ry})
               for x, y, rx, ry in zip(a, b, ca, cb))


def py(text: str) -> str:
    return " ".join(context_readings(text))


# ════════════════════════════════════════════════════════════════════════════════════════════
# The master list
# ════════════════════════════════════════════════════════════════════════════════════════════

@dataclass
class Org:
    unit: str
    place: str  # 寺平村 / 新园社区 / 王村 / 金华市云帆网络科技有限公司 / 金华经济技术开发区温州商会
    suffix: str  # 党支部 / 党总支
    code: str
    kind: str  # 村 / 社区 / 两新组织
    core: str  # the distinctive part: 寺平 / 新园 / 王 / 云帆 / 温州
    core_at: int  # where core starts inside place
    aliases: list[str] = field(default_factory=list)
    star: int = 3

    @property
    def name(self) -> str:
        return self.place + self.suffix

    @property
    def tail(self) -> str:  # what follows the core in the place: 村 / 社区 / 网络科技有限公司 / 商会
        return self.place[self.core_at + len(self.core):]

    @property
    def head(self) -> str:  # what precedes the core: "" / 金华市 / 金华经济技术开发区
        return self.place[: self.core_at]

    def with_core(self, core: str) -> str:
        return self.head + core + self.tail

    def __repr__(self) -> str:
        return f"{self.unit}/{self.name}"


ENTERPRISES = [  # invented (as in samples/): (brand, business) → 金华市<brand><business>
    ("云帆", "网络科技有限公司"), ("易购", "电子商务有限公司"), ("星链", "信息技术有限公司"),
    ("八婺", "网络科技有限公司"), ("青创", "电子商务有限公司"), ("聚点", "网络科技有限公司"),
    ("浙中", "数据科技有限公司"), ("畅达", "物流信息有限公司"), ("千越", "网络科技有限公司"),
    ("智汇", "软件有限公司"), ("蓝海", "跨境电子商务有限公司"), ("联创", "网络传媒有限公司"),
]
ENTERPRISE_ALIASES = {"云帆": "云帆网络", "星链": "星链信息", "浙中": "浙中数据"}
CHAMBERS = ["温州", "台州", "义乌", "永康", "东阳", "福建"]  # invented chambers of commerce
# Old names of villages, given as master-list aliases: invented, checked not to be real places.
OLD_NAMES = ["原溪西村", "原枫树村", "原石塘村", "原樟树下村", "原新华村", "原后溪村", "原荷花塘村"]


def place_of(raw: str) -> str:
    """寺平村委会 → 寺平村, 王村村委会 → 王村, 新园社区居委会 → 新园社区, 仙舟社区 → 仙舟社区."""
    if raw.endswith("社区居委会"):
        return raw[: -len("居委会")]
    if raw.endswith("村委会"):
        stem = raw[: -len("村委会")]
        return stem if stem.endswith("村") else stem + "村"
    assert raw.endswith("社区"), raw
    return raw


def core_of_place(place: str) -> str:
    if place.endswith("社区"):
        return place[:-2]
    assert place.endswith("村"), place
    return place[:-1]


def build_master() -> list[Org]:
    orgs: list[Org] = []
    with VILLAGES_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            place = place_of(row["name"])
            orgs.append(Org(row["township"], place, "党支部", row["code"], row["kind"],
                            core_of_place(place), 0))
    assert len(orgs) == 244 and {o.unit for o in orgs} == set(TOWNSHIPS)
    for o in rng.sample(orgs, round(len(orgs) * 0.1)):  # ≈10 % general branches
        o.suffix = "党总支"
    for i, (brand, business) in enumerate(ENTERPRISES, 1):
        o = Org(NET, f"金华市{brand}{business}", "党总支" if i == 12 else "党支部", f"W{i:04d}",
                "两新组织", brand, len("金华市"))
        if brand in ENTERPRISE_ALIASES:
            o.aliases.append(ENTERPRISE_ALIASES[brand])
        orgs.append(o)
    for i, city in enumerate(CHAMBERS, 1):
        orgs.append(Org(CHAMBER, f"{ORGANISER}{city}商会", "党支部", f"S{i:04d}", "两新组织", city,
                        len(ORGANISER)))
    # old names for seven villages with a core of two characters or more
    villages = [o for o in orgs if o.kind == "村" and len(o.core) >= 2]
    for o, old in zip(rng.sample(villages, len(OLD_NAMES)), OLD_NAMES):
        o.aliases.append(old)
    for o in orgs:
        o.star = rng.choice([3, 3, 4, 4, 5])
    return orgs


MASTER = build_master()
BY_UNIT: dict[str, list[Org]] = {u: [o for o in MASTER if o.unit == u] for u in UNITS}
ALL_PLACES = {o.place for o in MASTER}
ALL_CORES = {o.core for o in MASTER}
ALIAS_CORES = {core_of_place(a[1:]) if a.startswith("原") else a for o in MASTER for a in o.aliases}


def check_master() -> None:
    codes = Counter(o.code for o in MASTER)
    assert all(n == 1 for n in codes.values()), "duplicate codes"
    for u in UNITS:
        names = Counter(o.name for o in BY_UNIT[u])
        assert all(n == 1 for n in names.values()), (u, names.most_common(2))
    for o in MASTER:
        for a in o.aliases:
            if a.startswith("原"):
                old = a[1:]
                assert old not in ALL_PLACES and core_of_place(old) not in ALL_CORES, a
                for p in BY_UNIT[o.unit]:
                    assert not homophones(core_of_place(old), p.core), (a, p)
    n_general = sum(o.suffix == "党总支" for o in MASTER)
    assert 20 <= n_general <= 30, n_general


def write_master() -> None:
    with MASTER_CSV.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["单位", "组织名称", "组织编码", "组织类别", "别名", "现星级"])
        for o in MASTER:
            w.writerow([o.unit, o.name, o.code, o.kind, "、".join(o.aliases), o.star])


# ════════════════════════════════════════════════════════════════════════════════════════════
# A reference normaliser (SPEC §4.1), used here only to check the labels
# ════════════════════════════════════════════════════════════════════════════════════════════
INVISIBLE = re.compile(r"[\s\u00a0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2060\u3000\ufeff]+")
BRACKETS = str.maketrans({"【": "(", "】": ")", "〔": "(", "〕": ")", "[": "(", "]": ")"})
ANNOTATIONS = ["(示范点)", "(新)", "★", "☆"]
PREFIXES = ["中国共产党", "中共", ORGANISER, "金华市", "婺城区", "开发区"]
SUFFIXES = [  # longest first
    ("社区居民委员会", "社区"), ("村民委员会", "村"), ("党总支部委员会", "党总支"), ("总支部委员会", "党总支"),
    ("党支部委员会", "党支部"), ("支部委员会", "党支部"), ("居委会", "社区"), ("村委会", "村"),
    ("党总支", "党总支"), ("党支部", "党支部"), ("委员会", "党委"), ("总支", "党总支"), ("支部", "党支部"),
    ("党委", "党委"),
]
PARTY = ("党总支", "党支部", "党委")
ALIAS_HINT = re.compile(r"\(原[^()]*\)")


def strip_party(key: str) -> str:
    for s in PARTY:
        if key.endswith(s):
            return key[: -len(s)]
    return key


def normalise(name: str, unit: str) -> str:
    s = unicodedata.normalize("NFKC", name).translate(BRACKETS)
    s = INVISIBLE.sub("", s)
    s = ALIAS_HINT.sub("", s)
    for a in ANNOTATIONS:
        s = s.replace(a, "")
    changed = True
    while changed:
        changed = False
        for p in PREFIXES + [unit]:
            rest = s[len(p):]
            if s.startswith(p) and strip_party(rest) not in ("", "村", "社区"):
                s, changed = rest, True
    for long, canon in SUFFIXES:
        if s.endswith(long):
            s = s[: -len(long)] + canon
            break
    return s


def resolve_exactish(reported: str, unit: str) -> list[Org]:
    """What tiers 1–3 (exact, normalised key, no-suffix place, alias) find in one unit."""
    key = normalise(reported, unit)
    hits = [o for o in BY_UNIT[unit] if o.name == reported or normalise(o.name, unit) == key]
    if not hits and strip_party(key) == key:  # no type suffix: the unique organisation of that place
        hits = [o for o in BY_UNIT[unit] if normalise(o.place, unit) == key]
        hits = hits if len(hits) == 1 else []
    if not hits:
        bare = strip_party(key)
        hits = [o for o in BY_UNIT[unit] for a in o.aliases if normalise(a, unit) == bare]
    return hits


# ════════════════════════════════════════════════════════════════════════════════════════════
# Rows
# ════════════════════════════════════════════════════════════════════════════════════════════

@dataclass
class Row:
    unit: str
    reported: str
    expected: list[Org]
    kind: str
    expect: str
    sub: str = ""  # subtype, shown in the id


ROWS: list[Row] = []
SEEN: set[tuple[str, str]] = set()


def add(row: Row) -> bool:
    key = (row.unit, row.reported)
    if key in SEEN:
        return False
    SEEN.add(key)
    ROWS.append(row)
    return True


def others(o: Org) -> list[Org]:
    return [p for p in BY_UNIT[o.unit] if p is not o]


def is_fresh_core(core: str, unit: str, exclude: Org | None = None) -> bool:
    """A made-up core that is no real place anywhere and collides with nothing in `unit`:
    not equal to any core or alias anywhere, not a homophone of another organisation of the
    unit, and neither inside nor around another organisation's core there (so that it cannot
    read as an abbreviation of it)."""
    if core in ALL_CORES or core in ALIAS_CORES or core + "村" in ALL_PLACES:
        return False
    for p in BY_UNIT[unit]:
        if p is exclude:
            continue
        if homophones(core, p.core) or core in p.core or p.core in core:
            return False
        for a in p.aliases:
            ac = core_of_place(a[1:]) if a.startswith("原") else a
            if homophones(core, ac) or core in ac or ac in core:
                return False
    return True


def editable_positions(o: Org) -> list[int]:
    """Positions of the core where a clerk's homophone slip is plausible: not 村, not a numeral
    (仓里一村, 五都钱二村: the numeral tells siblings apart and is typed as a digit if at all)."""
    return [i for i, ch in enumerate(o.core) if ch not in "村" and ch not in NUMERALS]


def homophone_typos(o: Org, unit: str | None = None) -> list[tuple[int, str]]:
    """Every acceptable homophone typo of o's core, as (position, new core), best first per
    position: the replacement is a different common character whose readings include the
    original's reading in context (as its first or second reading: pypinyin lists obscure
    third readings, 挎 kou, that no input method offers); default-reading matches and frequent
    characters first."""
    unit = unit or o.unit
    ctx = context_readings(o.place)[o.core_at: o.core_at + len(o.core)]
    out: list[tuple[int, str]] = []
    for i in editable_positions(o):
        orig, r = o.core[i], ctx[i]
        cands = [c for c in COMMON
                 if c != orig and r in readings(c)[:2] and c not in POSITION and c not in NUMERALS
                 and c not in TYPE_CHARS and c not in UNLIKELY]
        cands.sort(key=lambda c: (readings(c)[0] != r, rank(c)))
        for c in cands[:6]:
            new = o.core[:i] + c + o.core[i + 1:]
            if is_fresh_core(new, unit, exclude=o if unit == o.unit else None):
                out.append((i, new))
    return out


def pick_typo(o: Org, used: set[str], unit: str | None = None) -> str | None:
    typos = [t for t in homophone_typos(o, unit) if t[1] not in used]
    if not typos:
        return None
    by_pos: dict[int, list[str]] = defaultdict(list)
    for i, new in typos:
        by_pos[i].append(new)
    i = rng.choice(sorted(by_pos))
    return rng.choice(by_pos[i][:3])


def alt_suffix(o: Org) -> list[str]:
    if o.suffix == "党总支":
        return ["总支部委员会", "总支", "党总支部委员会"]
    return ["支部委员会", "支部", "党支部委员会"]


def spread(orgs: list[Org], n: int) -> list[Org]:
    """n organisations in a fixed random order, the first ten covering every unit present."""
    pool = orgs[:]
    rng.shuffle(pool)
    first: list[Org] = []
    for u in UNITS:
        hit = next((o for o in pool if o.unit == u), None)
        if hit:
            first.append(hit)
    rest = [o for o in pool if o not in first]
    return (first + rest)[:n]


# ── true variants (expect=accept) ────────────────────────────────────────────────────────────

def make_homophones() -> None:
    eligible = [o for o in MASTER if o.unit != CHAMBER and len(o.core) >= 2]
    used: dict[str, set[str]] = defaultdict(set)
    n_plain = n_suffixed = 0
    order = spread(eligible, len(eligible))
    for o in order:  # homophone: typo + the official suffix
        if n_plain >= 140:
            break
        new = pick_typo(o, used[o.code])
        if new and add(Row(o.unit, o.with_core(new) + o.suffix, [o], "homophone", "accept")):
            used[o.code].add(new)
            n_plain += 1
    rng.shuffle(order)
    for o in order:  # homophone_suffixed: typo + another spelling of the suffix
        if n_suffixed >= 40:
            break
        new = pick_typo(o, used[o.code])
        if new and add(Row(o.unit, o.with_core(new) + rng.choice(alt_suffix(o)), [o],
                           "homophone_suffixed", "accept")):
            used[o.code].add(new)
            n_suffixed += 1
    assert n_plain >= 120 and n_suffixed >= 40, (n_plain, n_suffixed)


def unique_place(o: Org) -> bool:
    return all(p.place != o.place and o.core not in p.core for p in others(o))


def make_no_suffix() -> None:
    must = ["苏孟村", "汤溪村", "罗埠村", "洋埠村", "西关社区"]  # carry their township's short name
    chosen = [o for o in MASTER if o.place in must or o.place == "邵家村"]  # 邵家村: two townships
    pool = [o for o in MASTER if o not in chosen and unique_place(o)]
    chosen += spread(pool, 30 - len(chosen))
    for o in chosen:
        assert unique_place(o), o
        add(Row(o.unit, o.place, [o], "no_suffix", "accept"))


def make_full_names() -> None:
    def forms(o: Org) -> list[str]:
        long = "总支部委员会" if o.suffix == "党总支" else "支部委员会"
        if o.unit in TOWNSHIPS:
            return [f"中共{ORGANISER}{o.unit}{o.place}{long}",
                    f"中国共产党{ORGANISER}{o.unit}{o.place}{long}",
                    f"中共{o.unit}{o.place}{long}",
                    f"中共{o.unit}{o.place}{o.suffix}",
                    f"中共金华市婺城区{o.unit}{o.place}{long}",
                    f"{ORGANISER}{o.unit}{o.place}{o.suffix}",
                    f"中国共产党{o.unit}{o.place}{long}"]
        if o.unit == NET:
            return [f"中共{o.place}{long}", f"中国共产党{o.place}{long}", f"中共{o.place}{o.suffix}"]
        return [f"中共{o.place}{long}", f"中国共产党{o.place}{long}",
                f"中共{o.core}商会{long}"]  # organiser left out

    must = [o for o in MASTER if o.place in ("苏孟村", "汤溪村", "罗埠村", "洋埠村", "西关社区")]
    chosen = must + spread([o for o in MASTER if o not in must], 35 - len(must))
    for k, o in enumerate(chosen):
        fs = forms(o)
        add(Row(o.unit, fs[k % len(fs)], [o], "full_name", "accept"))


def make_spacing() -> None:
    def form(o: Org, k: int) -> str:
        c = o.core
        return [
            f"{o.place}\u3000{o.suffix}",
            f"{o.head}{c[0]} {c[1:]}{o.tail}{o.suffix}" if len(c) > 1 else f"{o.place} {o.suffix}",
            f"{o.head}{' '.join(c)}{o.tail}{o.suffix}" if len(c) > 1 else f"{c}  {o.tail}{o.suffix}",
            f"\u3000{o.place}{o.suffix}\u3000",
            f"{o.place}\u00a0{o.suffix}",
            f"{o.head}{c}\u3000{o.tail}{o.suffix}",
            f"{o.head}{c[0]}\u200b{c[1:]}{o.tail}{o.suffix}" if len(c) > 1 else f"{o.place}\u200b{o.suffix}",
            f"{o.place} {o.suffix[0]} {o.suffix[1:]}",
        ][k % 8]

    for k, o in enumerate(spread(MASTER, 25)):
        add(Row(o.unit, form(o, k), [o], "spacing", "accept"))


def make_annotations() -> None:
    forms = ["{n}（示范点）", "{n}(示范点)", "★{n}", "{n}★", "{n}（新）", "{n} (新)", "★{n}（示范点）",
             "{n}（示范点）★"]
    for k, o in enumerate(spread(MASTER, 25)):
        add(Row(o.unit, forms[k % len(forms)].format(n=o.name), [o], "annotation", "accept"))


def make_suffix_variants() -> None:
    for k, o in enumerate(spread(MASTER, 30)):
        alts = alt_suffix(o)
        # the plain forms (支部委员会 / 支部) mostly, 党支部委员会 / 党总支部委员会 every fifth row
        suffix = alts[2] if k % 5 == 4 else alts[k % 2]
        add(Row(o.unit, o.place + suffix, [o], "suffix_variant", "accept"))


def make_aliases() -> None:
    for o in MASTER:
        for a in o.aliases:
            long = "总支部委员会" if o.suffix == "党总支" else "支部委员会"
            add(Row(o.unit, a + o.suffix, [o], "alias", "accept"))
            add(Row(o.unit, f"中共{a}{long}", [o], "alias", "accept"))


# ── ambiguous abbreviations (expect=review) ──────────────────────────────────────────────────

def ambiguity_groups() -> list[tuple[str, str, list[Org]]]:
    """(unit, stem, organisations) for places of one unit that differ only by a leading
    position word (上章村/下章村 → 章, 前周社区/后周社区 → 周) or share a leading place name
    (派溪李村/派溪童村 → 派溪, 五都钱一村…五都钱四村 → 五都钱).  The organisations the stem could
    stand for are then every one of the unit whose core contains the stem (丁章村 for 章) or is
    a homophone of it (樟村 for 章)."""
    groups: list[tuple[str, str, list[Org]]] = []
    for u in TOWNSHIPS:
        orgs = BY_UNIT[u]
        stems: dict[str, list[Org]] = defaultdict(list)
        for o in orgs:
            if len(o.core) >= 2 and o.core[0] in POSITION:
                stems[o.core[1:]].append(o)
        for a in orgs:  # shared leading names: the longest common prefix of ≥ 2 characters
            for b in orgs:
                if a is b or a.tail != b.tail:
                    continue
                n = 0
                while n < min(len(a.core), len(b.core)) and a.core[n] == b.core[n]:
                    n += 1
                if 2 <= n < min(len(a.core), len(b.core)):
                    stems[a.core[:n]] += [x for x in (a, b) if x not in stems[a.core[:n]]]
        for stem in sorted(stems):
            if len(stems[stem]) < 2:
                continue
            fit = [o for o in orgs if stem in o.core or homophones(stem, o.core)]
            groups.append((u, stem, sorted(fit, key=lambda o: o.code)))
    return groups


def make_ambiguous() -> None:
    n = 0
    for u, stem, fit in ambiguity_groups():
        tail = fit[0].tail
        place = stem + tail
        if stem in ALL_CORES or place in ALL_PLACES:
            # e.g. 罗埠镇 山下陈/山下龚/山下周 → 山下村, which is a real village of 苏孟乡: the
            # spec does not say whether the cross-unit exact match or the in-unit review wins
            print(f"  ambiguous: skipped {u} {place} (a real place elsewhere)")
            continue
        suffix = "党支部"
        forms = [place, place + suffix, f"{place}支部委员会", f"中共{u}{place}支部委员会"]
        for f in forms[: 3 if len(fit) > 2 or n % 2 else 2]:
            if add(Row(u, f, fit, "ambiguous", "review")):
                n += 1
    assert n >= 20, n


# ── hard negatives ───────────────────────────────────────────────────────────────────────────

def core_of_reported(name: str, unit: str) -> str:
    key = strip_party(normalise(name, unit))
    for generic in ("有限公司", "社区", "村", "商会"):
        if key.endswith(generic):
            key = key[: -len(generic)]
    return key


def dice(a: list[str], b: list[str]) -> float:
    common = sum((Counter(a) & Counter(b)).values())
    return 2 * common / (len(a) + len(b))


def too_similar(a: str, b: str) -> bool:
    """A deliberately strict closeness test for the invented new organisations: one inside
    the other, or half of the characters or of the syllables in common (Dice)."""
    if not a or not b:
        return False
    if (len(b) >= 2 and b in a) or (len(a) >= 2 and a in b):
        return True
    return dice(list(a), list(b)) >= 0.5 or dice(context_readings(a), context_readings(b)) >= 0.5


NEW_TOWNSHIP_ORGS = [  # invented organisations of a township that are in no master list
    "{u}老年协会党支部", "{u}新农村党建联盟", "{u}机关第一党支部", "{u}卫生院党支部",
    "{u}农贸市场党支部", "{u}退休干部党支部", "{u}个体劳动者协会党支部", "{u}文化站党支部",
    "{u}农机专业合作社党支部", "{u}敬老院党支部", "{u}供销社党总支", "{u}综合执法队党支部",
]
NEW_NET_ORGS = [  # invented enterprises that are in no master list; the first six that pass
    "金华市锦程机械制造有限公司党支部", "金华市博望五金工具有限公司党支部", "金华市鼎盛建材有限公司党支部",
    "浙江瑞丰纺织有限公司党支部", "金华市宏图广告有限公司支部委员会", "金华市佳禾农业开发有限公司党支部",
    "金华市恒嘉食品有限公司党支部", "金华市润泽园林绿化有限公司党支部", "金华市骏马汽车配件有限公司党支部",
]
NEW_CHAMBER_ORGS = [  # invented chambers that are in no master list; the first four that pass
    "金华经济技术开发区宁波商会党支部", "金华经济技术开发区黑龙江商会党支部", "金华经济技术开发区内蒙古商会支部委员会",
    "金华经济技术开发区哈尔滨商会党支部", "金华经济技术开发区余姚商会党支部", "金华经济技术开发区桐乡商会党支部",
]


def clean_new(name: str, unit: str) -> bool:
    core = core_of_reported(name, unit)
    for o in MASTER:
        if too_similar(core, o.core):
            return False
        for a in o.aliases:
            if too_similar(core, core_of_reported(a, o.unit)):
                return False
    return True


def make_new_orgs() -> None:
    n = 0
    for k, u in enumerate(TOWNSHIPS):
        templates = NEW_TOWNSHIP_ORGS[k % 4:] + NEW_TOWNSHIP_ORGS[: k % 4]
        took = 0
        for t in templates:
            name = t.format(u=u)
            if took < 3 and clean_new(name, u) and add(Row(u, name, [], "new_org", "unmatched")):
                took += 1
                n += 1
        assert took == 3, u
    for unit, names, want in ((NET, NEW_NET_ORGS, 6), (CHAMBER, NEW_CHAMBER_ORGS, 4)):
        took = 0
        for name in names:
            if took < want and clean_new(name, unit) and add(Row(unit, name, [], "new_org", "unmatched")):
                took += 1
                n += 1
        assert took == want, unit
    assert n >= 30, n


def make_similar_different() -> None:
    counts: Counter[str] = Counter()
    villages = [o for o in MASTER if o.unit in TOWNSHIPS]

    # 1. position word added or changed: a place that does not exist in that unit (or anywhere)
    for o in spread(villages, len(villages)):
        if counts["position"] >= 10:
            break
        c = o.core
        if len(c) >= 2 and c[0] in POSITION:  # 上徐 → 下徐
            cands = [p + c[1:] for p in POSITION if p != c[0]]
        elif len(c) == 2:  # 山背 → 下山背 (longer names with a position word added look made up)
            cands = [p + c for p in "上下东西南北前后大小新"]
        else:
            continue
        rng.shuffle(cands)
        new = next((x for x in cands if is_fresh_core(x, o.unit, exclude=o)
                    and not homophones(x, o.core)), None)
        if new and add(Row(o.unit, o.with_core(new) + o.suffix, [], "similar_different", "not_accept",
                           "position")):
            counts["position"] += 1

    # 2. one character changed to a non-homophone (taken from the real place names, so the
    #    result still looks like a place)
    place_chars = sorted({ch for x in MASTER if x.unit in TOWNSHIPS for ch in x.core
                          if ch not in POSITION and ch not in NUMERALS and ch != "村"
                          and ch in COMMON_RANK}, key=rank)
    for o in spread([v for v in villages if len(v.core) >= 2], len(villages)):
        if counts["char"] >= 10:
            break
        i = rng.choice([j for j, ch in enumerate(o.core) if ch not in POSITION] or [0])
        orig = o.core[i]
        cands = [ch for ch in place_chars if ch != orig and not set(readings(ch)) & set(readings(orig))]
        rng.shuffle(cands)
        new = next((o.core[:i] + ch + o.core[i + 1:] for ch in cands
                    if is_fresh_core(o.core[:i] + ch + o.core[i + 1:], o.unit, exclude=o)), None)
        if new and add(Row(o.unit, o.with_core(new) + o.suffix, [], "similar_different", "not_accept",
                           "char")):
            counts["char"] += 1

    # 3. the same place, another kind of organisation
    village_types = ["{core}小学党支部", "{place}老年协会党支部", "{place}股份经济合作社党支部",
                     "{core}幼儿园党支部", "{place}团支部", "{place}妇联", "{core}中学党支部",
                     "{place}文化礼堂党支部"]
    community_types = ["{place}卫生服务站党支部", "{core}小学党支部", "{place}团支部",
                       "{place}业主委员会党支部", "{core}幼儿园党支部"]
    for k, o in enumerate(spread([v for v in villages if len(v.core) >= 2], 8)):
        ts = village_types if o.kind == "村" else community_types
        add(Row(o.unit, ts[k % len(ts)].format(core=o.core, place=o.place), [], "similar_different",
                "not_accept", "type"))
        counts["type"] += 1
    add(Row(NET, "金华市云帆物流有限公司党支部", [], "similar_different", "not_accept", "type"))
    add(Row(NET, "金华市星链网络科技有限公司团支部", [], "similar_different", "not_accept", "type"))
    add(Row(CHAMBER, f"{ORGANISER}温州商会青年分会党支部", [], "similar_different", "not_accept", "type"))
    counts["type"] += 3

    # 4. a village of another unit, reported with a homophone typo: cross-unit fuzzy matches
    #    never auto-accept (SPEC §4.2)
    pairs = [(o, u) for o in spread(villages, len(villages)) for u in TOWNSHIPS if u != o.unit]
    rng.shuffle(pairs)
    used_orgs: set[str] = set()
    for o, u in pairs:
        if counts["cross_unit"] >= 10:
            break
        if o.code in used_orgs or len(o.core) < 2 or any(p.place == o.place for p in BY_UNIT[u]):
            continue
        if any(homophones(o.core, p.core) or o.core in p.core or p.core in o.core for p in BY_UNIT[u]):
            continue
        new = pick_typo(o, set(), unit=u)
        if new and is_fresh_core(new, o.unit, exclude=o) and add(
                Row(u, o.with_core(new) + "党支部", [o], "similar_different", "not_accept", "cross_unit")):
            used_orgs.add(o.code)
            counts["cross_unit"] += 1
    assert sum(counts.values()) >= 30 and all(counts[k] >= 8 for k in ("position", "char", "type",
                                                                          "cross_unit")), counts


# ════════════════════════════════════════════════════════════════════════════════════════════
# Checks of every row against the spec's rules
# ════════════════════════════════════════════════════════════════════════════════════════════

def check_rows() -> None:
    for r in ROWS:
        for u in [r.unit]:
            for o in BY_UNIT[u]:
                assert r.reported != o.name and r.reported not in o.aliases, ("exact", r)
        exact_here = resolve_exactish(r.reported, r.unit)
        exact_elsewhere = {u: resolve_exactish(r.reported, u) for u in UNITS if u != r.unit}
        if r.expect == "accept":
            assert len(r.expected) == 1 and r.expected[0].unit == r.unit, r
            o = r.expected[0]
            if r.kind.startswith("homophone"):
                # nothing resolves it without pinyin; pinyin points at exactly one organisation
                assert not exact_here, (r, exact_here)
                key = strip_party(normalise(r.reported, r.unit))
                fits = [p for p in BY_UNIT[r.unit] if homophones(key, strip_party(normalise(p.name, r.unit)))]
                assert fits == [o], (r, fits)
                assert sum(a != b for a, b in zip(key, strip_party(normalise(o.name, r.unit)))) == 1, r
            else:
                assert exact_here == [o], (r, exact_here)
            for u, hits in exact_elsewhere.items():
                # only a place of two townships (邵家村) may also resolve in the other one
                assert all(r.kind == "no_suffix" and h.place == o.place for h in hits), (r, u, hits)
        else:
            assert not exact_here and not any(exact_elsewhere.values()), (r, exact_here, exact_elsewhere)
        if r.expect == "review":
            assert len(r.expected) >= 2 and all(o.unit == r.unit for o in r.expected), r
        if r.expect == "unmatched":
            assert not r.expected
        if r.kind == "similar_different" and r.sub != "cross_unit":
            assert not r.expected
        if r.sub == "cross_unit":
            assert len(r.expected) == 1 and r.expected[0].unit != r.unit
            key = strip_party(normalise(r.reported, r.unit))
            assert not [p for p in BY_UNIT[r.unit] if homophones(key, strip_party(normalise(p.name, r.unit)))], r
    # the townships and the sector committees all appear among the true variants
    units = {r.unit for r in ROWS if r.expect == "accept"}
    assert units == set(UNITS), set(UNITS) - units


def write_labelled() -> list[list[str]]:
    table = []
    per_kind: Counter[str] = Counter()
    for r in ROWS:
        label = r.kind + (f".{r.sub}" if r.sub else "")
        per_kind[label] += 1
        table.append([f"{label}-{per_kind[label]:03d}", r.unit, r.reported,
                      "|".join(o.name for o in r.expected), "|".join(o.unit for o in r.expected),
                      r.kind, r.expect])
    with LABELLED_CSV.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["id", "unit", "reported", "expected_name", "expected_unit", "kind", "expect"])
        w.writerows(table)
    return table


def main() -> None:
    if not VILLAGES_CSV.exists():
        sys.exit(f"not found: {VILLAGES_CSV} (run from the repository root, with shared/ beside it)")
    check_master()
    write_master()
    make_homophones()
    make_no_suffix()
    make_full_names()
    make_spacing()
    make_annotations()
    make_suffix_variants()
    make_aliases()
    make_ambiguous()
    make_new_orgs()
    make_similar_different()
    check_rows()
    write_labelled()

    kinds = Counter(r.kind for r in ROWS)
    expects = Counter(r.expect for r in ROWS)
    subs = Counter(r.sub for r in ROWS if r.sub)
    units = Counter(r.unit for r in ROWS if r.expect == "accept")
    print(f"名册.csv: {len(MASTER)} organisations ({sum(o.suffix == '党总支' for o in MASTER)} 党总支, "
          f"{sum(len(o.aliases) for o in MASTER)} aliases)")
    print(f"labelled.csv: {len(ROWS)} rows")
    print("per kind:   " + ", ".join(f"{k} {n}" for k, n in kinds.items()))
    print("similar_different: " + ", ".join(f"{k} {n}" for k, n in subs.items()))
    print("per expect: " + ", ".join(f"{k} {n}" for k, n in expects.items()))
    print("accept rows per unit: " + ", ".join(f"{u} {units[u]}" for u in UNITS))


if __name__ == "__main__":
    main()
