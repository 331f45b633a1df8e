"""The app's words in Chinese and English.

Only the app's own words live here.  The names of the model's variables and
levers, and how a slider shows them, are data (``model/labels.csv``, read by
``names``); regions come from the region data.  Tests check that every key
has both languages and that every lever, sector, unit and document has a name.
"""
from __future__ import annotations

import re

LANGUAGES = {"zh": "中文", "en": "English"}

TEXT = {
    "title": ("创新政策情景模拟", "Innovation-policy scenarios"),
    "language": ("语言", "Language"),
    "region": ("地区", "Region"),
    "scenario": ("情景", "Scenario"),
    "reset": ("恢复该情景的设置", "Reset to the scenario"),
    "undo": ("撤销上一步", "Undo the last change"),
    "adjusted": ("（已调整）", " (adjusted)"),
    "levers": ("政策杠杆", "Policy levers"),
    "from_year": ("杠杆生效年份", "Levers apply from"),
    "from_year_help": ("杠杆调整从这一年起生效。{until}年及以前按实际（观测）值运行，无法改变，所以最早为{first}年。",
                       "Lever changes apply from this year on. Up to {until} every run follows what was observed, "
                       "which no setting can change, so the earliest is {first}."),
    "schedule_kept": ("按时间表：", "Scheduled: "),
    "upload": ("上传情景文件（TOML，≤1 MB）", "Upload a scenario file (TOML, ≤ 1 MB)"),
    "upload_button": ("上传", "Upload"),
    "upload_hint": ("TOML 纯文本，不超过 1 MB", "TOML plain text, up to 1 MB"),
    "upload_ok": ("已载入情景：", "Loaded scenario: "),
    "upload_error": ("情景文件有误：", "The scenario file has a problem: "),
    "upload_run_error": ("该情景无法运行：", "The scenario cannot run: "),
    "upload_other_region": ("该情景适用于：{regions}；其杠杆已应用于当前地区。",
                            "The scenario is for {regions}; its levers are applied to the current region."),
    "link_error": ("链接中的部分设置无效，已忽略：", "Part of the link's settings is not valid and was left out: "),
    "expert_parameters": ("专家参数（来自情景文件）", "Expert parameters (from the scenario file)"),
    "lever_reset": ("恢复", "Reset"),
    "lever_reset_help": ("恢复为情景取值：{value}", "Back to the scenario's value: {value}"),
    "plan_marker": ("刻度线为规划值：{value}", "The tick marks the plan's value: {value}"),
    "inert_switch": ("在当前规则（{switch}：{now}）下此杠杆不起作用；把该规则改为“{other}”后才会生效。",
                     "Under the current rule ({switch}: {now}) this lever does nothing; it acts once the rule is "
                     "set to '{other}'."),
    "inert_other": ("在当前设置下此杠杆不影响任何指标。", "Under the current settings this lever moves no indicator."),
    "share_sum": ("{group}合计：{total}（上限 {limit}）", "{group}: {total} in all (at most {limit})"),
    "share_clamped": ("{lever}已调整为 {value}：{group}合计不能超过 {limit}。",
                      "{lever} was set to {value}: {group} may add up to at most {limit}."),
    "scorecard": ("目标达成情况", "Target scorecard"),
    "open_caption": ("{first}年起的目标：当前设置、规划情景和“无新政策”（财政投入随收入增长、其余杠杆保持最近观测值）在目标年份的预测值；"
                     "政策增量＝当前设置－无新政策。倍增目标按基期值判断。",
                     "Targets from {first} on: the projection in each target year under the current settings, the "
                     "plan and no new policy (fiscal spending grows with revenue, the other levers stay at their "
                     "last observed values); policy adds = current settings less no new policy. Doublings are "
                     "judged against their base year."),
    "past_caption": ("目标年份已过（{until}年及以前）：有公布数据的按公布值判定并标明，没有的按模型估计并标明。杠杆不能再改变这些结果。",
                     "Target years that have passed (up to {until}): judged on the published figure where there is "
                     "one, marked, else on the model's estimate, marked as such. No lever can change them now."),
    "no_open_targets": ("{region}没有{first}年及以后的建模目标；下表为已过目标年份的判定。",
                        "{region} has no modelled target from {first} on; the table below judges the past ones."),
    "past_title": ("已过目标年份的目标（{until}年及以前，{n}项，{met}项达成）：按实际判定",
                   "Targets whose year has passed (up to {until}: {n}, {met} met), judged"),
    "metric_open": ("{first}年起的目标", "Targets from {first}"),
    "metric_past": ("已过目标年份（按实际判定）", "Past targets (judged)"),
    "metric_fragile": ("把握不足的结论", "Fragile verdicts"),
    "metric_met": ("{met} / {total} 项达成", "{met} of {total} met"),
    "metric_vs_plan": ("规划情景 {plan} 项", "plan: {plan}"),
    "metric_published": ("{n} 项按公布值", "{n} on published figures"),
    "metric_fragile_help": ("达成概率低于50%的“达成”，或高于50%的“未达成”：结论可能随参数不确定性而改变。",
                            "A 'met' whose chance is below 50 %, or a 'missed' whose chance is above 50 %: the "
                            "verdict may turn with the parameters' uncertainty."),
    "chances_pending": ("正在计算达成概率…", "Computing the chances…"),
    "slipped": ("相对规划情景未能达成：", "Missed now, met in the plan: "),
    "gained": ("相对规划情景新达成：", "Met now, missed in the plan: "),
    "not_modelled": ("未建模的目标（平台、荣誉等数量）", "Targets not modelled (platform and designation counts)"),
    "charts": ("指标走势", "Indicators over time"),
    "chart_indicators": ("选择指标", "Indicators"),
    "chart_legend": ("实线：当前设置；虚线：规划情景；红点：观测值（空心为下限）；绿色菱形：目标",
                     "Solid: current settings; dashed: plan; red dots: observed (hollow: a lower bound); green "
                     "diamonds: targets"),
    "choose": ("请选择", "Choose"),
    "compare": ("情景比较", "Compare scenarios"),
    "save_name": ("保存当前设置为", "Save the current settings as"),
    "save": ("保存", "Save"),
    "saved_ok": ("已保存：", "Saved: "),
    "saved_full": ("每个地区最多比较四个情景；请先删除一个。", "Up to four scenarios a region can be compared; remove one "
                   "first."),
    "name_taken": ("已有名为“{name}”的情景，请换一个名称。", "A scenario named '{name}' is already saved; choose another "
                   "name."),
    "name_empty": ("请填写名称。", "Give it a name."),
    "remove": ("删除", "Remove"),
    "compare_indicator": ("比较指标", "Indicator to compare"),
    "compare_empty": ("保存当前设置后即可在此比较（每个地区最多四个）。", "Save the current settings to compare them "
                      "here (up to four a region)."),
    "compare_met": ("达成目标", "Targets met"),
    "download_compare_csv": ("比较表（CSV）", "Comparison (CSV)"),
    "download_compare_xlsx": ("比较工作簿（Excel）", "Comparison workbook (Excel)"),
    "downloads": ("报告与下载", "Report and downloads"),
    "report_name": ("情景名称（用于报告和情景文件）", "Scenario name (for the report and the scenario file)"),
    "report_description": ("情景说明", "What the scenario asks"),
    "download_csv": ("预测表（CSV）", "Projection table (CSV)"),
    "download_xlsx": ("报告工作簿（Excel）", "Report workbook (Excel)"),
    "download_docx": ("一键生成简报（Word）", "Word brief, one click"),
    "download_toml": ("当前设置（情景 TOML）", "Current settings (scenario TOML)"),
    "page_planner": ("情景分析", "Scenarios"),
    "page_model": ("模型结构", "Model"),
    "page_calibration": ("模型校准", "Calibration"),
    "current": ("当前设置", "Current settings"),
    "plan": ("规划情景", "Plan"),
    "momentum": ("无新政策", "No new policy"),
    "observed": ("观测值", "Observed"),
    "target": ("目标", "Target"),
    "year": ("年份", "Year"),
    "value": ("数值", "Value"),
    "unit": ("单位", "Unit"),
    "indicator": ("指标", "Indicator"),
    "target_value": ("目标值", "Target"),
    "now": ("预测值", "Projected"),
    "policy_adds": ("政策增量", "Policy adds"),
    "gap": ("差距", "Gap"),
    "status": ("结论", "Verdict"),
    "first_year": ("首次达成", "First met"),
    "clause": ("依据", "Source"),
    "outcome": ("判定值", "Judged value"),
    "judged_on": ("判定依据", "Judged on"),
    "model_value": ("模型值", "Model"),
    "official_final": ("公布值", "published"),
    "official_preliminary": ("公布值（初步）", "published (preliminary)"),
    "official_lower_bound": ("公布值（下限）", "published (a lower bound)"),
    "model_estimate": ("模型估计（尚无公布数据）", "model estimate (nothing published)"),
    "base_estimated": ("基期为估计值", "base year estimated"),
    "fragile": ("把握不足", "fragile"),
    "estimate": ("估计值（依据见 model/regions.csv）", "an estimate (reasoning in model/regions.csv)"),
    "default_source": ("默认值依据：", "Default from: "),
    "model_intro": ("模型为一个 Vensim 文件（model/innovation_system.mdl），由 PySD 运行。下图取自 PySD 的依赖关系图。",
                    "The model is one Vensim file (model/innovation_system.mdl), run by PySD. The diagrams are "
                    "drawn from the dependency graph PySD exposes."),
    "loops": ("反馈回路", "Feedback loops"),
    "sector_map": ("部门结构", "Sectors"),
    "sector_pick": ("查看部门内部结构", "Show the structure of a sector"),
    "stocks_note": ("方框：存量；椭圆：辅助变量与流量；菱形：政策杠杆；八边形：参数；灰色：其他部门的变量",
                    "Boxes: stocks; ellipses: auxiliaries and flows; diamonds: policy levers; octagons: "
                    "parameters; grey: variables of other sectors"),
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
    "fit_summary": ("{created} · 观测值 {n} 个 · 数据拟合代价 {cost} · {method}",
                    "{created} · {n} observations · data cost {cost} · {method}"),
    "plan_mode": ("规划模式：规划隐含的假设", "Plan mode: what the plan assumes"),
    "ceiling_binds": ("{year}年起，科技与人才经费合计达到一般公共预算收入的{share}%（模型假设的财政承受上限，未经数据估计）："
                      "更高的增速会被压回上限，并挤占人才经费，所以财政科技增速的滑块在此之后作用很小。",
                      "From {year}, S&T and talent spending together reach {share} % of budget revenue (the model's "
                      "assumed fiscal ceiling, not estimated from data): faster growth is cut back to it and takes "
                      "room from talent spending, so the fiscal growth slider does little after that."),
    "coverage_title": ("观测记录覆盖（2015–2025，全部地区）", "The observed record (2015-2025, every region)"),
    "coverage_caption": ("每个点是记录中的一个年度值；空心点不计入覆盖（代理口径、被排除或非全年）。"
                         "下表列出未达到覆盖目标的序列（宁波核心序列≥8年，慈溪、余姚≥5年）。",
                         "Each dot is an annual figure in the record; hollow dots do not count (proxies, excluded "
                         "rows, partial years). The table lists the series below their coverage goal (Ningbo's "
                         "headline series 8 years or more, Cixi's and Yuyao's core series 5)."),
    "series_general_budget_expenditure": ("一般公共预算支出", "General budget expenditure"),
    "series_industrial_output": ("规上工业总产值", "Above-scale industrial output"),
    "series_new_tech_smes": ("新增科技型中小企业", "New tech SMEs"),
    "series_rd_expenditure_growth": ("R&D经费增长率", "R&D expenditure growth"),
    "fit_method": ("惩罚加权最小二乘", "penalised weighted least squares"),
    "coverage_ok": ("所有序列均达到覆盖目标。", "Every series meets its coverage goal."),
    "kind_final": ("终值", "final"),
    "kind_preliminary": ("初步值（预计）", "preliminary (预计)"),
    "kind_lower_bound": ("下限（突破/超过）", "lower bound (突破/超过)"),
    "kind_derived": ("由公布数推算", "derived from published figures"),
    "kind_proxy": ("代理口径或排除（不计入）", "proxy or excluded (not counted)"),
    "kind_partial_year": ("非全年（不计入）", "partial year (not counted)"),
    "model_line": ("实线：模型（历史路径）；红点：观测值", "Line: the model (history path); red dots: observed"),
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
    "goal_intro": ("在其他设置不变的情况下，找出满足所选目标的某一杠杆的最小取值（从{year}年起生效；目标年份已过的目标不在此列）。",
                   "The smallest value of one lever that meets the chosen targets, everything else as now (it "
                   "applies from {year}; targets whose year has passed are left out)."),
    "goal_none_left": ("{region}的建模目标都在{year}年以前，年份已过，杠杆已无法改变它们。",
                       "All of {region}'s modelled targets are for years before {year}; those years have passed, "
                       "and no lever can change them now."),
    "goal_targets": ("目标", "Targets"),
    "goal_lever": ("调整的杠杆", "Lever to adjust"),
    "goal_found": ("{lever} 至少需要 {value}，可满足：{goals}。", "{lever} needs at least {value} to meet: {goals}."),
    "goal_anywhere": ("即使{lever}取最低值 {value}，也能满足：{goals}。",
                      "Even at its lowest, {value}, {lever} meets: {goals}."),
    "goal_unreachable": ("在 {lever} 的取值范围（{low}–{high}）内无法满足：{goals}。最接近的取值 {best} 可达到：{achieved}。",
                         "Not reachable within the range of {lever} ({low} to {high}): {goals}. The closest value, "
                         "{best}, reaches {achieved}."),
    "goal_found_max": ("{lever} 最多可为 {value}，仍可满足：{goals}。", "{lever} can be at most {value} and still "
                       "meet: {goals}."),
    "goal_refused": ("无法求解：", "No answer: "),
    "goal_inert_note": ("灰色的杠杆在当前规则下不起作用，不在可选之列。", "Levers greyed out under the current rules "
                        "cannot be chosen."),
    "goal_confidence": ("达成把握", "Required chance"),
    "goal_confidence_help": ("“中心预测”：按校准参数的单次预测达成；百分比：在参数不确定性下的{n}次模拟中，每个目标至少有该比例达成。",
                             "Central: met on the projection with the calibrated parameters. A percentage: each "
                             "target met in at least that share of {n} runs over the parameters' uncertainty."),
    "central": ("中心预测", "Central"),
    "goal_apply": ("应用该取值（按滑块步长取整，仍满足目标）", "Apply this value (rounded to the slider's step, "
                   "on the side that still meets the targets)"),
    "goal_pick": ("请选择至少一个目标。", "Choose at least one target."),
    "goal_run": ("求解", "Find the value"),
    "goal_stale": ("设置已改变，上次的求解结果不再适用：请重新求解。",
                   "The settings have changed since the last answer, which no longer applies: find it again."),
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
    "sens_no_outputs": ("该情景的运行在任何目标年份之前结束，没有可分析的指标。", "The scenario's runs end before any "
                        "target year: there is nothing to analyse."),
    "run_too_short": ("该情景的运行在{end}年结束，早于杠杆生效的{first}年：杠杆不起作用，只能查看观测期的结果。",
                      "The scenario's runs end in {end}, before the levers apply in {first}: no lever acts, and "
                      "only the observed years can be shown."),
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
    "contribution_axis": ("对差异的贡献（{unit}）", "Contribution to the difference ({unit})"),
    "error_line": ("出错了：", "Something went wrong: "),
    "brief_title": ("情景简报", "Scenario brief"),
    "brief_made": ("{region} · 生成于 {date} · innosim {version} · 参数集 {pset}",
                   "{region} · made on {date} · innosim {version} · parameter set {pset}"),
    "brief_question": ("情景问题", "The question"),
    "brief_settings": ("设置", "Settings"),
    "brief_levers": ("与规划情景不同的杠杆（自{year}年起）", "Levers that differ from the plan (from {year})"),
    "brief_no_changes": ("所有杠杆均为规划情景取值。", "Every lever is at the plan's value."),
    "brief_headline": ("结论摘要", "Summary"),
    "brief_charts": ("指标走势", "Indicators over time"),
    "brief_clauses": ("目标依据（文件条款原文）", "Where the targets come from (the documents' clauses)"),
    "brief_method": ("方法说明", "Method"),
    "brief_method_text": ("预测来自 innosim 系统动力学模型；{until}年及以前按观测值运行，杠杆自{first}年起生效。达成概率为参数不确定性下 {n} "
                          "次蒙特卡洛模拟的达成比例；“无新政策”指财政投入随收入增长、其余杠杆保持最近观测值。",
                          "The projections come from innosim's system-dynamics model; runs follow what was observed "
                          "up to {until}, and the levers apply from {first}. The chance met is the share of {n} "
                          "Monte Carlo runs over the parameters' uncertainty that meet a target; no new policy "
                          "means fiscal spending grows with revenue and the other levers stay at their last "
                          "observed values."),
    "lever": ("杠杆", "Lever"),
    "plan_value": ("规划值", "Plan"),
    "current_value": ("当前取值", "Now"),
    "sheet_settings": ("设置", "Settings"),
    "sheet_scorecard": ("目标", "Scorecard"),
    "sheet_projections": ("预测", "Projections"),
    "sheet_comparison": ("比较", "Comparison"),
    "sheet_metadata": ("元数据", "Metadata"),
    "setting": ("项目", "Item"),
    "region_name": ("地区", "Region"),
    "scenario_name": ("情景名称", "Scenario"),
    "description": ("说明", "Description"),
    "parameter_set": ("参数集", "Parameter set"),
}

