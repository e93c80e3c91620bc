"""The admin: the office's back room for plans, people and incidents.

Nothing here writes incident state directly: transitions are admin actions (and buttons on the
change page) that call incidents.actions; timeline, deadlines and escalations are view-only;
published plan versions are read-only and are changed by making a new version.
"""
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import deadline, incident  # noqa: F401  (registers the admins)

admin.site.site_header = _("网络舆情应急处置 · 管理后台")
admin.site.site_title = _("网络舆情应急处置")
admin.site.index_title = _("预案、人员与舆情事件")
