"""Reference data: the official holiday calendar and the catalogue of purchasable services."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class HolidayDay(Base):
    """One holiday (法定节假日) or make-up working day (调休上班)."""

    __tablename__ = "holiday_days"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    name: Mapped[str] = mapped_column(String(64), default="")


class CalendarYear(Base):
    """A year whose official schedule is known; deadlines in other years are flagged."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(255), default="")


class CatalogueItem(Base):
    """购买服务目录: an editable catalogue of purchasable services."""

    __tablename__ = "catalogue_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), default="")
    name: Mapped[str] = mapped_column(String(128), unique=True)
    category: Mapped[int] = mapped_column(Integer, default=3)  # 成都规程第三条: 1, 2, 3
    active: Mapped[bool] = mapped_column(Boolean, default=True)