VERDICTS = {"met on the evidence": "按现有证据即可达成", "met if the parameters move": "参数调整后可达成",
            "reachable alone, not with the others": "单独可达，但与其他目标不能同时达成",
            "cannot be met within the literature ranges": "在文献取值范围内无法达成"}
POLARITY = {"reinforcing": ("增强回路", "reinforcing"), "balancing": ("调节回路", "balancing")}
COLUMNS = {"id": ("代码", "id"), "unit": ("单位", "unit"), "range": ("范围", "range"), "name": ("名称", "name"),
           "variable": ("变量", "variable"), "parameter": ("参数", "parameter"), "value": ("取值", "value"),
           "source": ("来源", "source"), "note": ("说明", "note"), "series": ("序列", "series"),
           "calibrated": ("校准值", "calibrated"), "standard error": ("标准误", "standard error"),
           "estimate": ("先验估计", "estimate"), "history": ("历史参数下", "with history parameters"),
           "plan": ("规划参数下", "with plan parameters"), "verdict": ("结论", "verdict"), "year": ("年份", "year"),
           "indicator": ("指标", "indicator"), "n": ("观测数", "n"), "region": ("地区", "region"),
           "years observed": ("观测年数", "years observed"), "goal": ("目标年数", "goal")}

STATUS = {"met": ("达成", "Met"), "missed": ("未达成", "Missed"), "not modelled": ("未建模", "Not modelled"),
          "beyond horizon": ("超出期限", "Beyond horizon"), "undecided": ("无法判定", "Undecided")}

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

