"""Regenerate the golden ledger files in this folder: `.venv/bin/python tests/data/ledgers/make_ledgers.py`.

They imitate what street offices really keep: a title row and blank lines above the header, a
header spanning two rows with merged group cells, full-width digits, dates typed every which way,
a GBK CSV saved by an old Excel, a UTF-8 CSV with a BOM, duplicates, bad codes, and files that
cannot be read at all. The generated files are committed; tests read them, they do not run this.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import openpyxl
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))

from app.domain.uscc import make_code  # noqa: E402

FW = str.maketrans("0123456789ABCDEFGHJKLMNPQRTUWXY", "０１２３４５６７８９ＡＢＣＤＥＦＧＨＪＫＬＭＮＰＱＲＴＵＷＸＹ")


def code(prefix: str, n: int) -> str:
    return make_code(prefix, "110105", f"MJ{n:06d}")


# The codes the tests refer to (see tests/unit/test_ledger_import.py).
SUNSHINE = code("52", 1)
NEIGHBOURS = code("51", 2)
SUNSET = code("52", 3)
GREEN = code("51", 4)[:17]  # one character short
HEART = code("52", 5)[:10] + "O" + code("52", 5)[11:]  # the letter O is never used
_QIMING = code("53", 6)
QIMING = _QIMING[:17] + ("1" if _QIMING[17] != "1" else "2")  # wrong check character
CORRECTION = code("52", 7)
DISABLED = code("52", 8)
CHILDHOOD = code("52", 9)
VOLUNTEERS = code("51", 10)
ELDERLY = code("52", 11)
LIBRARY = code("51", 12)
BOM_1, BOM_2 = code("52", 13), code("51", 14)
GBK_1, GBK_2, GBK_3 = code("52", 15), code("51", 16), code("52", 17)
GBK_BAD = code("52", 18)[:4] + "O" + code("52", 18)[5:]
EN_1, EN_2 = code("52", 19), code("53", 20)

TITLE = "XX街道社会组织名录（2025年）"


def street_ledger() -> None:
    """Two sheets (instructions first); title, blank row, merged two-row header, messy data."""
    wb = openpyxl.Workbook()
    info = wb.active
    info.title = "填表说明"
    info["A1"] = "1. 统一社会信用代码请填写18位。"
    info["A2"] = "2. 日期格式为 2024-01-01。"
    ws = wb.create_sheet("社会组织名录")
    headers = ["序号", "社会组织名称", "统一社会信用代码", "组织类型", "法定代表人", "成立日期", "登记管理机关",
               "联系人", "联系电话", "地址", "服务领域", "是否支持性组织", "评估等级", "评估有效期",
               "2024年度年检结果", "开户银行", "账户名称", "银行账号", "备注"]
    ws["A1"] = TITLE
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    # Row 2 is blank. Row 3: group cells; 序号 and 备注 are merged down over rows 3-4.
    for col, text, span in ((2, "基本信息", 6), (8, "联系方式", 3), (11, "服务与资质", 5), (16, "银行信息", 3)):
        ws.cell(3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=3, end_column=col + span - 1)
    ws["A3"], ws["S3"] = "序号", "备注"
    ws.merge_cells("A3:A4")
    ws.merge_cells("S3:S4")
    for col, text in enumerate(headers, 1):
        if text not in ("序号", "备注"):
            ws.cell(4, col, text)
    rows = {
        5: [1, "阳光社会工作服务中心", SUNSHINE.translate(FW), "民办非企业单位", "王芳", datetime(2016, 3, 15),
            "朝阳区民政局", "李明", "１３８ ０００１ ２３４５", "北京市朝阳区幸福路1号", "扶老助残、法律援助", "√",
            "AAA", "2027年12月31日", "合格", "中国银行北京朝阳支行", "阳光社会工作服务中心",
            "6217 0000 1234 5678 901", ""],
        6: [2, "邻里互助协会", NEIGHBOURS, "社会团体", "赵强", "2019/3/15", "朝阳区民政局", "赵强", "010-6512 3456",
            "幸福路社区活动中心二层", "文体科普，促进就业", "否", "4A级", "2026.12.31", "基本合格", "", "", "", ""],
        # row 7 blank
        8: [3, "夕阳红养老服务中心", SUNSET, "社会服务机构", "孙丽", "2018年6月1日", "朝阳区民政局", "孙丽",
            13800138000, "光明街12号", "扶老助残", "", "３Ａ", "2028-06-30", "合格", "", "", "", "老年助餐点"],
        9: [4, "绿色家园环保协会", GREEN, "社会团体", "周涛", "2020.10.8", "", "", "", "", "生态环境", "", "", "",
            "", "", "", "", ""],
        10: [5, "心桥心理咨询服务中心", HEART, "民办非企业单位", "吴敏", "2017-09-01", "", "", "", "", "医疗卫生", "",
             "", "", "", "", "", "", ""],
        11: [6, "启明助学基金会", QIMING, "基金会", "郑华", "2015/1/20", "北京市民政局", "", "", "", "支教助学", "",
             "", "", "", "", "", "", ""],
        12: [7, "阳光社会工作服务中心", " " + SUNSHINE.lower()[:9] + " " + SUNSHINE.lower()[9:], "民办非企业单位",
             "王芳", "2016-03-15", "", "", "", "", "", "", "", "", "", "", "", "", "重复登记"],
        13: [8, "社区矫正帮教服务社", CORRECTION, "民非", "钱进", 43466, "朝阳区民政局", "", 13912345678, "", "",
             "", "", "", "", "", "", "", ""],
        14: [9, "爱心助残服务中心", DISABLED, "民办非企业单位", "冯雪", "2020年2月30日", "", "", "", "", "扶老助残",
             "", "", "", "", "", "", "", ""],
        15: [10, "快乐童年托管中心", CHILDHOOD, "民办非企业单位", "陈晨", "2021-07-01", "", "", "", "", "托管服务",
             "", "", "", "", "", "", "", ""],
        # row 16 blank
        17: ["填表人：张三        审核人：李四        填表日期：2025年1月10日"],
    }
    for r, values in rows.items():
        for c, v in enumerate(values, 1):
            if v != "":
                ws.cell(r, c, v)
    ws.cell(5, 6).number_format = "yyyy-mm-dd"
    ws.merge_cells("A17:S17")
    wb.save(HERE / "street_ledger.xlsx")


def vertical_header() -> None:
    """Headers merged downwards; "联系方式" and "年检" are group cells over two and two columns."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws["A1"] = TITLE
    ws.merge_cells("A1:H1")
    for col, text in enumerate(["名称", "统一社会信用代码", "法定代表人"], 1):
        ws.cell(3, col, text)
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws["D3"], ws["D4"], ws["E4"] = "联系方式", "联系人", "手机"
    ws.merge_cells("D3:E3")
    ws["F3"] = "成立时间"
    ws.merge_cells("F3:F4")
    ws["G3"], ws["G4"], ws["H4"] = "年检", "年度", "结果"
    ws.merge_cells("G3:H3")
    data = [
        ["睦邻志愿者协会", VOLUNTEERS, "林一", "林一", "１３６００１３６０００", datetime(2012, 5, 4), 2024, "合格"],
        ["银龄互助服务中心", ELDERLY, "黄二", "何三", "13700137000", "2014.2.8", "2024年", "基本合格"],
        ["社区书香读书会", LIBRARY, "杨四", "", "", "2013年10月1日", "", ""],
    ]
    for r, values in enumerate(data, 5):
        for c, v in enumerate(values, 1):
            if v != "":
                ws.cell(r, c, v)
    wb.save(HERE / "vertical_header.xlsx")


