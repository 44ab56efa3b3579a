app_name = "functions"
urlpatterns: list = []
