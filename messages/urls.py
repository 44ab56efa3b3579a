from django.urls import path

from messages import views

app_name = "messages"
urlpatterns = [
    path("", views.thread_list, name="list"),
    path("unread", views.unread_badge, name="unread"),
    path("new/", views.new_message, name="new"),
    path("templates/", views.template_list, name="templates"),
    path("templates/<uuid:template_id>/delete/", views.template_delete, name="template_delete"),
    path("<uuid:thread_id>/", views.thread_detail, name="thread"),
    path("<uuid:thread_id>/reply/", views.thread_reply, name="reply"),
    path("<uuid:thread_id>/preview", views.reply_preview, name="preview"),
]
