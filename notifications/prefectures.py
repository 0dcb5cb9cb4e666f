"""The 47 prefectures as data (JIS X 0401 codes 01–47), grouped by the
regions the area setting screen shows (NOTIF-2).

An area is stored as a set of prefectures packed into one integer (bit
``code - 1`` set for each prefecture): "does the tenant's area cover an
affected prefecture" is then one ``area & affected <> 0`` in SQL, the same on
PostgreSQL and SQLite, with no join table per tenant. 全国 is every bit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Prefecture:
    code: str  # "01" … "47"
    name: str

    @property
    def bit(self) -> int:
        return 1 << (int(self.code) - 1)


@dataclass(frozen=True)
class Region:
    label: object  # a lazy translation
    key: str
    prefectures: tuple[Prefecture, ...]


def _p(*pairs: tuple[str, str]) -> tuple[Prefecture, ...]:
    return tuple(Prefecture(code, name) for code, name in pairs)


REGIONS: tuple[Region, ...] = (
    Region(
        _("北海道・東北"),
        "tohoku",
        _p(("01", "北海道"), ("02", "青森県"), ("03", "岩手県"), ("04", "宮城県"), ("05", "秋田県"), ("06", "山形県"), ("07", "福島県")),
    ),
    Region(
        _("関東"),
        "kanto",
        _p(("08", "茨城県"), ("09", "栃木県"), ("10", "群馬県"), ("11", "埼玉県"), ("12", "千葉県"), ("13", "東京都"), ("14", "神奈川県")),
    ),
    Region(
        _("中部"),
        "chubu",
        _p(
            ("15", "新潟県"), ("16", "富山県"), ("17", "石川県"), ("18", "福井県"), ("19", "山梨県"),
            ("20", "長野県"), ("21", "岐阜県"), ("22", "静岡県"), ("23", "愛知県"),
        ),
    ),
    Region(
        _("近畿"),
        "kinki",
        _p(("24", "三重県"), ("25", "滋賀県"), ("26", "京都府"), ("27", "大阪府"), ("28", "兵庫県"), ("29", "奈良県"), ("30", "和歌山県")),
    ),
    Region(_("中国"), "chugoku", _p(("31", "鳥取県"), ("32", "島根県"), ("33", "岡山県"), ("34", "広島県"), ("35", "山口県"))),
    Region(_("四国"), "shikoku", _p(("36", "徳島県"), ("37", "香川県"), ("38", "愛媛県"), ("39", "高知県"))),
    Region(
        _("九州・沖縄"),
        "kyushu",
        _p(
            ("40", "福岡県"), ("41", "佐賀県"), ("42", "長崎県"), ("43", "熊本県"),
            ("44", "大分県"), ("45", "宮崎県"), ("46", "鹿児島県"), ("47", "沖縄県"),
        ),
    ),
)

PREFECTURES: tuple[Prefecture, ...] = tuple(p for r in REGIONS for p in r.prefectures)
BY_CODE: dict[str, Prefecture] = {p.code: p for p in PREFECTURES}
NATIONWIDE: int = (1 << len(PREFECTURES)) - 1
CHOICES: list[tuple[str, str]] = [(p.code, p.name) for p in PREFECTURES]


def to_mask(codes: Iterable[str]) -> int:
    """{"01", "13"} → the packed area. Unknown codes raise KeyError."""
    mask = 0
    for code in codes:
        mask |= BY_CODE[code].bit
    return mask


def codes(mask: int) -> list[str]:
    return [p.code for p in PREFECTURES if mask & p.bit]


def names(mask: int) -> list[str]:
    return [p.name for p in PREFECTURES if mask & p.bit]


def describe(mask: int) -> str:
    """全国, or the prefecture names in JIS order (for pages and mails)."""
    if mask & NATIONWIDE == NATIONWIDE:
        return str(_("全国"))
    return "、".join(names(mask))
