from django.urls import path

from . import views

urlpatterns = [
    # The providers' own paths, so a tool configured for a robot only changes the host.
    path("intake/dingtalk/robot/send", views.dingtalk_send, name="intake-dingtalk"),
    path("intake/wecom/cgi-bin/webhook/send", views.wecom_send, name="intake-wecom"),
    path("intake/feishu/open-apis/bot/v2/hook/<str:token>", views.feishu_hook,
         name="intake-feishu"),
    path("intake/leads/", views.lead_list, name="intake-leads-page"),
    path("intake/leads/rows/", views.lead_rows, name="intake-leads-rows"),
    path("intake/leads/<int:pk>/<slug:verb>/", views.lead_step, name="intake-lead-step"),
]
