"""Service Purchase Desk (政府购买服务工作台)."""

__version__ = "0.1.0"
APP_ID = "spdesk"