COMPARATORS = {">=": "≥", ">": ">", "<=": "≤", "=": "≈"}


def pick(pair, language: str) -> str:
    return pair[0] if language == "zh" else pair[1]


def t(key: str, language: str, **values) -> str:
    text = pick(TEXT[key], language)
    return text.format(**values) if values else text


def choose(language: str) -> dict:
    """Streamlit's own words that a select box lets an app set: its placeholder."""
    return {"placeholder": t("choose", language)}


def sep(language: str) -> str:
    return "；" if language == "zh" else "; "


def column(name: str, language: str) -> str:
    return pick(COLUMNS.get(name, (name, name)), language)


def verdict(text: str, language: str) -> str:
    return VERDICTS.get(text, text) if language == "zh" else text


def status(value: str, language: str) -> str:
    return pick(STATUS.get(value, (value, value)), language)


def region(name: str, language: str) -> str:
    from innosim.core import data

    labels = getattr(data, "REGION_LABELS", {}).get(name)
    return labels.get(language, name) if labels else name.capitalize()


def sector(name: str, language: str) -> str:
    return SECTORS.get(name, name) if language == "zh" else name


def document(name: str, language: str) -> str:
    """A policy document's title (never its file name, which means nothing to a reader)."""
    pair = DOCUMENTS.get(name)
    if pair:
        return pick(pair, language)
    return re.sub(r"^\d+_[0-9a-f]+\.txt$", "政策文件" if language == "zh" else "policy document", name)


def clause(document_name: str, clause_text: str, language: str) -> str:
    return f"{document(document_name, language)} {clause_text}".strip()


SOURCE_WORDS = {"estimate": ("估计值", "estimate"), "definition": ("定义", "definition")}


def source_word(source: str, language: str) -> str:
    """A parameter's source: a citation as written, the words 'estimate' and 'definition' translated."""
    return pick(SOURCE_WORDS[source], language) if source in SOURCE_WORDS else source


def describe_source(source: str, language: str) -> str:
    """A region-data source made readable: a document clause, an estimate, or an address."""
    if source == "estimate":
        return t("estimate", language)
    match = re.match(r"seed:(\S+) clause (\S+)", source)
    if match:
        doc = document(match.group(1), language)
        return f"{doc} 第{match.group(2)}条" if language == "zh" else f"{doc}, clause {match.group(2)}"
    return source
