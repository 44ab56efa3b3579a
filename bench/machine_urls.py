from django.urls import path

from bench.urls import bare
from voqo.machine_urls import urlpatterns as provider_routes

# The bare view once more, on the provider routes' lean middleware stack.
urlpatterns = [path("bench/machine-bare", bare), *provider_routes]
