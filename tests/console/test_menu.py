"""The menu shows only what the role can use; the page's language is the user's."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

MENU = {
    "duty": {"工作台", "事件列表", "登记舆情", "舆情线索", "站内信"},
    "handler": {"工作台", "事件列表", "舆情线索", "抄告单", "站内信"},
    "spokesperson": {"工作台", "事件列表", "待发布回应", "站内信"},
    "office": {"工作台", "事件列表", "看板", "登记舆情", "舆情线索", "会议", "抄告单", "站内信", "投递记录", "审计",
               "管理后台", "API 文档"},
    "auditor": {"工作台", "事件列表", "舆情线索", "站内信", "审计", "管理后台", "API 文档"},
}


def menu_of(html: str) -> set[str]:
    nav = html.split('<nav aria-label="主菜单">')[1].split("</nav>")[0]
    return {part.split(">", 1)[1] for part in nav.split("</a>") if ">" in part}


@pytest.mark.parametrize("role", sorted(MENU))
def test_the_menu_offers_only_what_the_role_can_use(office, role):
    client = Client()
    client.force_login(office.users[role])
    assert menu_of(client.get("/").content.decode()) == MENU[role]


def test_a_role_without_the_admin_or_the_office_log_is_not_offered_them(office):
    client = Client()
    client.force_login(office.users["duty"])
    html = client.get("/").content.decode()
    assert "/admin/" not in html and "/api/docs/" not in html
    assert "/notifications/deliveries/" not in html


def test_html_lang_follows_the_users_language(office):
    client = Client()
    client.force_login(office.users["duty"])
    assert '<html lang="zh-hans">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html and "Duty desk" in html
