"""The app's words in Chinese and English.

Lever meanings, units and ranges come from the model's units field; this
module only translates them and says how a slider shows a value (percent,
multiple or choice).  A test checks that every lever, sector, indicator and
region has both languages.
"""
from __future__ import annotations

import re

LANGUAGES = {"zh": "中文", "en": "English"}

TEXT = {
    "title": ("创新政策情景模拟", "Innovation-policy scenarios"),
    "subtitle": ("宁波、慈溪、余姚创新体系系统动力学模型：调整杠杆，查看目标达成情况。",
                 "A system-dynamics model of the innovation systems of Ningbo, Cixi and Yuyao: move the levers, "
                 "see which targets are met."),
    "language": ("语言", "Language"),
    "region": ("地区", "Region"),
    "scenario": ("情景", "Scenario"),
    "reset": ("恢复该情景的设置", "Reset to scenario"),
    "adjusted": ("（已调整）", "(adjusted)"),
    "levers": ("政策杠杆", "Policy levers"),
    "from_year": ("起始年份", "From year"),
    "from_year_help": ("该取值从这一年起生效；此前沿用规划值。", "The value applies from this year on; "
                       "before it the plan's value holds."),
    "schedule_kept": ("按情景文件的时间表：", "Scheduled by the scenario file: "),
    "upload": ("上传情景文件（TOML）", "Upload a scenario file (TOML)"),
    "upload_ok": ("已载入情景：", "Loaded scenario: "),
    "upload_error": ("情景文件有误：", "The scenario file has a problem: "),
    "upload_other_region": ("该情景适用于：{regions}；杠杆已应用于当前地区。",
                            "The scenario is for {regions}; its levers are applied to the current region."),
    "expert_parameters": ("专家参数（来自情景文件）", "Expert parameters (from the scenario file)"),
    "scorecard": ("目标达成情况", "Target scorecard"),
    "scorecard_caption": ("当前设置与规划情景在目标年份的预测值。倍增目标按2020年基期值判断。",
                          "Projected values in each target year, current settings against the plan. "
                          "Doublings are judged against 2020."),
    "met_count": ("已达成 {met} / {total} 项建模目标（规划情景：{plan_met}）",
                  "{met} of {total} modelled targets met (plan: {plan_met})"),
    "slipped": ("相对规划情景未能达成：", "Missed now, met in the plan: "),
    "gained": ("相对规划情景新达成：", "Met now, missed in the plan: "),
    "not_modelled": ("未建模的目标（平台、荣誉等数量）", "Targets not modelled (platform and designation counts)"),
    "charts": ("指标走势", "Indicators over time"),
    "chart_indicators": ("选择指标", "Indicators"),
    "chart_legend": ("实线：当前设置；虚线：规划情景；圆点：观测值（空心为下限）；菱形：目标",
                     "Solid: current settings; dashed: plan; dots: observed (hollow: lower bound); "
                     "diamonds: targets"),
    "compare": ("情景比较", "Compare scenarios"),
    "save_name": ("保存当前设置为", "Save the current settings as"),
    "save": ("保存", "Save"),
    "saved_full": ("最多比较四个情景；请先删除一个。", "Up to four scenarios can be compared; remove one first."),
    "remove": ("删除", "Remove"),
    "compare_indicator": ("比较指标", "Indicator to compare"),
    "compare_empty": ("保存当前设置后即可在此比较（最多四个）。", "Save the current settings to compare them here "
                      "(up to four)."),
    "downloads": ("下载", "Downloads"),
    "download_csv": ("预测表（CSV）", "Projection table (CSV)"),
    "download_xlsx": ("报告工作簿（Excel）", "Report workbook (Excel)"),
    "download_toml": ("当前设置（情景 TOML）", "Current settings (scenario TOML)"),
    "page_planner": ("情景分析", "Scenarios"),
    "page_model": ("模型结构", "Model"),
    "page_calibration": ("模型校准", "Calibration"),
    "current": ("当前设置", "Current settings"),
    "plan": ("规划情景", "Plan"),
    "observed": ("观测值", "Observed"),
    "target": ("目标", "Target"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "indicator": ("指标", "Indicator"),
    "target_value": ("目标值", "Target"),
    "now": ("当前设置", "Current"),
    "gap": ("差距", "Gap"),
    "status": ("状态", "Status"),
    "first_year": ("首次达成", "First met"),
    "clause": ("依据", "Source"),
    "estimate": ("估计值（依据见 model/regions.csv）", "an estimate (reasoning in model/regions.csv)"),
    "default_source": ("默认值依据：", "Default from: "),
    "per_year": ("每年", "per year"),
    "points_per_year": ("百分点/年", "points a year"),
    "times": ("倍", "×"),
    "model_intro": ("模型为一个 Vensim 文件（model/innovation_system.mdl），由 PySD 运行。下图取自 PySD 的依赖关系图。",
                    "The model is one Vensim file (model/innovation_system.mdl), run by PySD. The diagrams are "
                    "drawn from the dependency graph PySD exposes."),
    "loops": ("反馈回路", "Feedback loops"),
    "sector_map": ("部门结构", "Sectors"),
    "sector_pick": ("查看部门内部结构", "Show the structure of a sector"),
    "stocks_note": ("方框：存量；椭圆：辅助变量与流量；菱形：杠杆", "Boxes: stocks; ellipses: auxiliaries and "
                    "flows; diamonds: levers"),
    "parameters": ("参数与来源", "Parameters and sources"),
    "levers_table": ("政策杠杆", "Levers"),
    "region_table": ("地区数据", "Region data"),
    "param_table": ("通用参数", "Parameters"),
    "calibration_intro": ("历史模式：模型按观测数据拟合（惩罚加权最小二乘）。此处为拟合统计和拟合值与观测值对比。",
                          "History mode: the model fitted to the observed data (penalised weighted least "
                          "squares). Fit statistics and fitted against observed."),
    "calibration_none": ("该地区尚无校准结果。", "No calibration for this region yet."),
    "fitted_parameters": ("校准参数", "Calibrated parameters"),
    "fit_stats": ("拟合统计", "Fit statistics"),
    "plan_mode": ("规划模式：规划隐含的假设", "Plan mode: what the plan assumes"),
    "model_line": ("模型（历史路径）", "Model (history path)"),
    "fan_toggle": ("显示不确定性区间", "Show the uncertainty fan"),
    "fan_caption": ("阴影：参数不确定性下 {n} 次蒙特卡洛模拟的 5–95% 与 25–75% 区间（拉丁超立方抽样）。",
                    "Shading: the 5-95 % and 25-75 % bands of {n} Monte Carlo runs over the parameters' "
                    "uncertainty (Latin hypercube)."),
    "band90": ("5–95%区间", "5-95 % band"),
    "band50": ("25–75%区间", "25-75 % band"),
    "probability": ("达成概率", "Chance met"),
    "probability_help": ("达成概率：在参数不确定性下 {n} 次模拟中达成该目标的比例（校准参数按标准误、其余按文献范围抽样）。",
                         "Chance met: the share of {n} runs over the parameters' uncertainty that meet the target "
                         "(calibrated parameters drawn around their fits with their standard errors, the others "
                         "over their literature ranges)."),
    "analysis": ("深入分析", "Deeper analysis"),
    "goal_tab": ("需要多大力度", "What it takes"),
    "sensitivity_tab": ("关键因素", "What matters"),
    "attribution_tab": ("贡献分解", "What does the work"),
    "goal_intro": ("在其他设置不变的情况下，找出满足所选目标的某一杠杆的最小取值（杠杆取值从侧栏所选起始年份{year}年起生效）。",
                   "The smallest value of one lever that meets the chosen targets, everything else as now (the "
                   "value applies from the sidebar's year, {year})."),
    "goal_targets": ("目标", "Targets"),
    "goal_lever": ("调整的杠杆", "Lever to adjust"),
    "goal_found": ("{lever} 至少需要 {value}，可满足：{goals}。", "{lever} needs at least {value} to meet: {goals}."),
    "goal_unreachable": ("在 {lever} 的取值范围（{low}–{high}）内无法满足：{goals}。最接近的取值 {best} 可达到：{achieved}。",
                         "Not reachable within the range of {lever} ({low} to {high}): {goals}. The closest value, "
                         "{best}, reaches {achieved}."),
    "goal_found_max": ("{lever} 最多可为 {value}，仍可满足：{goals}。", "{lever} can be at most {value} and still "
                       "meet: {goals}."),
    "goal_confidence": ("达成把握", "Required chance"),
    "goal_confidence_help": ("“中心预测”：按校准参数的单次预测达成；百分比：在参数不确定性下的{n}次模拟中，每个目标至少有该比例达成。",
                             "Central: met on the projection with the calibrated parameters. A percentage: each "
                             "target met in at least that share of {n} runs over the parameters' uncertainty."),
    "central": ("中心预测", "Central"),
    "goal_apply": ("应用该取值（按滑块步长取整，仍满足目标）", "Apply this value (rounded to the slider's step, "
                   "on the side that still meets the targets)"),
    "goal_pick": ("请选择至少一个目标。", "Choose at least one target."),
    "sens_intro": ("Sobol 全局敏感性分析：每个因素对目标年份指标方差的贡献（总效应 ST 为柱，含95%置信区间；一阶效应 S1 为红色刻度）。",
                   "Sobol global sensitivity: each factor's share of the indicator's variance in its target year "
                   "(bars: total effect ST with 95 % intervals; red ticks: first-order S1)."),
    "sens_factors": ("因素", "Factors"),
    "sens_levers": ("政策杠杆（滑块范围内均匀抽样）", "Levers (uniform over their slider ranges)"),
    "sens_parameters": ("模型参数（校准值±2个标准误或文献范围）", "Parameters (calibrated ±2 standard errors, or "
                        "literature ranges)"),
    "sens_output": ("指标与目标年份", "Indicator and target year"),
    "sens_run": ("计算敏感性（约 {runs} 次模拟）", "Compute the sensitivity (about {runs} runs)"),
    "sens_done": ("{runs} 次模拟；基础样本 N={n}。置信区间宽时，结论只看排序。",
                  "{runs} runs; base sample N={n}. Where intervals are wide, trust the ranking only."),
    "sobol_axis": ("Sobol 指数（方差占比）", "Sobol index (share of variance)"),
    "attr_intro": ("当前设置相对规划情景的差异如何分摊到各个杠杆：柱为 Shapley 分解（各杠杆贡献之和等于总差异），黑色刻度为单独调整该杠杆的效果。",
                   "How the current settings' difference from the plan splits among the levers: bars are the "
                   "Shapley split (the contributions add up to the whole difference), black ticks each lever "
                   "moved alone."),
    "attr_none": ("当前设置与规划相同；调整杠杆或选择其他情景后，这里将显示各杠杆的贡献。",
                  "The current settings are the plan's; move a lever or choose another scenario to see what each "
                  "lever contributes."),
    "attr_year": ("年份", "Year"),
    "attr_indicator": ("指标", "Indicator"),
    "attr_total": ("规划 {plan}，当前 {now}，差异 {diff}", "Plan {plan}, now {now}, difference {diff}"),
    "one_at_a_time": ("单独调整", "alone"),
    "contribution_axis": ("对差异的贡献", "Contribution to the difference"),
}

VERDICTS = {"met on the evidence": "按现有证据即可达成", "met if the parameters move": "参数调整后可达成",
            "reachable alone, not with the others": "单独可达，但与其他目标不能同时达成",
            "cannot be met within the literature ranges": "在文献取值范围内无法达成"}
POLARITY = {"reinforcing": ("增强回路", "reinforcing"), "balancing": ("调节回路", "balancing")}
COLUMNS = {"id": ("代码", "id"), "unit": ("单位", "unit"), "range": ("范围", "range"),
           "variable": ("变量", "variable"), "parameter": ("参数", "parameter"), "value": ("取值", "value"),
           "source": ("来源", "source"), "note": ("说明", "note"), "series": ("序列", "series"),
           "calibrated": ("校准值", "calibrated"), "standard error": ("标准误", "standard error"),
           "estimate": ("先验估计", "estimate"), "history": ("历史参数下", "with history parameters"),
           "plan": ("规划参数下", "with plan parameters"), "verdict": ("结论", "verdict"), "year": ("年份", "year"),
           "indicator": ("指标", "indicator")}


def column(name: str, language: str) -> str:
    return pick(COLUMNS.get(name, (name, name)), language)


def verdict(text: str, language: str) -> str:
    return VERDICTS.get(text, text) if language == "zh" else text


STATUS = {"met": ("达成", "Met"), "missed": ("未达成", "Missed"), "not modelled": ("未建模", "Not modelled"),
          "beyond horizon": ("超出期限", "Beyond horizon")}

REGIONS = {"ningbo": ("宁波市", "Ningbo"), "cixi": ("慈溪市", "Cixi"), "yuyao": ("余姚市", "Yuyao")}

SECTORS = {
    "Economy drivers": "经济驱动", "Output and productivity": "产出与生产率",
    "Fiscal S&T and talent spending": "财政科技与人才投入", "Enterprise R&D": "企业研发",
    "Total R&D and knowledge": "全社会研发与知识", "Talent": "人才", "Firms": "科技企业",
    "Industry structure": "产业结构", "Patents": "专利", "Digital economy and S&T services": "数字经济与科技服务",
    "Control": "仿真控制",
}

DOCUMENTS = {
    "000_9b4e3ac1528e934b.txt": ("宁波《栽树工程》决定（2020）", "Ningbo decision (2020)"),
    "001_e53ce0a888d3501c.txt": ("宁波《栽树工程》决定（2020）", "Ningbo decision (2020)"),
    "002_c8110b25b5d1b7b9.txt": ("宁波“315”实施方案（2023—2027）", "Ningbo 315 plan (2023-2027)"),
    "003_f0db775e66ffb153.txt": ("慈溪市委决定（2020）", "Cixi decision (2020)"),
    "004_2085ded2292911b0.txt": ("余姚市委决定（2020）", "Yuyao decision (2020)"),
}

# How each lever is shown: percent (value x 100), points (a growth margin, x 100), times, or choice.
LEVERS = {
    "fiscal_st_growth_rule": ("财政科技经费增长规则", "Fiscal S&T growth rule", "choice"),
    "fiscal_st_growth_rate": ("财政科技经费年增长率", "Fiscal S&T spending growth", "percent"),
    "fiscal_st_growth_margin": ("财政科技经费增幅高于经常性收入", "Fiscal S&T growth above revenue growth", "points"),
    "fiscal_talent_growth_rule": ("人才经费增长规则", "Talent spending growth rule", "choice"),
    "fiscal_talent_growth_rate": ("人才经费年增长率", "Talent spending growth", "percent"),
    "fiscal_talent_growth_margin": ("人才经费增幅高于经常性收入", "Talent growth above revenue growth", "points"),
    "enterprise_support_share": ("科技经费中企业支持比例", "Share of S&T money paid to firms", "percent"),
    "public_research_share": ("科技经费中公共研究比例", "Share of S&T money for public research", "percent"),
    "top_talent_programme_share": ("人才经费中顶尖人才项目比例", "Share of talent money for top talent", "percent"),
    "leading_talent_programme_share": ("人才经费中领军人才项目比例", "Share of talent money for leading talent",
                                       "percent"),
    "skills_training_share": ("人才经费中高技能培训比例", "Share of talent money for skills training", "percent"),
    "additional_rd_ambition": ("企业研发强度额外增速", "Extra growth of firms' R&D ambition", "points"),
    "super_deduction_rate": ("研发费用加计扣除比例", "R&D super-deduction", "percent"),
    "basic_research_share_of_public_rd": ("公共研发中基础研究比例", "Basic research in public R&D", "percent"),
    "talent_attraction_multiplier": ("人才流入强度", "Talent inflow", "times"),
    "digital_economy_policy_multiplier": ("数字经济政策力度", "Digital-economy policy strength", "times"),
    "inflation_rate": ("GDP平减指数年涨幅（情景假设）", "GDP deflator growth (assumption)", "percent"),
    "economic_growth": ("实际GDP年增长率（情景假设）", "Real GDP growth (assumption)", "percent"),
    "revenue_growth_surprise": ("财政收入超预期增幅（情景假设）", "Revenue growth beyond GDP (assumption)", "points"),
}
LEVER_HELP_ZH = {
    "fiscal_st_growth_rule": "0＝按固定年增长率；1＝按经常性财政收入增幅加若干百分点（慈溪规则）。",
    "fiscal_st_growth_rate": "固定增长规则下，财政科技经费每年增长的比例。",
    "fiscal_st_growth_margin": "挂钩规则下，科技经费增幅高于经常性收入增幅的百分点。",
    "fiscal_talent_growth_rule": "0＝按固定年增长率；1＝按经常性财政收入增幅加若干百分点。",
    "fiscal_talent_growth_rate": "固定增长规则下，人才经费每年增长的比例。",
    "fiscal_talent_growth_margin": "挂钩规则下，人才经费增幅高于经常性收入增幅的百分点。",
    "enterprise_support_share": "财政科技经费中以研发补助、后补助、高企奖励拨付企业的比例。",
    "public_research_share": "财政科技经费中用于高校、院所、实验室和平台的比例。",
    "top_talent_programme_share": "人才经费中用于顶尖人才项目的比例。",
    "leading_talent_programme_share": "人才经费中用于科技领军人才项目的比例。",
    "skills_training_share": "人才经费中用于高技能人才培训的比例。",
    "additional_rd_ambition": "企业自主研发强度意愿在历史趋势之外每年额外提高的百分点（研发投入专项行动等）。",
    "super_deduction_rate": "研发费用税前加计扣除比例：2017年前50%，2018年起75%，制造业2021年起、全部企业2023年起100%。",
    "basic_research_share_of_public_rd": "高校院所研发中用于基础研究的比例。",
    "talent_attraction_multiplier": "人才（毕业生、博士、研发人员、人才项目）流入相对规划的倍数；0.5 即减半。",
    "digital_economy_policy_multiplier": "数字经济政策（新基建、工业互联网、软件园等）相对2020年的力度。",
    "inflation_rate": "GDP平减指数的年涨幅，属情景假设而非政策。",
    "economic_growth": "实际GDP年增长率，属情景假设而非政策；2025年前按统计公报。",
    "revenue_growth_surprise": "经常性财政收入增幅中超出GDP弹性部分的百分点，属情景假设而非政策；2025年前按决算。",
}
CHOICES = {"fiscal_st_growth_rule": {0: ("固定年增长率", "Fixed annual rate"),
                                     1: ("经常性收入增幅加点", "Revenue growth plus a margin")},
           "fiscal_talent_growth_rule": {0: ("固定年增长率", "Fixed annual rate"),
                                         1: ("经常性收入增幅加点", "Revenue growth plus a margin")}}


def pick(pair, language: str) -> str:
    return pair[0] if language == "zh" else pair[1]


def t(key: str, language: str, **values) -> str:
    text = pick(TEXT[key], language)
    return text.format(**values) if values else text


def lever_label(lever, language: str) -> str:
    return pick(LEVERS[lever.id][:2], language)


def lever_display(lever) -> str:
    return LEVERS[lever.id][2]


def display_scale(lever) -> int:
    """How a slider shows a lever's value: percent and points levers x 100, the others as they are."""
    return 100 if lever_display(lever) in ("percent", "points") else 1


COMPARATORS = {">=": "≥", ">": ">", "<=": "≤", "=": "≈"}


def target_text(comparator: str, value: float, unit: str) -> str:
    """A target as the scorecard shows it, e.g. '≥ 3.75 %'."""
    return f"{COMPARATORS[comparator]} {value:g} {unit}"


def lever_unit(lever, language: str) -> str:
    display = lever_display(lever)
    if display == "percent":
        return "%/年" if language == "zh" and lever.unit == "1/Year" else ("%/yr" if lever.unit == "1/Year" else "%")
    if display == "points":
        return t("points_per_year", language)
    if display == "times":
        return t("times", language)
    return ""


def describe_source(source: str, language: str) -> str:
    """A region-data source made readable: a document clause, an estimate, or an address."""
    if source == "estimate":
        return t("estimate", language)
    match = re.match(r"seed:(\S+) clause (\S+)", source)
    if match:
        doc = pick(DOCUMENTS.get(match.group(1), (match.group(1), match.group(1))), language)
        return f"{doc} 第{match.group(2)}条" if language == "zh" else f"{doc}, clause {match.group(2)}"
    return source


def lever_help(lever, region: str, language: str) -> str:
    meaning = LEVER_HELP_ZH[lever.id] if language == "zh" else lever.description
    return f"{meaning}  \n{t('default_source', language)}{describe_source(lever.sources[region], language)}"


def sector(name: str, language: str) -> str:
    return SECTORS.get(name, name) if language == "zh" else name


def status(value: str, language: str) -> str:
    return pick(STATUS.get(value, (value, value)), language)


def region(name: str, language: str) -> str:
    return pick(REGIONS[name], language)


def document(name: str, language: str) -> str:
    return pick(DOCUMENTS.get(name, (name, name)), language)
