"""Documents the briefing tests render: one with every part, and stress cases."""

from datetime import date

from briefings.layout import (
    BodyText, DataTable, Heading, Letterhead, NewPage, OfficialDocument,
)

LETTERHEAD = Letterhead(
    issuer="某某市网络舆情应急处置工作领导小组办公室",
    printing_unit="某某市网络舆情应急处置工作领导小组办公室",
)

RARE_NAME_CHARACTERS = "镕喆堃昇珺犇"

BODY_PARAGRAPH = (
    "10月25日9时许，网民“江城观察”在微博发布《关于某某街道积水问题的调查》一文，"
    "反映某某区某某街道连续三天积水、群众出行困难等问题，截至发稿时累计阅读量超过120万次，"
    "转发3.2万次，评论8 600余条（其中负面评论占67%）。市委网信办接报后立即启动Ⅲ级响应，"
    "会同市住建局、某某区政府核实情况，并于当日16时通过官方账号发布权威信息……"
)


def full_document(**overrides):
    fields = dict(
        letterhead=LETTERHEAD,
        copy_number="000123",
        classification="机密★1年",
        urgency="特急",
        document_number="舆情办〔2026〕12号",
        title="关于某某区某某街道积水问题网络舆情处置情况的报告",
        recipients=["各区网络舆情应急处置工作领导小组", "市直各有关单位"],
        body=[
            BodyText(BODY_PARAGRAPH),
            Heading("一、舆情基本情况"),
            BodyText(BODY_PARAGRAPH),
            Heading("（一）传播态势", level=2),
            BodyText(f"经核查，当事人王{RARE_NAME_CHARACTERS[0]}、李{RARE_NAME_CHARACTERS[1]}、"
                     f"张{RARE_NAME_CHARACTERS[2:]}反映的情况基本属实。"),
            DataTable(
                header=["平台", "阅读量（万）", "转发（次）", "负面占比"],
                rows=[["微博", "120.5", "32 000", "67%"], ["微信公众号", "45.1", "8 100", "52%"],
                      ["抖音", "310.0", "51 000", "71%"]],
                column_weights=[2, 1, 1, 1],
                caption="表1  各平台传播数据",
            ),
            Heading("二、处置措施"),
            BodyText(BODY_PARAGRAPH * 2),
            Heading("三、下一步工作建议"),
            BodyText("请各单位加强值班值守，发现苗头性问题及时报告。"),
        ],
        attachments=["某某街道积水问题舆情监测日报（10月25日至27日）", "网民留言摘录"],
        date=date(2026, 11, 23),
        note="此件发至区级",
        copies_to=["市委宣传部", "市委网信办", "市公安局", "市住建局"],
    )
    fields.update(overrides)
    return OfficialDocument(**fields)


def empty_document():
    return OfficialDocument(letterhead=Letterhead(issuer=""), title="")


def long_document(paragraphs=500):
    return full_document(body=[BodyText(f"{number}. {BODY_PARAGRAPH}") for number in range(paragraphs)])


def mixed_scripts_document():
    text = ("Mixed: Привет, мир! 2026年 OpinionOps v1.2 emoji 😀👍🏽 👨‍👩‍👧 family, "
            "rare 𠀀𪚥 ideographs, https://example.com/a/very/long/path/without/any/spaces/at/all/"
            "index.html?query=string&and=more 结束。")
    return full_document(
        title="关于“😀表情包”与Привет等多语种混排内容在网络传播中引发的系列舆情事件的处置情况和下一步工作建议的报告",
        body=[BodyText(text), Heading("一、😀"), NewPage(), BodyText(text * 3)],
    )


def english_document():
    from briefings.charts import bar_chart, trend_chart
    from briefings.layout import Figure

    return OfficialDocument(
        letterhead=Letterhead(issuer="Online Opinion Response Office", suffix=" Notice",
                              printing_unit="Online Opinion Response Office"),
        document_number="OOR [2026] No. 12",
        signer="Zhang Wei",
        title="Report on the Handling of the Street Flooding Online Opinion Incident",
        recipients=["District response groups", "Municipal departments"],
        body=[
            Heading("1. Overview"),
            BodyText("On 25 October a post about flooding in Jiangcheng Street (江城街道) reached "
                     "1.2 million readers within six hours; 67% of comments were negative."),
            Figure(bar_chart(["微博", "微信", "抖音"], [120, 45, 310]), caption="Figure 1  Reads by platform"),
            Figure(trend_chart(["8时", "10时", "12时", "14时"], {"正面": [1, 3, 2, 4], "负面": [2, 6, 9, 5]}),
                   caption="Figure 2  Sentiment trend"),
        ],
        attachments=["Daily monitoring report"],
        date=date(2026, 11, 23),
        copies_to=["Publicity Department", "Cyberspace Affairs Office"],
    )