def csv_files() -> None:
    bom = ("\ufeff* 单位名称 ,统一社会信用代码（18位）,法人,手机,地址,登记日期,支持性组织,等级,等级有效期,2024年检\r\n"
           f"和谐社区发展中心,{BOM_1},何平,13511112222,\"北京市朝阳区和平里1号,2层\",2019-5-6,是,AAAA,2029/1/1,合格\r\n"
           f",,,,,,,,,\r\n"
           f"社区文化艺术团,{BOM_2.translate(FW)},曹阳,010-12345678,,2020/05/06,否,,,基本合格\r\n")
    (HERE / "utf8_bom.csv").write_bytes(bom.encode("utf-8"))

    gbk = (f"{TITLE},,,,,,,,,\r\n"
           ",,,,,,,,,\r\n"
           "单位名称,统一社会信用代码,负责人,联系电话,成立日期,服务领域,评估等级,评估有效期,年检年度,年检结果\r\n"
           f"平安调解服务中心,{GBK_1},许多,６５１２３４５６,2023.5.1,法律援助,3A级,2028年5月1日,2024,合格\r\n"
           f"巾帼家政服务协会,{GBK_2.translate(FW)},蒋英,13600001111,2021年3月8日,促进就业；妇幼保护,,,2024,基本合格\r\n"
           f"阳光助残服务社,{GBK_BAD},韩梅,13600002222,2022/6/1,扶老助残,,,,\r\n"
           f"平安调解服务中心,{GBK_1},许多,,,,,,,\r\n"
           f"青少年成长服务中心,{GBK_3},彭飞,13600003333,2019-09-09,文体科普,AAA,2026-01-01,2024,合格\r\n")
    (HERE / "gbk.csv").write_bytes(gbk.encode("gbk"))

    english = ("name,credit code,legal representative,phone,established\n"
               f"Harmony Community Centre,{EN_1},Li Ping,010-88886666,2018-01-02\n"
               f"Bright Future Foundation,{EN_2},Wang Lei,,2019/02/03\n")
    (HERE / "english.csv").write_text(english, encoding="utf-8")

    # Excel's "Unicode text" is UTF-16: neither UTF-8 nor GBK, so it is refused with a message.
    (HERE / "utf16.csv").write_bytes(f"名称,统一社会信用代码\r\n和谐社区发展中心,{BOM_1}\r\n".encode("utf-16"))
    (HERE / "no_header.csv").write_text("甲,乙,丙\n1,2,3\n", encoding="utf-8")
    (HERE / "empty.csv").write_bytes(b"")


def broken_workbooks() -> None:
    wb = openpyxl.Workbook()
    wb.save(HERE / "empty.xlsx")
    # A password-protected .xlsx is an OLE compound file, not a zip; the header is what we look at.
    (HERE / "protected.xlsx").write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504)
    (HERE / "truncated.xlsx").write_bytes((HERE / "vertical_header.xlsx").read_bytes()[:300])


if __name__ == "__main__":
    street_ledger()
    vertical_header()
    csv_files()
    broken_workbooks()
    print("written to", HERE)
