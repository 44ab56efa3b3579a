from django.urls import path

from listings import views

app_name = "listings"
urlpatterns = [
    path("", views.listing_list, name="list"),
    path("<uuid:listing_id>/", views.listing_detail, name="detail"),
    path("import/", views.listing_import, name="import"),
    path("import/feed/", views.feed_save, name="feed_save"),
    path("import/feed/check/", views.feed_check, name="feed_check"),
    path("import/csv/", views.csv_upload, name="csv_upload"),
    path("import/csv/<str:token>/", views.csv_map, name="csv_map"),
    path("imports/<uuid:import_id>/", views.import_detail, name="import_detail"),
]
