"""Deterministic synthetic 12345-style citizen messages for tests and the benchmark.

Real hotline messages are colloquial, long or very short, full of addresses, dates, phone
numbers and typos, and many could be filed under two categories (construction noise is
城乡建设 or 环境保护; a shop selling expired food is 市场监管 or 卫生计生). The generator
imitates that: each message picks a first-level category, one of its topics, an opening
(citizen letter or operator record), places in Guangzhou's Liwan district (or an anonymised
"A市A2区" as in published datasets), times, a demand, optional contact details and noise
(homophone typos, dropped punctuation, full-width digits, stray whitespace). Topics share
vocabulary across categories on purpose, and a small share of labels is moved to a
neighbouring category, as happens when a real dispatcher files an order.

Same seed, same messages: ``generate_messages(10_000, seed=7)`` is a benchmark fixture.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

CATEGORIES: tuple[str, ...] = (
    "城乡建设",
    "环境保护",
    "交通运输",
    "教育文体",
    "劳动和社会保障",
    "商贸旅游",
    "卫生计生",
    "市场监管",
    "公安政法",
    "民政",
)

# Roughly the shares seen in published municipal message boards: construction and
# housing dominate, policing and civil affairs are rarer.
CATEGORY_WEIGHTS: dict[str, float] = {
    "城乡建设": 0.20,
    "劳动和社会保障": 0.15,
    "教育文体": 0.13,
    "商贸旅游": 0.10,
    "环境保护": 0.09,
    "卫生计生": 0.08,
    "交通运输": 0.07,
    "市场监管": 0.07,
    "公安政法": 0.06,
    "民政": 0.05,
}

# Where a dispatcher might plausibly have filed the message instead.
NEIGHBOURS: dict[str, tuple[str, ...]] = {
    "城乡建设": ("环境保护", "交通运输", "商贸旅游"),
    "环境保护": ("城乡建设", "卫生计生"),
    "交通运输": ("城乡建设", "公安政法"),
    "教育文体": ("劳动和社会保障", "卫生计生"),
    "劳动和社会保障": ("民政", "教育文体"),
    "商贸旅游": ("市场监管", "城乡建设"),
    "卫生计生": ("市场监管", "劳动和社会保障"),
    "市场监管": ("商贸旅游", "卫生计生"),
    "公安政法": ("交通运输", "城乡建设"),
    "民政": ("劳动和社会保障", "卫生计生"),
}

STREETS = (
    "沙面街道", "岭南街道", "华林街道", "多宝街道", "昌华街道", "逢源街道", "龙津街道", "金花街道",
    "彩虹街道", "南源街道", "西村街道", "站前街道", "桥中街道", "白鹤洞街道", "冲口街道", "花地街道",
    "石围塘街道", "茶滘街道", "东漖街道", "海龙街道", "东沙街道", "中南街道",
)  # fmt: skip
ROADS = (
    "中山八路", "龙津西路", "芳村大道", "黄沙大道", "康王中路", "人民南路", "宝华路", "恩宁路", "多宝路",
    "花地大道南", "鹤洞路", "东漖北路", "荔湾路", "西湾路", "环市西路", "南岸路", "蒲林路", "浣花路",
    "上下九路", "第十甫路", "长寿西路", "芳村大道西", "增南路", "坑口大街", "龙溪大道", "陆居路",
)  # fmt: skip
COMMUNITIES = (
    "沙面社区", "多宝社区", "宝华社区", "逢源北街社区", "华林社区", "金花社区", "彩虹社区", "西村社区",
    "桥中社区", "东漖社区", "海龙社区", "花地社区", "鹤洞社区", "冲口社区", "茶滘社区", "南漖社区",
)  # fmt: skip
ESTATES = (
    "保利西子湾", "富力广场", "金道小区", "逢源大厦", "芳村花园", "荔港南湾", "宏城花园", "海龙湾",
    "金兰苑", "悦景苑", "西关海", "广钢新城", "芳华花园", "鹤洞新村", "翠竹苑", "恒宝华庭", "荔枝湾小区",
)  # fmt: skip
ANONYMISED_PLACES = ("A市A1区", "A市A2区", "A市A3区", "A市A5区", "A市A7县", "K市K8县", "L市", "A市经开区")
SHOPS = ("烧烤店", "大排档", "奶茶店", "便利店", "理发店", "五金店", "药店", "超市", "KTV", "健身房", "麻将馆", "网吧")
COMPANIES = (
    "某物流公司", "某建筑劳务公司", "某电子厂", "某物业公司", "某餐饮管理公司", "某科技有限公司", "某装饰公司",
    "某服装厂", "某保安服务公司", "某汽车维修厂",
)  # fmt: skip
SCHOOLS = ("区第一小学", "西关外国语学校", "某民办幼儿园", "区实验中学", "某培训机构", "芳村小学", "某公办幼儿园")
HOSPITALS = ("区人民医院", "社区卫生服务中心", "中医院", "妇幼保健院", "某民营医院", "某口腔诊所")
BUSES = ("1路", "9路", "15路", "64路", "85路", "209路", "233路", "夜38路", "广佛线", "地铁1号线", "地铁5号线")
PLATFORMS = ("某团购平台", "某外卖平台", "某网店", "直播间", "某旅行社", "某培训机构")

# --- topics: (subject, details) ---------------------------------------------------------------
# Placeholders: {place} {road} {estate} {community} {shop} {company} {school} {hospital}
# {bus} {platform} {n} {money} {months} {time}

# fmt: off
TOPICS: dict[str, list[tuple[str, tuple[str, ...]]]] = {
    "城乡建设": [
        ("小区物业乱收费", (
            "{estate}物业公司擅自提高物业管理费，从每平方{n}元涨到{n}元，也没有召开业主大会",
            "物业不作为，电梯坏了{n}天没人修，老人上下楼很困难，物业费却照收不误",
            "物业公司强制收取停车费和装修押金，业主多次反映没人理",
        )),
        ("违章搭建", (
            "{estate}{n}楼业主在天台违章搭建铁皮房，存在安全隐患，城管来看过也没拆",
            "{road}沿街有商户私自加建雨棚占用人行道，已经搭了{months}个月",
            "楼下住户把花园围起来私自扩建，影响采光和消防通道",
        )),
        ("老旧小区改造", (
            "{community}老旧小区改造施工进度太慢，路面挖开{months}个月都没恢复，居民出行不便",
            "小区加装电梯的审批一直卡着，低层住户反对，希望街道协调",
            "旧楼外墙瓷砖脱落砸到停在楼下的车，请求尽快维修",
        )),
        ("供水停水问题", (
            "{estate}又停水了，没有任何通知，从早上停到晚上，自来水公司电话打不通",
            "家里水压太低，{n}楼以上基本没水，热水器都打不着火",
            "自来水发黄有异味，已经持续{n}天，担心水质问题",
        )),
        ("房屋质量和交房延期", (
            "购买的{estate}商品房延期交房{months}个月，开发商一直推脱，要求按合同赔偿违约金",
            "新房交付后墙体开裂、卫生间漏水，开发商维修敷衍",
            "开发商迟迟不办房产证，业主买房{n}年了还拿不到不动产权证书",
        )),
        ("道路破损和井盖", (
            "{road}路面坑洼不平，下雨积水很深，电动车摔倒好几次",
            "{road}人行道的井盖缺失，晚上很危险，请尽快补上",
            "小区门口的市政道路修了又挖，挖了又修，施工围挡占道严重",
        )),
        ("施工扰民", (
            "{road}地铁工地晚上{time}还在施工，打桩声音很大，附近居民无法入睡",
            "{estate}旁边工地夜间施工，泥头车进出扬尘严重，噪音扰民",
            "工地没有夜间施工许可证，周末也连续作业，影响休息",
        )),
        ("拆迁安置补偿", (
            "{community}旧村改造拆迁补偿标准不公开，安置房{n}年还没建好",
            "征收房屋时补偿款没有足额发放，过渡安置费也停发了",
        )),
        ("燃气和路灯", (
            "小区一直没有接通管道燃气，只能用瓶装气，存在安全隐患",
            "{road}一段路灯坏了{months}个月，晚上黑漆漆的，行人不敢走",
        )),
    ],
    "环境保护": [
        ("工厂排放废气", (
            "{road}附近的{company}每天晚上偷排废气，刺鼻的味道飘进小区，居民头晕恶心",
            "工厂烟囱冒黑烟，空气质量很差，窗户都不敢开",
            "{company}喷漆车间没有环保设施，油漆味很重，怀疑超标排放",
        )),
        ("河涌污染", (
            "{community}附近河涌发黑发臭，漂浮大量垃圾，夏天蚊虫很多",
            "有企业往河里排放污水，河水变色，鱼都死了",
            "污水管网破损，生活污水直接流进河涌，臭味很大",
        )),
        ("噪音污染", (
            "楼下{shop}的空调外机和排风扇噪音很大，晚上{time}还在响",
            "广场舞音响开得太大声，每天晚上持续到{time}，噪音严重超标",
            "{shop}通宵营业，音响声和喧哗声扰民，投诉多次没有效果",
        )),
        ("油烟扰民", (
            "{shop}油烟直排，没有安装油烟净化器，油烟熏到楼上住户家里",
            "楼下餐馆排烟管道对着居民窗户，每天油烟味很重",
        )),
        ("垃圾焚烧和粉尘", (
            "有人在空地上焚烧垃圾和电线，浓烟滚滚，气味难闻",
            "{road}旁边的搅拌站粉尘污染严重，家里阳台每天一层灰",
            "石材加工厂切割粉尘飞扬，没有任何降尘措施",
        )),
        ("垃圾分类和清运", (
            "{estate}垃圾桶满了好几天没人清运，垃圾堆成山，苍蝇老鼠很多",
            "垃圾中转站离居民楼太近，臭气熏天，渗滤液流到路上",
        )),
        ("辐射和基站", (
            "小区楼顶新装了通信基站，担心辐射影响健康，要求检测",
            "变电站离住宅太近，有电磁辐射，嗡嗡声很大",
        )),
        ("养殖污染", (
            "村里有人养猪，粪便直接排到水沟里，臭味飘几百米",
            "附近养殖场污水横流，周边农田受到污染",
        )),
    ],
    "交通运输": [
        ("公交线路和班次", (
            "{bus}公交车班次太少，早高峰等了{n}分钟都没车，希望增加班次",
            "{bus}调整线路后{community}附近没有站点了，老人出行很不方便，希望恢复原线路",
            "建议开通一条从{street}到地铁站的公交线路",
        )),
        ("公交司机服务", (
            "{bus}司机开车太猛急刹车，车上老人差点摔倒，态度也很差",
            "{bus}公交车到站不停，招手也不停车",
        )),
        ("出租车和网约车", (
            "出租车司机拒载、绕路，从火车站到{road}多收了{money}元",
            "网约车司机中途要求加价，不加就赶人下车，平台投诉没结果",
            "火车站出租车不打表，一口价宰客",
        )),
        ("地铁", (
            "{bus}站出口只有一个电梯，上下班高峰排队很久，建议增加扶梯",
            "地铁施工导致{road}交通拥堵，建议优化交通疏导",
        )),
        ("道路拥堵和信号灯", (
            "{road}路口红绿灯时间设置不合理，早晚高峰严重堵车",
            "{road}与{road}交叉口没有人行横道和信号灯，过马路很危险",
        )),
        ("驾驶证和车辆年审", (
            "驾驶证到期换证，车管所预约不上，网上系统一直显示已满",
            "车辆年检排队太久，检测站乱收费",
        )),
        ("货车和泥头车", (
            "泥头车在{road}超速行驶，沿路撒漏泥土，晚上轰隆隆很吵",
            "大货车在居民区道路通行，压坏路面，存在安全隐患",
        )),
        ("客运站和长途车", (
            "长途客运站取消了去老家的班车，春节回家很困难",
            "黑车在客运站门口拉客，价格乱收，希望整治",
        )),
    ],
    "教育文体": [
        ("入学学位", (
            "孩子今年上小学，户籍在{community}，但对口的{school}说学位不够，要求统筹安排",
            "积分入学分数怎么计算？随迁子女在{street}读书需要什么材料",
            "新建小区配套学校一直没有建，孩子只能去很远的学校读书",
        )),
        ("学校收费", (
            "{school}以各种名义乱收费，校服费、资料费、兴趣班费用每学期要交{money}元",
            "幼儿园擅自上涨保教费，家长没有被征求意见",
            "学校强制学生购买教辅资料，不买老师就点名批评",
        )),
        ("校外培训", (
            "{school}老师私下开补习班，暗示学生参加，每节课收{money}元",
            "某培训机构收了学费后关门跑路，{n}多个家长的钱退不回来",
        )),
        ("教师待遇", (
            "我是{school}的代课老师，工资每月只有{money}元，绩效工资一直没发",
            "乡村教师补贴没有按规定发放，老师们意见很大",
        )),
        ("学生安全和作业负担", (
            "{school}学生午餐质量很差，饭菜不卫生，孩子吃了拉肚子",
            "孩子作业太多，每天写到晚上{time}，双减政策没有落实",
            "学校门口放学时间秩序混乱，接送车辆乱停，学生安全没有保障",
        )),
        ("体育场馆和文化设施", (
            "{street}的体育馆收费太高，群众健身场地不足，希望免费开放学校操场",
            "社区图书馆经常不开门，文化活动室被挪作他用",
            "公园的篮球场灯光坏了很久，晚上没法打球",
        )),
        ("考试和学籍", (
            "中考报名的学籍信息有误，学校说要去教育局改，来回跑了几次",
            "职业技能证书考试报名费用过高，培训机构捆绑收费",
        )),
        ("幼儿园", (
            "普惠性幼儿园太少，{street}附近的公办幼儿园摇号中签率很低",
            "某民办幼儿园老师打骂孩子，家长要求教育部门调查",
        )),
    ],
    "劳动和社会保障": [
        ("拖欠工资", (
            "我在{company}上班，公司拖欠我们{n}名工人{months}个月的工资共计{money}元，老板一直拖着不给",
            "工地包工头跑路了，农民工工资没着落，快过年了希望劳动监察帮忙追讨",
            "离职后公司不结算最后一个月工资，还扣押金{money}元",
        )),
        ("社保缴纳", (
            "{company}没有给员工购买社保，入职{months}个月了还是没有交五险一金",
            "公司按最低基数给我们交社保，和实际工资不符",
            "单位断缴社保，影响我孩子积分入学和买房资格",
        )),
        ("养老金和退休", (
            "我今年满{n}岁了，办理退休手续时说档案缺材料，养老金一直领不到",
            "企业退休人员养老金调整标准是怎样的？我的养老金比别人少很多",
            "灵活就业人员养老保险怎么缴费，断缴了能不能补缴",
        )),
        ("医保报销", (
            "在外地住院的医疗费用回来报销，医保局说备案没做不能报",
            "医保卡异地就医结算不了，跑了好几趟",
            "城乡居民医保每年涨价，报销比例却很低",
        )),
        ("劳动合同和辞退", (
            "公司不签劳动合同，现在无故辞退我，不给经济补偿",
            "在{company}工作{n}年，被迫离职，公司不出具离职证明",
            "公司强制加班，每天工作{n}个小时，加班费一分不给",
        )),
        ("工伤认定", (
            "在工地干活摔伤了腿，老板不肯申报工伤，医药费都是自己垫的",
            "工伤认定下来了但是公司不支付伤残补助金",
        )),
        ("失业和就业补贴", (
            "失业保险金怎么申领？网上提交了{n}次都被退回",
            "申请了创业补贴和社保补贴，审核了{months}个月还没有到账",
            "人才引进的住房补贴迟迟不发放",
        )),
        ("人事考试和事业编", (
            "事业单位招聘考试成绩公示有问题，面试不公平",
            "公务员考试报名资格审核没通过，专业明明是符合的",
        )),
    ],
    "商贸旅游": [
        ("商家经营纠纷", (
            "在{shop}办了一张{money}元的会员卡，现在店铺关门老板联系不上，要求退款",
            "{shop}消费后拒不开发票，还态度恶劣",
            "健身房突然倒闭，办的年卡还有{n}个月没用完",
        )),
        ("旅游投诉", (
            "参加{platform}组织的旅游团，导游强制购物，不买就甩脸色",
            "景区门票价格上涨太快，停车费也贵，游客体验很差",
            "旅行社擅自改变行程，减少景点，要求赔偿",
        )),
        ("占道经营和夜市", (
            "{road}夜市摊贩占道经营，烧烤油烟和垃圾影响周边居民",
            "商铺把货物摆到人行道上售卖，行人只能走机动车道",
        )),
        ("预付卡和网购", (
            "在{platform}买的商品与描述不符，商家拒绝退货",
            "理发店办预付卡后更换老板，新老板不认原来的卡",
            "网购的家电坏了，售后一直推脱不给维修",
        )),
        ("市场和商场管理", (
            "{street}的菜市场管理混乱，摊位费乱涨，环境脏乱差",
            "商场停车收费不合理，消费满额也不减免",
            "批发市场搬迁，商户的租金押金怎么处理没有说法",
        )),
        ("酒店住宿", (
            "在{road}的酒店预订了房间，到店后说没房，拒绝退订金",
            "民宿卫生条件很差，床单不换，投诉后老板不理",
        )),
        ("招商和营商环境", (
            "企业办理开业手续要跑多个部门，审批时间太长，希望优化营商环境",
            "中小企业扶持资金申请后一直没有下文",
        )),
    ],
    "卫生计生": [
        ("医疗纠纷", (
            "家人在{hospital}做手术后出现并发症，医院推卸责任，要求卫健部门调查",
            "{hospital}医生误诊，耽误了治疗，花了{money}多元医药费",
            "医院过度检查，一个小感冒开了{money}元的检查单",
        )),
        ("医院服务", (
            "{hospital}挂号难，网上预约根本挂不上，现场排队要{n}个小时",
            "护士态度恶劣，病人家属问两句就被骂",
            "急诊科人手不够，病人在走廊等了很久没人看",
        )),
        ("疫苗和预防接种", (
            "{hospital}的疫苗预约一直显示无号源，孩子的疫苗已经超过接种时间",
            "九价HPV疫苗怎么预约，社区说要排队几个月",
        )),
        ("生育和计生政策", (
            "办理生育登记需要哪些材料？二孩三孩的生育津贴怎么领",
            "独生子女父母奖励金没有按时发放，已经{n}年没有领到",
            "计划生育特别扶助金的申请条件是什么",
        )),
        ("诊所和非法行医", (
            "{road}有一家无证诊所给人打针输液，存在医疗风险",
            "某口腔诊所没有资质做种植牙，收费{money}元还出了问题",
        )),
        ("公共卫生", (
            "{estate}发现很多蚊子和老鼠，担心传染登革热，要求消杀",
            "小区有人确诊传染病，卫生部门没有及时消毒和通知",
            "社区卫生服务中心的家庭医生签约只是走形式",
        )),
        ("药品和医保药", (
            "医院开的药在外面药店便宜很多，怀疑医院药价虚高",
            "慢性病的药社区医院经常断货，只能去大医院开",
        )),
    ],
    "市场监管": [
        ("食品安全", (
            "在{shop}买的面包过期了还在卖，吃了之后肚子疼",
            "{road}一家餐馆用地沟油，后厨卫生很差，还有老鼠",
            "超市销售的猪肉没有检疫证明，怀疑是病死猪肉",
        )),
        ("虚假宣传和价格欺诈", (
            "{platform}宣传的优惠价格是先涨价后打折，属于价格欺诈",
            "保健品店给老人开讲座虚假宣传，把普通食品说成能治病，卖了{money}元",
            "商家明码标价不规范，结账时价格比标签上贵",
        )),
        ("产品质量", (
            "买的电动车电池质量有问题，充电时起火，商家不认账",
            "燃气热水器有安全隐患，厂家不召回",
            "装修用的板材甲醛严重超标，要求检测和处理",
        )),
        ("计量和特种设备", (
            "菜市场有摊贩用鬼秤，一斤少了好几两",
            "{estate}电梯经常困人，维保单位敷衍，特种设备检验过期了",
            "加油站加油机计量不准，加满油比油箱容量还多",
        )),
        ("营业执照和无证经营", (
            "{road}有商户没有营业执照无证经营，还卖三无产品",
            "办理营业执照变更手续太麻烦，网上办理系统老出错",
        )),
        ("药品和医疗器械销售", (
            "药店销售处方药不需要处方，还推销高价药",
            "网上买的医疗器械是假冒伪劣产品",
        )),
        ("商标和知识产权", (
            "市场上有人销售假冒名牌的鞋子和包，侵犯商标权",
            "我们公司的专利产品被人仿冒，希望市场监管部门查处",
        )),
    ],
    "公安政法": [
        ("治安和盗窃", (
            "{estate}最近电动车被盗了好几辆，监控是坏的，希望派出所加强巡逻",
            "家里被盗，报警后{months}个月了没有任何进展",
            "{road}经常有小偷扒窃，晚上治安很差",
        )),
        ("诈骗", (
            "接到自称公检法的电话，被骗转账{money}元，已经报案但是追不回来",
            "在网上刷单被骗，对方把我拉黑了，请公安机关立案",
            "老人被人以投资养老项目为名骗走积蓄",
        )),
        ("户籍和身份证", (
            "办理户口迁移到{street}需要什么手续，派出所说材料不全",
            "身份证丢失补办，派出所让我回户籍地办理，能不能异地办",
            "孩子出生入户，因为父母没有结婚证上不了户口",
        )),
        ("违停和交通违法", (
            "{road}两边长期有车辆乱停乱放，交警贴了罚单还是照停",
            "有人在小区里开摩托车飙车，声音很大，还有人无证驾驶",
            "电动车被交警扣了，处理流程太长，要求尽快归还",
        )),
        ("扰民和打架", (
            "楼上邻居经常半夜吵架摔东西，报警后民警调解无效",
            "{shop}门口经常有人聚众喝酒闹事，打架斗殴",
        )),
        ("黄赌毒", (
            "{road}有一家按摩店疑似卖淫嫖娼，希望公安部门查处",
            "{estate}一套出租屋里经常有人聚众赌博，进出人员复杂",
        )),
        ("法律援助和司法", (
            "法院判决生效{months}个月了，被执行人还是不履行，申请强制执行没有进展",
            "想申请法律援助打劳务官司，司法所说不符合条件",
            "律师收了代理费不办事，向司法局投诉",
        )),
    ],
    "民政": [
        ("低保和救助", (
            "家里老人长期卧床，家庭困难，申请低保被社区驳回，要求重新审核",
            "低保评定不公平，有的人开着车还吃低保",
            "因病致贫，申请临时救助需要什么材料",
        )),
        ("养老服务", (
            "{community}的长者饭堂饭菜质量下降，老人意见很大",
            "公办养老院排队要{n}年，民办养老院一个月要{money}元，太贵了",
            "高龄津贴今年还没有发放，{n}岁的老人一直在问",
        )),
        ("婚姻登记", (
            "婚姻登记处预约不上，想在特殊日子登记结婚",
            "办理离婚登记需要冷静期吗？需要带什么证件",
        )),
        ("残疾人和困境儿童", (
            "残疾人两项补贴申请了{months}个月还没有批下来",
            "孤儿和困境儿童的生活补助标准是多少",
            "残疾证评级不合理，要求重新鉴定",
        )),
        ("殡葬", (
            "殡仪馆收费太高，骨灰盒和墓地价格离谱",
            "公墓管理混乱，清明节祭扫秩序差",
        )),
        ("社区和社会组织", (
            "社区居委会换届选举不公开，居民有意见",
            "退役军人优待证怎么申请，优抚金标准是多少",
            "社会组织登记需要哪些材料",
        )),
        ("地名和区划", (
            "小区门牌号编排混乱，快递和外卖都找不到地方，希望重新编门牌",
            "{community}和隔壁社区的管辖范围划分不清，办事互相推诿",
        )),
    ],
}
# fmt: on

OPENINGS = (
    "尊敬的领导：您好！",
    "领导您好，",
    "你好，",
    "您好！",
    "",
    "",
    "我要反映一个问题：",
    "市民来电反映：",
    "来电人反映，",
    "网友留言：",
    "各位领导好，",
    "请问",
)
INTRODUCTIONS = (
    "我是{place}{estate}的居民，",
    "本人住在{place}{community}，",
    "我是在{place}工作的外地人，",
    "我家住{road}{n}号，",
    "{place}{road}附近，",
    "",
    "",
    "",
)
TIMES = (
    "从{months}月份开始，",
    "{year}年{m}月{d}日，",
    "最近一段时间，",
    "今天上午，",
    "昨天晚上{hour}点左右，",
    "已经持续{months}个月了，",
    "",
    "",
)
DEMANDS = (
    "希望相关部门尽快处理！",
    "请有关部门给个说法。",
    "恳请领导重视，尽快解决。",
    "请问这种情况该找哪个部门？",
    "希望政府部门管一管。",
    "诉求：要求尽快核实处理并回复。",
    "已经反映过多次，一直没有解决，这次希望能真正落实。",
    "谢谢！",
    "",
    "",
)
# Narrative that says nothing about the category: long real messages are full of it.
FILLERS = (
    "这个问题已经存在很久了，我们多次向物业和社区反映，都说不归他们管，让我们找街道，街道又说要找相关部门，来回推诿。",
    "之前也打过12345热线，工作人员说会转交处理，但是到现在都没有任何回复，问题依然存在。",
    "我们都是普通老百姓，上有老下有小，实在是没有办法了才写这封信，希望领导能够体谅我们的难处。",
    "周边很多居民对此意见很大，大家都在业主群里讨论，有人说要集体上访，我觉得还是先通过正规渠道反映。",
    "现在网上都在说要优化营商环境、为民办实事，可是到了我们这里就是没人管，实在让人寒心。",
    "附件里有照片和视频可以作为证据，具体地址可以到现场核实，我随时可以配合调查。",
    "听说其他区已经有好的做法了，为什么我们这里不能参照执行？希望能够一视同仁。",
    "上个月社区的工作人员来看过一次，拍了照片就走了，说会上报，之后就再也没有消息。",
)
CONTACTS = ("联系电话：{phone}", "电话{phone}", "我的手机号{phone}，请回电。", "", "", "", "")
# Typos a hurried caller or operator makes (homophones, missing characters).
TYPOS = {
    "的": "得",
    "在": "再",
    "已经": "以经",
    "反映": "反应",
    "噪音": "燥音",
    "希望": "希往",
    "部门": "部们",
    "没有": "没由",
    "处理": "处里",
    "投诉": "投述",
}


@dataclass(frozen=True)
class SampleMessage:
    text: str
    category: str
    topic: str


def _fill(template: str, rng: random.Random) -> str:
    values = {
        "place": rng.choice(ANONYMISED_PLACES) if rng.random() < 0.2 else "荔湾区" + rng.choice(STREETS),
        "street": rng.choice(STREETS),
        "road": rng.choice(ROADS),
        "estate": rng.choice(ESTATES),
        "community": rng.choice(COMMUNITIES),
        "shop": rng.choice(SHOPS),
        "company": rng.choice(COMPANIES),
        "school": rng.choice(SCHOOLS),
        "hospital": rng.choice(HOSPITALS),
        "bus": rng.choice(BUSES),
        "platform": rng.choice(PLATFORMS),
        "n": str(rng.randint(2, 60)),
        "money": str(rng.choice((200, 500, 800, 1200, 3000, 5000, 12000, 38000, 150000))),
        "months": str(rng.randint(2, 11)),
        "time": rng.choice(("11点", "12点", "凌晨1点", "凌晨2点", "晚上10点半", "23:30")),
        "year": str(rng.choice((2019, 2020, 2021, 2022, 2023, 2024, 2025))),
        "m": str(rng.randint(1, 12)),
        "d": str(rng.randint(1, 28)),
        "hour": str(rng.randint(7, 11)),
        "phone": "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9)),
    }
    return template.format(**values)


def _add_noise(text: str, rng: random.Random) -> str:
    if rng.random() < 0.25:
        for right, wrong in rng.sample(list(TYPOS.items()), 2):
            text = text.replace(right, wrong, 1)
    if rng.random() < 0.15:  # dictated without punctuation
        text = text.replace("，", " ").replace("。", " ")
    if rng.random() < 0.1:  # full-width digits from an old input method
        text = text.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    if rng.random() < 0.15:  # pasted from a form with line breaks
        position = rng.randint(0, max(0, len(text) - 1))
        text = text[:position] + "\n\t\t" + text[position:]
    if rng.random() < 0.05:
        text = text + rng.choice(("！！！", "。。。", "??", "急！", "[抓狂]"))
    return text


def _compose(category: str, rng: random.Random) -> tuple[str, str]:
    subject, details = rng.choice(TOPICS[category])
    chosen = rng.sample(details, k=rng.choice((1, 1, 1, 2)) if len(details) > 1 else 1)
    body = "，".join(_fill(detail, rng) for detail in chosen)
    # A sentence borrowed from another category: real callers mention several problems.
    if rng.random() < 0.2:
        other = rng.choice([name for name in CATEGORIES if name != category])
        _, other_details = rng.choice(TOPICS[other])
        body += "，另外" + _fill(rng.choice(other_details), rng)
    narrative = "".join(rng.sample(FILLERS, k=rng.choice((1, 2, 3)))) if rng.random() < 0.35 else ""
    parts = [
        rng.choice(OPENINGS),
        _fill(rng.choice(INTRODUCTIONS), rng),
        _fill(rng.choice(TIMES), rng),
        body + "。",
        narrative,
        rng.choice(DEMANDS),
        _fill(rng.choice(CONTACTS), rng),
    ]
    text = "".join(parts)
    if rng.random() < 0.3:  # message boards keep the subject line above the details
        text = f"关于{subject}的问题 " + text
    elif rng.random() < 0.1:  # the shortest hotline records are just the subject
        text = _fill(rng.choice(INTRODUCTIONS), rng) + subject
    return _add_noise(text, rng), subject


def generate_messages(
    count: int, *, seed: int = 0, categories: Sequence[str] = CATEGORIES, label_noise: float = 0.03
) -> list[SampleMessage]:
    """``count`` messages, deterministic for a given seed.

    ``label_noise`` is the share of messages filed under a neighbouring category, as
    happens in real dispatch histories.
    """
    rng = random.Random(seed)
    names = list(categories)
    weights = [CATEGORY_WEIGHTS.get(name, 0.05) for name in names]
    messages = []
    for _ in range(count):
        category = rng.choices(names, weights=weights)[0]
        text, subject = _compose(category, rng)
        label = category
        if rng.random() < label_noise:
            neighbours = [name for name in NEIGHBOURS.get(category, ()) if name in names]
            if neighbours:
                label = rng.choice(neighbours)
        messages.append(SampleMessage(text=text, category=label, topic=subject))
    return messages
