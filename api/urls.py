"""REST API routes (resources are added per issue on top of the engine services)."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
