"""Centre names by the rule of ORG-2 / SITE-2 (启政办发〔2020〕37号 §二(四)2).

Town:    "行政区域名称 + 为民服务中心"          启东市吕四港镇为民服务中心
Village: "行政区域名称 + 村名称 + 便民服务中心"  启东市汇龙镇幸福一村便民服务中心

The 行政区域名称 is 启东市 followed by the town (or development zone). A zone whose own name already
starts with 启东 is not prefixed twice (启东滨海工业园为民服务中心).

The 村名称 comes from the NBS register name of the 村委会/居委会 (village_display_name):
- a trailing "（新）" (the register's mark for a re-formed village) is dropped;
- "X村委会" → "X村", but "X村村委会" → "X村" (no doubled 村);
- "X社区居委会" → "X社区"; "X居委会" → "X" when X already ends in 村 or 社区 (幸福一村居委会 → 幸福一村),
  otherwise "X社区" (向阳镇居委会 → 向阳镇社区), so a community is never mistaken for a town;
- names already ending in 社区 stay as they are.
"""

from __future__ import annotations

import re

CITY_NAME = "启东市"


def village_display_name(register_name: str) -> str:
    name = re.sub(r"[（(]新[）)]$", "", register_name.strip())
    if name.endswith("村村委会"):
        return name[: -len("村委会")]
    if name.endswith("村委会"):
        return name[: -len("村委会")] + "村"
    if name.endswith("社区居委会"):
        return name[: -len("居委会")]
    if name.endswith("居委会"):
        base = name[: -len("居委会")]
        return base if base.endswith(("村", "社区")) else base + "社区"
    return name


def region_name(town_name: str) -> str:
    return town_name if town_name.startswith("启东") else CITY_NAME + town_name


def town_centre_name(town_name: str) -> str:
    return f"{region_name(town_name)}为民服务中心"


def village_centre_name(town_name: str, village_name: str) -> str:
    return f"{region_name(town_name)}{village_name}便民服务中心"
