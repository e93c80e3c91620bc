from django.urls import path

from . import slips, views

urlpatterns = [
    path("", views.home, name="home"),
    path("board/", views.board, name="board"),
    path("referrals/", slips.worklist, name="referral-worklist"),
    path("referrals/<int:pk>/", slips.slip_detail, name="referral-page"),
    path("referrals/<int:pk>/documents/<int:document>/", slips.slip_document,
         name="referral-document"),
    path("referrals/<int:pk>/<str:verb>/", slips.slip_step, name="referral-step"),
]
